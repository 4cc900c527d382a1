/* Module fields of the text format and the index spaces they define.
 *
 * Two passes over the fields: the first binds every $name to its index
 * (names may be used before their definition) and reads the explicit
 * type definitions; the second parses each field fully and appends its
 * binary encoding to the section it belongs to. Since the text requires
 * imports before definitions, text order is index order in every space. */
#include "wat.h"

#include <string.h>

#include "../decode/reader.h"
#include "text.h"

/* ---- pass 1: names and explicit types ---- */

static const char *const space_dup_name[SP_COUNT] = {
    "func", "table", "memory", "global", "type", "elem", "data"};

static int space_of_keyword(const text_token *t)
{
    if (text_tok_is(t, "func")) return SP_FUNC;
    if (text_tok_is(t, "table")) return SP_TABLE;
    if (text_tok_is(t, "memory")) return SP_MEM;
    if (text_tok_is(t, "global")) return SP_GLOBAL;
    return -1;
}

/* Imports must precede every definition of a function, table, memory or
 * global, so that text order is index order. */
static bool note_import(wat_parser *P, const text_token *at)
{
    if (P->first_def >= 0)
        return wat_fail(P, at, "import after %s",
                        wat_space_name(P->first_def));
    return true;
}

/* func/table/memory/global: the name, whether it is an inline import, and
 * the inline elem/data segments it brings. */
static bool collect_entity(wat_parser *P, int sp, const text_token *kw)
{
    const text_token *id = wat_opt_id(P);
    if (!wat_bind(P, &P->space[sp], id, space_dup_name[sp]))
        return false;
    /* exports are `(export "name")`: skip them without parsing */
    while (wat_at_field(P, "export")) {
        P->pos += 2;
        if (!wat_skip_parens(P))
            return false;
    }
    if (wat_at_field(P, "import"))
        return note_import(P, kw);
    if (P->first_def < 0)
        P->first_def = sp;
    if (sp == SP_TABLE && wat_peek(P)->kind == TOK_KEYWORD &&
        wat_peek2(P)->kind == TOK_LPAR &&
        P->pos + 2 < P->n && text_tok_is(&P->t[P->pos + 2], "elem"))
        return wat_bind(P, &P->space[SP_ELEM], NULL, "elem");
    if (sp == SP_MEM && wat_at_field(P, "data"))
        return wat_bind(P, &P->space[SP_DATA], NULL, "data");
    return true;
}

static bool collect_import(wat_parser *P, const text_token *kw)
{
    if (!wat_expect(P, TOK_STRING) || !wat_expect(P, TOK_STRING) ||
        !wat_expect(P, TOK_LPAR))
        return false;
    const text_token *what = wat_peek(P);
    int sp = space_of_keyword(what);
    if (sp < 0)
        return wat_unexpected(P, what);
    wat_next(P);
    if (!note_import(P, kw))
        return false;
    /* the main loop skips the import itself: skip its descriptor here */
    return wat_bind(P, &P->space[sp], wat_opt_id(P), space_dup_name[sp]) &&
           wat_skip_parens(P);
}

static bool collect(wat_parser *P)
{
    size_t start = P->pos;
    while (wat_peek(P)->kind == TOK_LPAR) {
        wat_next(P);
        const text_token *kw = wat_next(P);
        int sp = space_of_keyword(kw);
        bool ok;
        if (text_tok_is(kw, "type")) {
            ok = wat_type_definition(P);
            if (ok)
                continue;  /* fully read, `)` included */
        } else if (sp >= 0) {
            ok = collect_entity(P, sp, kw);
        } else if (text_tok_is(kw, "import")) {
            ok = collect_import(P, kw);
        } else if (text_tok_is(kw, "elem")) {
            ok = wat_bind(P, &P->space[SP_ELEM], wat_opt_id(P), "elem");
        } else if (text_tok_is(kw, "data")) {
            ok = wat_bind(P, &P->space[SP_DATA], wat_opt_id(P), "data");
        } else if (text_tok_is(kw, "export") || text_tok_is(kw, "start")) {
            ok = true;
        } else {
            ok = wat_unexpected(P, kw);
        }
        if (!ok || !wat_skip_parens(P))
            return false;
    }
    P->nexplicit_types = P->ntypes;
    P->pos = start;
    return true;
}

/* ---- pass 2: fields ---- */

/* A string token as bytes (allocated; the caller frees). */
static uint8_t *string_bytes(wat_parser *P, const text_token *t, size_t *n)
{
    uint8_t *b = mem_alloc(P->owner, MEM_HOST, t->len);
    if (!b) {
        wat_fail(P, t, "out of memory");
        return NULL;
    }
    *n = text_string_bytes(t, b);
    return b;
}

/* A name: a string that must be valid UTF-8, written as vec(byte). */
static bool name(wat_parser *P, wat_buf *out)
{
    const text_token *t = wat_peek(P);
    if (t->kind != TOK_STRING)
        return wat_unexpected(P, t);
    size_t n;
    uint8_t *b = string_bytes(P, t, &n);
    if (!b)
        return false;
    bool ok = utf8_valid(b, n);
    if (ok)
        wat_name_bytes(out, b, n);
    mem_free(P->owner, MEM_HOST, b);
    if (!ok)
        return wat_fail(P, t, "malformed UTF-8 encoding");
    wat_next(P);
    return true;
}

static bool inline_exports(wat_parser *P, uint8_t kind, uint32_t index)
{
    while (wat_at_field(P, "export")) {
        P->pos += 2;
        if (!name(P, &P->sec[SEC_EXPORT]) || !wat_expect(P, TOK_RPAR))
            return false;
        wat_u8(&P->sec[SEC_EXPORT], kind);
        wat_u32(&P->sec[SEC_EXPORT], index);
        P->count[SEC_EXPORT]++;
    }
    return true;
}

/* `(import "m" "n")` inside a definition: writes the two names. */
static bool inline_import(wat_parser *P, bool *is_import)
{
    *is_import = false;
    if (!wat_at_field(P, "import"))
        return true;
    P->pos += 2;
    *is_import = true;
    P->count[SEC_IMPORT]++;
    return name(P, &P->sec[SEC_IMPORT]) && name(P, &P->sec[SEC_IMPORT]) &&
           wat_expect(P, TOK_RPAR);
}

static bool limits(wat_parser *P, wat_buf *out)
{
    uint32_t min, max;
    if (!wat_u32_literal(P, &min))
        return false;
    if (wat_peek(P)->kind == TOK_NUM) {
        if (!wat_u32_literal(P, &max))
            return false;
        wat_u8(out, 1);
        wat_u32(out, min);
        wat_u32(out, max);
    } else {
        wat_u8(out, 0);
        wat_u32(out, min);
    }
    return true;
}

static bool tabletype(wat_parser *P, wat_buf *out)
{
    wat_buf lim;
    wat_buf_init(&lim, P->owner);
    uint8_t rt;
    bool ok = limits(P, &lim) && wat_reftype(P, &rt);
    if (ok) {
        wat_u8(out, rt);
        wat_bytes(out, lim.p, lim.len);
    }
    wat_buf_free(&lim);
    return ok;
}

static bool globaltype(wat_parser *P, wat_buf *out)
{
    uint8_t vt;
    if (wat_at_field(P, "mut")) {
        P->pos += 2;
        if (!wat_valtype(P, &vt) || !wat_expect(P, TOK_RPAR))
            return false;
        wat_u8(out, vt);
        wat_u8(out, 1);
        return true;
    }
    if (!wat_valtype(P, &vt))
        return false;
    wat_u8(out, vt);
    wat_u8(out, 0);
    return true;
}

static void reset_function_state(wat_parser *P)
{
    P->locals.n = 0;
    P->labels.n = 0;
    P->nlocal_types = 0;
}

/* Locals as the binary groups them: runs of one type. */
static void emit_locals(wat_parser *P, size_t first, wat_buf *out)
{
    uint32_t groups = 0;
    for (size_t i = first; i < P->nlocal_types; i++)
        if (i == first || P->local_types[i] != P->local_types[i - 1])
            groups++;
    wat_u32(out, groups);
    for (size_t i = first; i < P->nlocal_types;) {
        size_t j = i;
        while (j < P->nlocal_types && P->local_types[j] == P->local_types[i])
            j++;
        wat_u32(out, (uint32_t)(j - i));
        wat_u8(out, P->local_types[i]);
        i = j;
    }
}

static bool func_field(wat_parser *P)
{
    uint32_t index = P->cur[SP_FUNC]++;
    wat_opt_id(P);
    bool is_import;
    if (!inline_exports(P, 0, index) || !inline_import(P, &is_import))
        return false;
    reset_function_state(P);
    uint32_t typeidx;
    if (!wat_typeuse(P, true, &typeidx))
        return false;
    if (is_import) {
        wat_u8(&P->sec[SEC_IMPORT], 0);
        wat_u32(&P->sec[SEC_IMPORT], typeidx);
        return wat_expect(P, TOK_RPAR);
    }
    wat_u32(&P->sec[SEC_FUNC], typeidx);
    P->count[SEC_FUNC]++;
    size_t nparams = P->nlocal_types;
    while (wat_at_field(P, "local")) {
        P->pos += 2;
        if (wat_peek(P)->kind == TOK_ID) {
            const text_token *id = wat_next(P);
            uint8_t vt;
            if (!wat_valtype(P, &vt) || !wat_push_local(P, id, vt))
                return false;
        } else {
            while (wat_peek(P)->kind != TOK_RPAR) {
                uint8_t vt;
                if (!wat_valtype(P, &vt) || !wat_push_local(P, NULL, vt))
                    return false;
            }
        }
        if (!wat_expect(P, TOK_RPAR))
            return false;
    }
    wat_buf body;
    wat_buf_init(&body, P->owner);
    emit_locals(P, nparams, &body);
    bool ok = wat_instrs(P, &body) && wat_expect(P, TOK_RPAR);
    wat_u8(&body, 0x0b);
    if (ok && body.failed)
        ok = wat_fail(P, wat_peek(P), "out of memory");
    if (ok) {
        wat_u32(&P->sec[SEC_CODE], (uint32_t)body.len);
        wat_bytes(&P->sec[SEC_CODE], body.p, body.len);
        P->count[SEC_CODE]++;
    }
    wat_buf_free(&body);
    return ok;
}

/* The items of an elem segment: `func x*`, `reftype elemexpr*`, or (for
 * the legacy/inline forms, `funcs_only`) a bare list of function indices.
 * Items are written as expressions to `exprs` and, while every item is a
 * plain ref.func, as indices to `funcs`. */
typedef struct elem_items {
    uint8_t reftype;
    uint32_t count;
    bool all_funcs;
    wat_buf funcs, exprs;
} elem_items;

static bool elem_func_index(wat_parser *P, elem_items *it)
{
    uint32_t f;
    if (!wat_index(P, SP_FUNC, &f))
        return false;
    wat_u32(&it->funcs, f);
    wat_u8(&it->exprs, 0xd2);
    wat_u32(&it->exprs, f);
    wat_u8(&it->exprs, 0x0b);
    it->count++;
    return true;
}

/* Is exprs[start..] exactly `ref.func f end`? */
static bool lone_ref_func(const wat_buf *b, size_t start, uint32_t *f)
{
    if (b->failed || b->len - start < 3 || b->p[start] != 0xd2)
        return false;
    uint32_t v = 0;
    size_t i = start + 1;
    for (int shift = 0; i < b->len && shift < 35; shift += 7) {
        uint8_t byte = b->p[i++];
        v |= (uint32_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80))
            break;
    }
    *f = v;
    return i + 1 == b->len && b->p[i] == 0x0b;
}

static bool elem_expr(wat_parser *P, elem_items *it)
{
    size_t start = it->exprs.len;
    bool ok;
    if (wat_at_field(P, "item")) {
        P->pos += 2;
        ok = wat_instrs(P, &it->exprs) && wat_expect(P, TOK_RPAR);
    } else {
        ok = wat_folded(P, &it->exprs);
    }
    if (!ok)
        return false;
    wat_u8(&it->exprs, 0x0b);
    uint32_t f;
    if (it->all_funcs && lone_ref_func(&it->exprs, start, &f))
        wat_u32(&it->funcs, f);
    else
        it->all_funcs = false;
    it->count++;
    return true;
}

static bool elem_list(wat_parser *P, elem_items *it, bool bare_ok)
{
    it->reftype = 0x70;
    it->count = 0;
    it->all_funcs = true;
    if (text_tok_is(wat_peek(P), "func")) {
        wat_next(P);
        while (wat_at_index(P))
            if (!elem_func_index(P, it))
                return false;
        return true;
    }
    if (wat_peek(P)->kind == TOK_KEYWORD) {
        if (!wat_reftype(P, &it->reftype))
            return false;
        if (it->reftype != 0x70)
            it->all_funcs = false;
        while (wat_peek(P)->kind == TOK_LPAR)
            if (!elem_expr(P, it))
                return false;
        return true;
    }
    if (!bare_ok && wat_peek(P)->kind != TOK_RPAR)
        return wat_unexpected(P, wat_peek(P));
    if (wat_peek(P)->kind == TOK_LPAR) {  /* inline table: expressions */
        it->all_funcs = true;
        while (wat_peek(P)->kind == TOK_LPAR)
            if (!elem_expr(P, it))
                return false;
        return true;
    }
    while (wat_at_index(P))
        if (!elem_func_index(P, it))
            return false;
    return true;
}

/* Writes one element segment. mode: 0 active, 1 passive, 2 declarative. */
static void emit_elem(wat_parser *P, int mode, uint32_t table,
                      const wat_buf *offset, elem_items *it)
{
    wat_buf *s = &P->sec[SEC_ELEM];
    bool funcs = it->all_funcs;
    uint8_t flags;
    if (mode == 0)
        flags = (uint8_t)((table != 0 || (!funcs && it->reftype != 0x70))
                              ? 2 : 0);
    else
        flags = mode == 1 ? 1 : 3;
    if (!funcs)
        flags |= 4;
    wat_u8(s, flags);
    if (flags & 2 && mode == 0)
        wat_u32(s, table);
    if (mode == 0)
        wat_bytes(s, offset->p, offset->len);
    if (flags & 3)
        wat_u8(s, funcs ? 0x00 : it->reftype);
    wat_u32(s, it->count);
    if (funcs)
        wat_bytes(s, it->funcs.p, it->funcs.len);
    else
        wat_bytes(s, it->exprs.p, it->exprs.len);
    P->count[SEC_ELEM]++;
}

static void items_init(wat_parser *P, elem_items *it)
{
    wat_buf_init(&it->funcs, P->owner);
    wat_buf_init(&it->exprs, P->owner);
}

static void items_free(elem_items *it)
{
    wat_buf_free(&it->funcs);
    wat_buf_free(&it->exprs);
}

static bool table_field(wat_parser *P)
{
    uint32_t index = P->cur[SP_TABLE]++;
    wat_opt_id(P);
    bool is_import;
    if (!inline_exports(P, 1, index) || !inline_import(P, &is_import))
        return false;
    if (is_import) {
        wat_u8(&P->sec[SEC_IMPORT], 1);
        return tabletype(P, &P->sec[SEC_IMPORT]) && wat_expect(P, TOK_RPAR);
    }
    P->count[SEC_TABLE]++;
    if (wat_peek(P)->kind != TOK_KEYWORD)
        return tabletype(P, &P->sec[SEC_TABLE]) && wat_expect(P, TOK_RPAR);
    /* reftype (elem ...): a table exactly as large as its segment */
    uint8_t rt;
    if (!wat_reftype(P, &rt) || !wat_expect(P, TOK_LPAR) ||
        !wat_expect_kw(P, "elem"))
        return false;
    P->cur[SP_ELEM]++;
    elem_items it;
    items_init(P, &it);
    bool ok = elem_list(P, &it, true) && wat_expect(P, TOK_RPAR) &&
              wat_expect(P, TOK_RPAR);
    if (ok) {
        it.reftype = rt;
        if (rt != 0x70)
            it.all_funcs = false;
        wat_u8(&P->sec[SEC_TABLE], rt);
        wat_u8(&P->sec[SEC_TABLE], 1);
        wat_u32(&P->sec[SEC_TABLE], it.count);
        wat_u32(&P->sec[SEC_TABLE], it.count);
        uint8_t zero[] = {0x41, 0x00, 0x0b};
        wat_buf off = {P->owner, zero, sizeof zero, sizeof zero, false};
        emit_elem(P, 0, index, &off, &it);
    }
    items_free(&it);
    return ok;
}

/* Concatenated string tokens up to `)`, as bytes. */
static bool strings(wat_parser *P, wat_buf *out)
{
    while (wat_peek(P)->kind == TOK_STRING) {
        size_t n;
        uint8_t *b = string_bytes(P, wat_next(P), &n);
        if (!b)
            return false;
        wat_bytes(out, b, n);
        mem_free(P->owner, MEM_HOST, b);
    }
    return true;
}

static void emit_data(wat_parser *P, bool active, uint32_t mem,
                      const uint8_t *offset, size_t offset_len,
                      const wat_buf *bytes)
{
    wat_buf *s = &P->sec[SEC_DATA];
    if (!active) {
        wat_u8(s, 1);
    } else if (mem == 0) {
        wat_u8(s, 0);
    } else {
        wat_u8(s, 2);
        wat_u32(s, mem);
    }
    if (active)
        wat_bytes(s, offset, offset_len);
    wat_name_bytes(s, bytes->p, bytes->len);
    P->count[SEC_DATA]++;
}

static bool memory_field(wat_parser *P)
{
    uint32_t index = P->cur[SP_MEM]++;
    wat_opt_id(P);
    bool is_import;
    if (!inline_exports(P, 2, index) || !inline_import(P, &is_import))
        return false;
    if (is_import) {
        wat_u8(&P->sec[SEC_IMPORT], 2);
        return limits(P, &P->sec[SEC_IMPORT]) && wat_expect(P, TOK_RPAR);
    }
    P->count[SEC_MEM]++;
    if (!wat_at_field(P, "data"))
        return limits(P, &P->sec[SEC_MEM]) && wat_expect(P, TOK_RPAR);
    P->pos += 2;
    P->cur[SP_DATA]++;
    wat_buf bytes;
    wat_buf_init(&bytes, P->owner);
    bool ok = strings(P, &bytes) && wat_expect(P, TOK_RPAR) &&
              wat_expect(P, TOK_RPAR);
    if (ok) {
        uint32_t pages = (uint32_t)((bytes.len + 65535) / 65536);
        wat_u8(&P->sec[SEC_MEM], 1);
        wat_u32(&P->sec[SEC_MEM], pages);
        wat_u32(&P->sec[SEC_MEM], pages);
        static const uint8_t zero[] = {0x41, 0x00, 0x0b};
        emit_data(P, true, index, zero, sizeof zero, &bytes);
    }
    wat_buf_free(&bytes);
    return ok;
}

static bool global_field(wat_parser *P)
{
    uint32_t index = P->cur[SP_GLOBAL]++;
    wat_opt_id(P);
    bool is_import;
    if (!inline_exports(P, 3, index) || !inline_import(P, &is_import))
        return false;
    if (is_import) {
        wat_u8(&P->sec[SEC_IMPORT], 3);
        return globaltype(P, &P->sec[SEC_IMPORT]) && wat_expect(P, TOK_RPAR);
    }
    P->count[SEC_GLOBAL]++;
    reset_function_state(P);
    return globaltype(P, &P->sec[SEC_GLOBAL]) &&
           wat_expr(P, &P->sec[SEC_GLOBAL]) && wat_expect(P, TOK_RPAR);
}

static bool import_field(wat_parser *P)
{
    wat_buf *s = &P->sec[SEC_IMPORT];
    if (!name(P, s) || !name(P, s) || !wat_expect(P, TOK_LPAR))
        return false;
    P->count[SEC_IMPORT]++;
    const text_token *kw = wat_next(P);
    int sp = space_of_keyword(kw);
    if (sp < 0)
        return wat_unexpected(P, kw);
    P->cur[sp]++;
    wat_opt_id(P);
    bool ok;
    switch (sp) {
    case SP_FUNC: {
        uint32_t typeidx;
        reset_function_state(P);
        ok = wat_typeuse(P, true, &typeidx);
        wat_u8(s, 0);
        wat_u32(s, typeidx);
        break;
    }
    case SP_TABLE:
        wat_u8(s, 1);
        ok = tabletype(P, s);
        break;
    case SP_MEM:
        wat_u8(s, 2);
        ok = limits(P, s);
        break;
    default:
        wat_u8(s, 3);
        ok = globaltype(P, s);
        break;
    }
    return ok && wat_expect(P, TOK_RPAR) && wat_expect(P, TOK_RPAR);
}

static bool export_field(wat_parser *P)
{
    wat_buf *s = &P->sec[SEC_EXPORT];
    if (!name(P, s) || !wat_expect(P, TOK_LPAR))
        return false;
    const text_token *kw = wat_peek(P);
    int sp = space_of_keyword(kw);
    if (sp < 0)
        return wat_unexpected(P, kw);
    wat_next(P);
    uint32_t index;
    if (!wat_index(P, sp, &index))
        return false;
    wat_u8(s, (uint8_t)sp);
    wat_u32(s, index);
    P->count[SEC_EXPORT]++;
    return wat_expect(P, TOK_RPAR) && wat_expect(P, TOK_RPAR);
}

static bool start_field(wat_parser *P, const text_token *kw)
{
    if (P->has_start)
        return wat_fail(P, kw, "multiple start sections");
    P->has_start = true;
    uint32_t f;
    if (!wat_index(P, SP_FUNC, &f))
        return false;
    wat_u32(&P->sec[SEC_START], f);
    return wat_expect(P, TOK_RPAR);
}

/* `(offset instr*)` or one folded instruction, as an expression. */
static bool offset_expr(wat_parser *P, wat_buf *out)
{
    reset_function_state(P);
    if (wat_at_field(P, "offset")) {
        P->pos += 2;
        return wat_expr(P, out) && wat_expect(P, TOK_RPAR);
    }
    if (wat_peek(P)->kind != TOK_LPAR)
        return wat_unexpected(P, wat_peek(P));
    bool ok = wat_folded(P, out);
    wat_u8(out, 0x0b);
    return ok;
}

static bool elem_field(wat_parser *P)
{
    P->cur[SP_ELEM]++;
    wat_opt_id(P);
    reset_function_state(P);
    int mode = 1;
    uint32_t table = 0;
    wat_buf offset;
    wat_buf_init(&offset, P->owner);
    bool ok = true;
    if (text_tok_is(wat_peek(P), "declare")) {
        wat_next(P);
        mode = 2;
    } else if (wat_at_field(P, "table")) {
        P->pos += 2;
        mode = 0;
        ok = wat_index(P, SP_TABLE, &table) && wat_expect(P, TOK_RPAR) &&
             offset_expr(P, &offset);
    } else if (wat_at_index(P) && wat_peek2(P)->kind == TOK_LPAR) {
        mode = 0;  /* legacy: a bare table index */
        ok = wat_index(P, SP_TABLE, &table) && offset_expr(P, &offset);
    } else if (wat_peek(P)->kind == TOK_LPAR) {
        mode = 0;
        ok = offset_expr(P, &offset);
    }
    elem_items it;
    items_init(P, &it);
    ok = ok && elem_list(P, &it, mode == 0) && wat_expect(P, TOK_RPAR);
    if (ok)
        emit_elem(P, mode, table, &offset, &it);
    items_free(&it);
    wat_buf_free(&offset);
    return ok;
}

static bool data_field(wat_parser *P)
{
    P->cur[SP_DATA]++;
    wat_opt_id(P);
    bool active = false;
    uint32_t mem = 0;
    wat_buf offset, bytes;
    wat_buf_init(&offset, P->owner);
    wat_buf_init(&bytes, P->owner);
    bool ok = true;
    if (wat_at_field(P, "memory")) {
        P->pos += 2;
        active = true;
        ok = wat_index(P, SP_MEM, &mem) && wat_expect(P, TOK_RPAR) &&
             offset_expr(P, &offset);
    } else if (wat_at_index(P) && wat_peek2(P)->kind == TOK_LPAR) {
        active = true;  /* legacy: a bare memory index */
        ok = wat_index(P, SP_MEM, &mem) && offset_expr(P, &offset);
    } else if (wat_peek(P)->kind == TOK_LPAR) {
        active = true;
        ok = offset_expr(P, &offset);
    }
    ok = ok && strings(P, &bytes) && wat_expect(P, TOK_RPAR);
    if (ok)
        emit_data(P, active, mem, offset.p, offset.len, &bytes);
    wat_buf_free(&offset);
    wat_buf_free(&bytes);
    return ok;
}

static bool field(wat_parser *P)
{
    if (!wat_expect(P, TOK_LPAR))
        return false;
    const text_token *kw = wat_next(P);
    if (text_tok_is(kw, "type"))
        return wat_skip_parens(P);  /* read in pass 1 */
    if (text_tok_is(kw, "func"))
        return func_field(P);
    if (text_tok_is(kw, "table"))
        return table_field(P);
    if (text_tok_is(kw, "memory"))
        return memory_field(P);
    if (text_tok_is(kw, "global"))
        return global_field(P);
    if (text_tok_is(kw, "import"))
        return import_field(P);
    if (text_tok_is(kw, "export"))
        return export_field(P);
    if (text_tok_is(kw, "start"))
        return start_field(P, kw);
    if (text_tok_is(kw, "elem"))
        return elem_field(P);
    if (text_tok_is(kw, "data"))
        return data_field(P);
    return wat_unexpected(P, kw);
}

/* ---- assembly ---- */

static void emit_types(wat_parser *P)
{
    wat_buf *s = &P->sec[SEC_TYPE];
    for (size_t i = 0; i < P->ntypes; i++) {
        const wat_functype *ft = &P->types[i];
        wat_u8(s, 0x60);
        wat_name_bytes(s, ft->types, ft->nparams);
        wat_name_bytes(s, ft->types + ft->nparams, ft->nresults);
    }
    P->count[SEC_TYPE] = (uint32_t)P->ntypes;
}

/* One subsection of the name section: id, size, contents. */
static void name_subsection(wat_buf *out, uint8_t id, const wat_buf *body)
{
    wat_u8(out, id);
    wat_u32(out, (uint32_t)body->len);
    wat_bytes(out, body->p, body->len);
    if (body->failed)
        out->failed = true;
}

/* The custom `name` section with the module's and the functions' $names
 * (without the `$`), so that traps and backtraces can name them. */
static void emit_name_section(wat_parser *P, wat_buf *m)
{
    const wat_space *funcs = &P->space[SP_FUNC];
    uint32_t named = 0;
    for (size_t i = 0; i < funcs->n; i++)
        named += funcs->v[i].p != NULL;
    if (!named && !P->module_id)
        return;
    wat_buf sec, sub;
    wat_buf_init(&sec, P->owner);
    wat_buf_init(&sub, P->owner);
    wat_name_bytes(&sec, (const uint8_t *)"name", 4);
    if (P->module_id) {
        wat_name_bytes(&sub, (const uint8_t *)P->module_id->p + 1,
                       P->module_id->len - 1);
        name_subsection(&sec, 0, &sub);
        sub.len = 0;
    }
    if (named) {
        wat_u32(&sub, named);
        for (size_t i = 0; i < funcs->n; i++) {
            if (!funcs->v[i].p)
                continue;
            wat_u32(&sub, (uint32_t)i);
            wat_name_bytes(&sub, (const uint8_t *)funcs->v[i].p + 1,
                           funcs->v[i].len - 1);
        }
        name_subsection(&sec, 1, &sub);
    }
    wat_u8(m, 0);
    wat_u32(m, (uint32_t)sec.len);
    wat_bytes(m, sec.p, sec.len);
    if (sec.failed)
        m->failed = true;
    wat_buf_free(&sec);
    wat_buf_free(&sub);
}

static const uint8_t section_id[SEC_COUNT] = {1, 2, 3, 4, 5, 6, 7, 8, 9,
                                              12, 10, 11};

static bool join_sections(wat_parser *P, uint8_t **out, size_t *out_len)
{
    static const uint8_t header[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
    emit_types(P);
    wat_buf m;
    wat_buf_init(&m, P->owner);
    wat_bytes(&m, header, sizeof header);
    for (int i = 0; i < SEC_COUNT; i++) {
        wat_buf *s = &P->sec[i];
        bool vector = i != SEC_START && i != SEC_DATACOUNT;
        if (i == SEC_DATACOUNT) {
            if (!P->uses_data_index)
                continue;
            wat_u32(s, (uint32_t)P->space[SP_DATA].n);
        } else if (vector ? P->count[i] == 0 : s->len == 0) {
            continue;
        }
        wat_buf head;
        wat_buf_init(&head, P->owner);
        if (vector)
            wat_u32(&head, P->count[i]);
        wat_u8(&m, section_id[i]);
        wat_u32(&m, (uint32_t)(head.len + s->len));
        wat_bytes(&m, head.p, head.len);
        wat_bytes(&m, s->p, s->len);
        if (head.failed || s->failed)
            m.failed = true;
        wat_buf_free(&head);
    }
    emit_name_section(P, &m);
    if (m.failed) {
        wat_buf_free(&m);
        return wat_fail(P, wat_peek(P), "out of memory");
    }
    *out = m.p;
    *out_len = m.len;
    return true;
}

static void parser_free(wat_parser *P)
{
    for (int i = 0; i < SP_COUNT; i++)
        mem_free(P->owner, MEM_HOST, P->space[i].v);
    for (size_t i = 0; i < P->ntypes; i++)
        mem_free(P->owner, MEM_HOST, P->types[i].types);
    mem_free(P->owner, MEM_HOST, P->types);
    for (int i = 0; i < SEC_COUNT; i++)
        wat_buf_free(&P->sec[i]);
    mem_free(P->owner, MEM_HOST, P->locals.v);
    mem_free(P->owner, MEM_HOST, P->labels.v);
    mem_free(P->owner, MEM_HOST, P->local_types);
}

/* The bytes of `(module binary "..."*)` or of a quoted module. */
static bool module_strings(wat_parser *P, bool quote, uint8_t **out,
                           size_t *out_len)
{
    wat_buf b;
    wat_buf_init(&b, P->owner);
    bool ok = strings(P, &b) && wat_expect(P, TOK_RPAR) &&
              wat_expect(P, TOK_EOF);
    if (ok && b.failed)
        ok = wat_fail(P, wat_peek(P), "out of memory");
    if (ok && quote) {
        err_t inner;
        err_clear(&inner);
        ok = text_wat_to_binary(P->owner, (const char *)b.p, b.len, out,
                                out_len, &inner);
        if (!ok)
            err_set(P->err, "%s", inner.msg);
        wat_buf_free(&b);
        return ok;
    }
    if (!ok) {
        wat_buf_free(&b);
        return false;
    }
    if (!b.p) {  /* an empty binary still needs a block to hand out */
        wat_u8(&b, 0);
        b.len = 0;
    }
    *out = b.p;
    *out_len = b.len;
    return !b.failed || wat_fail(P, wat_peek(P), "out of memory");
}

bool wat_module_tokens(mem_owner *owner, const text_token *t, size_t n,
                       uint8_t **out, size_t *out_len, err_t *err)
{
    wat_parser P;
    memset(&P, 0, sizeof P);
    P.owner = owner;
    P.t = t;
    P.n = n;
    P.err = err;
    P.first_def = -1;
    const text_token *last = n ? &t[n - 1] : NULL;
    P.eof = (text_token){TOK_EOF, last ? last->line : 1,
                         last ? last->col + (uint32_t)last->len : 1,
                         last ? last->p + last->len : "", 0};
    if (n && t[n - 1].kind == TOK_EOF)
        P.n = n - 1;
    for (int i = 0; i < SEC_COUNT; i++)
        wat_buf_init(&P.sec[i], owner);
    err_clear(err);

    bool ok = true;
    bool wrapped = wat_at_field(&P, "module");
    if (wrapped) {
        P.pos += 2;
        P.module_id = wat_opt_id(&P);
        if (text_tok_is(wat_peek(&P), "binary") ||
            text_tok_is(wat_peek(&P), "quote")) {
            bool quote = text_tok_is(wat_next(&P), "quote");
            ok = module_strings(&P, quote, out, out_len);
            parser_free(&P);
            return ok;
        }
    }
    ok = collect(&P);
    while (ok && wat_peek(&P)->kind == TOK_LPAR)
        ok = field(&P);
    if (ok && wrapped)
        ok = wat_expect(&P, TOK_RPAR);
    if (ok)
        ok = wat_expect(&P, TOK_EOF);
    if (ok)
        ok = join_sections(&P, out, out_len);
    parser_free(&P);
    return ok;
}

bool text_wat_to_binary(mem_owner *owner, const char *src, size_t len,
                        uint8_t **out, size_t *out_len, err_t *err)
{
    text_token *toks;
    size_t n;
    if (!text_lex(owner, src, len, &toks, &n, err))
        return false;
    bool ok = wat_module_tokens(owner, toks, n, out, out_len, err);
    mem_free(owner, MEM_HOST, toks);
    return ok;
}
