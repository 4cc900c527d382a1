/* Shared by the files of WASI 0.2 (wasi_p2*.c): the host's state, its
 * resource types, the table each file exports its functions in, and
 * helpers that build result values. */
#ifndef EBB_COMPONENT_WASI_P2_INTERNAL_H
#define EBB_COMPONENT_WASI_P2_INTERNAL_H

#include "wasi_p2.h"
#include "../wasi/wasi_internal.h"

/* The host's resource types; a handle's rep means, per type:
 *   error        a preview1 errno (the failure it reports)
 *   input/output an index in the stream table
 *   pollable     an index in the pollable table
 *   descriptor   a preview1 descriptor number of the context
 *   directory-entry-stream  an index in the stream table (a listing)
 *   terminal-*   never made (get-terminal-* answer none) */
enum {
    P2_ERROR, P2_INPUT, P2_OUTPUT, P2_POLLABLE, P2_DESCRIPTOR,
    P2_DIRSTREAM, P2_TERM_IN, P2_TERM_OUT, P2_NRES
};

/* A stream: either one of the context's standard descriptors (looked up
 * on each use, never closed here) or a file's own host descriptor with
 * the position the stream is at; or a directory listing: a preview1
 * descriptor of its own (released with it) and the cookie to go on at. */
typedef struct p2_stream {
    bool used;
    bool stdio;        /* fd: a preview1 descriptor number (0, 1, 2) */
    bool dir;          /* fd: an owned preview1 descriptor; offset: cookie */
    bool append;       /* file output that always writes at the end */
    int fd;            /* else: an owned host descriptor */
    uint64_t offset;   /* where the next read or write goes */
} p2_stream;

/* A pollable: ready once the monotonic clock reaches `deadline` (0:
 * always ready, as every stream is: ebb's I/O blocks). */
typedef struct p2_pollable {
    bool used;
    uint64_t deadline;
} p2_pollable;

typedef struct p2_fn p2_fn;

/* What a host function's fn_env points at. */
typedef struct p2_bind {
    struct wasi_p2 *p;
    const p2_fn *fn;
} p2_bind;

struct wasi_p2 {
    mem_owner *owner;
    wasi_ctx *ctx;
    cm_resource res[P2_NRES];
    p2_stream *streams;
    size_t nstreams, cap_streams;
    p2_pollable *polls;
    size_t npolls, cap_polls;
    p2_bind *binds;    /* one per function of every table */
    size_t nbinds;
};

/* A host function, called after its arguments' kinds were checked:
 * `a` has as many values as `params` has letters, r room for nres. */
typedef rt_trap *(*p2_impl)(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                            cm_val *r);

/* params, one letter per parameter:
 *   O I P D E S  borrow of output-stream, input-stream, pollable,
 *                descriptor, error, directory-entry-stream
 *   w u b      u64, u32, u8
 *   s L F R    string, list, flags, result
 *   N V        enum, variant */
struct p2_fn {
    const char *iface;  /* without the version: "wasi:io/streams" */
    const char *name;
    const char *params;
    uint8_t nres;
    p2_impl fn;
};

/* The tables of wasi_p2_io.c, wasi_p2_fs.c and wasi_p2.c. */
extern const p2_fn p2_io_fns[];
extern const size_t p2_io_nfns;
extern const p2_fn p2_fs_fns[];
extern const size_t p2_fs_nfns;
extern const p2_fn p2_cli_fns[];
extern const size_t p2_cli_nfns;

/* ---- building results ---------------------------------------------------
 * Values go on cx->owner (MEM_HOST); the ABI frees them after lowering.
 * Each returns false when out of memory (nothing left allocated). */

rt_trap *p2_trap(cm_host_call *cx, const char *msg);
rt_trap *p2_oom(cm_host_call *cx);
/* Frees a result made so far (leaving a value that holds nothing) and
 * returns the out-of-memory trap. */
rt_trap *p2_undo(cm_host_call *cx, cm_val *r);
/* A boxed copy of v (a payload), NULL when out of memory. */
cm_val *p2_box(cm_host_call *cx, cm_val v);
bool p2_bytes(cm_host_call *cx, const uint8_t *data, size_t n, cm_val *out);
bool p2_string(cm_host_call *cx, const char *s, size_t n, cm_val *out);
/* result ok / error with payload v (NULL: none). */
bool p2_result(cm_host_call *cx, uint32_t tag, const cm_val *v, cm_val *out);
static inline cm_val p2_u64(uint64_t v)
{
    return (cm_val){.kind = CM_U64, .u.u = v};
}
static inline cm_val p2_own(wasi_p2 *p, int res, uint32_t rep)
{
    return (cm_val){.kind = CM_OWN,
                    .u.handle = {.res = &p->res[res], .rep = rep}};
}

/* The bytes of a list<u8> argument, in a block of n bytes on cx->owner
 * (free with mem_free MEM_HOST; NULL with n 0 for an empty list). false
 * with *trap set when an item is not a u8 or memory runs out. */
bool p2_list_bytes(cm_host_call *cx, const cm_val *list, uint8_t **out,
                   size_t *n, rt_trap **trap);

/* A preview1 errno as a wasi:filesystem error-code (its enum index). */
uint32_t p2_error_code(uint32_t p1_errno);
const char *p2_error_name(uint32_t code);

/* A new stream / pollable slot (its rep), false when out of memory. */
bool p2_stream_new(wasi_p2 *p, p2_stream s, uint32_t *rep);
bool p2_pollable_new(wasi_p2 *p, uint64_t deadline, uint32_t *rep);
/* Frees a stream slot (closing a file stream's descriptor). */
void p2_stream_drop(void *env, uint32_t rep);
void p2_pollable_drop(void *env, uint32_t rep);
void p2_descriptor_drop(void *env, uint32_t rep);

#endif
