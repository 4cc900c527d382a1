/* The sections that refer to entities declared earlier: export, start,
 * element, data count and data. */
#include "decode_internal.h"

#include <string.h>

/* ---- exports ---------------------------------------------------------- */

static uint32_t name_hash(const char *s, uint32_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

/* Duplicate names are found with an open-addressing set of export
 * indices, so a module with many exports costs linear time. */
typedef struct name_set {
    uint32_t *slots; /* export index + 1; 0 = empty */
    uint32_t mask;
} name_set;

static bool name_set_init(decode_ctx *c, name_set *s, uint32_t n)
{
    uint32_t size = 8;
    while (size < 2 * (uint64_t)n + 1)
        size *= 2;
    s->mask = size - 1;
    s->slots = mem_calloc(c->owner, MEM_MODULE, size, sizeof *s->slots);
    if (!s->slots)
        return err_set(c->err, "out of memory decoding module");
    return true;
}

/* Adds export `i`; false when an earlier export has the same name. */
static bool name_set_add(const module_desc *m, name_set *s, uint32_t i)
{
    const export_desc *e = &m->exports[i];
    for (uint32_t k = name_hash(e->name, e->name_len) & s->mask;; k = (k + 1) & s->mask) {
        if (s->slots[k] == 0) {
            s->slots[k] = i + 1;
            return true;
        }
        const export_desc *o = &m->exports[s->slots[k] - 1];
        if (o->name_len == e->name_len && memcmp(o->name, e->name, e->name_len) == 0)
            return false;
    }
}

static bool decode_export(decode_ctx *c, reader *r, export_desc *e)
{
    const module_desc *m = c->m;
    if (!reader_name(r, &e->name, &e->name_len) || !reader_u8(r, &e->kind))
        return false;
    if (e->kind > EXTERN_GLOBAL)
        return err_set(c->err, "malformed export kind");
    if (!reader_u32(r, &e->index))
        return false;
    switch (e->kind) {
    case EXTERN_FUNC:
        if (e->index >= m->nfuncs)
            decode_invalid(c, "unknown function %u", e->index);
        decode_declare_func(c, e->index);
        break;
    case EXTERN_TABLE:
        if (e->index >= m->ntables)
            decode_invalid(c, "unknown table %u", e->index);
        break;
    case EXTERN_MEMORY:
        if (e->index >= m->nmemories)
            decode_invalid(c, "unknown memory %u", e->index);
        break;
    default:
        if (e->index >= m->nglobals)
            decode_invalid(c, "unknown global %u", e->index);
        break;
    }
    return true;
}

bool decode_export_section(decode_ctx *c, reader *r)
{
    module_desc *m = c->m;
    uint32_t n = 0;
    if (!reader_u32(r, &n))
        return false;
    uint32_t cap = decode_vec_cap(r, n);
    name_set set = {0};
    if (!decode_alloc(c, (void **)&m->exports, cap, sizeof *m->exports) ||
        !name_set_init(c, &set, cap))
        return false;
    bool ok = true;
    for (uint32_t i = 0; i < n && ok; i++) {
        ok = decode_export(c, r, &m->exports[i]);
        if (ok) {
            m->nexports = i + 1;
            if (!name_set_add(m, &set, i))
                decode_invalid(c, "duplicate export name");
        }
    }
    mem_free(c->owner, MEM_MODULE, set.slots);
    return ok;
}

/* ---- start ------------------------------------------------------------ */

bool decode_start_section(decode_ctx *c, reader *r)
{
    module_desc *m = c->m;
    if (!reader_u32(r, &m->start))
        return false;
    m->has_start = true;
    if (m->start >= m->nfuncs) {
        decode_invalid(c, "unknown function %u", m->start);
    } else {
        const functype *t = m->func_types[m->start] < m->ntypes
                                ? module_func_type(m, m->start) : NULL;
        if (t && (t->nparams != 0 || t->nresults != 0))
            decode_invalid(c, "start function");
    }
    return true;
}

/* ---- elements --------------------------------------------------------- */

static bool decode_elemkind(decode_ctx *c, reader *r, uint8_t *type)
{
    uint8_t b = 0;
    if (!reader_u8(r, &b))
        return false;
    if (b != 0x00)
        return err_set(c->err, "malformed elements kind");
    *type = VT_FUNCREF;
    return true;
}

/* One item given as a function index (flags 0-3). */
static bool decode_elem_func(decode_ctx *c, reader *r, const_expr *item)
{
    uint32_t f = 0;
    if (!reader_u32(r, &f))
        return false;
    if (f >= c->m->nfuncs)
        decode_invalid(c, "unknown function %u", f);
    decode_declare_func(c, f);
    *item = (const_expr){.op = CONST_REF_FUNC, .type = VT_FUNCREF, .value = f};
    return true;
}

/* The items: function indices (flags 0-3) or constant expressions (4-7). */
static bool decode_elem_items(decode_ctx *c, reader *r, elem_desc *e,
                              bool exprs)
{
    uint32_t n = 0;
    if (!reader_u32(r, &n))
        return false;
    if (!decode_alloc(c, (void **)&e->items, decode_vec_cap(r, n), sizeof *e->items))
        return false;
    for (uint32_t i = 0; i < n; i++) {
        if (!(exprs ? decode_const_expr(c, r, e->elemtype, &e->items[i])
                    : decode_elem_func(c, r, &e->items[i])))
            return false;
        e->count = i + 1;
    }
    return true;
}

static bool decode_elem(decode_ctx *c, reader *r, elem_desc *e)
{
    uint32_t flags = 0;
    if (!reader_u32(r, &flags))
        return false;
    if (flags > 7)
        return err_set(c->err, "malformed elements segment kind");
    /* Bit 0: passive or declarative; bit 1: explicit table (active) or
     * declarative (otherwise); bit 2: items are expressions. */
    bool active = !(flags & 1);
    bool exprs = flags & 4;
    e->mode = active ? SEG_ACTIVE : (flags & 2) ? SEG_DECLARATIVE : SEG_PASSIVE;
    e->table = 0;
    e->elemtype = VT_FUNCREF;
    if (active && (flags & 2) && !reader_u32(r, &e->table))
        return false;
    if (active && !decode_const_expr(c, r, VT_I32, &e->offset))
        return false;
    /* Flags 0 and 4 imply funcref; the others spell the type out. */
    if (flags != 0 && flags != 4) {
        if (exprs ? !decode_reftype(c, r, &e->elemtype)
                  : !decode_elemkind(c, r, &e->elemtype))
            return false;
    }
    if (!decode_elem_items(c, r, e, exprs))
        return false;
    if (active) {
        const module_desc *m = c->m;
        if (e->table >= m->ntables)
            decode_invalid(c, "unknown table %u", e->table);
        else if (m->tables[e->table].elemtype != e->elemtype)
            decode_invalid(c, "type mismatch");
    }
    return true;
}

bool decode_elem_section(decode_ctx *c, reader *r)
{
    module_desc *m = c->m;
    uint32_t n = 0;
    if (!reader_u32(r, &n))
        return false;
    if (!decode_alloc(c, (void **)&m->elems, decode_vec_cap(r, n), sizeof *m->elems))
        return false;
    for (uint32_t i = 0; i < n; i++) {
        /* Counted before decoding, so that a failure frees its items. */
        m->nelems = i + 1;
        if (!decode_elem(c, r, &m->elems[i]))
            return false;
    }
    return true;
}

/* ---- data ------------------------------------------------------------- */

bool decode_datacount_section(decode_ctx *c, reader *r)
{
    if (!reader_u32(r, &c->m->data_count))
        return false;
    c->m->has_data_count = true;
    return true;
}

static bool decode_data(decode_ctx *c, reader *r, data_desc *d)
{
    uint32_t flags = 0;
    if (!reader_u32(r, &flags))
        return false;
    if (flags > 2)
        return err_set(c->err, "malformed data segment kind");
    d->mode = flags == 1 ? SEG_PASSIVE : SEG_ACTIVE;
    d->memory = 0;
    if (flags == 2 && !reader_u32(r, &d->memory))
        return false;
    if (d->mode == SEG_ACTIVE) {
        if (!decode_const_expr(c, r, VT_I32, &d->offset))
            return false;
        if (d->memory >= c->m->nmemories)
            decode_invalid(c, "unknown memory %u", d->memory);
    }
    if (!reader_u32(r, &d->len))
        return false;
    return reader_bytes(r, d->len, &d->bytes);
}

bool decode_data_section(decode_ctx *c, reader *r)
{
    module_desc *m = c->m;
    uint32_t n = 0;
    if (!reader_u32(r, &n))
        return false;
    if (!decode_alloc(c, (void **)&m->datas, decode_vec_cap(r, n), sizeof *m->datas))
        return false;
    for (uint32_t i = 0; i < n; i++) {
        if (!decode_data(c, r, &m->datas[i]))
            return false;
        m->ndatas = i + 1;
    }
    c->has_data_section = true;
    return true;
}
