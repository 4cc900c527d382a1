/* Instances of wasm.h: instantiate a module with imports given as
 * externs, and list its exports as externs. */
#include "api.h"

#include <string.h>

static const uint8_t rt_kinds[] = {
    [API_FUNC] = EXTERN_FUNC,
    [API_GLOBAL] = EXTERN_GLOBAL,
    [API_TABLE] = EXTERN_TABLE,
    [API_MEMORY] = EXTERN_MEMORY,
};

/* The runtime extern behind an extern handle of store s; false for NULL,
 * a non-extern or an object of another store. */
static bool extern_to_rt(wasm_store_t *s, const wasm_extern_t *e,
                         rt_extern *out)
{
    api_obj *o = api_obj_of(e);
    if (!o || o->kind > API_MEMORY || o->store != s)
        return false;
    out->kind = rt_kinds[o->kind];
    switch (o->kind) {
    case API_FUNC: out->u.func = o->rt.func; break;
    case API_GLOBAL: out->u.global = o->rt.global; break;
    case API_TABLE: out->u.table = o->rt.table; break;
    default: out->u.memory = o->rt.memory; break;
    }
    return true;
}

static wasm_instance_t *fail(wasm_trap_t **trap, wasm_trap_t *t)
{
    if (trap)
        *trap = t;
    else
        wasm_trap_delete(t);
    return NULL;
}

static wasm_trap_t *text_trap(wasm_store_t *s, const char *msg)
{
    return api_trap_from_text(s, msg, strlen(msg));
}

wasm_instance_t *wasm_instance_new(wasm_store_t *s,
                                   const wasm_module_t *module,
                                   const wasm_extern_vec_t *imports,
                                   wasm_trap_t **trap)
{
    if (trap)
        *trap = NULL;
    api_obj *mo = api_obj_of(module);
    if (!s || !mo || mo->kind != API_MODULE)
        return NULL;
    rt_module *m = mo->rt.module;
    if (m->engine != s->engine->rt)
        return fail(trap, text_trap(s, "module of another engine"));
    size_t n = imports ? imports->size : 0;
    if (n > UINT32_MAX || (n && !imports->data))
        return fail(trap, text_trap(s, "invalid imports vector"));
    rt_extern *ext = mem_alloc(&api_mem, MEM_HOST, (n ? n : 1) * sizeof *ext);
    if (!ext)
        return fail(trap, text_trap(s, "out of memory"));
    for (size_t i = 0; i < n; i++)
        if (!extern_to_rt(s, imports->data[i], &ext[i])) {
            mem_free(&api_mem, MEM_HOST, ext);
            return fail(trap, text_trap(s, "invalid import"));
        }
    rt_trap *rt_trap_out = NULL;
    err_t err;
    err_clear(&err);
    rt_instance *inst = rt_instance_new(s->rt, m, ext, (uint32_t)n,
                                        &rt_trap_out, &err);
    mem_free(&api_mem, MEM_HOST, ext);
    if (!inst) {
        /* A link error comes back as a trap too, so the embedder learns
         * why (as other runtimes do). */
        wasm_trap_t *t = rt_trap_out ? api_trap_from_rt(s, rt_trap_out)
                                     : text_trap(s, err.msg);
        return fail(trap, t);
    }
    return (wasm_instance_t *)api_handle_new(
        api_store_obj(s, API_INSTANCE, inst));
}

static api_kind api_kind_of(uint8_t rt_kind)
{
    switch (rt_kind) {
    case EXTERN_FUNC: return API_FUNC;
    case EXTERN_TABLE: return API_TABLE;
    case EXTERN_MEMORY: return API_MEMORY;
    default: return API_GLOBAL;
    }
}

void wasm_instance_exports(const wasm_instance_t *instance,
                           wasm_extern_vec_t *out)
{
    api_obj *o = api_obj_of(instance);
    if (!out)
        return;
    const rt_instance *inst = o && o->kind == API_INSTANCE ? o->rt.instance
                                                            : NULL;
    wasm_extern_vec_new_uninitialized(
        out, inst ? inst->module->desc.nexports : 0);
    for (size_t i = 0; i < out->size; i++) {
        const rt_extern *x = &inst->exports[i];
        void *rt = x->u.func;
        switch (x->kind) {
        case EXTERN_TABLE: rt = x->u.table; break;
        case EXTERN_MEMORY: rt = x->u.memory; break;
        case EXTERN_GLOBAL: rt = x->u.global; break;
        default: break;
        }
        out->data[i] = (wasm_extern_t *)api_handle_new(
            api_store_obj(o->store, api_kind_of(x->kind), rt));
        if (!out->data[i]) {
            out->size = i;
            wasm_extern_vec_delete(out);
            return;
        }
    }
}
