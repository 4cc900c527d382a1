/* Inside the component layer: what the linker (cm_link.c, which decodes
 * and instantiates components) and the canonical ABI (cm_canon*.c, which
 * moves values across boundaries) share.
 *
 * The linker resolves types per instance: a cm_valtype's own/borrow
 * points at the run-time resource it names, so the ABI never looks a
 * type index up. Resolved types live as long as their instance. */
#ifndef EBB_COMPONENT_CM_INTERNAL_H
#define EBB_COMPONENT_CM_INTERNAL_H

#include "component.h"

/* ---- resolved types ---------------------------------------------------- */

typedef struct cm_valtype cm_valtype;

/* A record field, tuple item (name NULL), variant case (type NULL: no
 * payload), enum or flags label (type NULL). */
typedef struct cm_field {
    const char *name;
    const cm_valtype *type;
} cm_field;

struct cm_valtype {
    cm_kind kind;
    uint32_t n;                 /* fields, items, cases or labels */
    const cm_field *fields;
    const cm_valtype *elem;     /* list, option */
    const cm_valtype *ok, *err; /* result; NULL: no payload */
    const cm_resource *res;     /* own, borrow */
    /* The canonical ABI's layout, filled by cm_valtype_layout once the
     * type is complete. Zero until then: the ABI computes it on each use,
     * and refuses function types whose types unfold (parts shared by
     * several fields count each time) into more than 65536 parts. */
    struct {
        bool known;
        bool has_ptr;           /* holds a string or a list */
        uint32_t size, align;   /* in linear memory (size saturates) */
        uint32_t flat;          /* flat values (saturates at 1 << 20) */
        uint32_t depth;         /* nesting: 1 for a scalar */
    } abi;
};

/* Checks a compound type whose parts are complete and fills its `abi`
 * (O(number of parts) when the parts were laid out). A linker calls it
 * on each record, variant, list ... it makes, after the parts. false
 * (error set) when the ABI cannot carry the type (flags of more than 64
 * labels, a handle of no resource, too deep). */
bool cm_valtype_layout(cm_valtype *t, err_t *err);

typedef struct cm_functype {
    uint32_t nparams;
    const cm_field *params;
    uint32_t nresults;          /* 0 or 1 (a named list is one tuple) */
    const cm_valtype *result;
} cm_functype;

/* ---- canonical options ------------------------------------------------- */

typedef struct cm_canon_opts {
    rt_memory *memory;          /* NULL when the canon gave none */
    rt_func *realloc;           /* NULL when none */
    rt_func *post_return;       /* lift only; NULL when none */
    /* Only UTF-8 is supported; the decoder refuses the others. */
} cm_canon_opts;

/* ---- handles ----------------------------------------------------------- */

/* One instance's handle table: index 0 is never valid (the ABI's rule),
 * free slots are chained through `rep` while `res` is NULL. */
typedef struct cm_handle {
    const cm_resource *res;     /* NULL: a free slot */
    uint32_t rep;
    bool own;
    uint32_t lends;             /* borrows of this own handle still out */
    uint32_t scope;             /* borrow: the call that lent it (0: none) */
} cm_handle;

typedef struct cm_handles {
    cm_handle *slots;           /* on the instance's owner, MEM_INSTANCE */
    uint32_t n, cap;
    uint32_t free_head;         /* 0: none */
} cm_handles;

/* ---- instances and functions ------------------------------------------- */

struct cm_func {
    const cm_functype *type;
    /* Lifted functions: the instance whose core code runs, the core
     * function and the callee's options. */
    cm_instance *inst;
    rt_func *core;
    cm_canon_opts opts;
    /* Host functions (core == NULL). */
    cm_host_fn host;
    void *host_env;
};

/* The linker's instance; the ABI uses these fields, the linker may add
 * its own after them. */
struct cm_instance {
    rt_store *store;
    mem_owner *owner;           /* the store's owner */
    cm_handles handles;
    /* The component model's reentrance flags: a component may not be
     * entered while it is already running (trap "cannot enter component
     * instance"), nor leave (call out) while lowering results. */
    bool may_enter, may_leave;
    struct cm_link_state *link; /* the linker's own data */
};

/* ---- the canonical ABI (cm_canon*.c) ------------------------------------ */

/* `canon lift`: checks that core's type is the flattening of t (lifted),
 * else an error; fills *out. */
bool cm_canon_lift(cm_instance *inst, rt_func *core, const cm_functype *t,
                   const cm_canon_opts *opts, cm_func *out, err_t *err);

/* `canon lower`: a core host function in the caller's store, of type
 * flatten(f->type) (lowered), that lifts its arguments out of `caller`
 * with `opts`, calls f (host or lifted), and lowers the results back.
 * f, caller and opts must outlive the store's functions (they live in
 * the instance). */
rt_func *cm_canon_lower(cm_instance *caller, const cm_func *f,
                        const cm_canon_opts *opts, err_t *err);

/* `canon resource.new / drop / rep` for resource r, as core host
 * functions working on inst's handle table. */
rt_func *cm_canon_resource_new(cm_instance *inst, const cm_resource *r,
                               err_t *err);
rt_func *cm_canon_resource_drop(cm_instance *inst, const cm_resource *r,
                                err_t *err);
rt_func *cm_canon_resource_rep(cm_instance *inst, const cm_resource *r,
                               err_t *err);

/* The core type a component function type flattens to; types are on o
 * (MEM_INSTANCE). false when it cannot be flattened (error set). */
bool cm_flatten(mem_owner *o, const cm_functype *t, bool lift, functype *out,
                err_t *err);

/* Drops what is left in a handle table (own handles of host resources
 * get their host_drop) and frees it. */
void cm_handles_free(cm_instance *inst);

#endif
