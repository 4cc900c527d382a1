/* Replaying the definitions that only grow index spaces: core modules,
 * components, aliases, types, canonical functions and exports. */
#include "cm_link.h"

#include <string.h>

static void *extern_ptr(const rt_extern *e)
{
    switch (e->kind) {
    case EXTERN_FUNC: return e->u.func;
    case EXTERN_TABLE: return e->u.table;
    case EXTERN_MEMORY: return e->u.memory;
    default: return e->u.global;
    }
}

/* ---- aliases ------------------------------------------------------------ */

static bool alias_export(lk_root *r, lk_scope *sc, const cd_alias *a)
{
    void *p;
    if (!lk_get(r, sc, LK_INST, a->inst, &p))
        return false;
    const lk_export *e = lk_bag_find(p, a->name.s, a->name.len);
    if (!e)
        return err_set(r->err, "component: instance has no export %s",
                       a->name.s);
    if (e->sort != a->sort)
        return err_set(r->err, "component: export %s has another sort",
                       a->name.s);
    return lk_push(r, sc, lk_space(a->sort), e->p);
}

static bool alias_core_export(lk_root *r, lk_scope *sc, const cd_alias *a)
{
    void *p;
    rt_extern ext;
    if (a->sort < CD_CORE_FUNC || a->sort > CD_CORE_GLOBAL)
        return err_set(r->err, "component: unsupported core alias sort");
    if (!lk_get(r, sc, LK_CINST, a->inst, &p))
        return false;
    if (!lk_cinst_find(p, a->name.s, a->name.len, &ext))
        return err_set(r->err, "component: core instance has no export %s",
                       a->name.s);
    if (ext.kind != a->sort - CD_CORE)
        return err_set(r->err, "component: core export %s has another "
                       "kind", a->name.s);
    return lk_push(r, sc, lk_space(a->sort), extern_ptr(&ext));
}

static bool alias_outer(lk_root *r, lk_scope *sc, const cd_alias *a)
{
    if (a->sort != CD_TYPE && a->sort != CD_COMPONENT &&
        a->sort != CD_CORE_MODULE)
        return err_set(r->err, "component: unsupported outer alias sort");
    lk_scope *s = sc;
    const uint32_t *seen = NULL;
    for (uint32_t i = 0; i < a->count; i++) {
        seen = s->parent_n;
        s = s->parent;
        if (!s)
            return err_set(r->err, "component: outer alias count %u out of "
                           "range", a->count);
    }
    void *p;
    int space = lk_space(a->sort);
    if (seen && a->idx >= seen[space])
        return err_set(r->err, "component: outer alias of a %s not yet "
                       "defined", a->sort == CD_TYPE ? "type" : "component");
    return lk_get(r, s, space, a->idx, &p) && lk_push(r, sc, space, p);
}

bool lk_alias(lk_root *r, lk_scope *sc, const cd_alias *a)
{
    switch (a->target) {
    case 0x00: return alias_export(r, sc, a);
    case 0x01: return alias_core_export(r, sc, a);
    default: return alias_outer(r, sc, a);
    }
}

/* ---- canonical functions ------------------------------------------------- */

static bool realloc_ok(const rt_func *f)
{
    const functype *t = f->type;
    if (t->nparams != 4 || t->nresults != 1)
        return false;
    for (uint32_t i = 0; i < 5; i++)
        if (t->types[i] != VT_I32)
            return false;
    return true;
}

static bool opts_of(lk_root *r, lk_scope *sc, const cd_opts *o,
                    cm_canon_opts **out)
{
    cm_canon_opts *co = lk_alloc(r, sizeof *co);
    void *p;
    if (!co)
        return false;
    if (o->has_memory) {
        if (!lk_get(r, sc, LK_CMEM, o->memory, &p))
            return false;
        co->memory = p;
    }
    if (o->has_realloc) {
        if (!lk_get(r, sc, LK_CFUNC, o->realloc, &p))
            return false;
        co->realloc = p;
        if (!realloc_ok(co->realloc))
            return err_set(r->err, "component: realloc must be "
                           "(i32 i32 i32 i32) -> i32");
    }
    if (o->has_post_return) {
        if (!lk_get(r, sc, LK_CFUNC, o->post_return, &p))
            return false;
        co->post_return = p;
    }
    *out = co;
    return true;
}

static bool lift(lk_root *r, lk_scope *sc, const cd_item *it,
                 cm_canon_opts *o)
{
    void *core;
    const lk_type *t;
    if (!lk_get(r, sc, LK_CFUNC, it->idx, &core) ||
        !lk_get_type(r, sc, it->type_idx, LK_T_FUNC, &t))
        return false;
    cm_func *f = lk_alloc(r, sizeof *f);
    if (!f)
        return false;
    f->type = t->func;
    f->inst = sc->ci;
    f->core = core;
    f->opts = *o;
    return cm_canon_lift(sc->ci, core, t->func, o, f, r->err) &&
           lk_push(r, sc, LK_FUNC, f);
}

static bool lower(lk_root *r, lk_scope *sc, const cd_item *it,
                  cm_canon_opts *o)
{
    void *f;
    if (!lk_get(r, sc, LK_FUNC, it->idx, &f))
        return false;
    rt_func *core = cm_canon_lower(sc->ci, f, o, r->err);
    return core && lk_push(r, sc, LK_CFUNC, core);
}

static bool resource_fn(lk_root *r, lk_scope *sc, const cd_item *it)
{
    const lk_type *t;
    if (!lk_get_type(r, sc, it->idx, LK_T_RESOURCE, &t))
        return false;
    if (it->canon != CD_CANON_RDROP && t->res->impl != sc->ci)
        return err_set(r->err, "component: resource.%s of a resource "
                       "defined elsewhere",
                       it->canon == CD_CANON_RNEW ? "new" : "rep");
    rt_func *f = it->canon == CD_CANON_RNEW
                     ? cm_canon_resource_new(sc->ci, t->res, r->err)
               : it->canon == CD_CANON_RDROP
                     ? cm_canon_resource_drop(sc->ci, t->res, r->err)
                     : cm_canon_resource_rep(sc->ci, t->res, r->err);
    return f && lk_push(r, sc, LK_CFUNC, f);
}

static bool canon(lk_root *r, lk_scope *sc, const cd_item *it)
{
    cm_canon_opts *o;
    switch (it->canon) {
    case CD_CANON_LIFT:
        return opts_of(r, sc, &it->opts, &o) && lift(r, sc, it, o);
    case CD_CANON_LOWER:
        return opts_of(r, sc, &it->opts, &o) && lower(r, sc, it, o);
    default:
        return resource_fn(r, sc, it);
    }
}

/* ---- exports ------------------------------------------------------------- */

static bool export(lk_root *r, lk_scope *sc, const cd_item *it)
{
    int space = lk_space(it->what.sort);
    void *p;
    if (!lk_get(r, sc, space, it->what.idx, &p))
        return false;
    if (it->what.sort == CD_TYPE) {
        lk_type *t = p;
        /* A resource this instance defines takes its first export name
         * (for messages); the linker made it, so it may write it. */
        if (t->kind == LK_T_RESOURCE && t->res->impl == sc->ci &&
            lk_resource_unnamed(t->res))
            ((cm_resource *)t->res)->name = it->name.s;
    }
    /* An export is a new index in its sort's space too. */
    return lk_bag_add(r, &sc->exports, it->name.s, it->name.len,
                      it->what.sort, p) &&
           lk_push(r, sc, space, p);
}

bool lk_item(lk_root *r, lk_scope *sc, const cd_item *it)
{
    switch (it->kind) {
    case CD_I_CORE_MODULE:
        return lk_push(r, sc, LK_MODULE, it->module);
    case CD_I_COMPONENT: {
        lk_comp *c = lk_alloc(r, sizeof *c);
        if (!c)
            return false;
        c->comp = it->comp;
        lk_env_of(sc, &c->env);
        return lk_push(r, sc, LK_COMP, c);
    }
    case CD_I_ALIAS:
        return lk_alias(r, sc, &it->alias);
    case CD_I_TYPE: {
        lk_type *t = lk_type_resolve(r, sc, it->type);
        return t && lk_push(r, sc, LK_TYPE, t);
    }
    case CD_I_CANON:
        return canon(r, sc, it);
    case CD_I_EXPORT:
        return export(r, sc, it);
    default:
        return err_set(r->err, "component: unexpected definition");
    }
}
