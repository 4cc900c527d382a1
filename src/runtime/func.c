/* Function records: host functions (a C callback and its environment) and
 * Wasm functions (an instance and the module's compiled code). */
#include "internal.h"

#include "../compile/compile.h"

rt_func *rt_func_new_host(rt_store *s, const functype *type, rt_host_fn fn,
                          void *env, void (*env_free)(void *))
{
    rt_type_id id;
    if (!rt_engine_intern_type(s->engine, type, &id))
        return NULL;
    rt_func *f = mem_calloc(&s->mem, MEM_HOST, 1, sizeof *f);
    if (!f)
        return NULL;
    f->type_id = id;
    f->type = rt_engine_type(s->engine, id);
    f->index = 0;
    f->host = fn;
    f->host_env = env;
    f->host_env_free = env_free;
    if (!rt_store_track(s, (void ***)&s->funcs, &s->nfuncs, &s->cap_funcs,
                        f)) {
        mem_free(&s->mem, MEM_HOST, f);
        return NULL;
    }
    return f;
}

rt_func *rt_func_new_wasm(rt_store *s, rt_instance *inst, uint32_t index)
{
    const rt_module *m = inst->module;
    rt_func *f = mem_calloc(&s->mem, MEM_INSTANCE, 1, sizeof *f);
    if (!f)
        return NULL;
    f->type_id = m->type_ids[m->desc.func_types[index]];
    f->type = rt_engine_type(s->engine, f->type_id);
    f->instance = inst;
    f->index = index;
    f->code = m->funcs[index - m->desc.nimported_funcs];
    if (!rt_store_track(s, (void ***)&s->funcs, &s->nfuncs, &s->cap_funcs,
                        f)) {
        mem_free(&s->mem, MEM_INSTANCE, f);
        return NULL;
    }
    return f;
}

void rt_func_destroy(rt_store *s, rt_func *f)
{
    if (!f->instance) { /* a host function */
        if (f->host_env_free)
            f->host_env_free(f->host_env);
        mem_free(&s->mem, MEM_HOST, f);
    } else {
        mem_free(&s->mem, MEM_INSTANCE, f);
    }
}
