/* WASI: arguments and environment, clocks, randomness, the process
 * (exit, raise, yield), and sockets (ebb opens none). */
#include <sched.h>
#include <sys/random.h>
#include <time.h>

#include "wasi_internal.h"

/* Writes a string vector: pointers at vec_ptr, the strings (each with
 * its NUL) packed at buf_ptr. The guest sized both with *_sizes_get. */
static uint32_t put_strings(wasi_call *c, char **v, uint32_t n,
                            uint32_t bytes, uint32_t vec_ptr, uint32_t buf_ptr)
{
    uint8_t *vec = wasi_mem(c, vec_ptr, (uint64_t)n * 4);
    uint8_t *buf = wasi_mem(c, buf_ptr, bytes);
    if (!vec || !buf)
        return WASI_EFAULT;
    uint32_t off = 0;
    for (uint32_t i = 0; i < n; i++) {
        size_t len = strlen(v[i]) + 1;
        memcpy(buf + off, v[i], len);
        wasi_put32(vec + 4 * i, buf_ptr + off);
        off += (uint32_t)len;
    }
    return WASI_ESUCCESS;
}

static uint32_t put_sizes(wasi_call *c, uint32_t n, uint32_t bytes,
                          uint32_t n_ptr, uint32_t bytes_ptr)
{
    uint32_t e = wasi_out32(c, n_ptr, n);
    return e ? e : wasi_out32(c, bytes_ptr, bytes);
}

uint32_t wasi_fn_args_get(wasi_call *c, const uint64_t *args)
{
    wasi_ctx *w = c->ctx;
    return put_strings(c, w->argv, w->argc, w->argv_bytes, ARG32(0), ARG32(1));
}

uint32_t wasi_fn_args_sizes_get(wasi_call *c, const uint64_t *args)
{
    return put_sizes(c, c->ctx->argc, c->ctx->argv_bytes, ARG32(0), ARG32(1));
}

uint32_t wasi_fn_environ_get(wasi_call *c, const uint64_t *args)
{
    wasi_ctx *w = c->ctx;
    return put_strings(c, w->env, w->envc, w->env_bytes, ARG32(0), ARG32(1));
}

uint32_t wasi_fn_environ_sizes_get(wasi_call *c, const uint64_t *args)
{
    return put_sizes(c, c->ctx->envc, c->ctx->env_bytes, ARG32(0), ARG32(1));
}

/* ---- clocks ------------------------------------------------------------ */

static bool host_clock(uint32_t id, clockid_t *out)
{
    switch (id) {
    case WASI_CLOCK_REALTIME: *out = CLOCK_REALTIME; return true;
    case WASI_CLOCK_MONOTONIC: *out = CLOCK_MONOTONIC; return true;
    case WASI_CLOCK_PROCESS_CPUTIME: *out = CLOCK_PROCESS_CPUTIME_ID; return true;
    case WASI_CLOCK_THREAD_CPUTIME: *out = CLOCK_THREAD_CPUTIME_ID; return true;
    default: return false;
    }
}

static uint64_t ts_ns(const struct timespec *t)
{
    return (uint64_t)t->tv_sec * 1000000000u + (uint64_t)t->tv_nsec;
}

uint32_t wasi_clock_now(uint32_t id, uint64_t *ns)
{
    clockid_t h;
    struct timespec t;
    if (!host_clock(id, &h))
        return WASI_EINVAL;
    if (clock_gettime(h, &t) != 0)
        return wasi_errno_now();
    *ns = ts_ns(&t);
    return WASI_ESUCCESS;
}

uint32_t wasi_fn_clock_res_get(wasi_call *c, const uint64_t *args)
{
    clockid_t h;
    struct timespec t;
    if (!host_clock(ARG32(0), &h))
        return WASI_EINVAL;
    if (clock_getres(h, &t) != 0)
        return wasi_errno_now();
    return wasi_out64(c, ARG32(1), ts_ns(&t));
}

uint32_t wasi_fn_clock_time_get(wasi_call *c, const uint64_t *args)
{
    uint64_t ns = 0;
    uint32_t e = wasi_clock_now(ARG32(0), &ns); /* precision: best we have */
    return e ? e : wasi_out64(c, ARG32(2), ns);
}

/* ---- randomness and the process --------------------------------------- */

uint32_t wasi_fn_random_get(wasi_call *c, const uint64_t *args)
{
    uint8_t *p = wasi_mem(c, ARG32(0), ARG32(1));
    if (!p)
        return WASI_EFAULT;
    for (uint32_t done = 0, len = ARG32(1); done < len;) {
        ssize_t n = getrandom(p + done, len - done, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return wasi_errno_now();
        }
        done += (uint32_t)n;
    }
    return WASI_ESUCCESS;
}

uint32_t wasi_fn_proc_exit(wasi_call *c, const uint64_t *args)
{
    c->exit_status = ARG32(0);
    return WASI_EXIT;
}

/* Signals are not part of ebb's sandbox: a guest cannot signal itself. */
uint32_t wasi_fn_proc_raise(wasi_call *c, const uint64_t *args)
{
    (void)c, (void)args;
    return WASI_ENOSYS;
}

uint32_t wasi_fn_sched_yield(wasi_call *c, const uint64_t *args)
{
    (void)c, (void)args;
    sched_yield();
    return WASI_ESUCCESS;
}

/* ---- sockets -----------------------------------------------------------
 * preview1 can only use sockets handed to it; ebb hands none, so every
 * open descriptor is "not a socket" (after the usual descriptor check). */

static uint32_t not_a_socket(wasi_call *c, uint32_t fd)
{
    uint32_t e;
    return wasi_fd_get(c->ctx, fd, 0, &e) ? WASI_ENOTSOCK : e;
}

uint32_t wasi_fn_sock_accept(wasi_call *c, const uint64_t *args)
{
    return not_a_socket(c, ARG32(0));
}

uint32_t wasi_fn_sock_recv(wasi_call *c, const uint64_t *args)
{
    return not_a_socket(c, ARG32(0));
}

uint32_t wasi_fn_sock_send(wasi_call *c, const uint64_t *args)
{
    return not_a_socket(c, ARG32(0));
}

uint32_t wasi_fn_sock_shutdown(wasi_call *c, const uint64_t *args)
{
    return not_a_socket(c, ARG32(0));
}
