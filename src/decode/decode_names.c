/* The `name` custom section (spec appendix 7.4): the module's name and
 * the functions' names, for traps and backtraces. It is debugging
 * information, so a malformed one is ignored as a whole, never an error. */
#include "decode_internal.h"

#include <string.h>

enum { NAME_MODULE = 0, NAME_FUNCTION = 1 };

static bool read_module_name(decode_ctx *c, reader *r)
{
    const char *s = NULL;
    uint32_t n = 0;
    if (!reader_name(r, &s, &n))
        return false;
    c->m->module_name = s;
    c->m->module_name_len = n;
    return reader_eof(r);
}

/* A name map: function indices in increasing order, each with a name. */
static bool read_function_names(decode_ctx *c, reader *r)
{
    module_desc *m = c->m;
    uint32_t n = 0;
    if (!reader_u32(r, &n))
        return false;
    uint64_t prev = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t f = 0;
        const char *s = NULL;
        uint32_t len = 0;
        if (!reader_u32(r, &f) || !reader_name(r, &s, &len))
            return false;
        if (i > 0 && f <= prev)
            return false;
        prev = f;
        if (f < m->nfuncs) {
            m->func_names[f] = s;
            m->func_name_lens[f] = len;
        }
    }
    return reader_eof(r);
}

static bool read_subsections(decode_ctx *c, reader *r)
{
    int last_id = -1;
    while (!reader_eof(r)) {
        uint8_t id = 0;
        uint32_t size = 0;
        if (!reader_u8(r, &id) || !reader_u32(r, &size) || size > reader_left(r))
            return false;
        if ((int)id <= last_id)
            return false; /* out of order or repeated */
        last_id = id;
        reader sub;
        reader_init(&sub, r->p, size, r->base, r->err);
        r->p += size;
        if (id == NAME_MODULE && !read_module_name(c, &sub))
            return false;
        if (id == NAME_FUNCTION && !read_function_names(c, &sub))
            return false;
        /* Other subsections (locals, labels, ...) are skipped. */
    }
    return true;
}

void decode_name_section(decode_ctx *c)
{
    module_desc *m = c->m;
    err_t ignored;
    reader r;
    reader_init(&r, c->name_sec, c->name_sec_len, c->base, &ignored);
    if (read_subsections(c, &r))
        return;
    m->module_name = NULL;
    m->module_name_len = 0;
    memset(m->func_names, 0, (size_t)m->nfuncs * sizeof *m->func_names);
    memset(m->func_name_lens, 0, (size_t)m->nfuncs * sizeof *m->func_name_lens);
}
