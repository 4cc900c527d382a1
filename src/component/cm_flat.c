/* Flattening: component values as core values. Each type flattens to a
 * list of core types (the spec's flatten_type); variants put their
 * discriminant first and the cases' payloads over one joined list, where
 * i32 and f32 share an i32 slot and anything else wider shares an i64.
 *
 * Flat values travel as 64-bit cells holding raw bits, i32 and f32
 * zero-extended. That makes the spec's coercions between joined slots and
 * a case's own types plain bit moves: an i32 or f32 read out of an i64
 * slot is its low 32 bits, and one written there is zero-extended. */
#include <string.h>

#include "cm_canon.h"

/* Deeper types are refused by cm_flatten: the ABI recurses over them. */
#define CM_MAX_TYPE_DEPTH 64
/* So are function types whose value types unfold into more parts than
 * this (parts laid out by cm_valtype_layout count once). */
#define CM_MAX_TYPE_PARTS (1u << 16)

uint32_t cm_flat_count_fields(const cm_field *f, uint32_t n, uint32_t limit)
{
    uint32_t c = 0;
    for (uint32_t i = 0; i < n && c <= limit; i++)
        c += cm_flat_count(f[i].type, limit);
    return c > limit ? limit + 1 : c;
}

uint32_t cm_flat_count(const cm_valtype *t, uint32_t limit)
{
    uint32_t c;
    if (t->abi.known)
        return t->abi.flat > limit ? limit + 1 : t->abi.flat;
    switch (t->kind) {
    case CM_STRING: case CM_LIST: c = 2; break;
    case CM_RECORD: case CM_TUPLE:
        return cm_flat_count_fields(t->fields, t->n, limit);
    case CM_FLAGS: c = (t->n + 31) / 32; break;
    case CM_VARIANT: case CM_ENUM: case CM_OPTION: case CM_RESULT: {
        uint32_t m = 0, n = cm_ncases(t);
        for (uint32_t i = 0; i < n && m < limit; i++) {
            const cm_valtype *ct = cm_case_type(t, i);
            uint32_t k = ct ? cm_flat_count(ct, limit) : 0;
            if (k > m)
                m = k;
        }
        c = 1 + m;
        break;
    }
    default: c = 1; break;
    }
    return c > limit ? limit + 1 : c;
}

/* ---- lifting ---- */

static uint32_t cell32(const uint64_t *cells, uint32_t *pos)
{
    return (uint32_t)cells[(*pos)++];
}

static bool lift_fields(cm_cx *cx, const cm_field *f, uint32_t n,
                        const uint64_t *cells, uint32_t *pos, cm_val *out)
{
    out->u.list.items = NULL;
    out->u.list.n = 0;
    if (n == 0)
        return true;
    cm_val *items = mem_calloc(cx->o, MEM_HOST, n, sizeof *items);
    if (!items)
        return cm_trapf(cx, "out of memory lifting a record");
    out->u.list.items = items;
    out->u.list.n = n;
    for (uint32_t i = 0; i < n; i++)
        if (!cm_lift_flat(cx, f[i].type, cells, pos, &items[i]))
            return false;
    return true;
}

static bool lift_variant(cm_cx *cx, const cm_valtype *t,
                         const uint64_t *cells, uint32_t *pos, cm_val *out)
{
    uint32_t n = cm_ncases(t);
    uint32_t end = *pos + cm_flat_count(t, CM_MAX_FLAT_PARAMS);
    uint32_t tag = cell32(cells, pos);
    out->u.var.tag = 0;
    out->u.var.payload = NULL;
    if (tag >= n)
        return cm_trapf(cx, "invalid discriminant %u (%u cases)", tag, n);
    out->u.var.tag = tag;
    const cm_valtype *c = cm_case_type(t, tag);
    if (c) {
        cm_val *p = mem_calloc(cx->o, MEM_HOST, 1, sizeof *p);
        if (!p)
            return cm_trapf(cx, "out of memory lifting a variant");
        out->u.var.payload = p;
        if (!cm_lift_flat(cx, c, cells, pos, p))
            return false;
    }
    *pos = end;
    return true;
}

bool cm_lift_flat(cm_cx *cx, const cm_valtype *t, const uint64_t *cells,
                  uint32_t *pos, cm_val *out)
{
    out->kind = t->kind;
    switch (t->kind) {
    case CM_BOOL: out->u.b = cell32(cells, pos) != 0; return true;
    case CM_U8: out->u.u = (uint8_t)cells[(*pos)++]; return true;
    case CM_U16: out->u.u = (uint16_t)cells[(*pos)++]; return true;
    case CM_U32: out->u.u = (uint32_t)cells[(*pos)++]; return true;
    case CM_U64: out->u.u = cells[(*pos)++]; return true;
    case CM_S8: out->u.s = (int8_t)cells[(*pos)++]; return true;
    case CM_S16: out->u.s = (int16_t)cells[(*pos)++]; return true;
    case CM_S32: out->u.s = (int32_t)cells[(*pos)++]; return true;
    case CM_S64: out->u.s = (int64_t)cells[(*pos)++]; return true;
    case CM_F32: {
        uint32_t bits = cell32(cells, pos);
        memcpy(&out->u.f32, &bits, 4);
        return true;
    }
    case CM_F64: memcpy(&out->u.f64, &cells[(*pos)++], 8); return true;
    case CM_CHAR: return cm_lift_char(cx, cell32(cells, pos), out);
    case CM_STRING: case CM_LIST: {
        out->u.list.items = NULL;
        out->u.list.n = 0;
        uint32_t p = cell32(cells, pos), n = cell32(cells, pos);
        return t->kind == CM_STRING ? cm_lift_string(cx, p, n, out)
                                    : cm_lift_list(cx, t, p, n, out);
    }
    case CM_RECORD: case CM_TUPLE:
        return lift_fields(cx, t->fields, t->n, cells, pos, out);
    case CM_VARIANT: case CM_ENUM: case CM_OPTION: case CM_RESULT:
        return lift_variant(cx, t, cells, pos, out);
    case CM_FLAGS: {
        uint32_t words = (t->n + 31) / 32;
        uint64_t v = 0;
        for (uint32_t i = 0; i < words; i++) {
            uint64_t w = cell32(cells, pos);
            if (i < 2)
                v |= w << (32 * i);
        }
        out->u.flags = t->n >= 64 ? v : v & ((1ull << t->n) - 1);
        return true;
    }
    case CM_OWN: return cm_lift_own(cx, t, cell32(cells, pos), out);
    case CM_BORROW: return cm_lift_borrow(cx, t, cell32(cells, pos), out);
    }
    return cm_trapf(cx, "unknown value type");
}

/* ---- lowering ---- */

static bool lower_variant(cm_cx *cx, const cm_valtype *t, const cm_val *v,
                          uint64_t *cells, uint32_t *pos)
{
    uint32_t end = *pos + cm_flat_count(t, CM_MAX_FLAT_PARAMS);
    cells[(*pos)++] = v->u.var.tag;
    const cm_valtype *c = cm_case_type(t, v->u.var.tag);
    if (c && !cm_lower_flat(cx, c, v->u.var.payload, cells, pos))
        return false;
    while (*pos < end)
        cells[(*pos)++] = 0;
    return true;
}

bool cm_lower_flat(cm_cx *cx, const cm_valtype *t, const cm_val *v,
                   uint64_t *cells, uint32_t *pos)
{
    switch (t->kind) {
    case CM_BOOL: cells[(*pos)++] = v->u.b ? 1 : 0; return true;
    case CM_U8: cells[(*pos)++] = (uint8_t)v->u.u; return true;
    case CM_U16: cells[(*pos)++] = (uint16_t)v->u.u; return true;
    case CM_U32: cells[(*pos)++] = (uint32_t)v->u.u; return true;
    case CM_U64: case CM_S64: cells[(*pos)++] = v->u.u; return true;
    /* Signed values sign-extend to 32 bits, as i32s. */
    case CM_S8: cells[(*pos)++] = (uint32_t)(int32_t)(int8_t)v->u.s; return true;
    case CM_S16: cells[(*pos)++] = (uint32_t)(int32_t)(int16_t)v->u.s; return true;
    case CM_S32: cells[(*pos)++] = (uint32_t)(int32_t)v->u.s; return true;
    case CM_F32: {
        uint32_t bits;
        memcpy(&bits, &v->u.f32, 4);
        cells[(*pos)++] = bits;
        return true;
    }
    case CM_F64: memcpy(&cells[(*pos)++], &v->u.f64, 8); return true;
    case CM_CHAR: cells[(*pos)++] = v->u.ch; return true;
    case CM_STRING: case CM_LIST: {
        uint32_t p, n;
        if (!(t->kind == CM_STRING ? cm_lower_string(cx, v, &p, &n)
                                   : cm_lower_list(cx, t, v, &p, &n)))
            return false;
        cells[(*pos)++] = p;
        cells[(*pos)++] = n;
        return true;
    }
    case CM_RECORD: case CM_TUPLE:
        for (uint32_t i = 0; i < t->n; i++)
            if (!cm_lower_flat(cx, t->fields[i].type, &v->u.list.items[i],
                               cells, pos))
                return false;
        return true;
    case CM_VARIANT: case CM_ENUM: case CM_OPTION: case CM_RESULT:
        return lower_variant(cx, t, v, cells, pos);
    case CM_FLAGS:
        for (uint32_t i = 0; i < (t->n + 31) / 32; i++)
            cells[(*pos)++] = i < 2 ? (uint32_t)(v->u.flags >> (32 * i)) : 0;
        return true;
    case CM_OWN: case CM_BORROW: {
        uint32_t idx;
        if (!(t->kind == CM_OWN ? cm_lower_own(cx, t, v, &idx)
                                : cm_lower_borrow(cx, t, v, &idx)))
            return false;
        cells[(*pos)++] = idx;
        return true;
    }
    }
    return cm_trapf(cx, "unknown value type");
}

/* ---- core types ---- */

bool cm_type_has_ptr(const cm_valtype *t)
{
    if (t->abi.known)
        return t->abi.has_ptr;
    switch (t->kind) {
    case CM_STRING: case CM_LIST: return true;
    case CM_RECORD: case CM_TUPLE: case CM_VARIANT:
        for (uint32_t i = 0; i < t->n; i++)
            if (t->fields && t->fields[i].type &&
                cm_type_has_ptr(t->fields[i].type))
                return true;
        return false;
    case CM_OPTION: return cm_type_has_ptr(t->elem);
    case CM_RESULT:
        return (t->ok && cm_type_has_ptr(t->ok)) ||
               (t->err && cm_type_has_ptr(t->err));
    default: return false;
    }
}

/* Is the type one the ABI can handle (complete, not too deep, not too
 * big), nested `depth` levels down? Parts already laid out were checked
 * then. Types share parts, so a small definition can unfold into an
 * exponential tree: `*budget` bounds the parts visited, which also bounds
 * every later walk of the ABI over the type. */
static bool type_ok(const cm_valtype *t, unsigned depth, uint32_t *budget,
                    err_t *err)
{
    if (!t)
        return err_set(err, "component: missing value type");
    if (depth + (t->abi.known ? t->abi.depth : 1) > CM_MAX_TYPE_DEPTH)
        return err_set(err, "component: value type nested too deeply");
    if (t->abi.known)
        return true;
    if (*budget == 0)
        return err_set(err, "component: value type too large");
    (*budget)--;
    switch (t->kind) {
    case CM_LIST: case CM_OPTION:
        return type_ok(t->elem, depth + 1, budget, err);
    case CM_RECORD: case CM_TUPLE: case CM_VARIANT:
        if (t->n && !t->fields)
            return err_set(err, "component: missing fields");
        for (uint32_t i = 0; i < t->n; i++)
            if ((t->kind != CM_VARIANT || t->fields[i].type) &&
                !type_ok(t->fields[i].type, depth + 1, budget, err))
                return false;
        if (t->kind == CM_VARIANT && t->n == 0)
            return err_set(err, "component: variant type has no cases");
        return true;
    case CM_ENUM:
        return t->n ? true : err_set(err, "component: enum type has no cases");
    case CM_RESULT:
        return (!t->ok || type_ok(t->ok, depth + 1, budget, err)) &&
               (!t->err || type_ok(t->err, depth + 1, budget, err));
    case CM_FLAGS:
        return t->n <= 64 ? true
                          : err_set(err, "component: flags with more than "
                                         "64 labels are not supported");
    case CM_OWN: case CM_BORROW:
        return t->res ? true
                      : err_set(err, "component: handle of no resource");
    default:
        return (unsigned)t->kind <= CM_BORROW
                   ? true
                   : err_set(err, "component: unknown value type");
    }
}

static uint32_t depth_of(const cm_valtype *t)
{
    if (!t)
        return 0;
    if (t->abi.known)
        return t->abi.depth;
    uint32_t d = 0, k;
    switch (t->kind) {
    case CM_LIST: case CM_OPTION: d = depth_of(t->elem); break;
    case CM_RECORD: case CM_TUPLE: case CM_VARIANT:
        for (uint32_t i = 0; i < t->n; i++)
            if ((k = depth_of(t->fields[i].type)) > d)
                d = k;
        break;
    case CM_RESULT:
        d = depth_of(t->ok);
        if ((k = depth_of(t->err)) > d)
            d = k;
        break;
    default: break;
    }
    return d + 1;
}

bool cm_valtype_layout(cm_valtype *t, err_t *err)
{
    uint32_t budget = CM_MAX_TYPE_PARTS;
    if (!type_ok(t, 0, &budget, err))
        return false;
    t->abi.size = cm_size(t);
    t->abi.align = cm_align(t);
    t->abi.flat = cm_flat_count(t, 1u << 20);
    t->abi.has_ptr = cm_type_has_ptr(t);
    t->abi.depth = depth_of(t);
    t->abi.known = true;
    return true;
}

static uint8_t join(uint8_t a, uint8_t b)
{
    if (a == b)
        return a;
    if ((a == VT_I32 && b == VT_F32) || (a == VT_F32 && b == VT_I32))
        return VT_I32;
    return VT_I64;
}

/* Appends t's flat types to buf (at most cap are written; *n counts on). */
static void flatten_type(const cm_valtype *t, uint8_t *buf, uint32_t *n,
                         uint32_t cap)
{
#define PUT(v) do { if (*n < cap) buf[*n] = (v); (*n)++; } while (0)
    if (t->abi.known && *n + t->abi.flat > cap) {
        *n += t->abi.flat; /* too many: only the count matters */
        return;
    }
    switch (t->kind) {
    case CM_S64: case CM_U64: PUT(VT_I64); return;
    case CM_F32: PUT(VT_F32); return;
    case CM_F64: PUT(VT_F64); return;
    case CM_STRING: case CM_LIST: PUT(VT_I32); PUT(VT_I32); return;
    case CM_RECORD: case CM_TUPLE:
        for (uint32_t i = 0; i < t->n && *n <= cap; i++)
            flatten_type(t->fields[i].type, buf, n, cap);
        return;
    case CM_FLAGS:
        for (uint32_t i = 0; i < (t->n + 31) / 32; i++)
            PUT(VT_I32);
        return;
    case CM_VARIANT: case CM_ENUM: case CM_OPTION: case CM_RESULT: {
        uint32_t start = *n, len = 0;
        PUT(VT_I32);
        for (uint32_t c = 0; c < cm_ncases(t) && *n <= cap; c++) {
            const cm_valtype *ct = cm_case_type(t, c);
            uint8_t tmp[CM_MAX_FLAT_PARAMS + 1];
            uint32_t m = 0;
            if (!ct)
                continue;
            flatten_type(ct, tmp, &m, sizeof tmp);
            for (uint32_t i = 0; i < m && i < sizeof tmp; i++) {
                uint32_t at = start + 1 + i;
                if (at >= cap)
                    break;
                buf[at] = i < len ? join(buf[at], tmp[i]) : tmp[i];
            }
            if (m > len)
                len = m;
            if (start + 1 + len > *n)
                *n = start + 1 + len;
        }
        return;
    }
    default: PUT(VT_I32); return;
    }
#undef PUT
}

bool cm_flatten(mem_owner *o, const cm_functype *t, bool lift, functype *out,
                err_t *err)
{
    uint8_t p[CM_MAX_FLAT_PARAMS + 2], r[CM_MAX_FLAT_PARAMS + 1];
    uint32_t np = 0, nr = 0;
    out->nparams = out->nresults = 0;
    out->types = NULL;
    if (t->nresults > 1 || (t->nparams && !t->params))
        return err_set(err, "component: malformed function type");
    uint32_t budget = CM_MAX_TYPE_PARTS;
    for (uint32_t i = 0; i < t->nparams; i++)
        if (!type_ok(t->params[i].type, 0, &budget, err))
            return false;
    if (t->nresults && !type_ok(t->result, 0, &budget, err))
        return false;
    for (uint32_t i = 0; i < t->nparams && np <= CM_MAX_FLAT_PARAMS; i++)
        flatten_type(t->params[i].type, p, &np, CM_MAX_FLAT_PARAMS + 1);
    if (np > CM_MAX_FLAT_PARAMS) {
        np = 1;
        p[0] = VT_I32;
    }
    if (t->nresults)
        flatten_type(t->result, r, &nr, CM_MAX_FLAT_PARAMS + 1);
    if (nr > CM_MAX_FLAT_RESULTS) {
        if (lift) {
            nr = 1;
            r[0] = VT_I32;
        } else {
            nr = 0;
            p[np++] = VT_I32;
        }
    }
    out->types = mem_alloc(o, MEM_INSTANCE, np + nr + 1);
    if (!out->types)
        return err_set(err, "component: out of memory");
    memcpy(out->types, p, np);
    memcpy(out->types + np, r, nr);
    out->nparams = np;
    out->nresults = nr;
    return true;
}
