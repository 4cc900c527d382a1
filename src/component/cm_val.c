/* Component values: freeing them and checking them against a type (what
 * a host or an embedder gives must fit the declared type before the ABI
 * lays it out in a guest's memory). */
#include "cm_canon.h"
#include "decode/reader.h"

void cm_val_free_array(mem_owner *o, cm_val *v, uint32_t n)
{
    if (!v)
        return;
    for (uint32_t i = 0; i < n; i++)
        cm_val_free(o, &v[i]);
}

void cm_val_free(mem_owner *o, cm_val *v)
{
    if (!v)
        return;
    switch (v->kind) {
    case CM_STRING:
        if (v->u.str.ptr)
            mem_free(o, MEM_HOST, v->u.str.ptr);
        v->u.str.ptr = NULL;
        v->u.str.len = 0;
        break;
    case CM_LIST:
    case CM_RECORD:
    case CM_TUPLE:
        if (v->u.list.items) {
            cm_val_free_array(o, v->u.list.items, v->u.list.n);
            mem_free(o, MEM_HOST, v->u.list.items);
        }
        v->u.list.items = NULL;
        v->u.list.n = 0;
        break;
    case CM_VARIANT:
    case CM_ENUM:
    case CM_OPTION:
    case CM_RESULT:
        if (v->u.var.payload) {
            cm_val_free(o, v->u.var.payload);
            mem_free(o, MEM_HOST, v->u.var.payload);
        }
        v->u.var.payload = NULL;
        break;
    default:
        break;
    }
}

static bool fits_unsigned(uint64_t u, unsigned bits)
{
    return bits == 64 || u < (1ull << bits);
}

static bool fits_signed(int64_t s, unsigned bits)
{
    if (bits == 64)
        return true;
    int64_t lim = (int64_t)1 << (bits - 1);
    return s >= -lim && s < lim;
}

static bool fields_match(const cm_field *f, uint32_t n, const cm_val *v)
{
    if (v->u.list.n != n || (n && !v->u.list.items))
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (!cm_val_matches(f[i].type, &v->u.list.items[i]))
            return false;
    return true;
}

bool cm_val_matches(const cm_valtype *t, const cm_val *v)
{
    if (!t || !v || t->kind != v->kind)
        return false;
    switch (t->kind) {
    case CM_BOOL: case CM_F32: case CM_F64:
        return true;
    case CM_U8: return fits_unsigned(v->u.u, 8);
    case CM_U16: return fits_unsigned(v->u.u, 16);
    case CM_U32: return fits_unsigned(v->u.u, 32);
    case CM_U64: return true;
    case CM_S8: return fits_signed(v->u.s, 8);
    case CM_S16: return fits_signed(v->u.s, 16);
    case CM_S32: return fits_signed(v->u.s, 32);
    case CM_S64: return true;
    case CM_CHAR:
        return v->u.ch < 0x110000 && (v->u.ch < 0xd800 || v->u.ch > 0xdfff);
    case CM_STRING:
        return v->u.str.len == 0 ||
               (v->u.str.ptr &&
                utf8_valid((const uint8_t *)v->u.str.ptr, v->u.str.len));
    case CM_LIST:
        if (v->u.list.n && !v->u.list.items)
            return false;
        for (uint32_t i = 0; i < v->u.list.n; i++)
            if (!cm_val_matches(t->elem, &v->u.list.items[i]))
                return false;
        return true;
    case CM_RECORD: case CM_TUPLE:
        return fields_match(t->fields, t->n, v);
    case CM_VARIANT: case CM_ENUM: case CM_OPTION: case CM_RESULT: {
        if (v->u.var.tag >= cm_ncases(t))
            return false;
        const cm_valtype *ct = cm_case_type(t, v->u.var.tag);
        if (!ct)
            return v->u.var.payload == NULL;
        return v->u.var.payload && cm_val_matches(ct, v->u.var.payload);
    }
    case CM_FLAGS:
        return t->n >= 64 || (v->u.flags >> t->n) == 0;
    case CM_OWN: case CM_BORROW:
        return v->u.handle.res == t->res;
    }
    return false;
}
