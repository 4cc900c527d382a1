/* Globals, tables, memories and the extern view of all four kinds. */
#include "api.h"

static api_obj *obj_kind(const void *h, api_kind kind)
{
    api_obj *o = api_obj_of(h);
    return o && o->kind == kind ? o : NULL;
}

/* ---- globals --------------------------------------------------------------- */

wasm_global_t *wasm_global_new(wasm_store_t *s, const wasm_globaltype_t *type,
                               const wasm_val_t *val)
{
    if (!s || !type)
        return NULL;
    globaltype gt = {api_valtype_code(type->content->kind),
                     type->mutability == WASM_VAR};
    uint64_t cell;
    if (!api_val_to_cell(s, gt.type, val, &cell))
        return NULL;
    rt_global *g = rt_global_new(s->rt, &gt, cell);
    return (wasm_global_t *)api_handle_new(api_store_obj(s, API_GLOBAL, g));
}

wasm_globaltype_t *wasm_global_type(const wasm_global_t *g)
{
    api_obj *o = obj_kind(g, API_GLOBAL);
    return o ? api_globaltype_from_rt(&o->rt.global->type) : NULL;
}

void wasm_global_get(const wasm_global_t *g, wasm_val_t *out)
{
    api_obj *o = obj_kind(g, API_GLOBAL);
    if (!out)
        return;
    if (!o) {
        wasm_val_copy(out, NULL);
        return;
    }
    const rt_global *rg = o->rt.global;
    api_cell_to_val(o->store, rg->type.type, rg->value, out);
}

/* The standard gives set no result: a value of the wrong type, or any
 * value for an immutable global, leaves the global unchanged. */
void wasm_global_set(wasm_global_t *g, const wasm_val_t *val)
{
    api_obj *o = obj_kind(g, API_GLOBAL);
    if (!o || !o->rt.global->type.mut)
        return;
    uint64_t cell;
    if (api_val_to_cell(o->store, o->rt.global->type.type, val, &cell))
        o->rt.global->value = cell;
}

/* ---- tables ---------------------------------------------------------------- */

wasm_table_t *wasm_table_new(wasm_store_t *s, const wasm_tabletype_t *type,
                             wasm_ref_t *init)
{
    if (!s || !type)
        return NULL;
    tabletype tt = {api_valtype_code(type->element->kind), {0, 0, false}};
    api_limits_to_rt(&type->limits, &tt.lim);
    uint64_t cell;
    if ((tt.lim.has_max && tt.lim.max < tt.lim.min) ||
        !api_ref_to_cell(s, tt.elemtype, init, &cell))
        return NULL;
    rt_table *t = rt_table_new(s->rt, &tt, cell);
    return (wasm_table_t *)api_handle_new(api_store_obj(s, API_TABLE, t));
}

wasm_tabletype_t *wasm_table_type(const wasm_table_t *t)
{
    api_obj *o = obj_kind(t, API_TABLE);
    return o ? api_tabletype_from_rt(&o->rt.table->type) : NULL;
}

wasm_ref_t *wasm_table_get(const wasm_table_t *t, wasm_table_size_t index)
{
    api_obj *o = obj_kind(t, API_TABLE);
    if (!o || index >= o->rt.table->size)
        return NULL;
    const rt_table *rt = o->rt.table;
    return api_cell_to_ref(o->store, rt->type.elemtype, rt->elems[index]);
}

bool wasm_table_set(wasm_table_t *t, wasm_table_size_t index, wasm_ref_t *r)
{
    api_obj *o = obj_kind(t, API_TABLE);
    uint64_t cell;
    if (!o || index >= o->rt.table->size ||
        !api_ref_to_cell(o->store, o->rt.table->type.elemtype, r, &cell))
        return false;
    o->rt.table->elems[index] = cell;
    return true;
}

wasm_table_size_t wasm_table_size(const wasm_table_t *t)
{
    api_obj *o = obj_kind(t, API_TABLE);
    return o ? o->rt.table->size : 0;
}

bool wasm_table_grow(wasm_table_t *t, wasm_table_size_t delta,
                     wasm_ref_t *init)
{
    api_obj *o = obj_kind(t, API_TABLE);
    uint64_t cell;
    if (!o || !api_ref_to_cell(o->store, o->rt.table->type.elemtype, init,
                               &cell))
        return false;
    return rt_table_grow(o->store->rt, o->rt.table, delta, cell) >= 0;
}

/* ---- memories -------------------------------------------------------------- */

wasm_memory_t *wasm_memory_new(wasm_store_t *s, const wasm_memorytype_t *type)
{
    if (!s || !type)
        return NULL;
    memtype mt;
    api_limits_to_rt(&type->limits, &mt.lim);
    if ((mt.lim.has_max && (mt.lim.max < mt.lim.min ||
                            mt.lim.max > RT_MAX_PAGES)))
        return NULL;
    rt_memory *m = rt_memory_new(s->rt, &mt);
    return (wasm_memory_t *)api_handle_new(api_store_obj(s, API_MEMORY, m));
}

wasm_memorytype_t *wasm_memory_type(const wasm_memory_t *m)
{
    api_obj *o = obj_kind(m, API_MEMORY);
    return o ? api_memorytype_from_rt(&o->rt.memory->type) : NULL;
}

byte_t *wasm_memory_data(wasm_memory_t *m)
{
    api_obj *o = obj_kind(m, API_MEMORY);
    return o ? (byte_t *)o->rt.memory->base : NULL;
}

size_t wasm_memory_data_size(const wasm_memory_t *m)
{
    api_obj *o = obj_kind(m, API_MEMORY);
    return o ? (size_t)o->rt.memory->size : 0;
}

wasm_memory_pages_t wasm_memory_size(const wasm_memory_t *m)
{
    api_obj *o = obj_kind(m, API_MEMORY);
    return o ? o->rt.memory->pages : 0;
}

bool wasm_memory_grow(wasm_memory_t *m, wasm_memory_pages_t delta)
{
    api_obj *o = obj_kind(m, API_MEMORY);
    return o && rt_memory_grow(o->store->rt, o->rt.memory, delta) >= 0;
}

/* ---- externs --------------------------------------------------------------- */

wasm_externkind_t wasm_extern_kind(const wasm_extern_t *e)
{
    api_obj *o = api_obj_of(e);
    switch (o ? o->kind : API_FUNC) {
    case API_GLOBAL: return WASM_EXTERN_GLOBAL;
    case API_TABLE: return WASM_EXTERN_TABLE;
    case API_MEMORY: return WASM_EXTERN_MEMORY;
    default: return WASM_EXTERN_FUNC;
    }
}

wasm_externtype_t *wasm_extern_type(const wasm_extern_t *e)
{
    api_obj *o = api_obj_of(e);
    if (!o)
        return NULL;
    switch (o->kind) {
    case API_FUNC:
        return (wasm_externtype_t *)api_functype_from_rt(o->rt.func->type);
    case API_GLOBAL:
        return (wasm_externtype_t *)api_globaltype_from_rt(
            &o->rt.global->type);
    case API_TABLE:
        return (wasm_externtype_t *)api_tabletype_from_rt(&o->rt.table->type);
    case API_MEMORY:
        return (wasm_externtype_t *)api_memorytype_from_rt(
            &o->rt.memory->type);
    default:
        return NULL;
    }
}

/* An extern is the same handle as the func, global, table or memory. */
#define EXTERN_VIEWS(name, KIND)                                              \
    wasm_extern_t *wasm_##name##_as_extern(wasm_##name##_t *h)                \
    {                                                                         \
        return (wasm_extern_t *)h;                                            \
    }                                                                         \
    const wasm_extern_t *wasm_##name##_as_extern_const(                       \
        const wasm_##name##_t *h)                                             \
    {                                                                         \
        return (const wasm_extern_t *)h;                                      \
    }                                                                         \
    wasm_##name##_t *wasm_extern_as_##name(wasm_extern_t *e)                  \
    {                                                                         \
        return obj_kind(e, KIND) ? (wasm_##name##_t *)e : NULL;               \
    }                                                                         \
    const wasm_##name##_t *wasm_extern_as_##name##_const(                     \
        const wasm_extern_t *e)                                               \
    {                                                                         \
        return obj_kind(e, KIND) ? (const wasm_##name##_t *)e : NULL;         \
    }

EXTERN_VIEWS(func, API_FUNC)
EXTERN_VIEWS(global, API_GLOBAL)
EXTERN_VIEWS(table, API_TABLE)
EXTERN_VIEWS(memory, API_MEMORY)
