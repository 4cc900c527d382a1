/* decode_module: the header, the section loop (order, sizes, custom
 * sections) and the checks that need the whole module. The sections
 * themselves are read in decode_types.c (types and declarations),
 * decode_segments.c (exports, start, elements, data) and decode_code.c
 * (bodies); decode_instr.c reads instruction sequences, decode_const.c
 * validates constant expressions, decode_names.c reads the name section.
 *
 * Malformed bytes fail at once. Validation errors are recorded (the first
 * one wins) and reported only if the whole binary is well-formed, which is
 * the order the spec's tests expect. */
#include "decode_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum {
    SEC_CUSTOM = 0,
    SEC_TYPE = 1,
    SEC_IMPORT = 2,
    SEC_FUNCTION = 3,
    SEC_TABLE = 4,
    SEC_MEMORY = 5,
    SEC_GLOBAL = 6,
    SEC_EXPORT = 7,
    SEC_START = 8,
    SEC_ELEM = 9,
    SEC_CODE = 10,
    SEC_DATA = 11,
    SEC_DATACOUNT = 12,
};

bool decode_invalid(decode_ctx *c, const char *fmt, ...)
{
    if (err_failed(&c->invalid))
        return true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->invalid.msg, sizeof c->invalid.msg, fmt, ap);
    va_end(ap);
    if (!c->invalid.msg[0])
        c->invalid.msg[0] = '?', c->invalid.msg[1] = 0;
    return true;
}

bool decode_alloc(decode_ctx *c, void **out, size_t count, size_t size)
{
    *out = mem_calloc(c->owner, MEM_MODULE, count ? count : 1, size);
    if (!*out)
        return err_set(c->err, "out of memory decoding module");
    return true;
}

bool decode_grow(decode_ctx *c, void **arr, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return err_set(c->err, "out of memory decoding module");
    void *p = mem_realloc(c->owner, MEM_MODULE, *arr, count ? count * size : 1);
    if (!p)
        return err_set(c->err, "out of memory decoding module");
    *arr = p;
    return true;
}

void decode_declare_func(decode_ctx *c, uint32_t f)
{
    module_desc *m = c->m;
    if (f >= m->nfuncs)
        return;
    /* Allocated on first use: every section that can declare a function
     * comes after the function section, so nfuncs is final by then. */
    if (!m->func_declared) {
        m->func_declared = mem_calloc(c->owner, MEM_MODULE, m->nfuncs / 8 + 1, 1);
        if (!m->func_declared) {
            c->out_of_memory = true; /* reported after the section loop */
            return;
        }
    }
    m->func_declared[f >> 3] |= (uint8_t)(1u << (f & 7));
}

/* Position of a section id in the required order (the data count section
 * sits between element and code); 0 for an unknown id. */
static int section_rank(uint8_t id)
{
    static const int8_t rank[13] = {
        [SEC_TYPE] = 1,   [SEC_IMPORT] = 2, [SEC_FUNCTION] = 3,
        [SEC_TABLE] = 4,  [SEC_MEMORY] = 5, [SEC_GLOBAL] = 6,
        [SEC_EXPORT] = 7, [SEC_START] = 8,  [SEC_ELEM] = 9,
        [SEC_DATACOUNT] = 10, [SEC_CODE] = 11, [SEC_DATA] = 12,
    };
    return id < 13 ? rank[id] : 0;
}

/* `r` runs to the end of the section here: a custom section's payload is
 * whatever follows its name. */
static bool decode_custom_section(decode_ctx *c, reader *r)
{
    const char *name = NULL;
    uint32_t name_len = 0;
    if (!reader_name(r, &name, &name_len))
        return false;
    if (name_len == 4 && memcmp(name, "name", 4) == 0 && !c->name_sec) {
        c->name_sec = r->p;
        c->name_sec_len = reader_left(r);
    }
    r->p = r->end; /* the payload is not ours to check */
    return true;
}

static bool decode_section(decode_ctx *c, uint8_t id, reader *r)
{
    switch (id) {
    case SEC_CUSTOM: return decode_custom_section(c, r);
    case SEC_TYPE: return decode_type_section(c, r);
    case SEC_IMPORT: return decode_import_section(c, r);
    case SEC_FUNCTION: return decode_function_section(c, r);
    case SEC_TABLE: return decode_table_section(c, r);
    case SEC_MEMORY: return decode_memory_section(c, r);
    case SEC_GLOBAL: return decode_global_section(c, r);
    case SEC_EXPORT: return decode_export_section(c, r);
    case SEC_START: return decode_start_section(c, r);
    case SEC_ELEM: return decode_elem_section(c, r);
    case SEC_DATACOUNT: return decode_datacount_section(c, r);
    case SEC_CODE: return decode_code_section(c, r);
    case SEC_DATA: return decode_data_section(c, r);
    default: return err_set(c->err, "malformed section id");
    }
}

static bool decode_header(reader *r)
{
    static const uint8_t magic[4] = {0x00, 0x61, 0x73, 0x6d};
    static const uint8_t version[4] = {0x01, 0x00, 0x00, 0x00};
    const uint8_t *b = NULL;
    if (!reader_bytes(r, 4, &b))
        return false;
    if (memcmp(b, magic, 4) != 0)
        return err_set(r->err, "magic header not detected");
    if (!reader_bytes(r, 4, &b))
        return false;
    /* A component (component model, layer 1) shares the magic number;
     * say what it is rather than only that its version is unknown: the
     * component layer (src/component/) takes it, the core decoder not. */
    if (memcmp(b, version, 4) != 0 && b[2] == 0x01 && b[3] == 0x00)
        return err_set(r->err, "unknown binary version: a component, "
                               "not a core module");
    if (memcmp(b, version, 4) != 0)
        return err_set(r->err, "unknown binary version");
    return true;
}

static bool decode_sections(decode_ctx *c, reader *r)
{
    int last_rank = 0;
    while (!reader_eof(r)) {
        uint8_t id = 0;
        uint32_t size = 0;
        if (!reader_u8(r, &id))
            return false;
        int rank = section_rank(id);
        if (id != SEC_CUSTOM) {
            if (rank == 0)
                return err_set(c->err, "malformed section id");
            if (rank <= last_rank)
                return err_set(c->err, "unexpected content after last section");
            last_rank = rank;
        }
        if (!reader_u32(r, &size))
            return false;
        if (size > reader_left(r))
            return err_set(c->err, "length out of bounds");
        /* Like the spec's reference decoder, a section is read on past
         * its declared size if need be (so a LEB128 that crosses the end
         * is still "too long"), then its size is checked. Only custom
         * sections stop at their size: their payload fills the rest. */
        const uint8_t *sec_end = r->p + size;
        reader sec;
        reader_init(&sec, r->p, id == SEC_CUSTOM ? size : reader_left(r),
                    c->base, c->err);
        if (!decode_section(c, id, &sec))
            return false;
        if (sec.p != sec_end)
            return err_set(c->err, "section size mismatch");
        r->p = sec_end;
    }
    return true;
}

/* Index spaces must exist even when their sections are absent. */
static bool finish_arrays(decode_ctx *c)
{
    module_desc *m = c->m;
    if (!m->types && !decode_alloc(c, (void **)&m->types, 0, sizeof *m->types))
        return false;
    if (!m->func_types &&
        !decode_alloc(c, (void **)&m->func_types, 0, sizeof *m->func_types))
        return false;
    if (!m->tables && !decode_alloc(c, (void **)&m->tables, 0, sizeof *m->tables))
        return false;
    if (!m->memories &&
        !decode_alloc(c, (void **)&m->memories, 0, sizeof *m->memories))
        return false;
    if (!m->globals && !decode_alloc(c, (void **)&m->globals, 0, sizeof *m->globals))
        return false;
    if (!m->global_inits &&
        !decode_alloc(c, (void **)&m->global_inits, 0, sizeof *m->global_inits))
        return false;
    if (!m->codes && !decode_alloc(c, (void **)&m->codes, 0, sizeof *m->codes))
        return false;
    if (!m->func_declared &&
        !decode_alloc(c, (void **)&m->func_declared, m->nfuncs / 8 + 1, 1))
        return false;
    if (!m->func_names) {
        if (!decode_alloc(c, (void **)&m->func_names, m->nfuncs, sizeof *m->func_names))
            return false;
        if (!decode_alloc(c, (void **)&m->func_name_lens, m->nfuncs,
                          sizeof *m->func_name_lens))
            return false;
    }
    if (c->name_sec)
        decode_name_section(c);
    return true;
}

static bool check_whole_module(decode_ctx *c)
{
    module_desc *m = c->m;
    if (c->out_of_memory)
        return err_set(c->err, "out of memory decoding module");
    if (c->nfunc_decls != c->ncodes)
        return err_set(c->err, "function and code section have inconsistent lengths");
    if (m->has_data_count && m->data_count != m->ndatas)
        return err_set(c->err, "data count and data section have inconsistent lengths");
    /* Without a data section the data index is unknown anyway; leaving
     * that to the validator gives the message a text module expects
     * whether or not its encoder wrote a data count section. */
    if (c->uses_data_index && !m->has_data_count && c->has_data_section)
        return err_set(c->err, "data count section required");
    if (m->nmemories > 1)
        decode_invalid(c, "multiple memories");
    return true;
}

static bool decode_all(mem_owner *owner, const uint8_t *bytes, size_t len,
                       module_desc *out, err_t *err, bool lazy_bodies)
{
    static const uint8_t nothing[1];
    err_t local_err;
    if (!err)
        err = &local_err;
    if (!bytes) /* no arithmetic on a null pointer, even for len 0 */
        bytes = nothing, len = 0;
    memset(out, 0, sizeof *out);
    err_clear(err);
    decode_ctx c;
    memset(&c, 0, sizeof c);
    c.owner = owner;
    c.m = out;
    c.base = bytes;
    c.len = len;
    c.err = err;
    c.lazy_bodies = lazy_bodies;
    reader r;
    reader_init(&r, bytes, len, bytes, err);
    bool ok = decode_header(&r) && decode_sections(&c, &r) &&
              check_whole_module(&c) && finish_arrays(&c);
    if (ok && err_failed(&c.invalid)) {
        memcpy(err->msg, c.invalid.msg, sizeof err->msg);
        ok = false;
    }
    if (!ok) {
        if (!err_failed(err))
            err_set(err, "malformed module");
        module_desc_free(owner, out);
    }
    return ok;
}

bool decode_module(mem_owner *owner, const uint8_t *bytes, size_t len,
                   module_desc *out, err_t *err)
{
    return decode_all(owner, bytes, len, out, err, false);
}

bool decode_module_lazy(mem_owner *owner, const uint8_t *bytes, size_t len,
                        module_desc *out, err_t *err)
{
    if (decode_all(owner, bytes, len, out, err, true))
        return true;
    /* The skipped pass may hold a malformed byte that ranks above the
     * error found: decode again in full for the spec's message. */
    return decode_module(owner, bytes, len, out, err);
}
