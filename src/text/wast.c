/* Spec test scripts: the command grammar of the spec interpreter's README
 * (module, register, invoke, get, assert_*), over the same tokens as the
 * text format. Modules are turned into binary bytes right here, so the
 * runner only ever sees binaries; a text error is kept as data. */
#include "wast.h"

#include <string.h>

#include "lexer.h"
#include "text.h"
#include "wat.h"

typedef struct wast_parser {
    mem_owner *owner;
    const text_token *t;
    size_t n, pos;
    err_t *err;
    wast_script *out;
    size_t cap;
} wast_parser;

static const text_token *peek(wast_parser *S)
{
    return &S->t[S->pos < S->n ? S->pos : S->n - 1];
}

static const text_token *peek_at(wast_parser *S, size_t k)
{
    return &S->t[S->pos + k < S->n ? S->pos + k : S->n - 1];
}

static const text_token *next(wast_parser *S)
{
    const text_token *t = peek(S);
    if (S->pos < S->n - 1)
        S->pos++;
    return t;
}

static bool fail(wast_parser *S, const text_token *t, const char *msg)
{
    int n = t->len > 60 ? 60 : (int)t->len;
    return err_set(S->err, "%u:%u: %s %.*s", t->line, t->col, msg, n, t->p);
}

static bool expect(wast_parser *S, uint8_t kind)
{
    if (peek(S)->kind != kind)
        return fail(S, peek(S), "unexpected token");
    next(S);
    return true;
}

static bool at_form(wast_parser *S, const char *kw)
{
    return peek(S)->kind == TOK_LPAR && text_tok_is(peek_at(S, 1), kw);
}

static bool oom(wast_parser *S)
{
    return fail(S, peek(S), "out of memory");
}

/* A string token as a NUL-terminated allocation. */
static bool string(wast_parser *S, char **out, size_t *len)
{
    const text_token *t = peek(S);
    if (t->kind != TOK_STRING)
        return fail(S, t, "expected a string, got");
    char *b = mem_alloc(S->owner, MEM_HOST, t->len);
    if (!b)
        return oom(S);
    size_t n = text_string_bytes(t, (uint8_t *)b);
    b[n] = 0;  /* room: the quotes are gone */
    *out = b;
    if (len)
        *len = n;
    next(S);
    return true;
}

static bool opt_id(wast_parser *S, char **out)
{
    *out = NULL;
    if (peek(S)->kind != TOK_ID)
        return true;
    const text_token *t = next(S);
    *out = mem_strndup(S->owner, MEM_HOST, t->p, t->len);
    return *out || oom(S);
}

/* Index of the `)` closing the `(` at S->pos. */
static bool matching_paren(wast_parser *S, size_t *end)
{
    size_t depth = 0;
    for (size_t i = S->pos; i < S->n; i++) {
        if (S->t[i].kind == TOK_LPAR)
            depth++;
        else if (S->t[i].kind == TOK_RPAR && --depth == 0) {
            *end = i;
            return true;
        }
    }
    return fail(S, peek(S), "unclosed");
}

static bool module(wast_parser *S, wast_module *m)
{
    size_t start = S->pos, end = 0;
    if (!at_form(S, "module"))
        return fail(S, peek(S), "expected a module, got");
    if (!matching_paren(S, &end))
        return false;
    S->pos += 2;
    if (!opt_id(S, &m->id))
        return false;
    m->kind = text_tok_is(peek(S), "binary") ? WM_BINARY
              : text_tok_is(peek(S), "quote") ? WM_QUOTE
                                              : WM_TEXT;
    err_t e;
    if (!wat_module_tokens(S->owner, S->t + start, end - start + 1,
                           &m->bytes, &m->len, &e)) {
        m->bytes = NULL;
        m->len = 0;
        m->text_error = mem_strndup(S->owner, MEM_HOST, e.msg,
                                    strlen(e.msg));
        if (!m->text_error)
            return oom(S);
    }
    S->pos = end + 1;
    return true;
}

/* ---- values ---- */

static bool lane_value(wast_parser *S, const text_token *t, int kind,
                       uint64_t *bits, uint8_t *pattern)
{
    wat_num_result r = NUM_MALFORMED;
    *pattern = WP_EXACT;
    if (kind == WV_F32 || kind == WV_F64) {
        if (text_tok_is(t, "nan:canonical") ||
            text_tok_is(t, "nan:arithmetic")) {
            *pattern = text_tok_is(t, "nan:canonical") ? WP_NAN_CANONICAL
                                                       : WP_NAN_ARITHMETIC;
            *bits = kind == WV_F32 ? 0x7fc00000 : UINT64_C(0x7ff8000000000000);
            return true;
        }
        if (kind == WV_F32) {
            uint32_t b;
            r = wat_parse_f32(S->owner, t->p, t->len, &b);
            *bits = b;
        } else {
            r = wat_parse_f64(S->owner, t->p, t->len, bits);
        }
    } else {
        r = wat_parse_int(t->p, t->len, kind == WV_I64 ? 64 : 32, bits);
    }
    if (r != NUM_OK)
        return fail(S, t, "bad constant");
    return true;
}

/* `(v128.const shape lane*)`: lanes packed little-endian. Float lanes may
 * be NaN patterns (nan:canonical, nan:arithmetic), kept per lane with
 * the shape so that results are compared lane by lane. */
static bool v128_value(wast_parser *S, wast_value *v)
{
    static const struct { const char *shape; int lanes, bits, kind; } shapes[] = {
        {"i8x16", 16, 8, WV_I32}, {"i16x8", 8, 16, WV_I32},
        {"i32x4", 4, 32, WV_I32}, {"i64x2", 2, 64, WV_I64},
        {"f32x4", 4, 32, WV_F32}, {"f64x2", 2, 64, WV_F64}};
    const text_token *t = next(S);
    size_t k = 0;
    while (k < 6 && !text_tok_is(t, shapes[k].shape))
        k++;
    if (k == 6)
        return fail(S, t, "unknown v128 shape");
    uint8_t bytes[16] = {0};
    for (int i = 0; i < shapes[k].lanes; i++) {
        uint64_t bits;
        uint8_t pattern;
        const text_token *lt = next(S);
        int kind = shapes[k].kind;
        if (kind == WV_I32 && shapes[k].bits < 32) {
            /* narrow lanes: signed or unsigned lane values */
            if (wat_parse_int(lt->p, lt->len, (unsigned)shapes[k].bits,
                              &bits) != NUM_OK)
                return fail(S, lt, "bad constant");
        } else if (!lane_value(S, lt, kind, &bits, &pattern)) {
            return false;
        } else if (kind == WV_F32 || kind == WV_F64) {
            v->lane_patterns[i] = pattern;
        }
        int nb = shapes[k].bits / 8;
        for (int j = 0; j < nb; j++)
            bytes[i * nb + j] = (uint8_t)(bits >> (8 * j));
    }
    for (int j = 0; j < 8; j++) {
        v->bits |= (uint64_t)bytes[j] << (8 * j);
        v->bits_hi |= (uint64_t)bytes[8 + j] << (8 * j);
    }
    v->kind = WV_V128;
    v->shape = (uint8_t)k;
    return true;
}

static bool value(wast_parser *S, wast_value *v)
{
    memset(v, 0, sizeof *v);
    if (!expect(S, TOK_LPAR))
        return false;
    const text_token *kw = next(S);
    static const struct { const char *kw; int kind; } consts[] = {
        {"i32.const", WV_I32}, {"i64.const", WV_I64},
        {"f32.const", WV_F32}, {"f64.const", WV_F64}};
    bool ok = true;
    size_t k = 0;
    while (k < 4 && !text_tok_is(kw, consts[k].kw))
        k++;
    if (k < 4) {
        v->kind = (uint8_t)consts[k].kind;
        ok = lane_value(S, next(S), consts[k].kind, &v->bits, &v->pattern);
    } else if (text_tok_is(kw, "v128.const")) {
        ok = v128_value(S, v);
    } else if (text_tok_is(kw, "ref.null")) {
        const text_token *ht = next(S);
        if (text_tok_is(ht, "func"))
            v->kind = WV_FUNCREF;
        else if (text_tok_is(ht, "extern"))
            v->kind = WV_EXTERNREF;
        else
            return fail(S, ht, "unknown heap type");
        v->pattern = WP_REF_NULL;
    } else if (text_tok_is(kw, "ref.extern") || text_tok_is(kw, "ref.func")) {
        v->kind = text_tok_is(kw, "ref.extern") ? WV_EXTERNREF : WV_FUNCREF;
        v->pattern = WP_REF_ANY;
        if (peek(S)->kind == TOK_NUM) {
            const text_token *nt = next(S);
            if (wat_parse_nat(nt->p, nt->len, &v->bits) != NUM_OK)
                return fail(S, nt, "bad constant");
            if (v->kind == WV_EXTERNREF)
                v->pattern = WP_EXACT;
        }
    } else {
        return fail(S, kw, "unknown value");
    }
    return ok && expect(S, TOK_RPAR);
}

static bool values(wast_parser *S, wast_value **out, uint32_t *n)
{
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    while (peek(S)->kind == TOK_LPAR) {
        if (!mem_grow_array(S->owner, MEM_HOST, (void **)out, &cap, *n + 1,
                            sizeof **out))
            return oom(S);
        if (!value(S, &(*out)[*n]))
            return false;
        (*n)++;
    }
    return true;
}

/* ---- commands ---- */

static bool action(wast_parser *S, wast_action *a)
{
    if (!expect(S, TOK_LPAR))
        return false;
    const text_token *kw = next(S);
    if (text_tok_is(kw, "invoke"))
        a->kind = WA_INVOKE;
    else if (text_tok_is(kw, "get"))
        a->kind = WA_GET;
    else
        return fail(S, kw, "expected an action, got");
    if (!opt_id(S, &a->module_id) || !string(S, &a->field, &a->field_len))
        return false;
    if (a->kind == WA_INVOKE && !values(S, &a->args, &a->nargs))
        return false;
    return expect(S, TOK_RPAR);
}

static bool message(wast_parser *S, wast_command *c)
{
    return string(S, &c->message, NULL);
}

static bool module_assertion(wast_parser *S, wast_command *c, uint8_t kind)
{
    c->kind = kind;
    c->has_module = true;
    return module(S, &c->module) && message(S, c);
}

static bool command(wast_parser *S, wast_command *c)
{
    const text_token *open = peek(S);
    c->line = open->line;
    if (at_form(S, "module")) {
        c->kind = WC_MODULE;
        c->has_module = true;
        return module(S, &c->module);
    }
    if (!expect(S, TOK_LPAR))
        return false;
    const text_token *kw = peek(S);
    bool ok;
    if (text_tok_is(kw, "invoke") || text_tok_is(kw, "get")) {
        S->pos--;
        c->kind = WC_ACTION;
        c->has_action = true;
        return action(S, &c->action);
    }
    next(S);
    if (text_tok_is(kw, "register")) {
        c->kind = WC_REGISTER;
        /* the module's id goes in module.id (has_module stays false);
         * a copy in action.module_id serves readers of either field */
        ok = string(S, &c->register_name, &c->register_name_len) &&
             opt_id(S, &c->module.id);
        if (ok && c->module.id) {
            c->action.module_id = mem_strndup(S->owner, MEM_HOST,
                                              c->module.id,
                                              strlen(c->module.id));
            ok = c->action.module_id || oom(S);
        }
    } else if (text_tok_is(kw, "assert_return")) {
        c->kind = WC_ASSERT_RETURN;
        c->has_action = true;
        ok = action(S, &c->action) &&
             values(S, &c->expected, &c->nexpected);
    } else if (text_tok_is(kw, "assert_trap")) {
        if (at_form(S, "module")) {
            ok = module_assertion(S, c, WC_ASSERT_UNINSTANTIABLE);
        } else {
            c->kind = WC_ASSERT_TRAP;
            c->has_action = true;
            ok = action(S, &c->action) && message(S, c);
        }
    } else if (text_tok_is(kw, "assert_exhaustion")) {
        c->kind = WC_ASSERT_EXHAUSTION;
        c->has_action = true;
        ok = action(S, &c->action) && message(S, c);
    } else if (text_tok_is(kw, "assert_malformed")) {
        ok = module_assertion(S, c, WC_ASSERT_MALFORMED);
    } else if (text_tok_is(kw, "assert_invalid")) {
        ok = module_assertion(S, c, WC_ASSERT_INVALID);
    } else if (text_tok_is(kw, "assert_unlinkable")) {
        ok = module_assertion(S, c, WC_ASSERT_UNLINKABLE);
    } else if (text_tok_is(kw, "assert_uninstantiable")) {
        ok = module_assertion(S, c, WC_ASSERT_UNINSTANTIABLE);
    } else {
        return fail(S, kw, "unknown command");
    }
    return ok && expect(S, TOK_RPAR);
}

/* A script may be a module's fields alone, with no commands. */
static bool starts_bare_module(wast_parser *S)
{
    static const char *const fields[] = {"type", "func", "table", "memory",
                                         "global", "import", "export",
                                         "start", "elem", "data"};
    if (peek(S)->kind != TOK_LPAR)
        return false;
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        if (text_tok_is(peek_at(S, 1), fields[i]))
            return true;
    return false;
}

static bool bare_module(wast_parser *S)
{
    wast_script *out = S->out;
    out->commands = mem_calloc(S->owner, MEM_HOST, 1, sizeof *out->commands);
    if (!out->commands)
        return oom(S);
    out->ncommands = 1;
    wast_command *c = &out->commands[0];
    c->kind = WC_MODULE;
    c->line = peek(S)->line;
    c->has_module = true;
    err_t e;
    if (!wat_module_tokens(S->owner, S->t, S->n, &c->module.bytes,
                           &c->module.len, &e)) {
        c->module.text_error = mem_strndup(S->owner, MEM_HOST, e.msg,
                                           strlen(e.msg));
        if (!c->module.text_error)
            return oom(S);
    }
    S->pos = S->n - 1;
    return true;
}

static void free_module(mem_owner *o, wast_module *m)
{
    mem_free(o, MEM_HOST, m->id);
    mem_free(o, MEM_HOST, m->bytes);
    mem_free(o, MEM_HOST, m->text_error);
}

static void free_command(mem_owner *o, wast_command *c)
{
    free_module(o, &c->module);
    mem_free(o, MEM_HOST, c->action.module_id);
    mem_free(o, MEM_HOST, c->action.field);
    mem_free(o, MEM_HOST, c->action.args);
    mem_free(o, MEM_HOST, c->expected);
    mem_free(o, MEM_HOST, c->message);
    mem_free(o, MEM_HOST, c->register_name);
}

void wast_script_free(mem_owner *owner, wast_script *s)
{
    for (uint32_t i = 0; i < s->ncommands; i++)
        free_command(owner, &s->commands[i]);
    mem_free(owner, MEM_HOST, s->commands);
    s->commands = NULL;
    s->ncommands = 0;
}

bool wast_parse(mem_owner *owner, const char *src, size_t len,
                wast_script *out, err_t *err)
{
    memset(out, 0, sizeof *out);
    err_clear(err);
    text_token *toks;
    size_t n;
    if (!text_lex(owner, src, len, &toks, &n, err))
        return false;
    wast_parser S = {owner, toks, n, 0, err, out, 0};
    bool ok = true;
    if (starts_bare_module(&S))
        ok = bare_module(&S);
    while (ok && peek(&S)->kind != TOK_EOF) {
        if (!mem_grow_array(owner, MEM_HOST, (void **)&out->commands, &S.cap,
                            out->ncommands + 1, sizeof *out->commands)) {
            ok = oom(&S);
            break;
        }
        wast_command *c = &out->commands[out->ncommands++];
        memset(c, 0, sizeof *c);
        ok = command(&S, c);
    }
    mem_free(owner, MEM_HOST, toks);
    if (!ok)
        wast_script_free(owner, out);
    return ok;
}
