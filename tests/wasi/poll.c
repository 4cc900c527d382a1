/* poll_oneoff with clock and fd subscriptions, and its error paths. The
 * runner preopens an empty directory as "sandbox". */
#include "guest.h"

static __wasi_timestamp_t now(void)
{
    __wasi_timestamp_t t = 0;
    (void)__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t);
    return t;
}

static __wasi_subscription_t clock_sub(__wasi_userdata_t ud,
                                       __wasi_clockid_t id,
                                       __wasi_timestamp_t timeout,
                                       __wasi_subclockflags_t flags)
{
    __wasi_subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = ud;
    s.u.tag = __WASI_EVENTTYPE_CLOCK;
    s.u.u.clock.id = id;
    s.u.u.clock.timeout = timeout;
    s.u.u.clock.precision = 0;
    s.u.u.clock.flags = flags;
    return s;
}

static __wasi_subscription_t fd_sub(__wasi_userdata_t ud, uint8_t tag,
                                    __wasi_fd_t fd)
{
    __wasi_subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = ud;
    s.u.tag = tag;
    s.u.u.fd_read.file_descriptor = fd;
    return s;
}

static void test_clock(void)
{
    __wasi_event_t ev[2];
    __wasi_size_t n = 0;
    /* A relative timeout of 20 ms sleeps at least that long. */
    __wasi_subscription_t s = clock_sub(7, __WASI_CLOCKID_MONOTONIC,
                                        20000000, 0);
    __wasi_timestamp_t t0 = now();
    CHECK_OK(__wasi_poll_oneoff(&s, ev, 1, &n));
    __wasi_timestamp_t t1 = now();
    CHECK(n == 1);
    CHECK(ev[0].userdata == 7 && ev[0].error == 0 &&
          ev[0].type == __WASI_EVENTTYPE_CLOCK);
    CHECK(t1 - t0 >= 20000000);
    /* An absolute deadline 10 ms ahead. */
    s = clock_sub(8, __WASI_CLOCKID_MONOTONIC, now() + 10000000,
                  __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
    CHECK_OK(__wasi_poll_oneoff(&s, ev, 1, &n));
    CHECK(n == 1 && ev[0].userdata == 8);
    CHECK(now() >= s.u.u.clock.timeout);
    /* A deadline in the past fires at once; so does the realtime clock. */
    s = clock_sub(9, __WASI_CLOCKID_MONOTONIC, 1,
                  __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
    CHECK_OK(__wasi_poll_oneoff(&s, ev, 1, &n));
    CHECK(n == 1 && ev[0].userdata == 9 && ev[0].error == 0);
    s = clock_sub(10, __WASI_CLOCKID_REALTIME, 1000000, 0);
    CHECK_OK(__wasi_poll_oneoff(&s, ev, 1, &n));
    CHECK(n == 1 && ev[0].userdata == 10);
    /* Two timers: the earlier one fires, alone. */
    __wasi_subscription_t two[2] = {
        clock_sub(1, __WASI_CLOCKID_MONOTONIC, 5000000000ull, 0),
        clock_sub(2, __WASI_CLOCKID_MONOTONIC, 1000000, 0)};
    t0 = now();
    CHECK_OK(__wasi_poll_oneoff(two, ev, 2, &n));
    CHECK(n == 1 && ev[0].userdata == 2);
    CHECK(now() - t0 < 4000000000ull);
}

static void test_fds(int dir)
{
    __wasi_event_t ev[3];
    __wasi_size_t n = 0;
    __wasi_fd_t fd;
    CHECK_OK(guest_open(dir, "p.txt", __WASI_OFLAGS_CREAT, 0, &fd));
    CHECK_OK(guest_write(fd, "0123456789"));
    __wasi_filesize_t pos;
    CHECK_OK(__wasi_fd_seek(fd, 4, __WASI_WHENCE_SET, &pos));
    /* A regular file is always ready; a read reports the bytes left. */
    __wasi_subscription_t s[3] = {
        fd_sub(21, __WASI_EVENTTYPE_FD_READ, fd),
        fd_sub(22, __WASI_EVENTTYPE_FD_WRITE, fd),
        clock_sub(23, __WASI_CLOCKID_MONOTONIC, 5000000000ull, 0)};
    __wasi_timestamp_t t0 = now();
    CHECK_OK(__wasi_poll_oneoff(s, ev, 3, &n));
    CHECK(now() - t0 < 4000000000ull);
    CHECK(n == 2);
    int seen_read = 0, seen_write = 0;
    for (__wasi_size_t i = 0; i < n && i < 3; i++) {
        if (ev[i].userdata == 21) {
            seen_read = ev[i].type == __WASI_EVENTTYPE_FD_READ &&
                        ev[i].error == 0 && ev[i].fd_readwrite.nbytes == 6;
        } else if (ev[i].userdata == 22) {
            seen_write = ev[i].type == __WASI_EVENTTYPE_FD_WRITE &&
                         ev[i].error == 0;
        }
    }
    CHECK(seen_read);
    CHECK(seen_write);
    /* stdout is writable. */
    s[0] = fd_sub(31, __WASI_EVENTTYPE_FD_WRITE, 1);
    CHECK_OK(__wasi_poll_oneoff(s, ev, 1, &n));
    CHECK(n == 1 && ev[0].userdata == 31 && ev[0].error == 0);
    /* A closed fd: the event carries EBADF. */
    s[0] = fd_sub(41, __WASI_EVENTTYPE_FD_READ, 99);
    CHECK_OK(__wasi_poll_oneoff(s, ev, 1, &n));
    CHECK(n == 1 && ev[0].userdata == 41);
    CHECK_ERRNO(ev[0].error, __WASI_ERRNO_BADF);
    CHECK_OK(__wasi_fd_close(fd));
}

static void test_errors(void)
{
    __wasi_event_t ev[1];
    __wasi_size_t n = 0;
    __wasi_subscription_t s = clock_sub(1, __WASI_CLOCKID_MONOTONIC, 0, 0);
    CHECK_ERRNO(__wasi_poll_oneoff(&s, ev, 0, &n), __WASI_ERRNO_INVAL);
    /* An unknown event type. */
    s.u.tag = 3;
    CHECK_ERRNO(__wasi_poll_oneoff(&s, ev, 1, &n), __WASI_ERRNO_INVAL);
    /* An unknown clock: reported as the event's error. */
    s = clock_sub(5, 17, 0, 0);
    CHECK_OK(__wasi_poll_oneoff(&s, ev, 1, &n));
    CHECK(n == 1 && ev[0].userdata == 5);
    CHECK_ERRNO(ev[0].error, __WASI_ERRNO_INVAL);
    /* Subscriptions or events outside linear memory. */
    s = clock_sub(1, __WASI_CLOCKID_MONOTONIC, 0, 0);
    CHECK_ERRNO(__wasi_poll_oneoff(
                    (const __wasi_subscription_t *)(uintptr_t)0xfffffff0u,
                    ev, 1, &n),
                __WASI_ERRNO_FAULT);
    CHECK_ERRNO(__wasi_poll_oneoff(&s, (__wasi_event_t *)(uintptr_t)0xfffffff0u,
                                   1, &n),
                __WASI_ERRNO_FAULT);
    CHECK_ERRNO(__wasi_poll_oneoff(&s, ev, 0x10000000, &n), __WASI_ERRNO_FAULT);
}

int main(void)
{
    int dir = guest_preopen("sandbox");
    CHECK(dir >= 3);
    test_clock();
    if (dir >= 3)
        test_fds(dir);
    test_errors();
    return guest_finish();
}
