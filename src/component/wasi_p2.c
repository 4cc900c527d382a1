/* WASI 0.2 as a cm_host: the host's state and its resolvers, the helpers
 * that build result values, and the small interfaces (wasi:cli
 * environment and exit, wasi:clocks, wasi:random). Streams and polling
 * are in wasi_p2_io.c, the file system in wasi_p2_fs.c. */
#include <stdio.h>
#include <sys/random.h>
#include <unistd.h>

#include "wasi_p2_internal.h"

/* ---- results ------------------------------------------------------------ */

rt_trap *p2_trap(cm_host_call *cx, const char *msg)
{
    return rt_trap_new(cx->store, TRAP_HOST, msg);
}

rt_trap *p2_oom(cm_host_call *cx)
{
    return p2_trap(cx, "wasi: out of memory");
}

cm_val *p2_box(cm_host_call *cx, cm_val v)
{
    cm_val *b = mem_alloc(cx->owner, MEM_HOST, sizeof *b);
    if (b)
        *b = v;
    return b;
}

rt_trap *p2_undo(cm_host_call *cx, cm_val *r)
{
    cm_val_free(cx->owner, r);
    *r = (cm_val){.kind = CM_BOOL};
    return p2_oom(cx);
}

bool p2_bytes(cm_host_call *cx, const uint8_t *data, size_t n, cm_val *out)
{
    cm_val *items = NULL;
    if (n > UINT32_MAX)
        return false;
    if (n) {
        items = mem_alloc(cx->owner, MEM_HOST, n * sizeof *items);
        if (!items)
            return false;
        for (size_t i = 0; i < n; i++)
            items[i] = (cm_val){.kind = CM_U8, .u.u = data[i]};
    }
    *out = (cm_val){.kind = CM_LIST, .u.list = {items, (uint32_t)n}};
    return true;
}

bool p2_string(cm_host_call *cx, const char *s, size_t n, cm_val *out)
{
    char *copy = NULL;
    if (n > UINT32_MAX)
        return false;
    if (n) {
        copy = mem_alloc(cx->owner, MEM_HOST, n);
        if (!copy)
            return false;
        memcpy(copy, s, n);
    }
    *out = (cm_val){.kind = CM_STRING, .u.str = {copy, (uint32_t)n}};
    return true;
}

bool p2_result(cm_host_call *cx, uint32_t tag, const cm_val *v, cm_val *out)
{
    cm_val *payload = NULL;
    if (v && !(payload = p2_box(cx, *v)))
        return false;
    *out = (cm_val){.kind = CM_RESULT, .u.var = {tag, payload}};
    return true;
}

bool p2_list_bytes(cm_host_call *cx, const cm_val *list, uint8_t **out,
                   size_t *n, rt_trap **trap)
{
    *out = NULL;
    *n = list->u.list.n;
    if (!*n)
        return true;
    for (uint32_t i = 0; i < *n; i++) {
        if (list->u.list.items[i].kind != CM_U8) {
            *trap = p2_trap(cx, "wasi: expected a list<u8> argument");
            return false;
        }
    }
    uint8_t *b = mem_alloc(cx->owner, MEM_HOST, *n);
    if (!b) {
        *trap = p2_oom(cx);
        return false;
    }
    for (uint32_t i = 0; i < *n; i++)
        b[i] = (uint8_t)list->u.list.items[i].u.u;
    *out = b;
    return true;
}

/* ---- wasi:filesystem error codes ----------------------------------------- */

/* The enum `error-code` of wasi:filesystem/types, in its order. */
static const char *const code_names[] = {
    "access", "would-block", "already", "bad-descriptor", "busy",
    "deadlock", "quota", "exist", "file-too-large", "illegal-byte-sequence",
    "in-progress", "interrupted", "invalid", "io", "is-directory", "loop",
    "too-many-links", "message-size", "name-too-long", "no-device",
    "no-entry", "no-lock", "insufficient-memory", "insufficient-space",
    "not-directory", "not-empty", "not-recoverable", "unsupported", "no-tty",
    "no-such-device", "overflow", "not-permitted", "pipe", "read-only",
    "invalid-seek", "text-file-busy", "cross-device",
};
enum { CODE_IO = 13, NCODES = sizeof code_names / sizeof *code_names };

uint32_t p2_error_code(uint32_t e)
{
    static const uint16_t from[][2] = {
        {WASI_EACCES, 0}, {WASI_EAGAIN, 1}, {WASI_EALREADY, 2},
        {WASI_EBADF, 3}, {WASI_EBUSY, 4}, {WASI_EDEADLK, 5},
        {WASI_EDQUOT, 6}, {WASI_EEXIST, 7}, {WASI_EFBIG, 8},
        {WASI_EILSEQ, 9}, {WASI_EINPROGRESS, 10}, {WASI_EINTR, 11},
        {WASI_EINVAL, 12}, {WASI_EIO, 13}, {WASI_EISDIR, 14},
        {WASI_ELOOP, 15}, {WASI_EMLINK, 16}, {WASI_EMSGSIZE, 17},
        {WASI_ENAMETOOLONG, 18}, {WASI_ENODEV, 19}, {WASI_ENOENT, 20},
        {WASI_ENOLCK, 21}, {WASI_ENOMEM, 22}, {WASI_ENOSPC, 23},
        {WASI_ENOTDIR, 24}, {WASI_ENOTEMPTY, 25},
        {WASI_ENOTRECOVERABLE, 26}, {WASI_ENOTSUP, 27}, {WASI_ENOSYS, 27},
        {WASI_ENOTTY, 28}, {WASI_ENXIO, 29}, {WASI_EOVERFLOW, 30},
        {WASI_EPERM, 31}, {WASI_ENOTCAPABLE, 31}, {WASI_EPIPE, 32},
        {WASI_EROFS, 33}, {WASI_ESPIPE, 34}, {WASI_ETXTBSY, 35},
        {WASI_EXDEV, 36},
    };
    for (size_t i = 0; i < sizeof from / sizeof *from; i++)
        if (from[i][0] == e)
            return from[i][1];
    return CODE_IO;
}

const char *p2_error_name(uint32_t code)
{
    return code < NCODES ? code_names[code] : "io";
}

/* ---- wasi:cli/environment ------------------------------------------------ */

static rt_trap *get_arguments(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                              cm_val *r)
{
    (void)a;
    wasi_ctx *w = p->ctx;
    cm_val *items = w->argc ? mem_calloc(cx->owner, MEM_HOST, w->argc,
                                         sizeof *items)
                            : NULL;
    if (w->argc && !items)
        return p2_oom(cx);
    *r = (cm_val){.kind = CM_LIST, .u.list = {items, 0}};
    for (uint32_t i = 0; i < w->argc; i++) {
        if (!p2_string(cx, w->argv[i], strlen(w->argv[i]), &items[i]))
            return p2_undo(cx, r);
        r->u.list.n++;
    }
    return NULL;
}

/* One "NAME=VALUE" as tuple<string, string>. */
static bool env_pair(cm_host_call *cx, const char *entry, cm_val *out)
{
    const char *eq = strchr(entry, '=');
    size_t nl = eq ? (size_t)(eq - entry) : strlen(entry);
    const char *val = eq ? eq + 1 : "";
    cm_val *pair = mem_calloc(cx->owner, MEM_HOST, 2, sizeof *pair);
    if (!pair)
        return false;
    if (!p2_string(cx, entry, nl, &pair[0]) ||
        !p2_string(cx, val, strlen(val), &pair[1])) {
        mem_free(cx->owner, MEM_HOST, pair[0].u.str.ptr);
        mem_free(cx->owner, MEM_HOST, pair);
        return false;
    }
    *out = (cm_val){.kind = CM_TUPLE, .u.list = {pair, 2}};
    return true;
}

static rt_trap *get_environment(wasi_p2 *p, cm_host_call *cx,
                                const cm_val *a, cm_val *r)
{
    (void)a;
    wasi_ctx *w = p->ctx;
    cm_val *items = w->envc ? mem_calloc(cx->owner, MEM_HOST, w->envc,
                                         sizeof *items)
                            : NULL;
    if (w->envc && !items)
        return p2_oom(cx);
    *r = (cm_val){.kind = CM_LIST, .u.list = {items, 0}};
    for (uint32_t i = 0; i < w->envc; i++) {
        if (!env_pair(cx, w->env[i], &items[i]))
            return p2_undo(cx, r);
        r->u.list.n++;
    }
    return NULL;
}

static rt_trap *initial_cwd(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                            cm_val *r)
{
    (void)p, (void)cx, (void)a;
    *r = (cm_val){.kind = CM_OPTION, .u.var = {0, NULL}};
    return NULL;
}

/* ---- wasi:cli/exit ------------------------------------------------------- */

static rt_trap *exit_trap(cm_host_call *cx, uint32_t status)
{
    rt_trap *t = rt_trap_new(cx->store, TRAP_EXIT, NULL);
    if (t)
        t->exit_status = status;
    return t;
}

static rt_trap *cli_exit(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                         cm_val *r)
{
    (void)p, (void)r;
    return exit_trap(cx, a[0].u.var.tag ? 1 : 0);
}

static rt_trap *cli_exit_with_code(wasi_p2 *p, cm_host_call *cx,
                                   const cm_val *a, cm_val *r)
{
    (void)p, (void)r;
    return exit_trap(cx, (uint32_t)a[0].u.u);
}

/* ---- wasi:cli/terminal-* ------------------------------------------------- */

/* ebb offers no terminal interfaces: every get-terminal-* is none. */
static rt_trap *no_terminal(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                            cm_val *r)
{
    return initial_cwd(p, cx, a, r);
}

/* ---- wasi:clocks --------------------------------------------------------- */

static rt_trap *clock_u64(cm_host_call *cx, uint32_t id, bool res,
                          cm_val *r)
{
    uint64_t ns = 0;
    struct timespec ts;
    if (res) {
        clock_getres(id == WASI_CLOCK_MONOTONIC ? CLOCK_MONOTONIC
                                                : CLOCK_REALTIME, &ts);
        ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    } else if (wasi_clock_now(id, &ns)) {
        return p2_trap(cx, "wasi: the clock cannot be read");
    }
    *r = p2_u64(ns);
    return NULL;
}

static rt_trap *mono_now(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                         cm_val *r)
{
    (void)p, (void)a;
    return clock_u64(cx, WASI_CLOCK_MONOTONIC, false, r);
}

static rt_trap *mono_resolution(wasi_p2 *p, cm_host_call *cx,
                                const cm_val *a, cm_val *r)
{
    (void)p, (void)a;
    return clock_u64(cx, WASI_CLOCK_MONOTONIC, true, r);
}

/* record datetime { seconds: u64, nanoseconds: u32 } */
static rt_trap *datetime(cm_host_call *cx, bool res, cm_val *r)
{
    rt_trap *t = clock_u64(cx, WASI_CLOCK_REALTIME, res, r);
    if (t)
        return t;
    uint64_t ns = r->u.u;
    cm_val *f = mem_calloc(cx->owner, MEM_HOST, 2, sizeof *f);
    if (!f)
        return p2_oom(cx);
    f[0] = p2_u64(ns / 1000000000u);
    f[1] = (cm_val){.kind = CM_U32, .u.u = ns % 1000000000u};
    *r = (cm_val){.kind = CM_RECORD, .u.list = {f, 2}};
    return NULL;
}

static rt_trap *wall_now(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                         cm_val *r)
{
    (void)p, (void)a;
    return datetime(cx, false, r);
}

static rt_trap *wall_resolution(wasi_p2 *p, cm_host_call *cx,
                                const cm_val *a, cm_val *r)
{
    (void)p, (void)a;
    return datetime(cx, true, r);
}

/* ---- wasi:random --------------------------------------------------------- */

/* More than a guest could use in one call: refuse rather than allocate. */
#define P2_MAX_RANDOM (1u << 20)

static bool fill_random(uint8_t *b, size_t n)
{
    for (size_t done = 0; done < n;) {
        ssize_t k = getrandom(b + done, n - done, 0);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        done += (size_t)k;
    }
    return true;
}

static rt_trap *random_bytes(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                             cm_val *r)
{
    (void)p;
    if (a[0].u.u > P2_MAX_RANDOM)
        return p2_trap(cx, "wasi: get-random-bytes: length too large");
    size_t n = (size_t)a[0].u.u;
    uint8_t *b = n ? mem_alloc(cx->owner, MEM_HOST, n) : NULL;
    if (n && !b)
        return p2_oom(cx);
    bool ok = fill_random(b, n);
    bool made = ok && p2_bytes(cx, b, n, r);
    mem_free(cx->owner, MEM_HOST, b);
    if (!ok)
        return p2_trap(cx, "wasi: no randomness available");
    return made ? NULL : p2_oom(cx);
}

static rt_trap *random_u64(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                           cm_val *r)
{
    (void)p, (void)a;
    uint64_t v = 0;
    uint8_t b[8];
    if (!fill_random(b, 8))
        return p2_trap(cx, "wasi: no randomness available");
    memcpy(&v, b, 8);
    *r = p2_u64(v);
    return NULL;
}

static rt_trap *insecure_seed(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                              cm_val *r)
{
    cm_val v[2];
    rt_trap *t = random_u64(p, cx, a, &v[0]);
    if (!t)
        t = random_u64(p, cx, a, &v[1]);
    if (t)
        return t;
    cm_val *items = mem_calloc(cx->owner, MEM_HOST, 2, sizeof *items);
    if (!items)
        return p2_oom(cx);
    items[0] = v[0], items[1] = v[1];
    *r = (cm_val){.kind = CM_TUPLE, .u.list = {items, 2}};
    return NULL;
}

const p2_fn p2_cli_fns[] = {
    {"wasi:cli/environment", "get-arguments", "", 1, get_arguments},
    {"wasi:cli/environment", "get-environment", "", 1, get_environment},
    {"wasi:cli/environment", "initial-cwd", "", 1, initial_cwd},
    {"wasi:cli/exit", "exit", "R", 0, cli_exit},
    {"wasi:cli/exit", "exit-with-code", "b", 0, cli_exit_with_code},
    {"wasi:cli/terminal-stdin", "get-terminal-stdin", "", 1, no_terminal},
    {"wasi:cli/terminal-stdout", "get-terminal-stdout", "", 1, no_terminal},
    {"wasi:cli/terminal-stderr", "get-terminal-stderr", "", 1, no_terminal},
    {"wasi:clocks/monotonic-clock", "now", "", 1, mono_now},
    {"wasi:clocks/monotonic-clock", "resolution", "", 1, mono_resolution},
    {"wasi:clocks/wall-clock", "now", "", 1, wall_now},
    {"wasi:clocks/wall-clock", "resolution", "", 1, wall_resolution},
    {"wasi:random/random", "get-random-bytes", "w", 1, random_bytes},
    {"wasi:random/random", "get-random-u64", "", 1, random_u64},
    {"wasi:random/insecure", "get-insecure-random-bytes", "w", 1,
     random_bytes},
    {"wasi:random/insecure", "get-insecure-random-u64", "", 1, random_u64},
    {"wasi:random/insecure-seed", "insecure-seed", "", 1, insecure_seed},
};
const size_t p2_cli_nfns = sizeof p2_cli_fns / sizeof *p2_cli_fns;

/* ---- the host ------------------------------------------------------------ */

bool wasi_p2_iface_is(const char *iface, const char *base)
{
    size_t n = strlen(base);
    if (!iface || strncmp(iface, base, n) || strncmp(iface + n, "@0.2.", 5))
        return false;
    /* 0.2.PATCH, perhaps with a pre-release or build suffix. */
    const char *v = iface + n + 5;
    return *v >= '0' && *v <= '9';
}

/* Does argument v have the kind letter k stands for? */
static bool arg_fits(const wasi_p2 *p, char k, const cm_val *v)
{
    static const char borrows[] = "IOPDES";
    static const int res_of[] = {P2_INPUT, P2_OUTPUT, P2_POLLABLE,
                                 P2_DESCRIPTOR, P2_ERROR, P2_DIRSTREAM};
    const char *b = strchr(borrows, k);
    if (b)
        return v->kind == CM_BORROW &&
               v->u.handle.res == &p->res[res_of[b - borrows]];
    switch (k) {
    case 'w': return v->kind == CM_U64;
    case 'u': return v->kind == CM_U32;
    case 'b': return v->kind == CM_U8;
    case 's': return v->kind == CM_STRING;
    case 'L': return v->kind == CM_LIST;
    case 'F': return v->kind == CM_FLAGS;
    case 'R': return v->kind == CM_RESULT;
    case 'N': return v->kind == CM_ENUM;
    case 'V': return v->kind == CM_VARIANT;
    default: return false;
    }
}

/* Every host function goes through here: its signature is checked (the
 * component declared it; the host does not trust that). */
static rt_trap *p2_dispatch(void *env, cm_host_call *cx, const cm_val *args,
                            uint32_t nargs, cm_val *results,
                            uint32_t nresults)
{
    const p2_bind *b = env;
    const p2_fn *f = b->fn;
    size_t np = strlen(f->params);
    bool fits = nargs == np && nresults == f->nres;
    for (uint32_t i = 0; fits && i < nargs; i++)
        fits = arg_fits(b->p, f->params[i], &args[i]);
    if (!fits) {
        char msg[160];
        snprintf(msg, sizeof msg, "wasi: %s#%s called with arguments or "
                 "results of the wrong type", f->iface, f->name);
        return p2_trap(cx, msg);
    }
    return f->fn(b->p, cx, args, results);
}

static bool host_func(void *env, const char *iface, const char *name,
                      cm_host_fn *fn, void **fn_env)
{
    wasi_p2 *p = env;
    for (size_t i = 0; i < p->nbinds; i++) {
        const p2_fn *f = p->binds[i].fn;
        if (!strcmp(f->name, name) && wasi_p2_iface_is(iface, f->iface)) {
            *fn = p2_dispatch;
            *fn_env = &p->binds[i];
            return true;
        }
    }
    return false;
}

static const struct {
    const char *iface, *name;
} res_names[P2_NRES] = {
    [P2_ERROR] = {"wasi:io/error", "error"},
    [P2_INPUT] = {"wasi:io/streams", "input-stream"},
    [P2_OUTPUT] = {"wasi:io/streams", "output-stream"},
    [P2_POLLABLE] = {"wasi:io/poll", "pollable"},
    [P2_DESCRIPTOR] = {"wasi:filesystem/types", "descriptor"},
    [P2_DIRSTREAM] = {"wasi:filesystem/types", "directory-entry-stream"},
    [P2_TERM_IN] = {"wasi:cli/terminal-input", "terminal-input"},
    [P2_TERM_OUT] = {"wasi:cli/terminal-output", "terminal-output"},
};

static const cm_resource *host_resource(void *env, const char *iface,
                                        const char *name)
{
    wasi_p2 *p = env;
    for (int i = 0; i < P2_NRES; i++)
        if (!strcmp(res_names[i].name, name) &&
            wasi_p2_iface_is(iface, res_names[i].iface))
            return &p->res[i];
    return NULL;
}

cm_host wasi_p2_host(wasi_p2 *p)
{
    return (cm_host){.env = p, .func = host_func, .resource = host_resource};
}

/* Errors and terminals hold nothing: dropping one frees nothing. */
static void drop_nothing(void *env, uint32_t rep)
{
    (void)env, (void)rep;
}

wasi_p2 *wasi_p2_new(mem_owner *owner, wasi_ctx *w)
{
    wasi_p2 *p = mem_calloc(owner, MEM_HOST, 1, sizeof *p);
    if (!p)
        return NULL;
    p->owner = owner;
    p->ctx = w;
    for (int i = 0; i < P2_NRES; i++)
        p->res[i] = (cm_resource){.name = res_names[i].name,
                                  .host_drop = drop_nothing, .host_env = p};
    p->res[P2_INPUT].host_drop = p->res[P2_OUTPUT].host_drop =
        p->res[P2_DIRSTREAM].host_drop = p2_stream_drop;
    p->res[P2_POLLABLE].host_drop = p2_pollable_drop;
    p->res[P2_DESCRIPTOR].host_drop = p2_descriptor_drop;
    const struct {
        const p2_fn *fns;
        size_t n;
    } tables[] = {{p2_cli_fns, p2_cli_nfns}, {p2_io_fns, p2_io_nfns},
                  {p2_fs_fns, p2_fs_nfns}};
    size_t n = p2_cli_nfns + p2_io_nfns + p2_fs_nfns;
    p->binds = mem_calloc(owner, MEM_HOST, n, sizeof *p->binds);
    if (!p->binds) {
        mem_free(owner, MEM_HOST, p);
        return NULL;
    }
    for (size_t t = 0; t < sizeof tables / sizeof *tables; t++)
        for (size_t i = 0; i < tables[t].n; i++)
            p->binds[p->nbinds++] = (p2_bind){p, &tables[t].fns[i]};
    return p;
}

void wasi_p2_free(wasi_p2 *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nstreams; i++)
        if (p->streams[i].used)
            p2_stream_drop(p, (uint32_t)i);
    mem_free(p->owner, MEM_HOST, p->streams);
    mem_free(p->owner, MEM_HOST, p->polls);
    mem_free(p->owner, MEM_HOST, p->binds);
    mem_free(p->owner, MEM_HOST, p);
}
