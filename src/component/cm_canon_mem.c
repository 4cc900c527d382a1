/* The canonical ABI in linear memory: sizes and alignments of component
 * types, and loading / storing values of them. A component's pointers are
 * untrusted: every access is checked against the memory's current size
 * (re-read after each call into the guest, which may grow it), and a bad
 * one is a trap, never a read outside the memory. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cm_canon.h"
#include "decode/reader.h"

/* A lifted list is one cm_val per element: more than this many is refused
 * rather than letting a guest make the host allocate gigabytes. */
#define CM_MAX_LIST_ITEMS (1u << 24)

static void set_trapv(cm_cx *cx, const char *fmt, va_list ap)
{
    char msg[ERR_MSG_MAX];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (!cx->trap)
        cx->trap = rt_trap_new(cx->s, TRAP_HOST, msg);
}

bool cm_trapf(cm_cx *cx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_trapv(cx, fmt, ap);
    va_end(ap);
    return false;
}

rt_trap *cm_trap_of(cm_cx *cx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_trapv(cx, fmt, ap);
    va_end(ap);
    return cx->trap;
}

/* ---- layout ---- */

bool cm_is_variant_kind(cm_kind k)
{
    return k == CM_VARIANT || k == CM_ENUM || k == CM_OPTION ||
           k == CM_RESULT;
}

uint32_t cm_ncases(const cm_valtype *t)
{
    return t->kind == CM_OPTION || t->kind == CM_RESULT ? 2 : t->n;
}

const cm_valtype *cm_case_type(const cm_valtype *t, uint32_t tag)
{
    switch (t->kind) {
    case CM_OPTION: return tag == 1 ? t->elem : NULL;
    case CM_RESULT: return tag == 0 ? t->ok : t->err;
    case CM_VARIANT: return tag < t->n ? t->fields[tag].type : NULL;
    default: return NULL;
    }
}

uint32_t cm_disc_size(uint32_t ncases)
{
    return ncases <= 256 ? 1 : ncases <= 65536 ? 2 : 4;
}

static uint64_t align_to(uint64_t p, uint32_t a)
{
    return (p + a - 1) / a * a;
}

static uint32_t max_case_align(const cm_valtype *t)
{
    uint32_t a = 1, n = cm_ncases(t);
    for (uint32_t i = 0; i < n; i++) {
        const cm_valtype *c = cm_case_type(t, i);
        if (c && cm_align(c) > a)
            a = cm_align(c);
    }
    return a;
}

static uint32_t flags_size(uint32_t n)
{
    return n == 0 ? 0 : n <= 8 ? 1 : n <= 16 ? 2 : 4 * ((n + 31) / 32);
}

uint32_t cm_fields_align(const cm_field *f, uint32_t n)
{
    uint32_t a = 1;
    for (uint32_t i = 0; i < n; i++)
        if (cm_align(f[i].type) > a)
            a = cm_align(f[i].type);
    return a;
}

uint32_t cm_fields_size(const cm_field *f, uint32_t n)
{
    uint64_t s = 0;
    for (uint32_t i = 0; i < n; i++) {
        s = align_to(s, cm_align(f[i].type));
        s += cm_size(f[i].type);
    }
    s = align_to(s, cm_fields_align(f, n));
    return s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}

static uint32_t align_of(const cm_valtype *t)
{
    switch (t->kind) {
    case CM_BOOL: case CM_S8: case CM_U8: return 1;
    case CM_S16: case CM_U16: return 2;
    case CM_S32: case CM_U32: case CM_F32: case CM_CHAR: return 4;
    case CM_S64: case CM_U64: case CM_F64: return 8;
    case CM_STRING: case CM_LIST: case CM_OWN: case CM_BORROW: return 4;
    case CM_RECORD: case CM_TUPLE: return cm_fields_align(t->fields, t->n);
    case CM_FLAGS: return t->n <= 8 ? 1 : t->n <= 16 ? 2 : 4;
    case CM_VARIANT: case CM_ENUM: case CM_OPTION: case CM_RESULT: {
        uint32_t d = cm_disc_size(cm_ncases(t)), c = max_case_align(t);
        return d > c ? d : c;
    }
    }
    return 1;
}

static uint32_t size_of(const cm_valtype *t)
{
    switch (t->kind) {
    case CM_STRING: case CM_LIST: return 8;
    case CM_RECORD: case CM_TUPLE: return cm_fields_size(t->fields, t->n);
    case CM_FLAGS: return flags_size(t->n);
    case CM_VARIANT: case CM_ENUM: case CM_OPTION: case CM_RESULT: {
        uint32_t n = cm_ncases(t), cs = 0;
        uint64_t s = align_to(cm_disc_size(n), max_case_align(t));
        for (uint32_t i = 0; i < n; i++) {
            const cm_valtype *c = cm_case_type(t, i);
            if (c && cm_size(c) > cs)
                cs = cm_size(c);
        }
        s = align_to(s + cs, cm_align(t));
        return s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
    }
    default: return cm_align(t); /* scalars: size == alignment */
    }
}

uint32_t cm_align(const cm_valtype *t)
{
    return t->abi.known ? t->abi.align : align_of(t);
}

uint32_t cm_size(const cm_valtype *t)
{
    return t->abi.known ? t->abi.size : size_of(t);
}

/* ---- raw access ---- */

static rt_memory *memory(cm_cx *cx)
{
    if (!cx->opts || !cx->opts->memory) {
        cm_trapf(cx, "canonical option `memory` is required here");
        return NULL;
    }
    return cx->opts->memory;
}

bool cm_check_range(cm_cx *cx, uint64_t ptr, uint64_t size, uint32_t align,
                    const char *what)
{
    rt_memory *m = memory(cx);
    if (!m)
        return false;
    if (align > 1 && ptr % align)
        return cm_trapf(cx, "%s pointer %llu is not aligned to %u", what,
                        (unsigned long long)ptr, align);
    if (ptr + size > m->size)
        return cm_trapf(cx, "%s out of bounds (%llu + %llu > %llu)", what,
                        (unsigned long long)ptr, (unsigned long long)size,
                        (unsigned long long)m->size);
    return true;
}

static bool read_uint(cm_cx *cx, uint32_t ptr, uint32_t n, uint64_t *out)
{
    if (!cm_check_range(cx, ptr, n, 1, "load"))
        return false;
    const uint8_t *p = cx->opts->memory->base + ptr;
    uint64_t v = 0;
    for (uint32_t i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    *out = v;
    return true;
}

static bool write_uint(cm_cx *cx, uint32_t ptr, uint32_t n, uint64_t v)
{
    if (!cm_check_range(cx, ptr, n, 1, "store"))
        return false;
    uint8_t *p = cx->opts->memory->base + ptr;
    for (uint32_t i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
    return true;
}

bool cm_alloc(cm_cx *cx, uint32_t align, uint32_t size, uint32_t *ptr)
{
    rt_func *f = cx->opts ? cx->opts->realloc : NULL;
    if (!f)
        return cm_trapf(cx, "canonical option `realloc` is required here");
    const functype *ft = f->type;
    const uint8_t *p = functype_params(ft);
    if (ft->nparams != 4 || ft->nresults != 1 || p[0] != VT_I32 ||
        p[1] != VT_I32 || p[2] != VT_I32 || p[3] != VT_I32 ||
        functype_results(ft)[0] != VT_I32)
        return cm_trapf(cx, "realloc has the wrong type");
    uint64_t args[4] = {0, 0, align, size}, res[1] = {0};
    rt_trap *t = rt_call(cx->s, f, args, res);
    if (t) {
        if (cx->trap)
            rt_trap_free(t);
        else
            cx->trap = t;
        return false;
    }
    *ptr = (uint32_t)res[0];
    return cm_check_range(cx, *ptr, size, align, "realloc result");
}

/* ---- strings, lists, chars ---- */

bool cm_lift_char(cm_cx *cx, uint32_t c, cm_val *out)
{
    out->kind = CM_CHAR;
    if (c >= 0x110000 || (c >= 0xd800 && c <= 0xdfff))
        return cm_trapf(cx, "invalid char U+%X", c);
    out->u.ch = c;
    return true;
}

bool cm_lift_string(cm_cx *cx, uint32_t ptr, uint32_t len, cm_val *out)
{
    out->kind = CM_STRING;
    out->u.str.ptr = NULL;
    out->u.str.len = 0;
    if (len > CM_MAX_STRING_BYTES)
        return cm_trapf(cx, "string too long (%u bytes)", len);
    if (!cm_check_range(cx, ptr, len, 1, "string"))
        return false;
    const uint8_t *src = cx->opts->memory->base + ptr;
    if (!utf8_valid(src, len))
        return cm_trapf(cx, "invalid UTF-8 in a string");
    char *p = mem_alloc(cx->o, MEM_HOST, len ? len : 1);
    if (!p)
        return cm_trapf(cx, "out of memory lifting a string");
    memcpy(p, src, len);
    out->u.str.ptr = p;
    out->u.str.len = len;
    return true;
}

bool cm_lower_string(cm_cx *cx, const cm_val *v, uint32_t *ptr,
                     uint32_t *len)
{
    uint32_t n = v->u.str.len;
    if (n > CM_MAX_STRING_BYTES)
        return cm_trapf(cx, "string too long (%u bytes)", n);
    if (!cm_alloc(cx, 1, n, ptr))
        return false;
    if (n)
        memcpy(cx->opts->memory->base + *ptr, v->u.str.ptr, n);
    *len = n;
    return true;
}

bool cm_lift_list(cm_cx *cx, const cm_valtype *t, uint32_t ptr, uint32_t len,
                  cm_val *out)
{
    out->kind = CM_LIST;
    out->u.list.items = NULL;
    out->u.list.n = 0;
    uint32_t size = cm_size(t->elem), align = cm_align(t->elem);
    if (!cm_check_range(cx, ptr, (uint64_t)len * size, align, "list"))
        return false;
    if (len > CM_MAX_LIST_ITEMS)
        return cm_trapf(cx, "list too long (%u elements)", len);
    if (len == 0)
        return true;
    cm_val *items = mem_calloc(cx->o, MEM_HOST, len, sizeof *items);
    if (!items)
        return cm_trapf(cx, "out of memory lifting a list");
    out->u.list.items = items;
    out->u.list.n = len;
    for (uint32_t i = 0; i < len; i++)
        if (!cm_load(cx, t->elem, ptr + i * size, &items[i]))
            return false;
    return true;
}

bool cm_lower_list(cm_cx *cx, const cm_valtype *t, const cm_val *v,
                   uint32_t *ptr, uint32_t *len)
{
    uint32_t size = cm_size(t->elem), align = cm_align(t->elem);
    uint64_t bytes = (uint64_t)v->u.list.n * size;
    if (bytes >= (1ull << 32))
        return cm_trapf(cx, "list too long (%llu bytes)",
                        (unsigned long long)bytes);
    if (!cm_alloc(cx, align, (uint32_t)bytes, ptr))
        return false;
    for (uint32_t i = 0; i < v->u.list.n; i++)
        if (!cm_store(cx, t->elem, &v->u.list.items[i], *ptr + i * size))
            return false;
    *len = v->u.list.n;
    return true;
}

/* ---- load ---- */

bool cm_load_items(cm_cx *cx, const cm_field *f, uint32_t n, uint32_t ptr,
                   cm_val *items)
{
    uint64_t off = ptr;
    for (uint32_t i = 0; i < n; i++) {
        off = align_to(off, cm_align(f[i].type));
        if (off > UINT32_MAX)
            return cm_trapf(cx, "load out of bounds");
        if (!cm_load(cx, f[i].type, (uint32_t)off, &items[i]))
            return false;
        off += cm_size(f[i].type);
    }
    return true;
}

bool cm_load_fields(cm_cx *cx, const cm_field *f, uint32_t n, uint32_t ptr,
                    cm_val *out)
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
    return cm_load_items(cx, f, n, ptr, items);
}

static bool load_variant(cm_cx *cx, const cm_valtype *t, uint32_t ptr,
                         cm_val *out)
{
    uint32_t n = cm_ncases(t), ds = cm_disc_size(n);
    uint64_t tag;
    out->u.var.tag = 0;
    out->u.var.payload = NULL;
    if (!read_uint(cx, ptr, ds, &tag))
        return false;
    if (tag >= n)
        return cm_trapf(cx, "invalid discriminant %llu (%u cases)",
                        (unsigned long long)tag, n);
    out->u.var.tag = (uint32_t)tag;
    const cm_valtype *c = cm_case_type(t, (uint32_t)tag);
    if (!c)
        return true;
    cm_val *p = mem_calloc(cx->o, MEM_HOST, 1, sizeof *p);
    if (!p)
        return cm_trapf(cx, "out of memory lifting a variant");
    out->u.var.payload = p;
    uint64_t at = align_to((uint64_t)ptr + ds, max_case_align(t));
    if (at > UINT32_MAX)
        return cm_trapf(cx, "load out of bounds");
    return cm_load(cx, c, (uint32_t)at, p);
}

static bool load_flags(cm_cx *cx, const cm_valtype *t, uint32_t ptr,
                       cm_val *out)
{
    uint32_t size = flags_size(t->n);
    uint64_t v = 0, w;
    out->u.flags = 0;
    if (size <= 2) {
        if (size && !read_uint(cx, ptr, size, &v))
            return false;
    } else {
        for (uint32_t i = 0; i < size / 4 && i < 2; i++) {
            if (!read_uint(cx, ptr + 4 * i, 4, &w))
                return false;
            v |= w << (32 * i);
        }
    }
    /* Bits past the last label are ignored, as the spec says. */
    out->u.flags = t->n >= 64 ? v : v & ((1ull << t->n) - 1);
    return true;
}

static int64_t sign_extend(uint64_t v, unsigned bits)
{
    uint64_t m = 1ull << (bits - 1);
    return (int64_t)((v ^ m) - m);
}

bool cm_load(cm_cx *cx, const cm_valtype *t, uint32_t ptr, cm_val *out)
{
    uint64_t v, w;
    out->kind = t->kind;
    switch (t->kind) {
    case CM_BOOL:
        if (!read_uint(cx, ptr, 1, &v))
            return false;
        out->u.b = v != 0;
        return true;
    case CM_U8: case CM_U16: case CM_U32: case CM_U64:
        if (!read_uint(cx, ptr, cm_size(t), &v))
            return false;
        out->u.u = v;
        return true;
    case CM_S8: case CM_S16: case CM_S32: case CM_S64:
        if (!read_uint(cx, ptr, cm_size(t), &v))
            return false;
        out->u.s = sign_extend(v, 8 * cm_size(t));
        return true;
    case CM_F32: {
        if (!read_uint(cx, ptr, 4, &v))
            return false;
        uint32_t bits = (uint32_t)v;
        memcpy(&out->u.f32, &bits, 4);
        return true;
    }
    case CM_F64:
        if (!read_uint(cx, ptr, 8, &v))
            return false;
        memcpy(&out->u.f64, &v, 8);
        return true;
    case CM_CHAR:
        if (!read_uint(cx, ptr, 4, &v))
            return false;
        return cm_lift_char(cx, (uint32_t)v, out);
    case CM_STRING: case CM_LIST:
        out->u.list.items = NULL;
        out->u.list.n = 0;
        if (!read_uint(cx, ptr, 4, &v) || !read_uint(cx, ptr + 4, 4, &w))
            return false;
        return t->kind == CM_STRING
                   ? cm_lift_string(cx, (uint32_t)v, (uint32_t)w, out)
                   : cm_lift_list(cx, t, (uint32_t)v, (uint32_t)w, out);
    case CM_RECORD: case CM_TUPLE:
        return cm_load_fields(cx, t->fields, t->n, ptr, out);
    case CM_VARIANT: case CM_ENUM: case CM_OPTION: case CM_RESULT:
        return load_variant(cx, t, ptr, out);
    case CM_FLAGS:
        return load_flags(cx, t, ptr, out);
    case CM_OWN: case CM_BORROW:
        if (!read_uint(cx, ptr, 4, &v))
            return false;
        return t->kind == CM_OWN ? cm_lift_own(cx, t, (uint32_t)v, out)
                                 : cm_lift_borrow(cx, t, (uint32_t)v, out);
    }
    return cm_trapf(cx, "unknown value type");
}

/* ---- store ---- */

bool cm_store_fields(cm_cx *cx, const cm_field *f, uint32_t n,
                     const cm_val *v, uint32_t ptr)
{
    uint64_t off = ptr;
    for (uint32_t i = 0; i < n; i++) {
        off = align_to(off, cm_align(f[i].type));
        if (off > UINT32_MAX)
            return cm_trapf(cx, "store out of bounds");
        if (!cm_store(cx, f[i].type, &v[i], (uint32_t)off))
            return false;
        off += cm_size(f[i].type);
    }
    return true;
}

static bool store_variant(cm_cx *cx, const cm_valtype *t, const cm_val *v,
                          uint32_t ptr)
{
    uint32_t n = cm_ncases(t), ds = cm_disc_size(n);
    if (!write_uint(cx, ptr, ds, v->u.var.tag))
        return false;
    const cm_valtype *c = cm_case_type(t, v->u.var.tag);
    if (!c)
        return true;
    uint64_t at = align_to((uint64_t)ptr + ds, max_case_align(t));
    if (at > UINT32_MAX)
        return cm_trapf(cx, "store out of bounds");
    return cm_store(cx, c, v->u.var.payload, (uint32_t)at);
}

static bool store_flags(cm_cx *cx, const cm_valtype *t, const cm_val *v,
                        uint32_t ptr)
{
    uint32_t size = flags_size(t->n);
    if (size <= 2)
        return size == 0 || write_uint(cx, ptr, size, v->u.flags);
    for (uint32_t i = 0; i < size / 4; i++)
        if (!write_uint(cx, ptr + 4 * i, 4,
                        i < 2 ? (uint32_t)(v->u.flags >> (32 * i)) : 0))
            return false;
    return true;
}

bool cm_store(cm_cx *cx, const cm_valtype *t, const cm_val *v, uint32_t ptr)
{
    uint32_t p, n;
    switch (t->kind) {
    case CM_BOOL:
        return write_uint(cx, ptr, 1, v->u.b ? 1 : 0);
    case CM_U8: case CM_U16: case CM_U32: case CM_U64:
    case CM_S8: case CM_S16: case CM_S32: case CM_S64:
        return write_uint(cx, ptr, cm_size(t), v->u.u);
    case CM_F32: {
        uint32_t bits;
        memcpy(&bits, &v->u.f32, 4);
        return write_uint(cx, ptr, 4, bits);
    }
    case CM_F64: {
        uint64_t bits;
        memcpy(&bits, &v->u.f64, 8);
        return write_uint(cx, ptr, 8, bits);
    }
    case CM_CHAR:
        return write_uint(cx, ptr, 4, v->u.ch);
    case CM_STRING: case CM_LIST:
        if (!(t->kind == CM_STRING ? cm_lower_string(cx, v, &p, &n)
                                   : cm_lower_list(cx, t, v, &p, &n)))
            return false;
        return write_uint(cx, ptr, 4, p) && write_uint(cx, ptr + 4, 4, n);
    case CM_RECORD: case CM_TUPLE:
        return cm_store_fields(cx, t->fields, t->n, v->u.list.items, ptr);
    case CM_VARIANT: case CM_ENUM: case CM_OPTION: case CM_RESULT:
        return store_variant(cx, t, v, ptr);
    case CM_FLAGS:
        return store_flags(cx, t, v, ptr);
    case CM_OWN: case CM_BORROW:
        if (!(t->kind == CM_OWN ? cm_lower_own(cx, t, v, &p)
                                : cm_lower_borrow(cx, t, v, &p)))
            return false;
        return write_uint(cx, ptr, 4, p);
    }
    return cm_trapf(cx, "unknown value type");
}
