/* WASI 0.2 streams and polling: wasi:io/error, wasi:io/streams,
 * wasi:io/poll, wasi:cli/stdin|stdout|stderr and the pollables of
 * wasi:clocks/monotonic-clock.
 *
 * ebb's I/O blocks: a read waits for data, a write writes everything, so
 * every stream is always ready and "flush" has nothing to do. Only clock
 * pollables ever wait. */
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "wasi_p2_internal.h"

/* The most one read returns (a guest loops for more). */
#define P2_MAX_READ 65536u
/* What check-write permits at once. */
#define P2_WRITE_BUDGET 65536u

/* ---- tables of streams and pollables ------------------------------------ */

bool p2_stream_new(wasi_p2 *p, p2_stream s, uint32_t *rep)
{
    size_t i = 0;
    while (i < p->nstreams && p->streams[i].used)
        i++;
    if (i == p->nstreams) {
        if (i >= UINT32_MAX ||
            !mem_grow_array(p->owner, MEM_HOST, (void **)&p->streams,
                            &p->cap_streams, i + 1, sizeof *p->streams))
            return false;
        p->nstreams++;
    }
    s.used = true;
    p->streams[i] = s;
    *rep = (uint32_t)i;
    return true;
}

void p2_stream_drop(void *env, uint32_t rep)
{
    wasi_p2 *p = env;
    if (rep >= p->nstreams || !p->streams[rep].used)
        return;
    uint32_t e;
    wasi_fd *f;
    if (p->streams[rep].dir) {
        if ((f = wasi_fd_get(p->ctx, (uint32_t)p->streams[rep].fd, 0, &e)))
            wasi_fd_release(p->ctx, f);
    } else if (!p->streams[rep].stdio) {
        close(p->streams[rep].fd);
    }
    p->streams[rep] = (p2_stream){.used = false};
}

bool p2_pollable_new(wasi_p2 *p, uint64_t deadline, uint32_t *rep)
{
    size_t i = 0;
    while (i < p->npolls && p->polls[i].used)
        i++;
    if (i == p->npolls) {
        if (i >= UINT32_MAX ||
            !mem_grow_array(p->owner, MEM_HOST, (void **)&p->polls,
                            &p->cap_polls, i + 1, sizeof *p->polls))
            return false;
        p->npolls++;
    }
    p->polls[i] = (p2_pollable){.used = true, .deadline = deadline};
    *rep = (uint32_t)i;
    return true;
}

void p2_pollable_drop(void *env, uint32_t rep)
{
    wasi_p2 *p = env;
    if (rep < p->npolls)
        p->polls[rep].used = false;
}

/* ---- results of stream operations --------------------------------------- */

/* result<T, stream-error>: err is 0 for ok (payload v, may be NULL),
 * WASI_EPIPE (or 0 bytes at the end) for `closed`, else
 * last-operation-failed carrying an error for that errno. */
static rt_trap *stream_result(wasi_p2 *p, cm_host_call *cx, uint32_t err,
                              const cm_val *v, cm_val *r)
{
    if (!err)
        return p2_result(cx, 0, v, r) ? NULL : p2_oom(cx);
    cm_val se = {.kind = CM_VARIANT, .u.var = {1, NULL}}; /* closed */
    if (err != WASI_EPIPE) {
        se.u.var.tag = 0;
        if (!(se.u.var.payload = p2_box(cx, p2_own(p, P2_ERROR, err))))
            return p2_oom(cx);
    }
    if (p2_result(cx, 1, &se, r))
        return NULL;
    mem_free(cx->owner, MEM_HOST, se.u.var.payload);
    return p2_oom(cx);
}

/* The host descriptor behind stream s, or 0 with an errno. */
static uint32_t stream_host(wasi_p2 *p, const p2_stream *s, uint64_t right,
                            int *host)
{
    if (!s->stdio) {
        *host = s->fd;
        return 0;
    }
    uint32_t e;
    wasi_fd *f = wasi_fd_get(p->ctx, (uint32_t)s->fd, right, &e);
    if (!f)
        return e;
    *host = f->host;
    return 0;
}

static p2_stream *stream_of(wasi_p2 *p, const cm_val *self)
{
    uint32_t rep = self->u.handle.rep;
    return rep < p->nstreams && p->streams[rep].used && !p->streams[rep].dir
               ? &p->streams[rep]
               : NULL;
}

/* Reads up to n bytes into b; *got 0 means the end. Returns an errno. */
static uint32_t stream_read(wasi_p2 *p, p2_stream *s, uint8_t *b, size_t n,
                            size_t *got)
{
    int h = -1;
    uint32_t e = stream_host(p, s, WASI_RIGHT_FD_READ, &h);
    if (e)
        return e;
    ssize_t k;
    do {
        k = s->stdio ? read(h, b, n) : pread(h, b, n, (off_t)s->offset);
    } while (k < 0 && errno == EINTR);
    if (k < 0)
        return wasi_errno_now();
    if (!s->stdio)
        s->offset += (uint64_t)k;
    *got = (size_t)k;
    return 0;
}

/* Writes all n bytes of b. Returns an errno. */
static uint32_t stream_write(wasi_p2 *p, p2_stream *s, const uint8_t *b,
                             size_t n)
{
    int h = -1;
    uint32_t e = stream_host(p, s, WASI_RIGHT_FD_WRITE, &h);
    if (e)
        return e;
    if (s->append) {
        struct stat st;
        if (fstat(h, &st) != 0)
            return wasi_errno_now();
        s->offset = (uint64_t)st.st_size;
    }
    for (size_t done = 0; done < n;) {
        ssize_t k = s->stdio ? write(h, b + done, n - done)
                             : pwrite(h, b + done, n - done,
                                      (off_t)s->offset);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return wasi_errno_now();
        }
        done += (size_t)k;
        if (!s->stdio)
            s->offset += (uint64_t)k;
    }
    return 0;
}

/* ---- wasi:io/error ------------------------------------------------------- */

static rt_trap *error_debug(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                            cm_val *r)
{
    (void)p;
    const char *name = p2_error_name(p2_error_code(a[0].u.handle.rep));
    return p2_string(cx, name, strlen(name), r) ? NULL : p2_oom(cx);
}

/* ---- wasi:io/streams: input ---------------------------------------------- */

/* Reads up to a[1] bytes (at most P2_MAX_READ) from input stream a[0]
 * into *buf (on cx->owner, MEM_HOST; free it). Returns 0 or an errno
 * (WASI_EPIPE at the end); *trap set when the call must trap. */
static uint32_t read_some(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                          uint8_t **buf, size_t *got, rt_trap **trap)
{
    *buf = NULL;
    *got = 0;
    p2_stream *s = stream_of(p, &a[0]);
    if (!s) {
        *trap = p2_trap(cx, "wasi: unknown input-stream");
        return 0;
    }
    size_t want = a[1].u.u < P2_MAX_READ ? (size_t)a[1].u.u : P2_MAX_READ;
    if (!want)
        return 0;
    if (!(*buf = mem_alloc(cx->owner, MEM_HOST, want))) {
        *trap = p2_oom(cx);
        return 0;
    }
    uint32_t e = stream_read(p, s, *buf, want, got);
    return !e && !*got ? WASI_EPIPE : e; /* 0 bytes: the end, closed */
}

static rt_trap *in_read(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                        cm_val *r)
{
    uint8_t *buf;
    size_t got;
    rt_trap *t = NULL;
    uint32_t e = read_some(p, cx, a, &buf, &got, &t);
    cm_val list = {.kind = CM_BOOL};
    if (!t && !e && !p2_bytes(cx, buf, got, &list))
        t = p2_oom(cx);
    mem_free(cx->owner, MEM_HOST, buf);
    if (t)
        return t;
    t = stream_result(p, cx, e, e ? NULL : &list, r);
    if (t)
        mem_free(cx->owner, MEM_HOST, list.u.list.items);
    return t;
}

static rt_trap *in_skip(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                        cm_val *r)
{
    uint8_t *buf;
    size_t got;
    rt_trap *t = NULL;
    uint32_t e = read_some(p, cx, a, &buf, &got, &t);
    mem_free(cx->owner, MEM_HOST, buf);
    if (t)
        return t;
    cm_val n = p2_u64(got);
    return stream_result(p, cx, e, e ? NULL : &n, r);
}

/* ---- wasi:io/streams: output --------------------------------------------- */

static rt_trap *out_check_write(wasi_p2 *p, cm_host_call *cx,
                                const cm_val *a, cm_val *r)
{
    if (!stream_of(p, &a[0]))
        return p2_trap(cx, "wasi: unknown output-stream");
    cm_val n = p2_u64(P2_WRITE_BUDGET);
    return stream_result(p, cx, 0, &n, r);
}

static rt_trap *out_write(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                          cm_val *r)
{
    p2_stream *s = stream_of(p, &a[0]);
    if (!s)
        return p2_trap(cx, "wasi: unknown output-stream");
    uint8_t *b;
    size_t n;
    rt_trap *t = NULL;
    if (!p2_list_bytes(cx, &a[1], &b, &n, &t))
        return t;
    uint32_t e = stream_write(p, s, b, n);
    mem_free(cx->owner, MEM_HOST, b);
    return stream_result(p, cx, e, NULL, r);
}

static rt_trap *out_flush(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                          cm_val *r)
{
    if (!stream_of(p, &a[0]))
        return p2_trap(cx, "wasi: unknown output-stream");
    return stream_result(p, cx, 0, NULL, r);
}

static rt_trap *out_write_zeroes(wasi_p2 *p, cm_host_call *cx,
                                 const cm_val *a, cm_val *r)
{
    p2_stream *s = stream_of(p, &a[0]);
    if (!s)
        return p2_trap(cx, "wasi: unknown output-stream");
    static const uint8_t zeroes[4096];
    uint32_t e = 0;
    for (uint64_t left = a[1].u.u; left && !e;) {
        size_t k = left < sizeof zeroes ? (size_t)left : sizeof zeroes;
        e = stream_write(p, s, zeroes, k);
        left -= k;
    }
    return stream_result(p, cx, e, NULL, r);
}

/* ---- wasi:io/poll and clock pollables ------------------------------------ */

static uint64_t mono_ns(void)
{
    uint64_t ns = 0;
    wasi_clock_now(WASI_CLOCK_MONOTONIC, &ns);
    return ns;
}

static rt_trap *new_pollable(wasi_p2 *p, cm_host_call *cx, uint64_t deadline,
                             cm_val *r)
{
    uint32_t rep;
    if (!p2_pollable_new(p, deadline, &rep))
        return p2_oom(cx);
    *r = p2_own(p, P2_POLLABLE, rep);
    return NULL;
}

static rt_trap *stream_subscribe(wasi_p2 *p, cm_host_call *cx,
                                 const cm_val *a, cm_val *r)
{
    (void)a;
    return new_pollable(p, cx, 0, r);
}

static rt_trap *subscribe_instant(wasi_p2 *p, cm_host_call *cx,
                                  const cm_val *a, cm_val *r)
{
    return new_pollable(p, cx, a[0].u.u, r);
}

static rt_trap *subscribe_duration(wasi_p2 *p, cm_host_call *cx,
                                   const cm_val *a, cm_val *r)
{
    uint64_t now = mono_ns(), d = a[0].u.u;
    return new_pollable(p, cx, d > UINT64_MAX - now ? UINT64_MAX : now + d,
                        r);
}

static uint64_t deadline_of(wasi_p2 *p, uint32_t rep)
{
    return rep < p->npolls && p->polls[rep].used ? p->polls[rep].deadline : 0;
}

/* Sleeps until the monotonic clock reaches deadline, in slices, so that
 * a store with epoch interruption (ebb run --timeout) is interrupted
 * here as it would be in Wasm code: NULL, or the "interrupt" trap. */
static rt_trap *sleep_until(cm_host_call *cx, uint64_t deadline)
{
    const uint64_t slice = 10000000u; /* 10 ms */
    rt_store *s = cx->store;
    for (uint64_t now; (now = mono_ns()) < deadline;) {
        if (s->engine->config.epoch_interruption &&
            atomic_load(&s->engine->epoch) >= s->epoch_deadline)
            return rt_trap_new(s, TRAP_INTERRUPT, NULL);
        uint64_t until = deadline - now > slice ? now + slice : deadline;
        struct timespec ts = {.tv_sec = (time_t)(until / 1000000000u),
                              .tv_nsec = (long)(until % 1000000000u)};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
    }
    return NULL;
}

static rt_trap *pollable_ready(wasi_p2 *p, cm_host_call *cx,
                               const cm_val *a, cm_val *r)
{
    (void)cx;
    *r = (cm_val){.kind = CM_BOOL,
                  .u.b = mono_ns() >= deadline_of(p, a[0].u.handle.rep)};
    return NULL;
}

static rt_trap *pollable_block(wasi_p2 *p, cm_host_call *cx,
                               const cm_val *a, cm_val *r)
{
    (void)r;
    return sleep_until(cx, deadline_of(p, a[0].u.handle.rep));
}

/* poll(list<borrow<pollable>>) -> list<u32>: waits for the earliest
 * deadline, answers the indices of every ready pollable. */
static rt_trap *poll_list(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                          cm_val *r)
{
    const cm_val *in = a[0].u.list.items;
    uint32_t n = a[0].u.list.n;
    if (n == 0)
        return p2_trap(cx, "wasi: poll of an empty list");
    uint64_t first = UINT64_MAX;
    for (uint32_t i = 0; i < n; i++) {
        if (in[i].kind != CM_BORROW ||
            in[i].u.handle.res != &p->res[P2_POLLABLE])
            return p2_trap(cx, "wasi: poll: expected borrowed pollables");
        uint64_t d = deadline_of(p, in[i].u.handle.rep);
        first = d < first ? d : first;
    }
    rt_trap *t = sleep_until(cx, first);
    if (t)
        return t;
    uint64_t now = mono_ns();
    cm_val *out = mem_calloc(cx->owner, MEM_HOST, n, sizeof *out);
    if (!out)
        return p2_oom(cx);
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++)
        if (deadline_of(p, in[i].u.handle.rep) <= now)
            out[k++] = (cm_val){.kind = CM_U32, .u.u = i};
    *r = (cm_val){.kind = CM_LIST, .u.list = {out, k}};
    return NULL;
}

/* ---- wasi:cli/stdin, stdout, stderr -------------------------------------- */

static rt_trap *get_stdio(wasi_p2 *p, cm_host_call *cx, int fd, int res,
                          cm_val *r)
{
    uint32_t rep;
    if (!p2_stream_new(p, (p2_stream){.stdio = true, .fd = fd}, &rep))
        return p2_oom(cx);
    *r = p2_own(p, res, rep);
    return NULL;
}

static rt_trap *get_stdin(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                          cm_val *r)
{
    (void)a;
    return get_stdio(p, cx, 0, P2_INPUT, r);
}

static rt_trap *get_stdout(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                           cm_val *r)
{
    (void)a;
    return get_stdio(p, cx, 1, P2_OUTPUT, r);
}

static rt_trap *get_stderr(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                           cm_val *r)
{
    (void)a;
    return get_stdio(p, cx, 2, P2_OUTPUT, r);
}

#define IN "[method]input-stream."
#define OUT "[method]output-stream."
const p2_fn p2_io_fns[] = {
    {"wasi:io/error", "[method]error.to-debug-string", "E", 1, error_debug},
    {"wasi:io/streams", IN "read", "Iw", 1, in_read},
    {"wasi:io/streams", IN "blocking-read", "Iw", 1, in_read},
    {"wasi:io/streams", IN "skip", "Iw", 1, in_skip},
    {"wasi:io/streams", IN "blocking-skip", "Iw", 1, in_skip},
    {"wasi:io/streams", IN "subscribe", "I", 1, stream_subscribe},
    {"wasi:io/streams", OUT "check-write", "O", 1, out_check_write},
    {"wasi:io/streams", OUT "write", "OL", 1, out_write},
    {"wasi:io/streams", OUT "blocking-write-and-flush", "OL", 1, out_write},
    {"wasi:io/streams", OUT "flush", "O", 1, out_flush},
    {"wasi:io/streams", OUT "blocking-flush", "O", 1, out_flush},
    {"wasi:io/streams", OUT "write-zeroes", "Ow", 1, out_write_zeroes},
    {"wasi:io/streams", OUT "blocking-write-zeroes-and-flush", "Ow", 1,
     out_write_zeroes},
    {"wasi:io/streams", OUT "subscribe", "O", 1, stream_subscribe},
    {"wasi:io/poll", "[method]pollable.ready", "P", 1, pollable_ready},
    {"wasi:io/poll", "[method]pollable.block", "P", 0, pollable_block},
    {"wasi:io/poll", "poll", "L", 1, poll_list},
    {"wasi:clocks/monotonic-clock", "subscribe-instant", "w", 1,
     subscribe_instant},
    {"wasi:clocks/monotonic-clock", "subscribe-duration", "w", 1,
     subscribe_duration},
    {"wasi:cli/stdin", "get-stdin", "", 1, get_stdin},
    {"wasi:cli/stdout", "get-stdout", "", 1, get_stdout},
    {"wasi:cli/stderr", "get-stderr", "", 1, get_stderr},
};
const size_t p2_io_nfns = sizeof p2_io_fns / sizeof *p2_io_fns;
