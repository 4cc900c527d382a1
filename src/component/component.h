/* Components (the component model, binary layer 1) on top of ebb's core
 * runtime.
 *
 * A component is a graph of core modules and nested components wired
 * together through instances, aliases and canonical functions. ebb
 * decodes it once (cm_component_new: every embedded core module is
 * compiled by the engine like any module), then instantiates it in a
 * store against a host that supplies its imports (cm_instance_new).
 *
 * Values crossing a component boundary are component values (cm_val):
 * the canonical ABI lifts them out of one instance's core values and
 * linear memory and lowers them into another's. The host sees only
 * cm_val, never a guest's memory.
 *
 * Use:
 *   cm_component *c = cm_component_new(engine, bytes, len, &err);
 *   cm_instance *i = cm_instance_new(store, c, &host, &trap, &err);
 *   const cm_func *run = cm_instance_func(i, "wasi:cli/run@0.2.6", "run");
 *   trap = cm_call(store, run, NULL, 0, &result, 1, &err);
 *   cm_val_free(&store->mem, &result);
 *   cm_instance_free(i); rt_store_free(store); cm_component_free(c);
 */
#ifndef EBB_COMPONENT_H
#define EBB_COMPONENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../runtime/runtime.h"

/* The binary's first 8 bytes say "component": magic, version 0x0d, layer 1. */
bool cm_is_component(const uint8_t *bytes, size_t len);

/* ---- values ------------------------------------------------------------ */

typedef enum cm_kind {
    CM_BOOL, CM_S8, CM_U8, CM_S16, CM_U16, CM_S32, CM_U32, CM_S64, CM_U64,
    CM_F32, CM_F64, CM_CHAR, CM_STRING,
    CM_LIST, CM_RECORD, CM_TUPLE, CM_VARIANT, CM_ENUM, CM_OPTION,
    CM_RESULT, CM_FLAGS, CM_OWN, CM_BORROW,
} cm_kind;

/* A resource type at run time. Resource types are generative: each
 * instantiation of a component that defines one makes a new one; a host
 * makes its own (one per interface resource, living as long as the host).
 * `impl` is the component instance that implements it (NULL: the host). */
typedef struct cm_resource {
    const char *name;
    struct cm_instance *impl;
    /* Component resources: the core destructor, NULL when none. */
    rt_func *dtor;
    /* Host resources: called when the guest drops its last own handle. */
    void (*host_drop)(void *env, uint32_t rep);
    void *host_env;
} cm_resource;

/* One component value. Strings are UTF-8, not NUL-terminated. Children
 * (items, payload) are blocks of the owner the value was made on, freed
 * with cm_val_free. */
typedef struct cm_val {
    cm_kind kind;
    union {
        bool b;
        int64_t s;              /* s8..s64 */
        uint64_t u;             /* u8..u64 */
        float f32;
        double f64;
        uint32_t ch;            /* a Unicode scalar value */
        struct { char *ptr; uint32_t len; } str;
        /* list, record (fields in order), tuple */
        struct { struct cm_val *items; uint32_t n; } list;
        /* variant, enum (payload NULL), option (0 none, 1 some),
         * result (0 ok, 1 error); payload NULL when the case has none */
        struct { uint32_t tag; struct cm_val *payload; } var;
        /* flags: bit i is label i (at most 64 labels) */
        uint64_t flags;
        /* own, borrow: the resource and its representation */
        struct { const cm_resource *res; uint32_t rep; } handle;
    } u;
} cm_val;

/* Frees what v holds (not v itself). */
void cm_val_free(mem_owner *o, cm_val *v);

/* ---- the host ---------------------------------------------------------- */

typedef struct cm_host_call {
    rt_store *store;
    mem_owner *owner;           /* where results' strings/lists go (MEM_HOST) */
} cm_host_call;

/* A host function: args as the import's declared type says, results to
 * fill (kinds must match the declared result type, else the call traps).
 * Returns NULL or a trap (rt_trap_new on cx->store). Must check its
 * arguments' kinds: the component declares the type, not the host. */
typedef rt_trap *(*cm_host_fn)(void *env, cm_host_call *cx,
                               const cm_val *args, uint32_t nargs,
                               cm_val *results, uint32_t nresults);

/* What the embedder gives a component's imports. `iface` is the import's
 * name ("wasi:cli/stdout@0.2.6"); `name` the function or resource type
 * in it ("get-stdout", "[method]output-stream.write", "output-stream").
 * Top-level function imports have iface NULL. Each returns false for an
 * import it does not know (instantiation then fails with
 * "unknown import: iface::name"). */
typedef struct cm_host {
    void *env;
    bool (*func)(void *env, const char *iface, const char *name,
                 cm_host_fn *fn, void **fn_env);
    const cm_resource *(*resource)(void *env, const char *iface,
                                   const char *name);
} cm_host;

/* ---- components and instances ------------------------------------------ */

typedef struct cm_component cm_component;
typedef struct cm_instance cm_instance;
typedef struct cm_func cm_func;

/* Decodes and compiles. NULL with a message on error ("component: ..."),
 * never a crash on bad bytes. Bytes are counted on a module-kind owner. */
cm_component *cm_component_new(rt_engine *e, const uint8_t *bytes,
                               size_t len, err_t *err);
void cm_component_free(cm_component *c);

/* Instantiates in store s. On failure NULL with *trap (a trap in a core
 * start function) or err (a link error) set. The instance's bytes are on
 * the store's owner; free it before the store. */
cm_instance *cm_instance_new(rt_store *s, const cm_component *c,
                             const cm_host *host, rt_trap **trap,
                             err_t *err);
void cm_instance_free(cm_instance *i);

/* An exported function: `name` in the exported instance `iface`, or a
 * top-level export when iface is NULL. NULL when absent. */
const cm_func *cm_instance_func(cm_instance *i, const char *iface,
                                const char *name);
/* Its parameter and result counts (results: 0 or 1). */
uint32_t cm_func_nparams(const cm_func *f);
uint32_t cm_func_nresults(const cm_func *f);

/* Calls a function with component values; results are made on the
 * store's owner (free them with cm_val_free). Returns NULL or the trap;
 * err says why arguments did not fit the function's type. */
rt_trap *cm_call(rt_store *s, const cm_func *f, const cm_val *args,
                 uint32_t nargs, cm_val *results, uint32_t nresults,
                 err_t *err);

#endif
