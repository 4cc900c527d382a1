/* Configuration, engine and store of wasm.h, and the store's records of
 * the objects handed out through it (see api.h). */
#include "api.h"

#include <string.h>

wasm_config_t *wasm_config_new(void)
{
    wasm_config_t *c = api_alloc(sizeof *c);
    if (c)
        rt_config_default(&c->rt);
    return c;
}

void wasm_config_delete(wasm_config_t *c)
{
    api_free(c);
}

wasm_engine_t *wasm_engine_new_with_config(wasm_config_t *c)
{
    wasm_engine_t *e = api_alloc(sizeof *e);
    if (e && !(e->rt = rt_engine_new(c ? &c->rt : NULL))) {
        api_free(e);
        e = NULL;
    }
    wasm_config_delete(c);
    return e;
}

wasm_engine_t *wasm_engine_new(void)
{
    return wasm_engine_new_with_config(NULL);
}

void wasm_engine_delete(wasm_engine_t *e)
{
    if (!e)
        return;
    rt_engine_free(e->rt);
    api_free(e);
}

wasm_store_t *wasm_store_new(wasm_engine_t *e)
{
    if (!e)
        return NULL;
    wasm_store_t *s = api_alloc(sizeof *s);
    if (!s)
        return NULL;
    s->engine = e;
    if (!(s->rt = rt_store_new(e->rt))) {
        api_free(s);
        return NULL;
    }
    return s;
}

void api_obj_finalize(api_obj *o)
{
    void (*fin)(void *) = o->finalizer;
    o->finalizer = NULL;
    if (fin)
        fin(o->host_info);
}

void wasm_store_delete(wasm_store_t *s)
{
    if (!s)
        return;
    /* Host info finalizers first, while every object still exists; then
     * the runtime objects (host functions' finalizers run there). */
    for (size_t i = 0; i < s->nobjs; i++)
        api_obj_finalize(s->objs[i]);
    mem_owner *o = &s->rt->mem;
    for (size_t i = 0; i < s->nobjs; i++)
        mem_free(o, MEM_HOST, s->objs[i]);
    mem_free(o, MEM_HOST, s->objs);
    mem_free(o, MEM_HOST, s->index);
    rt_store_free(s->rt);
    api_free(s);
}

/* ---- records --------------------------------------------------------------- */

static size_t hash_ptr(const void *p)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return (size_t)x;
}

/* The slot of rt's record, or the empty slot where it goes. */
static api_obj **find_slot(const wasm_store_t *s, const void *rt)
{
    size_t mask = s->index_cap - 1;
    for (size_t i = hash_ptr(rt) & mask;; i = (i + 1) & mask) {
        api_obj **slot = &s->index[i];
        if (!*slot || (*slot)->rt.any == rt)
            return slot;
    }
}

/* Keeps the index at most half full, so probes end and stay short. */
static bool reserve_index(wasm_store_t *s, size_t need)
{
    if (need * 2 <= s->index_cap)
        return true;
    size_t cap = s->index_cap ? s->index_cap * 2 : 64;
    api_obj **index = mem_calloc(&s->rt->mem, MEM_HOST, cap, sizeof *index);
    if (!index)
        return false;
    api_obj **old = s->index;
    size_t old_cap = s->index_cap;
    s->index = index;
    s->index_cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i])
            *find_slot(s, old[i]->rt.any) = old[i];
    mem_free(&s->rt->mem, MEM_HOST, old);
    return true;
}

static api_obj *new_record(wasm_store_t *s, api_kind kind, void *rt)
{
    if (!mem_grow_array(&s->rt->mem, MEM_HOST, (void **)&s->objs,
                        &s->cap_objs, s->nobjs + 1, sizeof *s->objs))
        return NULL;
    api_obj *o = mem_calloc(&s->rt->mem, MEM_HOST, 1, sizeof *o);
    if (!o)
        return NULL;
    o->kind = kind;
    o->store = s;
    o->rt.any = rt;
    s->objs[s->nobjs++] = o;
    return o;
}

api_obj *api_store_obj(wasm_store_t *s, api_kind kind, void *rt)
{
    /* Runtime objects of different kinds never share an address, so the
     * pointer alone is the key. */
    if (!rt || !reserve_index(s, s->nobjs + 1))
        return NULL;
    api_obj **slot = find_slot(s, rt);
    if (*slot)
        return *slot;
    api_obj *o = new_record(s, kind, rt);
    if (o)
        *slot = o;
    return o;
}

api_obj *api_store_new_foreign(wasm_store_t *s)
{
    return new_record(s, API_FOREIGN, NULL);
}
