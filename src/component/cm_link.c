/* Instantiating a component: replays each component's definitions in
 * order, growing its index spaces, instantiating core modules and nested
 * components, and making canonical functions through the ABI
 * (cm_canon*.c). Type resolution and host imports are in
 * cm_link_types.c, aliases, exports and canon in cm_link_items.c. */
#include "cm_link.h"

#include <string.h>

#define LK_BUDGET 200000u        /* items replayed per cm_instance_new */
#define LK_MAX_DEPTH 64u         /* nested instantiations */

/* ---- small helpers ------------------------------------------------------ */

void *lk_alloc(lk_root *r, size_t n)
{
    void *p = cd_pool_alloc(&r->pool, n);
    if (!p)
        lk_oom(r);
    return p;
}

bool lk_oom(lk_root *r)
{
    return err_set(r->err, "component: out of memory");
}

int lk_space(uint32_t sort)
{
    switch (sort) {
    case CD_FUNC: return LK_FUNC;
    case CD_TYPE: return LK_TYPE;
    case CD_INSTANCE: return LK_INST;
    case CD_COMPONENT: return LK_COMP;
    case CD_CORE_MODULE: return LK_MODULE;
    case CD_CORE_INSTANCE: return LK_CINST;
    case CD_CORE_FUNC: return LK_CFUNC;
    case CD_CORE_TABLE: return LK_CTABLE;
    case CD_CORE_MEMORY: return LK_CMEM;
    case CD_CORE_GLOBAL: return LK_CGLOBAL;
    default: return -1;          /* core types, values */
    }
}

static const char *space_name(int space)
{
    static const char *names[LK_NSPACE] = {
        "func", "type", "instance", "component", "core module",
        "core instance", "core func", "core table", "core memory",
        "core global",
    };
    return space >= 0 && space < LK_NSPACE ? names[space] : "?";
}

/* Grows by doubling; the old array stays in the pool (at most as much
 * again), which keeps freeing to one walk of the pool. */
static bool grow(lk_root *r, void **arr, uint32_t *cap, uint32_t n,
                 size_t elem)
{
    if (n < *cap)
        return true;
    uint32_t nc = *cap ? *cap * 2 : 8;
    if (nc <= *cap)
        return lk_oom(r);
    void *p = cd_pool_array(&r->pool, nc, elem);
    if (!p)
        return lk_oom(r);
    if (n)
        memcpy(p, *arr, (size_t)n * elem);
    *arr = p;
    *cap = nc;
    return true;
}

bool lk_push(lk_root *r, lk_scope *sc, int space, void *p)
{
    if (space < 0)
        return err_set(r->err, "component: unsupported sort");
    lk_vec *v = &sc->sp[space];
    if (!grow(r, (void **)&v->p, &v->cap, v->n, sizeof *v->p))
        return false;
    v->p[v->n++] = p;
    return true;
}

bool lk_get(lk_root *r, lk_scope *sc, int space, uint32_t idx, void **out)
{
    *out = NULL;
    if (space < 0)
        return err_set(r->err, "component: unsupported sort");
    if (idx >= sc->sp[space].n)
        return err_set(r->err, "component: %s index %u out of range",
                       space_name(space), idx);
    *out = sc->sp[space].p[idx];
    return true;
}

lk_scope *lk_scope_new(lk_root *r, const lk_env *env, cm_instance *ci)
{
    lk_scope *sc = lk_alloc(r, sizeof *sc);
    if (sc) {
        sc->parent = env ? env->scope : NULL;
        sc->parent_n = env ? env->n : NULL;
        sc->ci = ci;
    }
    return sc;
}

void lk_env_of(lk_scope *sc, lk_env *out)
{
    out->scope = sc;
    for (int i = 0; i < LK_NSPACE; i++)
        out->n[i] = sc->sp[i].n;
}

bool lk_bag_add(lk_root *r, lk_bag *b, const char *name, uint32_t len,
                uint32_t sort, void *p)
{
    if (lk_bag_find(b, name, len))
        return err_set(r->err, "component: duplicate export name %s", name);
    if (!grow(r, (void **)&b->ex, &b->cap, b->n, sizeof *b->ex))
        return false;
    b->ex[b->n++] = (lk_export){name, len, sort, p};
    return true;
}

lk_export *lk_bag_find(const lk_bag *b, const char *name, uint32_t len)
{
    for (uint32_t i = 0; i < b->n; i++)
        if (b->ex[i].len == len && memcmp(b->ex[i].name, name, len) == 0)
            return &b->ex[i];
    return NULL;
}

/* ---- core instances ----------------------------------------------------- */

bool lk_cinst_find(const lk_cinst *ci, const char *name, uint32_t len,
                   rt_extern *out)
{
    if (ci->inst)
        return rt_instance_export(ci->inst, name, len, out);
    for (uint32_t i = 0; i < ci->n; i++)
        if (ci->ex[i].len == len && memcmp(ci->ex[i].name, name, len) == 0) {
            *out = ci->ex[i].ext;
            return true;
        }
    return false;
}

static const cd_arg *arg_find(const cd_item *it, const char *name,
                              uint32_t len)
{
    for (uint32_t i = 0; i < it->nargs; i++)
        if (it->args[i].name.len == len &&
            memcmp(it->args[i].name.s, name, len) == 0)
            return &it->args[i];
    return NULL;
}

/* Each import of the module, in order, from the named argument instance. */
static bool core_imports(lk_root *r, lk_scope *sc, const cd_item *it,
                         const module_desc *d, rt_extern *ext)
{
    for (uint32_t i = 0; i < d->nimports; i++) {
        const import_desc *im = &d->imports[i];
        const cd_arg *a = arg_find(it, im->module, im->module_len);
        void *p;
        if (!a)
            return err_set(r->err, "component: core instance: missing "
                           "argument %.*s", (int)im->module_len, im->module);
        if (!lk_get(r, sc, LK_CINST, a->what.idx, &p))
            return false;
        if (!lk_cinst_find(p, im->name, im->name_len, &ext[i]))
            return err_set(r->err, "component: core instance: unknown "
                           "import %.*s.%.*s", (int)im->module_len,
                           im->module, (int)im->name_len, im->name);
        if (ext[i].kind != im->kind)
            return err_set(r->err, "component: core instance: import "
                           "%.*s.%.*s has the wrong kind",
                           (int)im->module_len, im->module,
                           (int)im->name_len, im->name);
    }
    return true;
}

static bool core_instantiate(lk_root *r, lk_scope *sc, const cd_item *it,
                             lk_cinst *out)
{
    void *p;
    if (!lk_get(r, sc, LK_MODULE, it->idx, &p))
        return false;
    rt_module *m = p;
    uint32_t n = m->desc.nimports;
    rt_extern *ext = mem_calloc(r->o, MEM_INSTANCE, n ? n : 1, sizeof *ext);
    if (!ext)
        return lk_oom(r);
    bool ok = core_imports(r, sc, it, &m->desc, ext);
    if (ok) {
        err_t e;
        err_clear(&e);
        out->inst = rt_instance_new(r->s, m, ext, n, r->trap, &e);
        if (!out->inst) {
            ok = false;
            if (!*r->trap)
                err_set(r->err, "component: core instance: %s", e.msg);
        }
    }
    mem_free(r->o, MEM_INSTANCE, ext);
    return ok;
}

static bool core_bag(lk_root *r, lk_scope *sc, const cd_item *it,
                     lk_cinst *out)
{
    out->n = it->nargs;
    out->ex = cd_pool_array(&r->pool, it->nargs ? it->nargs : 1,
                            sizeof *out->ex);
    if (!out->ex)
        return lk_oom(r);
    for (uint32_t i = 0; i < it->nargs; i++) {
        const cd_arg *a = &it->args[i];
        int space = lk_space(a->what.sort);
        void *p;
        if (space < LK_CFUNC)
            return err_set(r->err, "component: unsupported core export "
                           "sort");
        if (!lk_get(r, sc, space, a->what.idx, &p))
            return false;
        lk_cexport *e = &out->ex[i];
        e->name = a->name.s;
        e->len = a->name.len;
        e->ext.kind = (uint8_t)(a->what.sort - CD_CORE);
        switch (space) {
        case LK_CFUNC: e->ext.u.func = p; break;
        case LK_CTABLE: e->ext.u.table = p; break;
        case LK_CMEM: e->ext.u.memory = p; break;
        default: e->ext.u.global = p; break;
        }
    }
    return true;
}

static bool core_instance(lk_root *r, lk_scope *sc, const cd_item *it)
{
    lk_cinst *ci = lk_alloc(r, sizeof *ci);
    if (!ci)
        return false;
    bool ok = it->inline_exports ? core_bag(r, sc, it, ci)
                                 : core_instantiate(r, sc, it, ci);
    return ok && lk_push(r, sc, LK_CINST, ci);
}

/* ---- component instances ------------------------------------------------ */

static bool run_items(lk_root *r, lk_scope *sc, const cd_comp *comp,
                      const lk_arg *args, uint32_t nargs);

static cm_instance *instance_new(lk_root *r, const lk_env *env)
{
    if (!grow(r, (void **)&r->insts, &r->cap_insts, r->ninsts,
              sizeof *r->insts))
        return NULL;
    cm_instance *ci = lk_alloc(r, sizeof *ci);
    struct cm_link_state *ls = lk_alloc(r, sizeof *ls);
    if (!ci || !ls)
        return NULL;
    ci->store = r->s;
    ci->owner = r->o;
    ci->may_enter = ci->may_leave = true;
    ci->link = ls;
    ls->root = r;
    ls->scope = lk_scope_new(r, env, ci);
    if (!ls->scope)
        return NULL;
    r->insts[r->ninsts++] = ci;
    return ci;
}

static bool args_of(lk_root *r, lk_scope *sc, const cd_item *it,
                    lk_arg **out)
{
    lk_arg *args = cd_pool_array(&r->pool, it->nargs ? it->nargs : 1,
                                 sizeof *args);
    if (!args)
        return lk_oom(r);
    for (uint32_t i = 0; i < it->nargs; i++) {
        const cd_arg *a = &it->args[i];
        args[i].name = a->name.s;
        args[i].len = a->name.len;
        args[i].sort = a->what.sort;
        if (!lk_get(r, sc, lk_space(a->what.sort), a->what.idx,
                    &args[i].p))
            return false;
    }
    *out = args;
    return true;
}

static bool instance(lk_root *r, lk_scope *sc, const cd_item *it)
{
    lk_arg *args = NULL;
    if (!args_of(r, sc, it, &args))
        return false;
    lk_bag *bag;
    if (it->inline_exports) {
        bag = lk_alloc(r, sizeof *bag);
        if (!bag)
            return false;
        for (uint32_t i = 0; i < it->nargs; i++)
            if (!lk_bag_add(r, bag, args[i].name, args[i].len,
                            args[i].sort, args[i].p))
                return false;
    } else {
        void *p;
        if (!lk_get(r, sc, LK_COMP, it->idx, &p))
            return false;
        const lk_comp *lc = p;
        if (++r->depth > LK_MAX_DEPTH)
            return err_set(r->err, "component: instances nested too deep");
        cm_instance *ci = instance_new(r, &lc->env);
        if (!ci || !run_items(r, ci->link->scope, lc->comp, args, it->nargs))
            return false;
        bag = &ci->link->scope->exports;
        r->depth--;
    }
    return lk_push(r, sc, LK_INST, bag);
}

/* An import of a nested component: the `with` argument of that name
 * (a type bound (eq i) needs none). */
static bool import_arg(lk_root *r, lk_scope *sc, const cd_item *it,
                       const lk_arg *args, uint32_t nargs)
{
    int space = lk_space(it->ext.sort);
    if (it->ext.sort == CD_TYPE && !it->ext.sub_resource) {
        void *p;
        return lk_get(r, sc, LK_TYPE, it->ext.idx, &p) &&
               lk_push(r, sc, LK_TYPE, p);
    }
    for (uint32_t i = 0; i < nargs; i++) {
        if (args[i].len != it->name.len ||
            memcmp(args[i].name, it->name.s, it->name.len) != 0)
            continue;
        if (args[i].sort != it->ext.sort)
            return err_set(r->err, "component: argument %s has the wrong "
                           "sort", it->name.s);
        if (it->ext.sort == CD_INSTANCE &&
            !lk_check_instance(r, sc, it->ext.idx, args[i].p, it->name.s))
            return false;
        return lk_push(r, sc, space, args[i].p);
    }
    return err_set(r->err, "component: missing instantiation argument %s",
                   it->name.s);
}

static bool run_items(lk_root *r, lk_scope *sc, const cd_comp *comp,
                      const lk_arg *args, uint32_t nargs)
{
    for (uint32_t i = 0; i < comp->nitems; i++) {
        const cd_item *it = &comp->items[i];
        bool ok;
        if (r->budget == 0)
            return err_set(r->err, "component: too many instantiations");
        r->budget--;
        switch (it->kind) {
        case CD_I_CORE_INSTANCE: ok = core_instance(r, sc, it); break;
        case CD_I_INSTANCE: ok = instance(r, sc, it); break;
        case CD_I_IMPORT:
            ok = sc->parent ? import_arg(r, sc, it, args, nargs)
                            : lk_import_host(r, sc, it);
            break;
        default: ok = lk_item(r, sc, it); break;
        }
        if (!ok)
            return false;
    }
    return true;
}

/* ---- the public face ----------------------------------------------------- */

static void root_free(lk_root *r)
{
    for (uint32_t i = r->ninsts; i-- > 0;)
        cm_handles_free(r->insts[i]);
    mem_owner *o = r->o;
    cd_pool_free(&r->pool);
    mem_free(o, MEM_INSTANCE, r);
}

void cm_instance_free(cm_instance *i)
{
    if (i)
        root_free(i->link->root);
}

cm_instance *cm_instance_new(rt_store *s, const cm_component *c,
                             const cm_host *host, rt_trap **trap,
                             err_t *err)
{
    rt_trap *dummy = NULL;
    if (!trap)
        trap = &dummy;
    *trap = NULL;
    err_t e;
    err_clear(&e);
    lk_root *r = mem_calloc(&s->mem, MEM_INSTANCE, 1, sizeof *r);
    if (!r) {
        err_set(err, "component: out of memory");
        return NULL;
    }
    r->s = s;
    r->o = &s->mem;
    r->host = host;
    r->pool.o = &s->mem;
    r->pool.cat = MEM_INSTANCE;
    r->budget = LK_BUDGET;
    r->trap = trap;
    r->err = &e;
    cm_instance *top = instance_new(r, NULL);
    if (!top || !run_items(r, top->link->scope, c->top, NULL, 0)) {
        if (!*trap)
            err_set(err, "%s", err_failed(&e) ? e.msg
                               : "component: instantiation failed");
        root_free(r);
        return NULL;
    }
    return top;
}

static const cm_func *bag_func(const lk_bag *b, const char *name)
{
    const lk_export *e = lk_bag_find(b, name, (uint32_t)strlen(name));
    return e && e->sort == CD_FUNC ? e->p : NULL;
}

const cm_func *cm_instance_func(cm_instance *i, const char *iface,
                                const char *name)
{
    if (!i || !name)
        return NULL;
    const lk_bag *b = &i->link->scope->exports;
    if (iface) {
        const lk_export *e = lk_bag_find(b, iface, (uint32_t)strlen(iface));
        if (!e || e->sort != CD_INSTANCE)
            return NULL;
        b = e->p;
    }
    return bag_func(b, name);
}

uint32_t cm_func_nparams(const cm_func *f)
{
    return f->type->nparams;
}

uint32_t cm_func_nresults(const cm_func *f)
{
    return f->type->nresults;
}
