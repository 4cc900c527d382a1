/* Functions of wasm.h: host functions (a trampoline between the runtime's
 * cells and the standard's values) and calls from the host. */
#include "api.h"

#include <string.h>

/* Values up to this many go on the C stack; more take a block. */
#define SMALL_VALS 16

/* The runtime's environment of a host function made through wasm.h. */
typedef struct api_host {
    wasm_store_t *store;
    const functype *type;            /* the engine's interned type */
    wasm_func_callback_t cb;
    wasm_func_callback_with_env_t cb_env;
    void *env;
    void (*finalizer)(void *);
} api_host;

static rt_func *func_of(const wasm_func_t *f)
{
    return f ? f->ref.obj->rt.func : NULL;
}

static wasm_val_t *vals_alloc(wasm_val_t *small, size_t n)
{
    return n <= SMALL_VALS ? small : api_alloc(n * sizeof(wasm_val_t));
}

static void vals_free(wasm_val_t *small, wasm_val_t *v)
{
    if (v != small)
        api_free(v);
}

static rt_trap *host_error(rt_store *s, const char *msg)
{
    return rt_trap_new(s, TRAP_HOST, msg);
}

/* A trap the callback returned, as a runtime trap with its message. */
static rt_trap *host_trap(rt_store *s, wasm_trap_t *t)
{
    const api_trap_data *d = t->ref.obj->rt.trap;
    rt_trap *rt = host_error(s, d->message);
    wasm_trap_delete(t);
    return rt;
}

/* Runs the callback with args converted to values and converts back its
 * results; reference handles of both sides are released here. */
static rt_trap *host_trampoline(void *envp, rt_store *rs,
                                const uint64_t *args, uint64_t *results)
{
    api_host *h = envp;
    const functype *t = h->type;
    wasm_val_t small_a[SMALL_VALS], small_r[SMALL_VALS];
    wasm_val_t *a = vals_alloc(small_a, t->nparams);
    wasm_val_t *r = vals_alloc(small_r, t->nresults);
    rt_trap *trap = NULL;
    if (!a || !r) {
        trap = host_error(rs, "out of memory");
        goto out;
    }
    for (uint32_t i = 0; i < t->nparams; i++)
        api_cell_to_val(h->store, functype_params(t)[i], args[i], &a[i]);
    for (uint32_t i = 0; i < t->nresults; i++) {
        r[i].kind = api_valkind(functype_results(t)[i]);
        memset(&r[i].of, 0, sizeof r[i].of);
    }
    wasm_val_vec_t av = {t->nparams, a}, rv = {t->nresults, r};
    wasm_trap_t *wt = h->cb ? h->cb(&av, &rv) : h->cb_env(h->env, &av, &rv);
    if (wt)
        trap = host_trap(rs, wt);
    for (uint32_t i = 0; !trap && i < t->nresults; i++)
        if (!api_val_to_cell(h->store, functype_results(t)[i], &r[i],
                             &results[i]))
            trap = host_error(rs, "host function result type mismatch");
    for (uint32_t i = 0; i < t->nresults; i++)
        wasm_val_delete(&r[i]);
    for (uint32_t i = 0; i < t->nparams; i++)
        wasm_val_delete(&a[i]);
out:
    if (a)
        vals_free(small_a, a);
    if (r)
        vals_free(small_r, r);
    return trap;
}

/* Called when the store frees the function. */
static void host_free(void *envp)
{
    api_host *h = envp;
    if (h->finalizer)
        h->finalizer(h->env);
    api_free(h);
}

static wasm_func_t *func_new(wasm_store_t *s, const wasm_functype_t *type,
                             wasm_func_callback_t cb,
                             wasm_func_callback_with_env_t cb_env, void *env,
                             void (*finalizer)(void *))
{
    functype ft;
    if (!s || !type || (!cb && !cb_env) || !api_functype_to_rt(type, &ft))
        return NULL;
    /* The trampoline passes values, and no wasm_val_t holds a v128. */
    uint32_t n = ft.nparams + ft.nresults;
    if (valtypes_cells(ft.types, n) != n) {
        api_free(ft.types);
        return NULL;
    }
    api_host *h = api_alloc(sizeof *h);
    rt_func *f = h ? rt_func_new_host(s->rt, &ft, host_trampoline, h,
                                      host_free)
                   : NULL;
    api_free(ft.types);
    if (!f) {
        api_free(h);
        return NULL;
    }
    /* From here the store owns h and will run the finalizer. */
    h->store = s;
    h->type = f->type;
    h->cb = cb;
    h->cb_env = cb_env;
    h->env = env;
    h->finalizer = finalizer;
    return (wasm_func_t *)api_handle_new(api_store_obj(s, API_FUNC, f));
}

wasm_func_t *wasm_func_new(wasm_store_t *s, const wasm_functype_t *type,
                           wasm_func_callback_t cb)
{
    return func_new(s, type, cb, NULL, NULL, NULL);
}

wasm_func_t *wasm_func_new_with_env(wasm_store_t *s,
                                    const wasm_functype_t *type,
                                    wasm_func_callback_with_env_t cb,
                                    void *env, void (*finalizer)(void *))
{
    return func_new(s, type, NULL, cb, env, finalizer);
}

wasm_functype_t *wasm_func_type(const wasm_func_t *f)
{
    rt_func *rf = func_of(f);
    return rf ? api_functype_from_rt(rf->type) : NULL;
}

size_t wasm_func_param_arity(const wasm_func_t *f)
{
    rt_func *rf = func_of(f);
    return rf ? rf->type->nparams : 0;
}

size_t wasm_func_result_arity(const wasm_func_t *f)
{
    rt_func *rf = func_of(f);
    return rf ? rf->type->nresults : 0;
}

static wasm_trap_t *call_error(wasm_store_t *s, const char *msg)
{
    return api_trap_from_text(s, msg, strlen(msg));
}

/* Arguments to cells; the message of what is wrong, or NULL. */
static const char *args_to_cells(wasm_store_t *s, const functype *t,
                                 const wasm_val_vec_t *args, uint64_t *cells)
{
    size_t given = args ? args->size : 0;
    if (given != t->nparams || (given && !args->data))
        return "wrong number of arguments";
    for (uint32_t i = 0; i < t->nparams; i++)
        if (!api_val_to_cell(s, functype_params(t)[i], &args->data[i],
                             &cells[i]))
            return "argument type mismatch";
    return NULL;
}

wasm_trap_t *wasm_func_call(const wasm_func_t *func,
                            const wasm_val_vec_t *args,
                            wasm_val_vec_t *results)
{
    rt_func *f = func_of(func);
    if (!f)
        return call_error(NULL, "null function");
    wasm_store_t *s = func->ref.obj->store;
    const functype *t = f->type;
    /* Results that do not fit are an error only if the call returns:
     * a trap is reported as it is (embedders call trapping functions
     * with empty result vectors). */
    size_t room = results && results->data ? results->size : 0;
    /* wasm.h has no v128 value (and a v128 takes two cells) */
    if (valtypes_cells(t->types, t->nparams + t->nresults) !=
        t->nparams + t->nresults)
        return call_error(s, "v128 values cannot be passed through wasm.h");
    uint64_t small[2 * SMALL_VALS];
    size_t n = (size_t)t->nparams + t->nresults;
    uint64_t *cells = n <= 2 * SMALL_VALS
        ? small : mem_alloc(&api_mem, MEM_HOST, n * sizeof *cells);
    if (!cells)
        return call_error(s, "out of memory");
    uint64_t *res = cells + t->nparams;
    wasm_trap_t *trap = NULL;
    const char *bad = args_to_cells(s, t, args, cells);
    if (bad) {
        trap = call_error(s, bad);
    } else {
        rt_trap *rt = rt_call(s->rt, f, cells, res);
        if (rt)
            trap = api_trap_from_rt(s, rt);
    }
    if (!trap && room < t->nresults)
        trap = call_error(s, "results vector too small");
    for (uint32_t i = 0; !trap && i < t->nresults; i++)
        if (!api_cell_to_val(s, functype_results(t)[i], res[i],
                             &results->data[i]))
            trap = call_error(s, "out of memory");
    if (cells != small)
        mem_free(&api_mem, MEM_HOST, cells);
    return trap;
}
