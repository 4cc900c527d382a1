/* Types and the sections that declare entities: type, import, function,
 * table, memory and global. */
#include "decode_internal.h"

#define MAX_PAGES 65536u

bool decode_valtype(decode_ctx *c, reader *r, uint8_t *out)
{
    uint8_t b = 0;
    if (!reader_u8(r, &b))
        return false;
    switch (b) {
    case VT_I32: case VT_I64: case VT_F32: case VT_F64: case VT_V128:
    case VT_FUNCREF: case VT_EXTERNREF:
        *out = b;
        return true;
    default:
        return err_set(c->err, "malformed value type");
    }
}

bool decode_reftype(decode_ctx *c, reader *r, uint8_t *out)
{
    uint8_t b = 0;
    if (!reader_u8(r, &b))
        return false;
    if (!valtype_is_ref(b))
        return err_set(c->err, "malformed reference type");
    *out = b;
    return true;
}

/* The limits flag is a one-bit LEB128: a continuation bit is "too long",
 * any other bit "too large" (what the spec's tests expect). */
static bool decode_limits(decode_ctx *c, reader *r, limits *out)
{
    uint8_t flag = 0;
    if (!reader_u8(r, &flag))
        return false;
    if (flag & 0x80)
        return err_set(c->err, "integer representation too long");
    if (flag > 1)
        return err_set(c->err, "integer too large");
    out->has_max = flag == 1;
    out->max = 0;
    if (!reader_u32(r, &out->min))
        return false;
    if (out->has_max && !reader_u32(r, &out->max))
        return false;
    return true;
}

static void check_min_max(decode_ctx *c, const limits *l)
{
    if (l->has_max && l->min > l->max)
        decode_invalid(c, "size minimum must not be greater than maximum");
}

bool decode_tabletype(decode_ctx *c, reader *r, tabletype *out)
{
    if (!decode_reftype(c, r, &out->elemtype) || !decode_limits(c, r, &out->lim))
        return false;
    check_min_max(c, &out->lim);
    return true;
}

bool decode_memtype(decode_ctx *c, reader *r, memtype *out)
{
    if (!decode_limits(c, r, &out->lim))
        return false;
    /* The range is checked before the order, as the spec does. */
    if (out->lim.min > MAX_PAGES || (out->lim.has_max && out->lim.max > MAX_PAGES))
        decode_invalid(c, "memory size must be at most 65536 pages (4GiB)");
    check_min_max(c, &out->lim);
    return true;
}

bool decode_globaltype(decode_ctx *c, reader *r, globaltype *out)
{
    uint8_t mut = 0;
    if (!decode_valtype(c, r, &out->type) || !reader_u8(r, &mut))
        return false;
    if (mut > 1)
        return err_set(c->err, "malformed mutability");
    out->mut = mut == 1;
    return true;
}

/* A vector of value types, validated in place: the types are single
 * bytes in Wasm 2.0, so the bytes themselves are the result. */
static bool decode_valtype_vec(decode_ctx *c, reader *r, uint32_t *n,
                               const uint8_t **start)
{
    if (!reader_u32(r, n))
        return false;
    *start = r->p;
    for (uint32_t i = 0; i < *n; i++) {
        uint8_t t = 0;
        if (!decode_valtype(c, r, &t))
            return false;
    }
    return true;
}

static bool decode_functype(decode_ctx *c, reader *r, functype *out)
{
    uint8_t form = 0;
    if (!reader_u8(r, &form))
        return false;
    if (form & 0x80)
        return err_set(c->err, "integer representation too long");
    if (form != 0x60)
        return err_set(c->err, "malformed functype");
    uint32_t np = 0, nr = 0;
    const uint8_t *params = NULL, *results = NULL;
    if (!decode_valtype_vec(c, r, &np, &params) ||
        !decode_valtype_vec(c, r, &nr, &results))
        return false;
    if (!decode_alloc(c, (void **)&out->types, (size_t)np + nr, 1))
        return false;
    for (uint32_t i = 0; i < np; i++)
        out->types[i] = params[i];
    for (uint32_t i = 0; i < nr; i++)
        out->types[np + i] = results[i];
    out->nparams = np;
    out->nresults = nr;
    return true;
}

bool decode_type_section(decode_ctx *c, reader *r)
{
    module_desc *m = c->m;
    uint32_t n = 0;
    if (!reader_u32(r, &n))
        return false;
    if (!decode_alloc(c, (void **)&m->types, decode_vec_cap(r, n), sizeof *m->types))
        return false;
    for (uint32_t i = 0; i < n; i++) {
        if (!decode_functype(c, r, &m->types[i]))
            return false;
        m->ntypes = i + 1;
    }
    return true;
}

static void check_type_index(decode_ctx *c, uint32_t t)
{
    if (t >= c->m->ntypes)
        decode_invalid(c, "unknown type %u", t);
}

static bool decode_import_desc(decode_ctx *c, reader *r, import_desc *im)
{
    if (!reader_u8(r, &im->kind))
        return false;
    switch (im->kind) {
    case EXTERN_FUNC:
        if (!reader_u32(r, &im->u.func_type))
            return false;
        check_type_index(c, im->u.func_type);
        return true;
    case EXTERN_TABLE:
        return decode_tabletype(c, r, &im->u.table);
    case EXTERN_MEMORY:
        return decode_memtype(c, r, &im->u.memory);
    case EXTERN_GLOBAL:
        return decode_globaltype(c, r, &im->u.global);
    default:
        return err_set(c->err, "malformed import kind");
    }
}

/* Imported entities open their index spaces; the defining sections
 * append to the same arrays. */
static bool build_imported_spaces(decode_ctx *c)
{
    module_desc *m = c->m;
    uint32_t nf = 0, nt = 0, nm = 0, ng = 0;
    for (uint32_t i = 0; i < m->nimports; i++) {
        switch (m->imports[i].kind) {
        case EXTERN_FUNC: nf++; break;
        case EXTERN_TABLE: nt++; break;
        case EXTERN_MEMORY: nm++; break;
        default: ng++; break;
        }
    }
    if (!decode_alloc(c, (void **)&m->func_types, nf, sizeof *m->func_types) ||
        !decode_alloc(c, (void **)&m->tables, nt, sizeof *m->tables) ||
        !decode_alloc(c, (void **)&m->memories, nm, sizeof *m->memories) ||
        !decode_alloc(c, (void **)&m->globals, ng, sizeof *m->globals))
        return false;
    for (uint32_t i = 0; i < m->nimports; i++) {
        const import_desc *im = &m->imports[i];
        switch (im->kind) {
        case EXTERN_FUNC: m->func_types[m->nfuncs++] = im->u.func_type; break;
        case EXTERN_TABLE: m->tables[m->ntables++] = im->u.table; break;
        case EXTERN_MEMORY: m->memories[m->nmemories++] = im->u.memory; break;
        default: m->globals[m->nglobals++] = im->u.global; break;
        }
    }
    m->nimported_funcs = nf;
    m->nimported_tables = nt;
    m->nimported_memories = nm;
    m->nimported_globals = ng;
    return true;
}

bool decode_import_section(decode_ctx *c, reader *r)
{
    module_desc *m = c->m;
    uint32_t n = 0;
    if (!reader_u32(r, &n))
        return false;
    if (!decode_alloc(c, (void **)&m->imports, decode_vec_cap(r, n), sizeof *m->imports))
        return false;
    for (uint32_t i = 0; i < n; i++) {
        import_desc *im = &m->imports[i];
        if (!reader_name(r, &im->module, &im->module_len) ||
            !reader_name(r, &im->name, &im->name_len) ||
            !decode_import_desc(c, r, im))
            return false;
        m->nimports = i + 1;
    }
    return build_imported_spaces(c);
}

bool decode_function_section(decode_ctx *c, reader *r)
{
    module_desc *m = c->m;
    uint32_t n = 0;
    if (!reader_u32(r, &n))
        return false;
    uint32_t cap = decode_vec_cap(r, n);
    if (!decode_grow(c, (void **)&m->func_types, (size_t)m->nfuncs + cap,
                     sizeof *m->func_types))
        return false;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t t = 0;
        if (!reader_u32(r, &t))
            return false;
        check_type_index(c, t);
        m->func_types[m->nfuncs++] = t;
    }
    c->nfunc_decls = n;
    return true;
}

bool decode_table_section(decode_ctx *c, reader *r)
{
    module_desc *m = c->m;
    uint32_t n = 0;
    if (!reader_u32(r, &n))
        return false;
    uint32_t cap = decode_vec_cap(r, n);
    if (!decode_grow(c, (void **)&m->tables, (size_t)m->ntables + cap, sizeof *m->tables))
        return false;
    for (uint32_t i = 0; i < n; i++) {
        if (!decode_tabletype(c, r, &m->tables[m->ntables]))
            return false;
        m->ntables++;
    }
    return true;
}

bool decode_memory_section(decode_ctx *c, reader *r)
{
    module_desc *m = c->m;
    uint32_t n = 0;
    if (!reader_u32(r, &n))
        return false;
    uint32_t cap = decode_vec_cap(r, n);
    if (!decode_grow(c, (void **)&m->memories, (size_t)m->nmemories + cap,
                     sizeof *m->memories))
        return false;
    for (uint32_t i = 0; i < n; i++) {
        if (!decode_memtype(c, r, &m->memories[m->nmemories]))
            return false;
        m->nmemories++;
    }
    return true;
}

bool decode_global_section(decode_ctx *c, reader *r)
{
    module_desc *m = c->m;
    uint32_t n = 0;
    if (!reader_u32(r, &n))
        return false;
    uint32_t cap = decode_vec_cap(r, n);
    if (!decode_grow(c, (void **)&m->globals, (size_t)m->nglobals + cap,
                     sizeof *m->globals) ||
        !decode_alloc(c, (void **)&m->global_inits, cap, sizeof *m->global_inits))
        return false;
    for (uint32_t i = 0; i < n; i++) {
        globaltype *g = &m->globals[m->nglobals];
        if (!decode_globaltype(c, r, g) ||
            !decode_const_expr(c, r, g->type, &m->global_inits[i]))
            return false;
        m->nglobals++;
    }
    return true;
}
