/* What every part of the WAT parser shares: the token cursor, the wording
 * of text errors, index spaces and their $names, value types, and type
 * uses with the implicit type definitions they may add. */
#include "wat.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../opcodes.h"

/* ---- cursor ---- */

const text_token *wat_peek(wat_parser *P)
{
    return P->pos < P->n ? &P->t[P->pos] : &P->eof;
}

const text_token *wat_peek2(wat_parser *P)
{
    return P->pos + 1 < P->n ? &P->t[P->pos + 1] : &P->eof;
}

const text_token *wat_next(wat_parser *P)
{
    const text_token *t = wat_peek(P);
    if (P->pos < P->n)
        P->pos++;
    return t;
}

bool wat_fail(wat_parser *P, const text_token *at, const char *fmt, ...)
{
    if (err_failed(P->err))  /* keep the first error */
        return false;
    char msg[ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_set(P->err, "%u:%u: %s", at->line, at->col, msg);
}

static bool starts_with(const text_token *t, const char *prefix)
{
    size_t n = strlen(prefix);
    return t->len >= n && memcmp(t->p, prefix, n) == 0;
}

/* Keywords the grammar knows somewhere: a known word in the wrong place is
 * an "unexpected token", any other word an "unknown operator". */
static bool is_known_word(const text_token *t)
{
    static const char *const words[] = {
        "module", "type", "func", "param", "result", "local", "import",
        "export", "table", "memory", "global", "elem", "data", "start",
        "offset", "item", "declare", "then", "mut", "funcref",
        "externref", "extern", "i32", "i64", "f32", "f64", "inf", "nan",
        "binary", "quote", "register", "invoke", "get", "assert_return",
        "assert_trap", "assert_exhaustion", "assert_malformed",
        "assert_invalid", "assert_unlinkable", "assert_uninstantiable",
        "nan:canonical", "nan:arithmetic", "ref.extern", "v128", "i8x16",
        "i16x8", "i32x4", "i64x2", "f32x4", "f64x2"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (text_tok_is(t, words[i]))
            return true;
    for (int i = 0; i < OP_COUNT; i++)
        if (text_tok_is(t, op_table[i].text))
            return true;
    return starts_with(t, "offset=") || starts_with(t, "align=") ||
           starts_with(t, "nan:0x");
}

bool wat_unexpected(wat_parser *P, const text_token *at)
{
    int n = at->len > 60 ? 60 : (int)at->len;
    switch (at->kind) {
    case TOK_EOF:
        return wat_fail(P, at, "unexpected end of input");
    case TOK_KEYWORD:
        if (!is_known_word(at))
            return wat_fail(P, at, "unknown operator %.*s", n, at->p);
        break;
    case TOK_RESERVED:
        return wat_fail(P, at, "unknown operator %.*s", n, at->p);
    default:
        break;
    }
    return wat_fail(P, at, "unexpected token %.*s", n, at->p);
}

bool wat_expect(wat_parser *P, uint8_t kind)
{
    if (wat_peek(P)->kind != kind)
        return wat_unexpected(P, wat_peek(P));
    wat_next(P);
    return true;
}

bool wat_expect_kw(wat_parser *P, const char *kw)
{
    if (!text_tok_is(wat_peek(P), kw))
        return wat_unexpected(P, wat_peek(P));
    wat_next(P);
    return true;
}

bool wat_at_field(wat_parser *P, const char *kw)
{
    return wat_peek(P)->kind == TOK_LPAR && text_tok_is(wat_peek2(P), kw);
}

bool wat_skip_parens(wat_parser *P)
{
    size_t depth = 1;
    while (depth > 0) {
        const text_token *t = wat_next(P);
        if (t->kind == TOK_EOF)
            return wat_unexpected(P, t);
        if (t->kind == TOK_LPAR)
            depth++;
        else if (t->kind == TOK_RPAR)
            depth--;
    }
    return true;
}

/* ---- index spaces ---- */

static const char *const space_unknown_name[SP_COUNT] = {
    "function", "table", "memory", "global", "type", "elem segment",
    "data segment"};

const char *wat_space_name(int sp)
{
    return space_unknown_name[sp];
}

static bool name_eq(const wat_name *a, const text_token *id)
{
    return a->p && a->len == id->len && memcmp(a->p, id->p, id->len) == 0;
}

bool wat_bind(wat_parser *P, wat_space *s, const text_token *id,
              const char *what)
{
    if (id) {
        for (size_t i = 0; i < s->n; i++)
            if (name_eq(&s->v[i], id))
                return wat_fail(P, id, "duplicate %s %.*s", what,
                                (int)id->len, id->p);
    }
    if (!mem_grow_array(P->owner, MEM_HOST, (void **)&s->v, &s->cap,
                        s->n + 1, sizeof *s->v))
        return wat_fail(P, wat_peek(P), "out of memory");
    s->v[s->n++] = id ? (wat_name){id->p, (uint32_t)id->len}
                      : (wat_name){NULL, 0};
    return true;
}

bool wat_lookup(wat_space *s, const text_token *id, uint32_t *out)
{
    for (size_t i = 0; i < s->n; i++)
        if (name_eq(&s->v[i], id)) {
            *out = (uint32_t)i;
            return true;
        }
    return false;
}

bool wat_u32_literal(wat_parser *P, uint32_t *out)
{
    const text_token *t = wat_peek(P);
    uint64_t v;
    if (t->kind != TOK_NUM)
        return wat_unexpected(P, t);
    switch (wat_parse_nat(t->p, t->len, &v)) {
    case NUM_MALFORMED:
        return wat_fail(P, t, "unknown operator %.*s", (int)t->len, t->p);
    case NUM_RANGE:
        return wat_fail(P, t, "i32 constant out of range");
    default:
        break;
    }
    if (v > UINT32_MAX)
        return wat_fail(P, t, "i32 constant out of range");
    wat_next(P);
    *out = (uint32_t)v;
    return true;
}

bool wat_at_index(wat_parser *P)
{
    uint8_t k = wat_peek(P)->kind;
    return k == TOK_NUM || k == TOK_ID;
}

bool wat_index(wat_parser *P, int sp, uint32_t *out)
{
    const text_token *t = wat_peek(P);
    if (t->kind == TOK_ID) {
        if (!wat_lookup(&P->space[sp], t, out))
            return wat_fail(P, t, "unknown %s %.*s", space_unknown_name[sp],
                            (int)t->len, t->p);
        wat_next(P);
        return true;
    }
    return wat_u32_literal(P, out);
}

/* ---- types ---- */

bool wat_valtype(wat_parser *P, uint8_t *out)
{
    static const struct { const char *kw; uint8_t code; } vts[] = {
        {"i32", 0x7f}, {"i64", 0x7e}, {"f32", 0x7d}, {"f64", 0x7c},
        {"v128", 0x7b}, {"funcref", 0x70}, {"externref", 0x6f}};
    const text_token *t = wat_peek(P);
    for (size_t i = 0; i < sizeof vts / sizeof *vts; i++)
        if (text_tok_is(t, vts[i].kw)) {
            *out = vts[i].code;
            wat_next(P);
            return true;
        }
    return wat_unexpected(P, t);
}

bool wat_reftype(wat_parser *P, uint8_t *out)
{
    const text_token *t = wat_peek(P);
    if (text_tok_is(t, "funcref") || text_tok_is(t, "externref"))
        return wat_valtype(P, out);
    return wat_unexpected(P, t);
}

static bool functype_eq(const wat_functype *ft, const uint8_t *params,
                        uint32_t np, const uint8_t *results, uint32_t nr)
{
    return ft->nparams == np && ft->nresults == nr &&
           (np == 0 || memcmp(ft->types, params, np) == 0) &&
           (nr == 0 || memcmp(ft->types + np, results, nr) == 0);
}

static bool add_type(wat_parser *P, const uint8_t *params, uint32_t np,
                     const uint8_t *results, uint32_t nr)
{
    if (!mem_grow_array(P->owner, MEM_HOST, (void **)&P->types,
                        &P->types_cap, P->ntypes + 1, sizeof *P->types))
        return wat_fail(P, wat_peek(P), "out of memory");
    wat_functype *ft = &P->types[P->ntypes];
    ft->types = mem_alloc(P->owner, MEM_HOST, (size_t)np + nr + 1);
    if (!ft->types)
        return wat_fail(P, wat_peek(P), "out of memory");
    ft->nparams = np;
    ft->nresults = nr;
    if (np)
        memcpy(ft->types, params, np);
    if (nr)
        memcpy(ft->types + np, results, nr);
    P->ntypes++;
    return true;
}

bool wat_find_or_add_type(wat_parser *P, const uint8_t *params, uint32_t np,
                          const uint8_t *results, uint32_t nr,
                          uint32_t *out)
{
    for (size_t i = 0; i < P->ntypes; i++)
        if (functype_eq(&P->types[i], params, np, results, nr)) {
            *out = (uint32_t)i;
            return true;
        }
    *out = (uint32_t)P->ntypes;
    return add_type(P, params, np, results, nr);
}

bool wat_push_local(wat_parser *P, const text_token *id, uint8_t type)
{
    if (!wat_bind(P, &P->locals, id, "local"))
        return false;
    if (!mem_grow_array(P->owner, MEM_HOST, (void **)&P->local_types,
                        &P->local_types_cap, P->nlocal_types + 1, 1))
        return wat_fail(P, wat_peek(P), "out of memory");
    P->local_types[P->nlocal_types++] = type;
    return true;
}

/* `(param ...)` or `(result ...)`, the `(` and keyword already read. An id
 * (only with `bind`) names a single parameter. */
static bool param_list(wat_parser *P, int bind, wat_buf *out)
{
    const text_token *id = NULL;
    if (wat_peek(P)->kind == TOK_ID) {
        if (!bind)
            return wat_unexpected(P, wat_peek(P));
        id = wat_next(P);
        uint8_t vt;
        if (!wat_valtype(P, &vt))
            return false;
        wat_u8(out, vt);
        if (bind == 2 && !wat_push_local(P, id, vt))
            return false;
        return wat_expect(P, TOK_RPAR);
    }
    while (wat_peek(P)->kind != TOK_RPAR) {
        uint8_t vt;
        if (!wat_valtype(P, &vt))
            return false;
        wat_u8(out, vt);
        if (bind == 2 && !wat_push_local(P, NULL, vt))
            return false;
    }
    return wat_expect(P, TOK_RPAR);
}

/* `bind` is 0 (no ids), 1 (ids allowed, ignored: type definitions) or 2
 * (ids bound as locals: function headers). */
static bool sig_lists(wat_parser *P, int bind, wat_buf *params,
                      wat_buf *results)
{
    while (wat_at_field(P, "param")) {
        P->pos += 2;
        if (!param_list(P, bind, params))
            return false;
    }
    while (wat_at_field(P, "result")) {
        P->pos += 2;
        if (!param_list(P, 0, results))
            return false;
    }
    if (wat_at_field(P, "param"))  /* params must come first */
        return wat_unexpected(P, wat_peek2(P));
    return true;
}

bool wat_typeuse_parts(wat_parser *P, bool bind_names, bool *has_type,
                       uint32_t *x, wat_buf *params, wat_buf *results)
{
    *has_type = false;
    if (wat_at_field(P, "type")) {
        P->pos += 2;
        if (!wat_index(P, SP_TYPE, x) || !wat_expect(P, TOK_RPAR))
            return false;
        *has_type = true;
    }
    return sig_lists(P, bind_names ? 2 : 0, params, results);
}

bool wat_typeuse(wat_parser *P, bool bind_names, uint32_t *typeidx)
{
    wat_buf params, results;
    wat_buf_init(&params, P->owner);
    wat_buf_init(&results, P->owner);
    const text_token *at = wat_peek(P);
    bool has_type;
    bool ok = wat_typeuse_parts(P, bind_names, &has_type, typeidx, &params,
                                &results);
    if (ok && (params.failed || results.failed))
        ok = wat_fail(P, at, "out of memory");
    if (ok && has_type) {
        bool inline_sig = params.len || results.len;
        if (*typeidx >= P->ntypes) {
            if (inline_sig)
                ok = wat_fail(P, at, "unknown type");
        } else {
            const wat_functype *ft = &P->types[*typeidx];
            if (inline_sig &&
                !functype_eq(ft, params.p, (uint32_t)params.len, results.p,
                             (uint32_t)results.len))
                ok = wat_fail(P, at, "inline function type");
            /* without inline params, the named type's params are the
             * function's first locals, unnamed */
            if (bind_names && !params.len)
                for (uint32_t i = 0; ok && i < ft->nparams; i++)
                    ok = wat_push_local(P, NULL, ft->types[i]);
        }
    } else if (ok) {
        ok = wat_find_or_add_type(P, params.p, (uint32_t)params.len,
                                  results.p, (uint32_t)results.len, typeidx);
    }
    wat_buf_free(&params);
    wat_buf_free(&results);
    return ok;
}

const text_token *wat_opt_id(wat_parser *P)
{
    return wat_peek(P)->kind == TOK_ID ? wat_next(P) : NULL;
}

/* `(type $id? (func ...))` after its keyword, `)` included. */
bool wat_type_definition(wat_parser *P)
{
    const text_token *id = wat_opt_id(P);
    if (!wat_bind(P, &P->space[SP_TYPE], id, "type"))
        return false;
    if (!wat_expect(P, TOK_LPAR) || !wat_expect_kw(P, "func"))
        return false;
    wat_buf params, results;
    wat_buf_init(&params, P->owner);
    wat_buf_init(&results, P->owner);
    bool ok = sig_lists(P, 1, &params, &results) &&
              wat_expect(P, TOK_RPAR) && wat_expect(P, TOK_RPAR);
    if (ok && (params.failed || results.failed))
        ok = wat_fail(P, wat_peek(P), "out of memory");
    if (ok)
        ok = add_type(P, params.p, (uint32_t)params.len, results.p,
                      (uint32_t)results.len);
    wat_buf_free(&params);
    wat_buf_free(&results);
    return ok;
}
