/* The code section: each body's size, its local declarations and the
 * bounds of its instructions. The instructions themselves are validated
 * by the compiler. */
#include "decode_internal.h"

static bool decode_locals(decode_ctx *c, reader *r, code_desc *code)
{
    uint32_t n = 0;
    if (!reader_u32(r, &n))
        return false;
    if (!decode_alloc(c, (void **)&code->groups, decode_vec_cap(r, n),
                      sizeof *code->groups))
        return false;
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        local_group *g = &code->groups[i];
        if (!reader_u32(r, &g->count) || !decode_valtype(c, r, &g->type))
            return false;
        code->ngroups = i + 1;
        /* The spec's limit is 2^32-1 in all; the engine's is lower. */
        total += g->count;
        if (total > DECODE_MAX_LOCALS)
            return err_set(c->err, "too many locals");
    }
    code->nlocals = (uint32_t)total;
    return true;
}

/* Like the spec's reference decoder, a body is read up to its final
 * `end` wherever that is, and only then compared with its declared size,
 * so that a malformed instruction is reported as such even when the size
 * is wrong too. */
static bool decode_body(decode_ctx *c, reader *r, code_desc *code)
{
    uint32_t size = 0;
    if (!reader_u32(r, &size))
        return false;
    if (size > reader_left(r))
        return err_set(c->err, "length out of bounds");
    const uint8_t *declared_end = r->p + size;
    if (!decode_locals(c, r, code))
        return false;
    const uint8_t *body = r->p;
    if (c->lazy_bodies) {
        if (body > declared_end)
            return err_set(c->err, "section size mismatch");
        r->p = declared_end; /* the translator reads the rest */
    } else {
        if (!decode_instr_seq(c, r, NULL, NULL))
            return false;
        if (r->p != declared_end)
            return err_set(c->err, "section size mismatch");
    }
    code->body = body;
    code->body_len = (uint32_t)(declared_end - body);
    code->body_offset = (uint32_t)(body - c->base);
    return true;
}

bool decode_code_section(decode_ctx *c, reader *r)
{
    module_desc *m = c->m;
    uint32_t n = 0;
    if (!reader_u32(r, &n))
        return false;
    if (!decode_alloc(c, (void **)&m->codes, decode_vec_cap(r, n), sizeof *m->codes))
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (!decode_body(c, r, &m->codes[i]))
            return false;
    c->ncodes = n;
    return true;
}
