/* The canonical ABI's calls: `canon lift` (a core function seen as a
 * component function), `canon lower` (a component function seen as a core
 * function, here a host trampoline), and cm_call (the host calling a
 * component function). A call moves the arguments out of the caller
 * (core values and memory, or the host's cm_val), into the callee, and
 * the results back, keeping the reentrance flags and handle rules. */
#include <string.h>

#include "cm_canon.h"

/* Argument and result arrays up to this size stay on the C stack. */
#define CM_SMALL_ARGS 8

static bool params_have_ptr(const cm_functype *t)
{
    for (uint32_t i = 0; i < t->nparams; i++)
        if (cm_type_has_ptr(t->params[i].type))
            return true;
    return false;
}

static uint32_t flat_params(const cm_functype *t)
{
    return cm_flat_count_fields(t->params, t->nparams, CM_MAX_FLAT_PARAMS);
}

static uint32_t flat_results(const cm_functype *t)
{
    return t->nresults ? cm_flat_count(t->result, CM_MAX_FLAT_RESULTS) : 0;
}

static cm_val *vals_new(mem_owner *o, cm_val *small, uint32_t n)
{
    if (n <= CM_SMALL_ARGS) {
        /* Field by field: usually one value, and a memset costs more. */
        for (uint32_t i = 0; i < n; i++) {
            small[i].kind = CM_BOOL;
            small[i].u.list.items = NULL;
            small[i].u.list.n = 0;
        }
        return small;
    }
    return mem_calloc(o, MEM_HOST, n, sizeof(cm_val));
}

static void vals_free(mem_owner *o, cm_val *v, cm_val *small, uint32_t n)
{
    if (!v)
        return;
    cm_val_free_array(o, v, n);
    if (v != small)
        mem_free(o, MEM_HOST, v);
}

/* ---- calling a lifted function ---- */

static bool set_trap(cm_cx *cx, rt_trap *t)
{
    if (!t)
        return true;
    if (cx->trap)
        rt_trap_free(t);
    else
        cx->trap = t;
    return false;
}

/* Lowers args into the callee's core values (or memory past 16 flat
 * values), with the callee's may_leave cleared: its realloc must not
 * call out. */
static bool lower_args(cm_cx *cx, const cm_functype *t, const cm_val *args,
                       uint64_t *cells)
{
    cm_instance *inst = cx->inst;
    bool ok = true;
    inst->may_leave = false;
    if (flat_params(t) <= CM_MAX_FLAT_PARAMS) {
        uint32_t pos = 0;
        for (uint32_t i = 0; i < t->nparams && ok; i++)
            ok = cm_lower_flat(cx, t->params[i].type, &args[i], cells, &pos);
    } else {
        uint32_t ptr;
        ok = cm_alloc(cx, cm_fields_align(t->params, t->nparams),
                      cm_fields_size(t->params, t->nparams), &ptr) &&
             cm_store_fields(cx, t->params, t->nparams, args, ptr);
        cells[0] = ptr;
    }
    inst->may_leave = true;
    return ok;
}

/* Lifts a function's result out of its flat core results. */
static bool lift_result(cm_cx *cx, const cm_functype *t,
                        const uint64_t *cells, cm_val *out)
{
    if (!t->nresults)
        return true;
    if (flat_results(t) <= CM_MAX_FLAT_RESULTS) {
        uint32_t pos = 0;
        return cm_lift_flat(cx, t->result, cells, &pos, out);
    }
    uint32_t ptr = (uint32_t)cells[0];
    return cm_check_range(cx, ptr, cm_size(t->result), cm_align(t->result),
                          "result") &&
           cm_load(cx, t->result, ptr, out);
}

/* Runs lifted function f: arguments in, core call, result out (onto the
 * store's owner), post-return. The caller ends the call. */
static bool call_lifted(cm_cx *cx, const cm_func *f, const cm_val *args,
                        cm_val *results)
{
    cm_instance *inst = f->inst;
    /* Only the cells lowering writes are passed on: no need to zero. */
    uint64_t cells[CM_MAX_FLAT_PARAMS + 1], rcells[2] = {0, 0};
    if (!inst->may_enter)
        return cm_trapf(cx, "cannot enter component instance");
    cx->inst = inst;
    cx->opts = &f->opts;
    if (!lower_args(cx, f->type, args, cells))
        return false;
    if (!set_trap(cx, rt_call(cx->s, f->core, cells, rcells)))
        return false;
    if (!lift_result(cx, f->type, rcells, results))
        return false;
    if (f->opts.post_return) {
        uint64_t none[2];
        if (!set_trap(cx, rt_call(cx->s, f->opts.post_return, rcells, none)))
            return false;
    }
    return true;
}

/* Calls f (lifted or host) with args; results onto cx->o. */
static bool invoke(cm_cx *cx, const cm_func *f, const cm_val *args,
                   cm_val *results)
{
    const cm_functype *t = f->type;
    if (f->core) {
        if (!call_lifted(cx, f, args, results))
            return false;
        return cm_call_end(cx, cx->call, f->inst);
    }
    if (!f->host)
        return cm_trapf(cx, "component function has no implementation");
    cm_host_call hc = {cx->s, cx->o};
    /* A host that fails half-way leaves nothing cm_val_free would chase. */
    memset(results, 0, t->nresults * sizeof *results);
    if (!set_trap(cx, f->host(f->host_env, &hc, args, t->nparams, results,
                              t->nresults)))
        return false;
    if (t->nresults && !cm_val_matches(t->result, &results[0]))
        return cm_trapf(cx, "host result does not match its type");
    return cm_call_end(cx, cx->call, NULL);
}

rt_trap *cm_call(rt_store *s, const cm_func *f, const cm_val *args,
                 uint32_t nargs, cm_val *results, uint32_t nresults,
                 err_t *err)
{
    const cm_functype *t = f->type;
    if (nargs != t->nparams || nresults != t->nresults) {
        err_set(err, "component: function takes %u arguments and %u "
                     "results, given %u and %u",
                t->nparams, t->nresults, nargs, nresults);
        return NULL;
    }
    for (uint32_t i = 0; i < nargs; i++)
        if (!cm_val_matches(t->params[i].type, &args[i])) {
            err_set(err, "component: argument %u (%s) does not match its "
                         "type", i,
                    t->params[i].name ? t->params[i].name : "?");
            return NULL;
        }
    if (nresults)
        memset(results, 0, sizeof *results * nresults);
    cm_callctx call;
    cm_callctx_init(&call);
    cm_cx cx = {.s = s, .o = &s->mem, .call = &call};
    bool ok = invoke(&cx, f, args, results);
    cm_callctx_free(s, &call);
    if (!ok)
        cm_val_free_array(&s->mem, results, nresults);
    return cx.trap;
}

/* ---- canon lift ---- */

static bool check_core_type(mem_owner *o, const functype *have,
                            const cm_functype *t, bool lift, err_t *err)
{
    functype want;
    if (!cm_flatten(o, t, lift, &want, err))
        return false;
    bool ok = functype_equal(have, &want);
    mem_free(o, MEM_INSTANCE, want.types);
    if (!ok)
        return err_set(err, "component: core function type does not match "
                            "the component function type");
    return true;
}

bool cm_canon_lift(cm_instance *inst, rt_func *core, const cm_functype *t,
                   const cm_canon_opts *opts, cm_func *out, err_t *err)
{
    if (!core)
        return err_set(err, "component: canon lift of no function");
    if (!check_core_type(inst->owner, core->type, t, true, err))
        return false;
    bool spill = flat_params(t) > CM_MAX_FLAT_PARAMS;
    bool ptrs = params_have_ptr(t) ||
                (t->nresults && cm_type_has_ptr(t->result));
    if ((ptrs || spill || flat_results(t) > CM_MAX_FLAT_RESULTS) &&
        !opts->memory)
        return err_set(err, "component: canonical option `memory` is "
                            "required");
    if ((params_have_ptr(t) || spill) && !opts->realloc)
        return err_set(err, "component: canonical option `realloc` is "
                            "required");
    if (opts->post_return) {
        /* post-return takes the core results and returns nothing. */
        const functype *p = opts->post_return->type, *c = core->type;
        if (p->nresults || p->nparams != c->nresults ||
            memcmp(functype_params(p), functype_results(c), c->nresults))
            return err_set(err, "component: post-return function has the "
                                "wrong type");
    }
    *out = (cm_func){.type = t, .inst = inst, .core = core, .opts = *opts};
    return true;
}

/* ---- canon lower ---- */

typedef struct lower_env {
    mem_owner *owner;
    cm_instance *caller;
    const cm_func *f;
    const cm_canon_opts *opts;
    uint32_t nparams;           /* flat params; > 16: one pointer */
    uint32_t nresults;          /* flat results; > 1: a return pointer */
} lower_env;

static void lower_env_free(void *env)
{
    lower_env *e = env;
    mem_free(e->owner, MEM_INSTANCE, e);
}

/* Lifts the caller's arguments out of its core values. */
static bool lift_args(cm_cx *cx, const lower_env *e, const uint64_t *args,
                      cm_val *vals)
{
    const cm_functype *t = e->f->type;
    if (e->nparams <= CM_MAX_FLAT_PARAMS) {
        uint32_t pos = 0;
        for (uint32_t i = 0; i < t->nparams; i++)
            if (!cm_lift_flat(cx, t->params[i].type, args, &pos, &vals[i]))
                return false;
        return true;
    }
    uint32_t ptr = (uint32_t)args[0];
    return cm_check_range(cx, ptr, cm_fields_size(t->params, t->nparams),
                          cm_fields_align(t->params, t->nparams),
                          "parameters") &&
           cm_load_items(cx, t->params, t->nparams, ptr, vals);
}

/* Lowers the result back into the caller (may_leave cleared meanwhile). */
static bool lower_result(cm_cx *cx, const lower_env *e,
                         const uint64_t *args, const cm_val *res,
                         uint64_t *results)
{
    const cm_functype *t = e->f->type;
    bool ok = true;
    if (!t->nresults)
        return true;
    e->caller->may_leave = false;
    if (e->nresults <= CM_MAX_FLAT_RESULTS) {
        uint32_t pos = 0;
        ok = cm_lower_flat(cx, t->result, res, results, &pos);
    } else {
        uint32_t at = e->nparams <= CM_MAX_FLAT_PARAMS ? e->nparams : 1;
        uint32_t ptr = (uint32_t)args[at];
        ok = cm_check_range(cx, ptr, cm_size(t->result), cm_align(t->result),
                            "return pointer") &&
             cm_store(cx, t->result, res, ptr);
    }
    e->caller->may_leave = true;
    return ok;
}

static rt_trap *lower_trampoline(void *env, rt_store *s,
                                 const uint64_t *args, uint64_t *results)
{
    const lower_env *e = env;
    const cm_func *f = e->f;
    const cm_functype *t = f->type;
    cm_instance *caller = e->caller;
    cm_callctx call;
    cm_cx cx = {.s = s, .o = &s->mem, .inst = caller, .opts = e->opts,
                .call = &call};
    if (!caller->may_leave)
        return cm_trap_of(&cx, "cannot leave component instance");
    cm_callctx_init(&call);
    cm_val small_args[CM_SMALL_ARGS], small_res[CM_SMALL_ARGS];
    cm_val *vals = vals_new(&s->mem, small_args, t->nparams);
    cm_val *res = vals_new(&s->mem, small_res, t->nresults);
    bool ok = vals && res;
    if (!ok)
        cm_trapf(&cx, "out of memory calling a component function");
    ok = ok && lift_args(&cx, e, args, vals);
    if (ok) {
        /* Calling out: nothing may call back into the caller meanwhile. */
        bool entered = caller->may_enter;
        if (f->inst != caller)
            caller->may_enter = false;
        cm_cx callee = cx;
        ok = invoke(&callee, f, vals, res);
        cx.trap = callee.trap;
        caller->may_enter = entered;
        cx.inst = caller;
        cx.opts = e->opts;
    }
    ok = ok && lower_result(&cx, e, args, res, results);
    vals_free(&s->mem, vals, small_args, t->nparams);
    vals_free(&s->mem, res, small_res, t->nresults);
    cm_callctx_free(s, &call);
    return cx.trap;
}

rt_func *cm_canon_lower(cm_instance *caller, const cm_func *f,
                        const cm_canon_opts *opts, err_t *err)
{
    const cm_functype *t = f->type;
    functype ft;
    if (!cm_flatten(caller->owner, t, false, &ft, err))
        return NULL;
    uint32_t np = flat_params(t), nr = flat_results(t);
    bool ptrs = params_have_ptr(t) ||
                (t->nresults && cm_type_has_ptr(t->result));
    const char *missing = NULL;
    if ((ptrs || np > CM_MAX_FLAT_PARAMS || nr > CM_MAX_FLAT_RESULTS) &&
        !opts->memory)
        missing = "memory";
    else if (t->nresults && cm_type_has_ptr(t->result) && !opts->realloc)
        missing = "realloc";
    lower_env *e = missing ? NULL
                           : mem_alloc(caller->owner, MEM_INSTANCE, sizeof *e);
    rt_func *fn = NULL;
    if (e) {
        *e = (lower_env){caller->owner, caller, f, opts, np, nr};
        fn = rt_func_new_host(caller->store, &ft, lower_trampoline, e,
                              lower_env_free);
        if (!fn)
            mem_free(caller->owner, MEM_INSTANCE, e);
    }
    mem_free(caller->owner, MEM_INSTANCE, ft.types);
    if (missing)
        err_set(err, "component: canonical option `%s` is required",
                missing);
    else if (!fn)
        err_set(err, "component: out of memory");
    return fn;
}
