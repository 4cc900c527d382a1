/* The linker's own structures: per component instance, its index spaces
 * (a scope), the run-time values they hold, and the state shared by a
 * whole tree of instances (the root). Everything is on the store's owner
 * (MEM_INSTANCE) in one pool freed by cm_instance_free. */
#ifndef EBB_COMPONENT_CM_LINK_H
#define EBB_COMPONENT_CM_LINK_H

#include "cm_decode.h"

/* Index spaces. Core types are not tracked (nothing the linker does needs
 * them); values are refused by the decoder. */
enum {
    LK_FUNC, LK_TYPE, LK_INST, LK_COMP, LK_MODULE, LK_CINST,
    LK_CFUNC, LK_CTABLE, LK_CMEM, LK_CGLOBAL, LK_NSPACE
};

typedef enum lk_tkind {
    LK_T_VAL, LK_T_FUNC, LK_T_RESOURCE, LK_T_DEF,
} lk_tkind;

typedef struct lk_scope lk_scope;

/* A scope as it was at one point: outer aliases see only what was
 * defined before the component or type that holds them. */
typedef struct lk_env {
    lk_scope *scope;
    uint32_t n[LK_NSPACE];
} lk_env;

/* An entry of a type index space. */
typedef struct lk_type {
    lk_tkind kind;
    const cm_valtype *val;
    const cm_functype *func;
    const cm_resource *res;
    const cd_type *def;          /* a component or instance type ... */
    lk_env def_env;              /* ... and where it was written */
} lk_type;

/* A named export of a component instance (or an inline bag). */
typedef struct lk_export {
    const char *name;
    uint32_t len;
    uint32_t sort;               /* CD_* */
    void *p;                     /* what the space of that sort holds */
} lk_export;

typedef struct lk_bag {
    lk_export *ex;
    uint32_t n, cap;
} lk_bag;

/* A component in the component index space: its definitions and the
 * scope it was defined in (outer aliases look there). */
typedef struct lk_comp {
    const cd_comp *comp;
    lk_env env;
} lk_comp;

/* A core instance: an instantiated module, or a bag of core exports. */
typedef struct lk_cexport {
    const char *name;
    uint32_t len;
    rt_extern ext;
} lk_cexport;

typedef struct lk_cinst {
    rt_instance *inst;           /* NULL: the bag */
    lk_cexport *ex;
    uint32_t n;
} lk_cinst;

typedef struct lk_vec {
    void **p;
    uint32_t n, cap;
} lk_vec;

struct lk_scope {
    lk_scope *parent;
    const uint32_t *parent_n;    /* what of the parent it may see */
    lk_vec sp[LK_NSPACE];
    cm_instance *ci;             /* the component instance it belongs to */
    lk_bag exports;
};

/* The whole tree of one cm_instance_new. */
typedef struct lk_root {
    rt_store *s;
    mem_owner *o;
    const cm_host *host;
    cd_pool pool;
    cm_instance **insts;         /* every component instance made */
    uint32_t ninsts, cap_insts;
    uint32_t budget;             /* items left to process (bad bytes can
                                    nest instantiations exponentially) */
    uint32_t depth;              /* nested instantiations under way */
    rt_trap **trap;
    err_t *err;
} lk_root;

struct cm_link_state {
    lk_root *root;
    lk_scope *scope;
};

/* A `with` argument of a nested instantiation. */
typedef struct lk_arg {
    const char *name;
    uint32_t len;
    uint32_t sort;
    void *p;
} lk_arg;

/* cm_link.c */
void *lk_alloc(lk_root *r, size_t n);
bool lk_oom(lk_root *r);
int lk_space(uint32_t sort);
bool lk_push(lk_root *r, lk_scope *sc, int space, void *p);
bool lk_get(lk_root *r, lk_scope *sc, int space, uint32_t idx, void **out);
/* Type idx of the scope, which must be of the given kind. */
bool lk_get_type(lk_root *r, lk_scope *sc, uint32_t idx, lk_tkind kind,
                 const lk_type **out);
/* A scope inside env (NULL: the top). */
lk_scope *lk_scope_new(lk_root *r, const lk_env *env, cm_instance *ci);
void lk_env_of(lk_scope *sc, lk_env *out);
bool lk_bag_add(lk_root *r, lk_bag *b, const char *name, uint32_t len,
                uint32_t sort, void *p);
lk_export *lk_bag_find(const lk_bag *b, const char *name, uint32_t len);
bool lk_cinst_find(const lk_cinst *ci, const char *name, uint32_t len,
                   rt_extern *out);

/* cm_link_items.c: the definitions other than instances and imports */
bool lk_item(lk_root *r, lk_scope *sc, const cd_item *it);
bool lk_alias(lk_root *r, lk_scope *sc, const cd_alias *a);

/* cm_link_types.c */
lk_type *lk_type_resolve(lk_root *r, lk_scope *sc, const cd_type *t);
bool lk_import_host(lk_root *r, lk_scope *sc, const cd_item *it);
/* A `with` instance has every export its import's type declares, each
 * of the declared sort. */
bool lk_check_instance(lk_root *r, lk_scope *sc, uint32_t type_idx,
                       const lk_bag *bag, const char *name);
/* Not yet given an export name (still the placeholder). */
bool lk_resource_unnamed(const cm_resource *res);

#endif
