/* References of wasm.h: handles, identity, host info, and the views of
 * every reference type as wasm_ref_t (see api.h for the model). */
#include "api.h"

static bool counted(const api_obj *o)
{
    return o->kind == API_MODULE || o->kind == API_TRAP;
}

wasm_ref_t *api_handle_new(api_obj *obj)
{
    if (!obj)
        return NULL;
    wasm_ref_t *h = api_alloc(sizeof *h);
    if (!h)
        return NULL;
    h->obj = obj;
    h->counted = counted(obj);
    if (h->counted)
        obj->handles++;
    return h;
}

/* The last handle of a module or trap takes its record with it. */
static void release_counted(api_obj *o)
{
    if (--o->handles)
        return;
    api_obj_finalize(o);
    if (o->kind == API_MODULE)
        rt_module_release(o->rt.module);
    else
        api_trap_data_free(o->rt.trap);
    api_free(o);
}

void api_handle_delete(wasm_ref_t *h)
{
    if (!h)
        return;
    if (h->counted)
        release_counted(h->obj);
    api_free(h);
}

static void set_host_info(api_obj *o, void *info, void (*fin)(void *))
{
    if (!o)
        return;
    o->host_info = info;
    o->finalizer = fin;
}

/* delete, copy, same and host info, for one reference type. */
#define DEFINE_REF_BASE(name)                                                 \
    void wasm_##name##_delete(wasm_##name##_t *h)                             \
    {                                                                         \
        api_handle_delete((wasm_ref_t *)h);                                   \
    }                                                                         \
    wasm_##name##_t *wasm_##name##_copy(const wasm_##name##_t *h)             \
    {                                                                         \
        return (wasm_##name##_t *)api_handle_new(api_obj_of(h));              \
    }                                                                         \
    bool wasm_##name##_same(const wasm_##name##_t *a,                         \
                            const wasm_##name##_t *b)                         \
    {                                                                         \
        return api_obj_of(a) == api_obj_of(b);                                \
    }                                                                         \
    void *wasm_##name##_get_host_info(const wasm_##name##_t *h)               \
    {                                                                         \
        return h ? api_obj_of(h)->host_info : NULL;                           \
    }                                                                         \
    void wasm_##name##_set_host_info(wasm_##name##_t *h, void *info)          \
    {                                                                         \
        set_host_info(api_obj_of(h), info, NULL);                             \
    }                                                                         \
    void wasm_##name##_set_host_info_with_finalizer(                          \
        wasm_##name##_t *h, void *info, void (*fin)(void *))                  \
    {                                                                         \
        set_host_info(api_obj_of(h), info, fin);                              \
    }

/* The views as wasm_ref_t: the same handle; back only for its kinds. */
#define DEFINE_REF(name, KIND_TEST)                                           \
    DEFINE_REF_BASE(name)                                                     \
    static bool name##_kind_ok(const api_obj *o)                              \
    {                                                                         \
        return KIND_TEST;                                                     \
    }                                                                         \
    wasm_ref_t *wasm_##name##_as_ref(wasm_##name##_t *h)                      \
    {                                                                         \
        return (wasm_ref_t *)h;                                               \
    }                                                                         \
    const wasm_ref_t *wasm_##name##_as_ref_const(const wasm_##name##_t *h)    \
    {                                                                         \
        return (const wasm_ref_t *)h;                                         \
    }                                                                         \
    wasm_##name##_t *wasm_ref_as_##name(wasm_ref_t *r)                        \
    {                                                                         \
        return r && name##_kind_ok(r->obj) ? (wasm_##name##_t *)r : NULL;     \
    }                                                                         \
    const wasm_##name##_t *wasm_ref_as_##name##_const(const wasm_ref_t *r)    \
    {                                                                         \
        return r && name##_kind_ok(r->obj) ? (const wasm_##name##_t *)r       \
                                           : NULL;                            \
    }

DEFINE_REF_BASE(ref)
DEFINE_REF(func, o->kind == API_FUNC)
DEFINE_REF(global, o->kind == API_GLOBAL)
DEFINE_REF(table, o->kind == API_TABLE)
DEFINE_REF(memory, o->kind == API_MEMORY)
DEFINE_REF(instance, o->kind == API_INSTANCE)
DEFINE_REF(foreign, o->kind == API_FOREIGN)
DEFINE_REF(module, o->kind == API_MODULE)
DEFINE_REF(trap, o->kind == API_TRAP)
DEFINE_REF(extern, o->kind <= API_MEMORY)

wasm_foreign_t *wasm_foreign_new(wasm_store_t *s)
{
    if (!s)
        return NULL;
    return (wasm_foreign_t *)api_handle_new(api_store_new_foreign(s));
}
