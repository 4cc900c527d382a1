/* Values of wasm.h and their conversion to and from the runtime's 64-bit
 * cells. A funcref cell is the rt_func; an externref cell is the record
 * (api_obj) of a store object or foreign object, so any of those can be
 * passed to Wasm as an externref and come back as the same object. */
#include "api.h"

#include <string.h>

void wasm_val_delete(wasm_val_t *v)
{
    if (v && wasm_valkind_is_ref(v->kind) && v->of.ref) {
        wasm_ref_delete(v->of.ref);
        v->of.ref = NULL;
    }
}

void wasm_val_copy(wasm_val_t *out, const wasm_val_t *v)
{
    if (!out)
        return;
    if (!v) {
        out->kind = WASM_EXTERNREF;
        out->of.ref = NULL;
        return;
    }
    *out = *v;
    if (wasm_valkind_is_ref(v->kind) && v->of.ref)
        out->of.ref = wasm_ref_copy(v->of.ref);
}

/* Records that may be externref values: what lives as long as the store. */
static bool store_lived(const api_obj *o)
{
    return o->kind != API_MODULE && o->kind != API_TRAP;
}

bool api_ref_to_cell(wasm_store_t *s, uint8_t type, const wasm_ref_t *r,
                     uint64_t *cell)
{
    if (!r) {
        *cell = 0;
        return true;
    }
    const api_obj *o = r->obj;
    if (o->store != s)
        return false;
    if (type == VT_FUNCREF) {
        if (o->kind != API_FUNC)
            return false;
        *cell = (uint64_t)(uintptr_t)o->rt.func;
        return true;
    }
    if (type != VT_EXTERNREF || !store_lived(o))
        return false;
    *cell = (uint64_t)(uintptr_t)o;
    return true;
}

wasm_ref_t *api_cell_to_ref(wasm_store_t *s, uint8_t type, uint64_t cell)
{
    if (!cell)
        return NULL;
    if (type == VT_FUNCREF)
        return api_handle_new(
            api_store_obj(s, API_FUNC, (rt_func *)(uintptr_t)cell));
    return api_handle_new((api_obj *)(uintptr_t)cell);
}

bool api_val_to_cell(wasm_store_t *s, uint8_t type, const wasm_val_t *v,
                     uint64_t *cell)
{
    if (!v || api_valtype_code(v->kind) != type)
        return false;
    switch (v->kind) {
    case WASM_I32: *cell = (uint32_t)v->of.i32; return true;
    case WASM_I64: *cell = (uint64_t)v->of.i64; return true;
    case WASM_F32: {
        uint32_t bits;
        memcpy(&bits, &v->of.f32, sizeof bits);
        *cell = bits;
        return true;
    }
    case WASM_F64: memcpy(cell, &v->of.f64, sizeof *cell); return true;
    case WASM_V128: return false; /* a v128 does not fit in wasm_val_t */
    default: return api_ref_to_cell(s, type, v->of.ref, cell);
    }
}

bool api_cell_to_val(wasm_store_t *s, uint8_t type, uint64_t cell,
                     wasm_val_t *out)
{
    out->kind = api_valkind(type);
    switch (type) {
    case VT_I32: out->of.i32 = (int32_t)(uint32_t)cell; return true;
    case VT_I64: out->of.i64 = (int64_t)cell; return true;
    case VT_F32: {
        uint32_t bits = (uint32_t)cell;
        memcpy(&out->of.f32, &bits, sizeof bits);
        return true;
    }
    case VT_F64: memcpy(&out->of.f64, &cell, sizeof cell); return true;
    case VT_V128: /* wasm.h has no v128: a null reference, and failure */
        out->of.ref = NULL;
        return false;
    default:
        out->of.ref = api_cell_to_ref(s, type, cell);
        return !cell || out->of.ref;
    }
}
