/* Handles: each component instance's table of own and borrow handles to
 * resources, how handles move across a call (own: taken out of one table,
 * put into the other; borrow: lent for the call), and the canon built-ins
 * resource.new / resource.drop / resource.rep. */
#include <stdatomic.h>
#include <string.h>

#include "cm_canon.h"

/* ---- the table ---- */

static bool table_add(cm_cx *cx, cm_instance *inst, const cm_resource *res,
                      uint32_t rep, bool own, uint32_t scope, uint32_t *index)
{
    cm_handles *h = &inst->handles;
    uint32_t i;
    if (h->free_head) {
        i = h->free_head;
        h->free_head = h->slots[i].rep;
    } else {
        if (h->n == 0)
            h->n = 1; /* index 0 is never a handle */
        if (h->n >= CM_MAX_HANDLES)
            return cm_trapf(cx, "handle table full");
        if (h->n >= h->cap) {
            size_t cap = h->cap;
            void *slots = h->slots;
            if (!mem_grow_array(inst->owner, MEM_INSTANCE, &slots, &cap,
                                h->n + 1, sizeof *h->slots))
                return cm_trapf(cx, "out of memory growing a handle table");
            h->slots = slots;
            h->cap = (uint32_t)cap;
        }
        i = h->n++;
    }
    h->slots[i] = (cm_handle){res, rep, own, 0, scope};
    *index = i;
    return true;
}

static cm_handle *table_get(cm_cx *cx, cm_instance *inst, uint32_t index)
{
    cm_handles *h = &inst->handles;
    if (index == 0 || index >= h->n || !h->slots[index].res) {
        cm_trapf(cx, "unknown handle index %u", index);
        return NULL;
    }
    return &h->slots[index];
}

static void table_remove(cm_instance *inst, uint32_t index)
{
    cm_handles *h = &inst->handles;
    h->slots[index] = (cm_handle){NULL, h->free_head, false, 0, 0};
    h->free_head = index;
}

void cm_handles_free(cm_instance *inst)
{
    cm_handles *h = &inst->handles;
    for (uint32_t i = 1; i < h->n; i++) {
        const cm_resource *r = h->slots[i].res;
        if (r && h->slots[i].own && !r->impl && r->host_drop)
            r->host_drop(r->host_env, h->slots[i].rep);
    }
    if (h->slots)
        mem_free(inst->owner, MEM_INSTANCE, h->slots);
    *h = (cm_handles){0};
}

/* ---- moving handles across a call ---- */

static bool need_table(cm_cx *cx)
{
    return cx->inst ? true
                    : cm_trapf(cx, "handle without a component instance");
}

bool cm_lift_own(cm_cx *cx, const cm_valtype *t, uint32_t index, cm_val *out)
{
    out->kind = CM_OWN;
    out->u.handle.res = t->res;
    out->u.handle.rep = 0;
    if (!need_table(cx))
        return false;
    cm_handle *h = table_get(cx, cx->inst, index);
    if (!h)
        return false;
    if (h->res != t->res)
        return cm_trapf(cx, "handle index %u is not a %s", index,
                        t->res->name ? t->res->name : "resource");
    if (!h->own)
        return cm_trapf(cx, "handle index %u is a borrow, not an own", index);
    if (h->lends)
        return cm_trapf(cx, "handle index %u has outstanding borrows", index);
    out->u.handle.rep = h->rep;
    table_remove(cx->inst, index);
    return true;
}

/* Most calls lend a handle or two: those fit in the context itself. */
static bool grow_lends(cm_cx *cx, cm_callctx *c)
{
    size_t cap = c->caplends * 2;
    cm_lend *l = mem_alloc(&cx->s->mem, MEM_HOST, cap * sizeof *l);
    if (!l)
        return cm_trapf(cx, "out of memory lending a handle");
    memcpy(l, c->lends, c->nlends * sizeof *l);
    if (c->lends != c->small)
        mem_free(&cx->s->mem, MEM_HOST, c->lends);
    c->lends = l;
    c->caplends = (uint32_t)cap;
    return true;
}

bool cm_lift_borrow(cm_cx *cx, const cm_valtype *t, uint32_t index,
                    cm_val *out)
{
    out->kind = CM_BORROW;
    out->u.handle.res = t->res;
    out->u.handle.rep = 0;
    if (!need_table(cx))
        return false;
    cm_handle *h = table_get(cx, cx->inst, index);
    if (!h)
        return false;
    if (h->res != t->res)
        return cm_trapf(cx, "handle index %u is not a %s", index,
                        t->res->name ? t->res->name : "resource");
    if (h->own) {
        /* Lent for the call: the own cannot go away until it returns. */
        cm_callctx *c = cx->call;
        if (!c)
            return cm_trapf(cx, "borrow outside a call");
        if (c->nlends >= c->caplends && !grow_lends(cx, c))
            return false;
        c->lends[c->nlends++] = (cm_lend){cx->inst, index};
        h->lends++;
    }
    out->u.handle.rep = h->rep;
    return true;
}

bool cm_lower_own(cm_cx *cx, const cm_valtype *t, const cm_val *v,
                  uint32_t *index)
{
    if (!need_table(cx))
        return false;
    return table_add(cx, cx->inst, t->res, v->u.handle.rep, true, 0, index);
}

/* A scope names one call among those running (0: none yet), taken when
 * the call first lends a borrow handle. */
static uint32_t new_scope(void)
{
    static _Atomic uint32_t next_scope;
    uint32_t s;
    do
        s = atomic_fetch_add(&next_scope, 1) + 1;
    while (s == 0);
    return s;
}

bool cm_lower_borrow(cm_cx *cx, const cm_valtype *t, const cm_val *v,
                     uint32_t *index)
{
    if (!need_table(cx))
        return false;
    /* The instance implementing the resource gets the rep itself. */
    if (t->res->impl == cx->inst) {
        *index = v->u.handle.rep;
        return true;
    }
    cm_callctx *c = cx->call;
    if (!c)
        return cm_trapf(cx, "borrow outside a call");
    if (!c->scope)
        c->scope = new_scope();
    if (!table_add(cx, cx->inst, t->res, v->u.handle.rep, false, c->scope,
                   index))
        return false;
    c->nborrows++;
    return true;
}

/* ---- calls ---- */

void cm_callctx_init(cm_callctx *call)
{
    call->scope = 0;
    call->nborrows = call->nlends = 0;
    call->lends = call->small;
    call->caplends = sizeof call->small / sizeof call->small[0];
}

void cm_callctx_free(rt_store *s, cm_callctx *call)
{
    if (call->lends != call->small)
        mem_free(&s->mem, MEM_HOST, call->lends);
    call->lends = call->small;
    call->nlends = 0;
    call->caplends = sizeof call->small / sizeof call->small[0];
}

bool cm_call_end(cm_cx *cx, cm_callctx *call, cm_instance *callee)
{
    for (uint32_t i = 0; i < call->nlends; i++) {
        cm_handles *h = &call->lends[i].inst->handles;
        uint32_t k = call->lends[i].index;
        if (k < h->n && h->slots[k].res && h->slots[k].lends)
            h->slots[k].lends--;
    }
    call->nlends = 0;
    if (call->nborrows && callee) {
        cm_handles *h = &callee->handles;
        for (uint32_t k = 1; k < h->n; k++)
            if (h->slots[k].res && !h->slots[k].own &&
                h->slots[k].scope == call->scope)
                return cm_trapf(cx, "borrow handles still remain at the end "
                                    "of the call");
    }
    return true;
}

/* ---- canon resource.new / drop / rep ---- */

typedef struct res_env {
    mem_owner *owner;
    cm_instance *inst;
    const cm_resource *res;
} res_env;

static void res_env_free(void *env)
{
    res_env *e = env;
    mem_free(e->owner, MEM_INSTANCE, e);
}

static rt_trap *res_new(void *env, rt_store *s, const uint64_t *args,
                        uint64_t *results)
{
    res_env *e = env;
    cm_cx cx = {.s = s, .o = &s->mem, .inst = e->inst};
    uint32_t index;
    if (e->res->impl != e->inst)
        return cm_trap_of(&cx, "resource.new of a resource this instance "
                                "does not define");
    if (!table_add(&cx, e->inst, e->res, (uint32_t)args[0], true, 0, &index))
        return cx.trap;
    results[0] = index;
    return NULL;
}

static cm_handle *get_typed(cm_cx *cx, const res_env *e, uint32_t index)
{
    cm_handle *h = table_get(cx, e->inst, index);
    if (h && h->res != e->res) {
        cm_trapf(cx, "handle index %u is not a %s", index,
                 e->res->name ? e->res->name : "resource");
        return NULL;
    }
    return h;
}

static rt_trap *res_drop(void *env, rt_store *s, const uint64_t *args,
                         uint64_t *results)
{
    (void)results;
    res_env *e = env;
    cm_cx cx = {.s = s, .o = &s->mem, .inst = e->inst};
    uint32_t index = (uint32_t)args[0];
    cm_handle *h = get_typed(&cx, e, index);
    if (!h)
        return cx.trap;
    if (!h->own) {
        table_remove(e->inst, index);
        return NULL;
    }
    if (h->lends)
        return cm_trap_of(&cx, "cannot drop handle index %u: it has "
                                "outstanding borrows", index);
    uint32_t rep = h->rep;
    table_remove(e->inst, index);
    const cm_resource *r = e->res;
    if (!r->impl) {
        if (r->host_drop)
            r->host_drop(r->host_env, rep);
        return NULL;
    }
    if (!r->dtor)
        return NULL;
    if (r->impl != e->inst && !r->impl->may_enter)
        return cm_trap_of(&cx, "cannot enter component instance");
    const functype *dt = r->dtor->type;
    if (dt->nparams != 1 || dt->nresults != 0 ||
        functype_params(dt)[0] != VT_I32)
        return cm_trap_of(&cx, "resource destructor has the wrong type");
    uint64_t a[1] = {rep}, none[1];
    return rt_call(s, r->dtor, a, none);
}

static rt_trap *res_rep(void *env, rt_store *s, const uint64_t *args,
                        uint64_t *results)
{
    res_env *e = env;
    cm_cx cx = {.s = s, .o = &s->mem, .inst = e->inst};
    if (e->res->impl != e->inst)
        return cm_trap_of(&cx, "resource.rep of a resource this instance "
                                "does not define");
    cm_handle *h = get_typed(&cx, e, (uint32_t)args[0]);
    if (!h)
        return cx.trap;
    results[0] = h->rep;
    return NULL;
}

static rt_func *res_func(cm_instance *inst, const cm_resource *r,
                         rt_host_fn fn, uint32_t nresults, err_t *err)
{
    uint8_t types[2] = {VT_I32, VT_I32};
    functype ft = {1, nresults, types};
    if (!r)
        return err_set(err, "component: resource built-in of no resource"),
               NULL;
    res_env *e = mem_alloc(inst->owner, MEM_INSTANCE, sizeof *e);
    if (!e)
        return err_set(err, "component: out of memory"), NULL;
    *e = (res_env){inst->owner, inst, r};
    rt_func *f = rt_func_new_host(inst->store, &ft, fn, e, res_env_free);
    if (!f) {
        mem_free(inst->owner, MEM_INSTANCE, e);
        err_set(err, "component: out of memory");
    }
    return f;
}

rt_func *cm_canon_resource_new(cm_instance *inst, const cm_resource *r,
                               err_t *err)
{
    return res_func(inst, r, res_new, 1, err);
}

rt_func *cm_canon_resource_drop(cm_instance *inst, const cm_resource *r,
                                err_t *err)
{
    return res_func(inst, r, res_drop, 0, err);
}

rt_func *cm_canon_resource_rep(cm_instance *inst, const cm_resource *r,
                               err_t *err)
{
    return res_func(inst, r, res_rep, 1, err);
}
