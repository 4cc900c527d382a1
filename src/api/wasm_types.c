/* Type objects of wasm.h: valtype, functype, globaltype, tabletype,
 * memorytype, the externtype view of the last four, importtype and
 * exporttype; and their conversions to and from the runtime's types. */
#include "api.h"

#include <string.h>

/* ---- value types ---------------------------------------------------------- */

bool api_valkind_valid(wasm_valkind_t k)
{
    return k <= WASM_V128 || k == WASM_EXTERNREF || k == WASM_FUNCREF;
}

uint8_t api_valtype_code(wasm_valkind_t k)
{
    switch (k) {
    case WASM_I32: return VT_I32;
    case WASM_I64: return VT_I64;
    case WASM_F32: return VT_F32;
    case WASM_F64: return VT_F64;
    case WASM_V128: return VT_V128;
    case WASM_EXTERNREF: return VT_EXTERNREF;
    case WASM_FUNCREF: return VT_FUNCREF;
    default: return 0;
    }
}

wasm_valkind_t api_valkind(uint8_t code)
{
    switch (code) {
    case VT_I32: return WASM_I32;
    case VT_I64: return WASM_I64;
    case VT_F32: return WASM_F32;
    case VT_F64: return WASM_F64;
    case VT_V128: return WASM_V128;
    case VT_EXTERNREF: return WASM_EXTERNREF;
    default: return WASM_FUNCREF;
    }
}

wasm_valtype_t *wasm_valtype_new(wasm_valkind_t k)
{
    if (!api_valkind_valid(k))
        return NULL;
    wasm_valtype_t *t = api_alloc(sizeof *t);
    if (t)
        t->kind = k;
    return t;
}

void wasm_valtype_delete(wasm_valtype_t *t)
{
    api_free(t);
}

wasm_valtype_t *wasm_valtype_copy(const wasm_valtype_t *t)
{
    return t ? wasm_valtype_new(t->kind) : NULL;
}

wasm_valkind_t wasm_valtype_kind(const wasm_valtype_t *t)
{
    return t ? t->kind : WASM_I32;
}

/* ---- function types --------------------------------------------------------- */

static bool valtypes_ok(const wasm_valtype_vec_t *v)
{
    for (size_t i = 0; i < v->size; i++)
        if (!v->data[i])
            return false;
    return true;
}

wasm_functype_t *wasm_functype_new(wasm_valtype_vec_t *params,
                                   wasm_valtype_vec_t *results)
{
    wasm_functype_t *t = NULL;
    if (params && results && valtypes_ok(params) && valtypes_ok(results))
        t = api_alloc(sizeof *t);
    if (!t) {
        /* Ownership passed to us either way. */
        wasm_valtype_vec_delete(params);
        wasm_valtype_vec_delete(results);
        return NULL;
    }
    t->ext.kind = WASM_EXTERN_FUNC;
    t->params = *params;
    t->results = *results;
    params->size = results->size = 0;
    params->data = results->data = NULL;
    return t;
}

void wasm_functype_delete(wasm_functype_t *t)
{
    if (!t)
        return;
    wasm_valtype_vec_delete(&t->params);
    wasm_valtype_vec_delete(&t->results);
    api_free(t);
}

wasm_functype_t *wasm_functype_copy(const wasm_functype_t *t)
{
    if (!t)
        return NULL;
    wasm_valtype_vec_t p, r;
    wasm_valtype_vec_copy(&p, &t->params);
    wasm_valtype_vec_copy(&r, &t->results);
    if (p.size != t->params.size || r.size != t->results.size) {
        wasm_valtype_vec_delete(&p);
        wasm_valtype_vec_delete(&r);
        return NULL;
    }
    return wasm_functype_new(&p, &r);
}

const wasm_valtype_vec_t *wasm_functype_params(const wasm_functype_t *t)
{
    return t ? &t->params : NULL;
}

const wasm_valtype_vec_t *wasm_functype_results(const wasm_functype_t *t)
{
    return t ? &t->results : NULL;
}

static bool valtypes_from_rt(wasm_valtype_vec_t *out, const uint8_t *codes,
                             uint32_t n)
{
    wasm_valtype_vec_new_uninitialized(out, n);
    if (out->size != n)
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (!(out->data[i] = wasm_valtype_new(api_valkind(codes[i])))) {
            out->size = i;
            wasm_valtype_vec_delete(out);
            return false;
        }
    return true;
}

wasm_functype_t *api_functype_from_rt(const functype *t)
{
    wasm_valtype_vec_t p, r;
    if (!valtypes_from_rt(&p, functype_params(t), t->nparams))
        return NULL;
    if (!valtypes_from_rt(&r, functype_results(t), t->nresults)) {
        wasm_valtype_vec_delete(&p);
        return NULL;
    }
    return wasm_functype_new(&p, &r);
}

bool api_functype_to_rt(const wasm_functype_t *t, functype *out)
{
    size_t n = t->params.size + t->results.size;
    if (t->params.size > UINT32_MAX || t->results.size > UINT32_MAX)
        return false;
    out->nparams = (uint32_t)t->params.size;
    out->nresults = (uint32_t)t->results.size;
    out->types = api_alloc(n ? n : 1);
    if (!out->types)
        return false;
    for (size_t i = 0; i < n; i++) {
        const wasm_valtype_t *v = i < t->params.size
            ? t->params.data[i] : t->results.data[i - t->params.size];
        out->types[i] = api_valtype_code(v->kind);
    }
    return true;
}

/* ---- limits ---------------------------------------------------------------- */

void api_limits_to_rt(const wasm_limits_t *in, limits *out)
{
    out->min = in->min;
    out->has_max = in->max != wasm_limits_max_default;
    out->max = out->has_max ? in->max : 0;
}

wasm_limits_t api_limits_from_rt(const limits *in)
{
    wasm_limits_t l = {in->min,
                       in->has_max ? in->max : wasm_limits_max_default};
    return l;
}

/* ---- global, table and memory types ----------------------------------------- */

wasm_globaltype_t *wasm_globaltype_new(wasm_valtype_t *content,
                                       wasm_mutability_t mutability)
{
    wasm_globaltype_t *t = NULL;
    if (content && mutability <= WASM_VAR)
        t = api_alloc(sizeof *t);
    if (!t) {
        wasm_valtype_delete(content);
        return NULL;
    }
    t->ext.kind = WASM_EXTERN_GLOBAL;
    t->content = content;
    t->mutability = mutability;
    return t;
}

void wasm_globaltype_delete(wasm_globaltype_t *t)
{
    if (!t)
        return;
    wasm_valtype_delete(t->content);
    api_free(t);
}

wasm_globaltype_t *wasm_globaltype_copy(const wasm_globaltype_t *t)
{
    return t ? wasm_globaltype_new(wasm_valtype_copy(t->content),
                                   t->mutability)
             : NULL;
}

const wasm_valtype_t *wasm_globaltype_content(const wasm_globaltype_t *t)
{
    return t ? t->content : NULL;
}

wasm_mutability_t wasm_globaltype_mutability(const wasm_globaltype_t *t)
{
    return t ? t->mutability : WASM_CONST;
}

wasm_globaltype_t *api_globaltype_from_rt(const globaltype *t)
{
    return wasm_globaltype_new(wasm_valtype_new(api_valkind(t->type)),
                               t->mut ? WASM_VAR : WASM_CONST);
}

wasm_tabletype_t *wasm_tabletype_new(wasm_valtype_t *element,
                                     const wasm_limits_t *limits)
{
    wasm_tabletype_t *t = NULL;
    /* Tables hold references only. */
    if (element && limits && wasm_valkind_is_ref(element->kind))
        t = api_alloc(sizeof *t);
    if (!t) {
        wasm_valtype_delete(element);
        return NULL;
    }
    t->ext.kind = WASM_EXTERN_TABLE;
    t->element = element;
    t->limits = *limits;
    return t;
}

void wasm_tabletype_delete(wasm_tabletype_t *t)
{
    if (!t)
        return;
    wasm_valtype_delete(t->element);
    api_free(t);
}

wasm_tabletype_t *wasm_tabletype_copy(const wasm_tabletype_t *t)
{
    return t ? wasm_tabletype_new(wasm_valtype_copy(t->element), &t->limits)
             : NULL;
}

const wasm_valtype_t *wasm_tabletype_element(const wasm_tabletype_t *t)
{
    return t ? t->element : NULL;
}

const wasm_limits_t *wasm_tabletype_limits(const wasm_tabletype_t *t)
{
    return t ? &t->limits : NULL;
}

wasm_tabletype_t *api_tabletype_from_rt(const tabletype *t)
{
    wasm_limits_t l = api_limits_from_rt(&t->lim);
    return wasm_tabletype_new(wasm_valtype_new(api_valkind(t->elemtype)), &l);
}

wasm_memorytype_t *wasm_memorytype_new(const wasm_limits_t *limits)
{
    if (!limits)
        return NULL;
    wasm_memorytype_t *t = api_alloc(sizeof *t);
    if (!t)
        return NULL;
    t->ext.kind = WASM_EXTERN_MEMORY;
    t->limits = *limits;
    return t;
}

void wasm_memorytype_delete(wasm_memorytype_t *t)
{
    api_free(t);
}

wasm_memorytype_t *wasm_memorytype_copy(const wasm_memorytype_t *t)
{
    return t ? wasm_memorytype_new(&t->limits) : NULL;
}

const wasm_limits_t *wasm_memorytype_limits(const wasm_memorytype_t *t)
{
    return t ? &t->limits : NULL;
}

wasm_memorytype_t *api_memorytype_from_rt(const memtype *t)
{
    wasm_limits_t l = api_limits_from_rt(&t->lim);
    return wasm_memorytype_new(&l);
}

/* ---- extern types ------------------------------------------------------------ */

wasm_externkind_t api_externkind(uint8_t rt_kind)
{
    switch (rt_kind) {
    case EXTERN_FUNC: return WASM_EXTERN_FUNC;
    case EXTERN_TABLE: return WASM_EXTERN_TABLE;
    case EXTERN_MEMORY: return WASM_EXTERN_MEMORY;
    default: return WASM_EXTERN_GLOBAL;
    }
}

wasm_externkind_t wasm_externtype_kind(const wasm_externtype_t *t)
{
    return t ? t->kind : WASM_EXTERN_FUNC;
}

void wasm_externtype_delete(wasm_externtype_t *t)
{
    if (!t)
        return;
    switch (t->kind) {
    case WASM_EXTERN_FUNC: wasm_functype_delete((wasm_functype_t *)t); break;
    case WASM_EXTERN_GLOBAL:
        wasm_globaltype_delete((wasm_globaltype_t *)t);
        break;
    case WASM_EXTERN_TABLE: wasm_tabletype_delete((wasm_tabletype_t *)t); break;
    default: wasm_memorytype_delete((wasm_memorytype_t *)t); break;
    }
}

wasm_externtype_t *wasm_externtype_copy(const wasm_externtype_t *t)
{
    if (!t)
        return NULL;
    switch (t->kind) {
    case WASM_EXTERN_FUNC:
        return (wasm_externtype_t *)wasm_functype_copy(
            (const wasm_functype_t *)t);
    case WASM_EXTERN_GLOBAL:
        return (wasm_externtype_t *)wasm_globaltype_copy(
            (const wasm_globaltype_t *)t);
    case WASM_EXTERN_TABLE:
        return (wasm_externtype_t *)wasm_tabletype_copy(
            (const wasm_tabletype_t *)t);
    default:
        return (wasm_externtype_t *)wasm_memorytype_copy(
            (const wasm_memorytype_t *)t);
    }
}

/* The four views both ways, mutable and const. Each specific type starts
 * with its externtype head, so a view is the same pointer. */
#define EXTERNTYPE_VIEWS(name, KIND)                                          \
    wasm_externtype_t *wasm_##name##_as_externtype(wasm_##name##_t *t)        \
    {                                                                         \
        return t ? &t->ext : NULL;                                            \
    }                                                                         \
    const wasm_externtype_t *wasm_##name##_as_externtype_const(               \
        const wasm_##name##_t *t)                                             \
    {                                                                         \
        return t ? &t->ext : NULL;                                            \
    }                                                                         \
    wasm_##name##_t *wasm_externtype_as_##name(wasm_externtype_t *t)          \
    {                                                                         \
        return t && t->kind == KIND ? (wasm_##name##_t *)t : NULL;            \
    }                                                                         \
    const wasm_##name##_t *wasm_externtype_as_##name##_const(                 \
        const wasm_externtype_t *t)                                           \
    {                                                                         \
        return t && t->kind == KIND ? (const wasm_##name##_t *)t : NULL;      \
    }

EXTERNTYPE_VIEWS(functype, WASM_EXTERN_FUNC)
EXTERNTYPE_VIEWS(globaltype, WASM_EXTERN_GLOBAL)
EXTERNTYPE_VIEWS(tabletype, WASM_EXTERN_TABLE)
EXTERNTYPE_VIEWS(memorytype, WASM_EXTERN_MEMORY)

/* ---- import and export types ------------------------------------------------ */

static void take_name(wasm_name_t *dst, wasm_name_t *src)
{
    *dst = *src;
    src->size = 0;
    src->data = NULL;
}

wasm_importtype_t *wasm_importtype_new(wasm_name_t *module, wasm_name_t *name,
                                       wasm_externtype_t *type)
{
    wasm_importtype_t *t = NULL;
    if (module && name && type)
        t = api_alloc(sizeof *t);
    if (!t) {
        wasm_name_delete(module);
        wasm_name_delete(name);
        wasm_externtype_delete(type);
        return NULL;
    }
    take_name(&t->module, module);
    take_name(&t->name, name);
    t->type = type;
    return t;
}

void wasm_importtype_delete(wasm_importtype_t *t)
{
    if (!t)
        return;
    wasm_name_delete(&t->module);
    wasm_name_delete(&t->name);
    wasm_externtype_delete(t->type);
    api_free(t);
}

wasm_importtype_t *wasm_importtype_copy(const wasm_importtype_t *t)
{
    if (!t)
        return NULL;
    wasm_name_t module, name;
    wasm_name_copy(&module, &t->module);
    wasm_name_copy(&name, &t->name);
    wasm_externtype_t *type = wasm_externtype_copy(t->type);
    if (module.size != t->module.size || name.size != t->name.size) {
        wasm_externtype_delete(type);
        type = NULL; /* makes wasm_importtype_new fail and free the rest */
    }
    return wasm_importtype_new(&module, &name, type);
}

const wasm_name_t *wasm_importtype_module(const wasm_importtype_t *t)
{
    return t ? &t->module : NULL;
}

const wasm_name_t *wasm_importtype_name(const wasm_importtype_t *t)
{
    return t ? &t->name : NULL;
}

const wasm_externtype_t *wasm_importtype_type(const wasm_importtype_t *t)
{
    return t ? t->type : NULL;
}

wasm_exporttype_t *wasm_exporttype_new(wasm_name_t *name,
                                       wasm_externtype_t *type)
{
    wasm_exporttype_t *t = NULL;
    if (name && type)
        t = api_alloc(sizeof *t);
    if (!t) {
        wasm_name_delete(name);
        wasm_externtype_delete(type);
        return NULL;
    }
    take_name(&t->name, name);
    t->type = type;
    return t;
}

void wasm_exporttype_delete(wasm_exporttype_t *t)
{
    if (!t)
        return;
    wasm_name_delete(&t->name);
    wasm_externtype_delete(t->type);
    api_free(t);
}

wasm_exporttype_t *wasm_exporttype_copy(const wasm_exporttype_t *t)
{
    if (!t)
        return NULL;
    wasm_name_t name;
    wasm_name_copy(&name, &t->name);
    wasm_externtype_t *type = wasm_externtype_copy(t->type);
    if (name.size != t->name.size) {
        wasm_externtype_delete(type);
        type = NULL;
    }
    return wasm_exporttype_new(&name, type);
}

const wasm_name_t *wasm_exporttype_name(const wasm_exporttype_t *t)
{
    return t ? &t->name : NULL;
}

const wasm_externtype_t *wasm_exporttype_type(const wasm_exporttype_t *t)
{
    return t ? t->type : NULL;
}
