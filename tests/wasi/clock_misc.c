/* Clocks, random_get, sched_yield, proc_raise and the socket functions
 * (which ebb does not support: they must fail with the right errno). */
#include "guest.h"

static void test_clocks(void)
{
    static const __wasi_clockid_t ids[] = {
        __WASI_CLOCKID_REALTIME, __WASI_CLOCKID_MONOTONIC,
        __WASI_CLOCKID_PROCESS_CPUTIME_ID, __WASI_CLOCKID_THREAD_CPUTIME_ID};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        __wasi_timestamp_t res = 0, t1 = 0, t2 = 0;
        CHECK_OK(__wasi_clock_res_get(ids[i], &res));
        CHECK(res > 0 && res <= 1000000000ull);
        CHECK_OK(__wasi_clock_time_get(ids[i], 1, &t1));
        volatile uint64_t spin = 0;
        for (int k = 0; k < 100000; k++)
            spin += (uint64_t)k;
        (void)spin;
        CHECK_OK(__wasi_clock_time_get(ids[i], 1, &t2));
        CHECK(t1 > 0 && t2 >= t1);
    }
    /* The wall clock is past 2020-01-01, in nanoseconds. */
    __wasi_timestamp_t now = 0;
    CHECK_OK(__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 0, &now));
    CHECK(now > 1577836800ull * 1000000000ull);
    /* Unknown clocks. */
    __wasi_timestamp_t t;
    CHECK_ERRNO(__wasi_clock_res_get(4, &t), __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_clock_time_get(4, 0, &t), __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_clock_time_get(0xffffffffu, 0, &t), __WASI_ERRNO_INVAL);
    CHECK_ERRNO(raw_clock_time_get(__WASI_CLOCKID_MONOTONIC, 0, FAR_ADDR),
                __WASI_ERRNO_FAULT);
    CHECK_ERRNO(raw_clock_res_get(__WASI_CLOCKID_MONOTONIC, FAR_ADDR),
                __WASI_ERRNO_FAULT);
}

static int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static void test_random(void)
{
    uint8_t a[64], b[64];
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    CHECK_OK(__wasi_random_get(a, sizeof a));
    CHECK_OK(__wasi_random_get(b, sizeof b));
    CHECK(!all_zero(a, sizeof a));
    CHECK(memcmp(a, b, sizeof a) != 0);
    CHECK_OK(__wasi_random_get(a, 0));
    /* A large request is filled completely (the host may loop). */
    static uint8_t big[1 << 20];
    CHECK_OK(__wasi_random_get(big, sizeof big));
    CHECK(!all_zero(big + sizeof big - 64, 64));
    CHECK_ERRNO(raw_random_get(FAR_ADDR, 16), __WASI_ERRNO_FAULT);
    CHECK_ERRNO(raw_random_get(ADDR(a), 0x7fffffff), __WASI_ERRNO_FAULT);
}

static void test_misc(void)
{
    CHECK_OK(__wasi_sched_yield());
    /* Signals cannot be raised in the sandbox. */
    CHECK_ERRNO(raw_proc_raise(15 /* SIGTERM */), __WASI_ERRNO_NOSYS);
}

static void test_sockets(void)
{
    /* fd 1 is open but is no socket; fd 99 is not open at all. */
    __wasi_fd_t fd;
    CHECK_ERRNO(__wasi_sock_accept(1, 0, &fd), __WASI_ERRNO_NOTSOCK);
    CHECK_ERRNO(__wasi_sock_accept(99, 0, &fd), __WASI_ERRNO_BADF);
    uint8_t buf[4];
    __wasi_iovec_t iov = {buf, sizeof buf};
    __wasi_ciovec_t ciov = {buf, sizeof buf};
    __wasi_size_t n;
    __wasi_roflags_t rof;
    CHECK_ERRNO(__wasi_sock_recv(1, &iov, 1, 0, &n, &rof),
                __WASI_ERRNO_NOTSOCK);
    CHECK_ERRNO(__wasi_sock_recv(99, &iov, 1, 0, &n, &rof), __WASI_ERRNO_BADF);
    CHECK_ERRNO(__wasi_sock_send(1, &ciov, 1, 0, &n), __WASI_ERRNO_NOTSOCK);
    CHECK_ERRNO(__wasi_sock_send(99, &ciov, 1, 0, &n), __WASI_ERRNO_BADF);
    CHECK_ERRNO(__wasi_sock_shutdown(1, __WASI_SDFLAGS_RD),
                __WASI_ERRNO_NOTSOCK);
    CHECK_ERRNO(__wasi_sock_shutdown(99, __WASI_SDFLAGS_WR), __WASI_ERRNO_BADF);
}

int main(void)
{
    test_clocks();
    test_random();
    test_misc();
    test_sockets();
    return guest_finish();
}
