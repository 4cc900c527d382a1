/* WASI: poll_oneoff, waiting for clocks and descriptors at once.
 *
 * Clock subscriptions become a deadline on the monotonic clock (absolute
 * ones are converted from their own clock once, at the start); descriptor
 * subscriptions become a poll() set. A subscription that fails (unknown
 * clock, bad descriptor, missing right) is reported at once as an event
 * carrying its errno, which also means the call does not block. */
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_internal.h"

typedef struct sub {
    uint64_t userdata;
    uint8_t type;            /* WASI_EVENT_* */
    bool ready;
    uint16_t error;
    uint16_t flags;          /* event's fd_readwrite.flags */
    uint64_t nbytes;
    uint64_t deadline;       /* clocks: monotonic ns */
    int pfd;                 /* descriptors: index in the poll set */
} sub;

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a + b < a ? UINT64_MAX : a + b;
}

/* Reads subscription i; false for an unknown tag. */
static bool read_sub(wasi_call *c, const uint8_t *in, uint64_t now, sub *s,
                     struct pollfd *pfds, int *npfds)
{
    s->userdata = wasi_get64(in);
    s->type = in[8];
    s->pfd = -1;
    const uint8_t *u = in + 16;
    if (s->type == WASI_EVENT_CLOCK) {
        uint32_t id = wasi_get32(u);
        uint64_t timeout = wasi_get64(u + 8), t;
        uint32_t e = wasi_clock_now(id, &t);
        if (e) {
            s->error = (uint16_t)e, s->ready = true;
            return true;
        }
        if (wasi_get16(u + 24) & WASI_SUBCLOCK_ABSTIME)
            timeout = timeout > t ? timeout - t : 0;
        s->deadline = sat_add(now, timeout);
        return true;
    }
    if (s->type != WASI_EVENT_FD_READ && s->type != WASI_EVENT_FD_WRITE)
        return false;
    uint32_t e;
    wasi_fd *f = wasi_fd_get(c->ctx, wasi_get32(u),
                             WASI_RIGHT_POLL_FD_READWRITE, &e);
    if (!f) {
        s->error = (uint16_t)e, s->ready = true;
        return true;
    }
    s->pfd = *npfds;
    pfds[(*npfds)++] = (struct pollfd){
        .fd = f->host,
        .events = s->type == WASI_EVENT_FD_READ ? POLLIN : POLLOUT};
    return true;
}

/* Bytes ready to read: what a regular file has left, else what the
 * kernel says is queued (0 when it cannot tell). */
static uint64_t readable(int fd)
{
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        off_t pos = lseek(fd, 0, SEEK_CUR);
        return pos >= 0 && st.st_size > pos ? (uint64_t)(st.st_size - pos) : 0;
    }
    int n = 0;
    return ioctl(fd, FIONREAD, &n) == 0 && n > 0 ? (uint64_t)n : 0;
}

/* Marks what is ready now; returns how many are. */
static uint32_t collect(sub *subs, uint32_t n, const struct pollfd *pfds)
{
    uint64_t now = 0;
    wasi_clock_now(WASI_CLOCK_MONOTONIC, &now);
    uint32_t ready = 0;
    for (uint32_t i = 0; i < n; i++) {
        sub *s = &subs[i];
        if (!s->ready && s->type == WASI_EVENT_CLOCK)
            s->ready = s->deadline <= now;
        if (!s->ready && s->pfd >= 0 && pfds[s->pfd].revents) {
            short r = pfds[s->pfd].revents;
            s->ready = true;
            if (r & POLLNVAL)
                s->error = WASI_EBADF;
            else if (r & POLLHUP)
                s->flags = WASI_EVENT_HANGUP;
            else if (r & POLLERR)
                s->error = WASI_EIO;
            if (s->type == WASI_EVENT_FD_READ && !s->error)
                s->nbytes = readable(pfds[s->pfd].fd);
        }
        ready += s->ready;
    }
    return ready;
}

/* Waits until something is ready: the nearest deadline bounds the wait. */
static uint32_t wait_ready(sub *subs, uint32_t n, struct pollfd *pfds,
                           int npfds)
{
    for (;;) {
        uint64_t now = 0, first = UINT64_MAX;
        for (uint32_t i = 0; i < n; i++)
            if (subs[i].type == WASI_EVENT_CLOCK && !subs[i].error &&
                subs[i].deadline < first)
                first = subs[i].deadline;
        wasi_clock_now(WASI_CLOCK_MONOTONIC, &now);
        int ms = -1;
        if (first != UINT64_MAX) {
            uint64_t left = first > now ? first - now : 0;
            uint64_t m = (left + 999999) / 1000000; /* round up */
            ms = m > INT32_MAX ? INT32_MAX : (int)m;
        }
        if (poll(pfds, (nfds_t)npfds, ms) < 0 && errno != EINTR)
            return wasi_errno_now();
        if (collect(subs, n, pfds))
            return WASI_ESUCCESS;
    }
}

uint32_t wasi_fn_poll_oneoff(wasi_call *c, const uint64_t *args)
{
    uint32_t n = ARG32(2);
    if (n == 0)
        return WASI_EINVAL;
    const uint8_t *in = wasi_mem(c, ARG32(0), (uint64_t)n *
                                                  WASI_SUBSCRIPTION_SIZE);
    uint8_t *out = wasi_mem(c, ARG32(1), (uint64_t)n * WASI_EVENT_SIZE);
    if (!in || !out || !wasi_mem(c, ARG32(3), 4))
        return WASI_EFAULT;
    /* n is bounded by the guest's memory (48 bytes each). */
    mem_owner *o = c->ctx->owner;
    sub *subs = mem_calloc(o, MEM_HOST, n, sizeof *subs);
    struct pollfd *pfds = mem_calloc(o, MEM_HOST, n, sizeof *pfds);
    uint32_t e = WASI_ESUCCESS;
    if (!subs || !pfds) {
        e = WASI_ENOMEM;
        goto out;
    }
    uint64_t now = 0;
    wasi_clock_now(WASI_CLOCK_MONOTONIC, &now);
    int npfds = 0;
    for (uint32_t i = 0; i < n && !e; i++)
        if (!read_sub(c, in + (size_t)i * WASI_SUBSCRIPTION_SIZE, now,
                      &subs[i], pfds, &npfds))
            e = WASI_EINVAL;
    if (e)
        goto out;
    /* Errors are events already: then only look, do not wait. */
    if (!collect(subs, n, pfds) || npfds) {
        if (poll(pfds, (nfds_t)npfds, 0) < 0 && errno != EINTR) {
            e = wasi_errno_now();
            goto out;
        }
        if (!collect(subs, n, pfds))
            e = wait_ready(subs, n, pfds, npfds);
    }
    if (e)
        goto out;
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        const sub *s = &subs[i];
        if (!s->ready)
            continue;
        uint8_t *ev = out + (size_t)k++ * WASI_EVENT_SIZE;
        memset(ev, 0, WASI_EVENT_SIZE);
        wasi_put64(ev, s->userdata);
        wasi_put16(ev + 8, s->error);
        ev[10] = s->type;
        wasi_put64(ev + 16, s->nbytes);
        wasi_put16(ev + 24, s->flags);
    }
    e = wasi_out32(c, ARG32(3), k);
out:
    mem_free(o, MEM_HOST, subs);
    mem_free(o, MEM_HOST, pfds);
    return e;
}
