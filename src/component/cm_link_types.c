/* Resolving types per instance: a decoded type (indices) becomes a tree of
 * cm_valtype / cm_functype whose own/borrow point at run-time resources,
 * so the ABI never looks an index up. Also the imports the host gives a
 * top-level component, described by their declared instance types. */
#include "cm_link.h"

#include <string.h>

/* Deeper value types are refused: the ABI walks them recursively. */
#define LK_MAX_TYPE_DEPTH 64

static const char resource_placeholder[] = "resource";

/* A value type with how deep it nests (the ABI recursion bound). */
typedef struct lk_valtype {
    cm_valtype v;
    uint32_t depth;
} lk_valtype;

#define PRIM(k) {{.kind = k}, 1}
static const lk_valtype prims[13] = {
    PRIM(CM_BOOL), PRIM(CM_S8), PRIM(CM_U8), PRIM(CM_S16), PRIM(CM_U16),
    PRIM(CM_S32), PRIM(CM_U32), PRIM(CM_S64), PRIM(CM_U64), PRIM(CM_F32),
    PRIM(CM_F64), PRIM(CM_CHAR), PRIM(CM_STRING),
};

static uint32_t depth_of(const cm_valtype *v)
{
    return ((const lk_valtype *)v)->depth;   /* v is always the first member */
}

bool lk_get_type(lk_root *r, lk_scope *sc, uint32_t idx, lk_tkind kind,
                 const lk_type **out)
{
    void *p;
    if (!lk_get(r, sc, LK_TYPE, idx, &p))
        return false;
    *out = p;
    if ((*out)->kind != kind)
        return err_set(r->err, "component: type %u is not a %s", idx,
                       kind == LK_T_VAL ? "value type"
                       : kind == LK_T_FUNC ? "function type"
                       : kind == LK_T_RESOURCE ? "resource"
                                               : "component or instance type");
    return true;
}

static bool val_of(lk_root *r, lk_scope *sc, const cd_valref *v,
                   const cm_valtype **out)
{
    if (v->prim) {
        *out = &prims[0x7f - v->prim].v;
        return true;
    }
    const lk_type *t;
    if (!lk_get_type(r, sc, v->idx, LK_T_VAL, &t))
        return false;
    *out = t->val;
    return true;
}

/* ---- value types ---------------------------------------------------------- */

static bool fields(lk_root *r, lk_scope *sc, const cd_type *t,
                   lk_valtype *lv, bool names)
{
    if (t->n == 0)
        return err_set(r->err, "component: empty record, variant, tuple, "
                       "flags or enum type");
    cm_field *f = cd_pool_array(&r->pool, t->n, sizeof *f);
    if (!f)
        return lk_oom(r);
    for (uint32_t i = 0; i < t->n; i++) {
        f[i].name = names ? t->fields[i].name.s : NULL;
        if (!t->fields[i].has_type)
            continue;
        if (!val_of(r, sc, &t->fields[i].type, &f[i].type))
            return false;
        if (depth_of(f[i].type) + 1 > lv->depth)
            lv->depth = depth_of(f[i].type) + 1;
    }
    lv->v.n = t->n;
    lv->v.fields = f;
    return true;
}

static bool payload(lk_root *r, lk_scope *sc, bool has, const cd_valref *v,
                    lk_valtype *lv, const cm_valtype **out)
{
    if (!has)
        return true;
    if (!val_of(r, sc, v, out))
        return false;
    if (depth_of(*out) + 1 > lv->depth)
        lv->depth = depth_of(*out) + 1;
    return true;
}

static bool handle(lk_root *r, lk_scope *sc, const cd_type *t,
                   lk_valtype *lv)
{
    const lk_type *rt;
    if (!lk_get_type(r, sc, t->res, LK_T_RESOURCE, &rt))
        return false;
    lv->v.res = rt->res;
    return true;
}

static bool defval_body(lk_root *r, lk_scope *sc, const cd_type *t,
                        lk_valtype *lv)
{
    cm_valtype *v = &lv->v;
    switch (t->code) {
    case 0x72: v->kind = CM_RECORD; return fields(r, sc, t, lv, true);
    case 0x71: v->kind = CM_VARIANT; return fields(r, sc, t, lv, true);
    case 0x6f: v->kind = CM_TUPLE; return fields(r, sc, t, lv, false);
    case 0x6e: v->kind = CM_FLAGS; return fields(r, sc, t, lv, true);
    case 0x6d: v->kind = CM_ENUM; return fields(r, sc, t, lv, true);
    case 0x70: case 0x6b:
        v->kind = t->code == 0x70 ? CM_LIST : CM_OPTION;
        return payload(r, sc, true, &t->a, lv, &v->elem);
    case 0x6a:
        v->kind = CM_RESULT;
        return payload(r, sc, t->has_a, &t->a, lv, &v->ok) &&
               payload(r, sc, t->has_b, &t->b, lv, &v->err);
    case 0x69: v->kind = CM_OWN; return handle(r, sc, t, lv);
    case 0x68: v->kind = CM_BORROW; return handle(r, sc, t, lv);
    default:
        return err_set(r->err, "component: unsupported type 0x%02x",
                       t->code);
    }
}

static const cm_valtype *defval(lk_root *r, lk_scope *sc, const cd_type *t)
{
    if (t->code >= 0x73 && t->code <= 0x7f)
        return &prims[0x7f - t->code].v;
    lk_valtype *lv = lk_alloc(r, sizeof *lv);
    if (!lv)
        return NULL;
    lv->depth = 1;
    if (!defval_body(r, sc, t, lv))
        return NULL;
    if (lv->depth > LK_MAX_TYPE_DEPTH) {
        err_set(r->err, "component: type nesting too deep");
        return NULL;
    }
    /* Size, alignment and flat count once, here, rather than on every
     * call that moves a value of this type. */
    if (!cm_valtype_layout(&lv->v, r->err))
        return NULL;
    return &lv->v;
}

/* ---- function and resource types ----------------------------------------- */

static const cm_functype *func_type(lk_root *r, lk_scope *sc,
                                   const cd_type *t)
{
    cm_functype *f = lk_alloc(r, sizeof *f);
    cm_field *p = cd_pool_array(&r->pool, t->n ? t->n : 1, sizeof *p);
    if (!f || !p) {
        lk_oom(r);
        return NULL;
    }
    for (uint32_t i = 0; i < t->n; i++) {
        p[i].name = t->fields[i].name.s;
        if (!val_of(r, sc, &t->fields[i].type, &p[i].type))
            return NULL;
    }
    f->nparams = t->n;
    f->params = p;
    f->nresults = t->has_a ? 1 : 0;
    if (t->has_a && !val_of(r, sc, &t->a, &f->result))
        return NULL;
    return f;
}

/* A resource definition: a new resource type at each instantiation. */
static const cm_resource *resource(lk_root *r, lk_scope *sc,
                                   const cd_type *t)
{
    cm_resource *res = lk_alloc(r, sizeof *res);
    if (!res)
        return NULL;
    res->name = resource_placeholder;
    res->impl = sc->ci;
    if (t->has_dtor) {
        void *p;
        if (!lk_get(r, sc, LK_CFUNC, t->dtor, &p))
            return NULL;
        rt_func *d = p;
        if (d->type->nparams != 1 || d->type->nresults != 0 ||
            d->type->types[0] != VT_I32) {
            err_set(r->err, "component: resource destructor must be "
                    "(i32) -> ()");
            return NULL;
        }
        res->dtor = d;
    }
    return res;
}

bool lk_resource_unnamed(const cm_resource *res)
{
    return res->name == resource_placeholder;
}

lk_type *lk_type_resolve(lk_root *r, lk_scope *sc, const cd_type *t)
{
    lk_type *lt = lk_alloc(r, sizeof *lt);
    if (!lt)
        return NULL;
    switch (t->tk) {
    case CD_T_VAL:
        lt->kind = LK_T_VAL;
        lt->val = defval(r, sc, t);
        return lt->val ? lt : NULL;
    case CD_T_FUNC:
        lt->kind = LK_T_FUNC;
        lt->func = func_type(r, sc, t);
        return lt->func ? lt : NULL;
    case CD_T_RESOURCE:
        lt->kind = LK_T_RESOURCE;
        lt->res = resource(r, sc, t);
        return lt->res ? lt : NULL;
    default:
        lt->kind = LK_T_DEF;
        lt->def = t;
        lk_env_of(sc, &lt->def_env);
        return lt;
    }
}

/* ---- imports from the host ------------------------------------------------ */

static bool unknown_import(lk_root *r, const char *iface, const char *name)
{
    if (iface)
        return err_set(r->err, "unknown import: %s::%s", iface, name);
    return err_set(r->err, "unknown import: %s", name);
}

static bool host_resource(lk_root *r, const char *iface, const char *name,
                          lk_type **out)
{
    const cm_host *h = r->host;
    const cm_resource *res =
        h && h->resource ? h->resource(h->env, iface, name) : NULL;
    if (!res)
        return unknown_import(r, iface, name);
    lk_type *t = lk_alloc(r, sizeof *t);
    if (!t)
        return false;
    t->kind = LK_T_RESOURCE;
    t->res = res;
    *out = t;
    return true;
}

static bool host_func(lk_root *r, const char *iface, const char *name,
                      const cm_functype *type, cm_func **out)
{
    const cm_host *h = r->host;
    cm_host_fn fn = NULL;
    void *env = NULL;
    if (!h || !h->func || !h->func(h->env, iface, name, &fn, &env) || !fn)
        return unknown_import(r, iface, name);
    cm_func *f = lk_alloc(r, sizeof *f);
    if (!f)
        return false;
    f->type = type;
    f->host = fn;
    f->host_env = env;
    *out = f;
    return true;
}

/* An export declaration of an imported instance's type: the host gives
 * the resource or function; type equalities just name an earlier type. */
static bool host_export(lk_root *r, lk_scope *ds, const char *iface,
                        const cd_decl *d, lk_bag *bag)
{
    const lk_type *t;
    if (d->ext.sort == CD_TYPE) {
        lk_type *lt;
        if (d->ext.sub_resource) {
            if (!host_resource(r, iface, d->name.s, &lt))
                return false;
        } else {
            void *p;
            if (!lk_get(r, ds, LK_TYPE, d->ext.idx, &p))
                return false;
            lt = p;
        }
        return lk_push(r, ds, LK_TYPE, lt) &&
               lk_bag_add(r, bag, d->name.s, d->name.len, CD_TYPE, lt);
    }
    if (d->ext.sort != CD_FUNC)
        return err_set(r->err, "component: unsupported export %s in the "
                       "type of import %s", d->name.s, iface);
    cm_func *f;
    return lk_get_type(r, ds, d->ext.idx, LK_T_FUNC, &t) &&
           host_func(r, iface, d->name.s, t->func, &f) &&
           lk_bag_add(r, bag, d->name.s, d->name.len, CD_FUNC, f);
}

static lk_bag *host_instance(lk_root *r, const lk_type *it, const char *iface)
{
    lk_scope *ds = lk_scope_new(r, &it->def_env, it->def_env.scope->ci);
    lk_bag *bag = lk_alloc(r, sizeof *bag);
    if (!ds || !bag)
        return NULL;
    for (uint32_t i = 0; i < it->def->ndecls; i++) {
        const cd_decl *d = &it->def->decls[i];
        lk_type *t;
        bool ok = true;
        switch (d->kind) {
        case 0x00:
            break;               /* core types: not tracked */
        case 0x01:
            t = lk_type_resolve(r, ds, d->type);
            ok = t && lk_push(r, ds, LK_TYPE, t);
            break;
        case 0x02:
            ok = lk_alias(r, ds, &d->alias);
            break;
        case 0x04:
            ok = host_export(r, ds, iface, d, bag);
            break;
        default:
            ok = err_set(r->err, "component: bad declaration in the type "
                         "of import %s", iface);
        }
        if (!ok)
            return NULL;
    }
    return bag;
}

bool lk_import_host(lk_root *r, lk_scope *sc, const cd_item *it)
{
    const cd_extern *e = &it->ext;
    const lk_type *t;
    void *p;
    switch (e->sort) {
    case CD_INSTANCE: {
        if (!lk_get_type(r, sc, e->idx, LK_T_DEF, &t))
            return false;
        if (t->def->tk != CD_T_INSTANCE)
            return err_set(r->err, "component: import %s: not an instance "
                           "type", it->name.s);
        lk_bag *bag = host_instance(r, t, it->name.s);
        return bag && lk_push(r, sc, LK_INST, bag);
    }
    case CD_FUNC: {
        cm_func *f;
        return lk_get_type(r, sc, e->idx, LK_T_FUNC, &t) &&
               host_func(r, NULL, it->name.s, t->func, &f) &&
               lk_push(r, sc, LK_FUNC, f);
    }
    case CD_TYPE: {
        lk_type *lt;
        if (!e->sub_resource)
            return lk_get(r, sc, LK_TYPE, e->idx, &p) &&
                   lk_push(r, sc, LK_TYPE, p);
        return host_resource(r, NULL, it->name.s, &lt) &&
               lk_push(r, sc, LK_TYPE, lt);
    }
    default:
        return err_set(r->err, "component: unsupported import %s (only "
                       "instances, functions and types)", it->name.s);
    }
}

/* The types themselves are not compared: the ABI moves values with the
 * argument's own types, and core instantiation checks the flattened
 * ones, so a mismatch is a clean link error later at worst. */
bool lk_check_instance(lk_root *r, lk_scope *sc, uint32_t type_idx,
                       const lk_bag *bag, const char *name)
{
    const lk_type *t;
    if (!lk_get_type(r, sc, type_idx, LK_T_DEF, &t))
        return false;
    if (t->def->tk != CD_T_INSTANCE)
        return err_set(r->err, "component: import %s: not an instance type",
                       name);
    for (uint32_t i = 0; i < t->def->ndecls; i++) {
        const cd_decl *d = &t->def->decls[i];
        if (d->kind != 0x04)
            continue;
        const lk_export *e = lk_bag_find(bag, d->name.s, d->name.len);
        if (!e || e->sort != d->ext.sort)
            return err_set(r->err, "component: argument %s lacks the "
                           "export %s", name, d->name.s);
    }
    return true;
}
