/* Instructions of the text format, flat (`block ... end`) and folded
 * (`(i32.add (local.get 0) (i32.const 1))`). Names, opcodes and immediate
 * kinds all come from ops.def. A folded instruction writes its opcode and
 * immediates first, then its operands, and rotates the operands in front. */
#include "wat.h"

#include <string.h>

#include "../opcodes.h"
#include "../os/os.h"

/* The instruction named by a keyword; -1 when there is none. `select`
 * finds the plain form: the typed one is chosen by its `(result)`. */
static int find_op(const text_token *t)
{
    if (t->kind != TOK_KEYWORD)
        return -1;
    for (int i = 0; i < OP_COUNT; i++) {
        const char *name = op_table[i].text;
        if (strncmp(name, t->p, t->len) == 0 && name[t->len] == 0)
            return i;
    }
    return -1;
}

static void emit_opcode(wat_buf *out, int op)
{
    if (op_table[op].prefix) {
        wat_u8(out, op_table[op].prefix);
        wat_u32(out, op_table[op].code);
    } else {
        wat_u8(out, op_table[op].code);
    }
}

/* ---- labels and locals ---- */

static bool push_label(wat_parser *P, const text_token *id)
{
    wat_space *s = &P->labels;
    if (!mem_grow_array(P->owner, MEM_HOST, (void **)&s->v, &s->cap,
                        s->n + 1, sizeof *s->v))
        return wat_fail(P, wat_peek(P), "out of memory");
    s->v[s->n++] = id ? (wat_name){id->p, (uint32_t)id->len}
                      : (wat_name){NULL, 0};
    return true;
}

static bool label_index(wat_parser *P, uint32_t *out)
{
    const text_token *t = wat_peek(P);
    if (t->kind != TOK_ID)
        return wat_u32_literal(P, out);
    /* innermost first: an inner label shadows an outer one */
    for (size_t i = P->labels.n; i-- > 0;) {
        const wat_name *l = &P->labels.v[i];
        if (l->p && l->len == t->len && memcmp(l->p, t->p, t->len) == 0) {
            *out = (uint32_t)(P->labels.n - 1 - i);
            wat_next(P);
            return true;
        }
    }
    return wat_fail(P, t, "unknown label %.*s", (int)t->len, t->p);
}

static bool local_index(wat_parser *P, uint32_t *out)
{
    const text_token *t = wat_peek(P);
    if (t->kind != TOK_ID)
        return wat_u32_literal(P, out);
    if (!wat_lookup(&P->locals, t, out))
        return wat_fail(P, t, "unknown local %.*s", (int)t->len, t->p);
    wat_next(P);
    return true;
}

/* After `end` or `else`: an optional id that must repeat the label. */
static bool closing_label(wat_parser *P)
{
    const text_token *t = wat_peek(P);
    if (t->kind != TOK_ID)
        return true;
    const wat_name *l = &P->labels.v[P->labels.n - 1];
    if (!l->p || l->len != t->len || memcmp(l->p, t->p, t->len) != 0)
        return wat_fail(P, t, "mismatching label");
    wat_next(P);
    return true;
}

/* ---- block types ---- */

static void emit_short_blocktype(wat_buf *out, const uint8_t *results,
                                 uint32_t nr)
{
    wat_u8(out, nr ? results[0] : 0x40);
}

/* `(type x)? (param t*)* (result t*)*` of a block: the empty type or a
 * single result are written as one byte, anything else as a type index. */
static bool blocktype(wat_parser *P, wat_buf *out)
{
    const text_token *at = wat_peek(P);
    wat_buf params, results;
    wat_buf_init(&params, P->owner);
    wat_buf_init(&results, P->owner);
    bool has_type;
    uint32_t x = 0;
    bool ok = wat_typeuse_parts(P, false, &has_type, &x, &params, &results);
    uint32_t np = (uint32_t)params.len, nr = (uint32_t)results.len;
    if (ok && (params.failed || results.failed))
        ok = wat_fail(P, at, "out of memory");
    if (ok && has_type) {
        if (x >= P->ntypes) {
            if (np || nr)
                ok = wat_fail(P, at, "unknown type");
            else
                wat_s64(out, x);
        } else {
            const wat_functype *ft = &P->types[x];
            if ((np || nr) &&
                (ft->nparams != np || ft->nresults != nr ||
                 (np && memcmp(ft->types, params.p, np) != 0) ||
                 (nr && memcmp(ft->types + np, results.p, nr) != 0)))
                ok = wat_fail(P, at, "inline function type");
            else if (ft->nparams == 0 && ft->nresults <= 1)
                emit_short_blocktype(out, ft->types, ft->nresults);
            else
                wat_s64(out, x);
        }
    } else if (ok) {
        if (np == 0 && nr <= 1) {
            emit_short_blocktype(out, results.p, nr);
        } else {
            ok = wat_find_or_add_type(P, params.p, np, results.p, nr, &x);
            wat_s64(out, x);
        }
    }
    wat_buf_free(&params);
    wat_buf_free(&results);
    return ok;
}

/* `block`/`loop`/`if` after the keyword: label and block type. The label
 * is pushed by the caller once the block's body starts. */
static bool block_head(wat_parser *P, int op, wat_buf *out,
                       const text_token **label)
{
    *label = wat_peek(P)->kind == TOK_ID ? wat_next(P) : NULL;
    emit_opcode(out, op);
    return blocktype(P, out);
}

/* ---- immediates ---- */

static bool int_const(wat_parser *P, unsigned bits, uint64_t *v)
{
    const text_token *t = wat_peek(P);
    if (t->kind != TOK_NUM)
        return wat_unexpected(P, t);
    switch (wat_parse_int(t->p, t->len, bits, v)) {
    case NUM_MALFORMED:
        return wat_fail(P, t, "unknown operator %.*s", (int)t->len, t->p);
    case NUM_RANGE:
        return wat_fail(P, t, "constant out of range");
    default:
        wat_next(P);
        return true;
    }
}

static bool float_const(wat_parser *P, bool f64, wat_buf *out)
{
    const text_token *t = wat_peek(P);
    if (t->kind != TOK_NUM && t->kind != TOK_KEYWORD)
        return wat_unexpected(P, t);
    uint32_t b32 = 0;
    uint64_t b64 = 0;
    wat_num_result r = f64 ? wat_parse_f64(P->owner, t->p, t->len, &b64)
                           : wat_parse_f32(P->owner, t->p, t->len, &b32);
    if (r == NUM_MALFORMED) {
        if (t->kind == TOK_KEYWORD)
            return wat_unexpected(P, t);
        return wat_fail(P, t, "unknown operator %.*s", (int)t->len, t->p);
    }
    if (r == NUM_RANGE)
        return wat_fail(P, t, "constant out of range");
    wat_next(P);
    if (f64)
        wat_f64(out, b64);
    else
        wat_f32(out, b32);
    return true;
}

/* `key=N` as one keyword token; false (no error) when absent. */
static bool memarg_key(wat_parser *P, const char *key, uint64_t *v,
                       bool *present)
{
    const text_token *t = wat_peek(P);
    size_t n = strlen(key);
    *present = false;
    if (t->kind != TOK_KEYWORD || t->len <= n || memcmp(t->p, key, n) != 0)
        return true;
    switch (wat_parse_nat(t->p + n, t->len - n, v)) {
    case NUM_MALFORMED:
        return wat_fail(P, t, "unknown operator %.*s", (int)t->len, t->p);
    case NUM_RANGE:
        return wat_fail(P, t, "i32 constant out of range");
    default:
        break;
    }
    if (*v > UINT32_MAX)
        return wat_fail(P, t, "i32 constant out of range");
    *present = true;
    wat_next(P);
    return true;
}

static bool memarg(wat_parser *P, int op, wat_buf *out)
{
    uint64_t offset = 0, align = 0;
    bool has_offset, has_align;
    const text_token *align_tok;
    if (!memarg_key(P, "offset=", &offset, &has_offset))
        return false;
    align_tok = wat_peek(P);
    if (!memarg_key(P, "align=", &align, &has_align))
        return false;
    uint32_t log2 = op_table[op].align;
    if (has_align) {
        if (align == 0 || (align & (align - 1)) != 0)
            return wat_fail(P, align_tok, "alignment must be a power of two");
        for (log2 = 0; (UINT64_C(1) << log2) < align; log2++)
            ;
    }
    wat_u32(out, log2);
    wat_u32(out, (uint32_t)offset);
    return true;
}

/* A lane index: a natural number below 256 (validation checks it against
 * the shape). */
static bool lane_index(wat_parser *P, uint8_t *out)
{
    const text_token *t = wat_peek(P);
    uint64_t v;
    if (t->kind != TOK_NUM || t->p[0] == '+' || t->p[0] == '-')
        return wat_unexpected(P, t);
    if (wat_parse_nat(t->p, t->len, &v) != NUM_OK || v > 255)
        return wat_fail(P, t, "malformed lane index");
    *out = (uint8_t)v;
    wat_next(P);
    return true;
}

/* `v128.const SHAPE lane*`: the lanes, little-endian, as 16 bytes. */
static bool v128_const(wat_parser *P, wat_buf *out)
{
    static const struct { const char *shape; unsigned bits; bool fl; } shapes[] = {
        {"i8x16", 8, false}, {"i16x8", 16, false}, {"i32x4", 32, false},
        {"i64x2", 64, false}, {"f32x4", 32, true}, {"f64x2", 64, true}};
    const text_token *t = wat_peek(P);
    size_t k = 0;
    while (k < 6 && !text_tok_is(t, shapes[k].shape))
        k++;
    if (k == 6)
        return wat_unexpected(P, t);
    wat_next(P);
    unsigned bits = shapes[k].bits;
    for (unsigned i = 0; i < 128 / bits; i++) {
        t = wat_peek(P);
        uint64_t v = 0;
        wat_num_result r = NUM_MALFORMED;
        if (t->kind == TOK_NUM || (shapes[k].fl && t->kind == TOK_KEYWORD)) {
            if (!shapes[k].fl) {
                r = wat_parse_int(t->p, t->len, bits, &v);
            } else if (bits == 32) {
                uint32_t b32 = 0;
                r = wat_parse_f32(P->owner, t->p, t->len, &b32);
                v = b32;
            } else {
                r = wat_parse_f64(P->owner, t->p, t->len, &v);
            }
        }
        if (r == NUM_MALFORMED)
            return wat_unexpected(P, t);
        if (r == NUM_RANGE)
            return wat_fail(P, t, "constant out of range");
        wat_next(P);
        for (unsigned j = 0; j < bits / 8; j++)
            wat_u8(out, (uint8_t)(v >> (8 * j)));
    }
    return true;
}

static bool opt_index(wat_parser *P, int sp, uint32_t *out)
{
    *out = 0;
    return !wat_at_index(P) || wat_index(P, sp, out);
}

static bool select_op(wat_parser *P, wat_buf *out)
{
    wat_buf types;
    wat_buf_init(&types, P->owner);
    bool typed = false, ok = true;
    while (ok && wat_at_field(P, "result")) {
        P->pos += 2;
        typed = true;
        while (ok && wat_peek(P)->kind != TOK_RPAR) {
            uint8_t vt;
            ok = wat_valtype(P, &vt);
            wat_u8(&types, vt);
        }
        ok = ok && wat_expect(P, TOK_RPAR);
    }
    if (ok && typed) {
        wat_u8(out, 0x1c);
        wat_name_bytes(out, types.p, types.len);
    } else if (ok) {
        wat_u8(out, 0x1b);
    }
    wat_buf_free(&types);
    return ok;
}

/* An instruction other than block/loop/if: opcode and immediates. */
static bool plain(wat_parser *P, int op, wat_buf *out)
{
    uint32_t a, b;
    uint64_t v;
    if (op == OP_SELECT)
        return select_op(P, out);
    emit_opcode(out, op);
    switch (op_table[op].imm) {
    case IMM_NONE:
        return true;
    case IMM_LABEL:
        if (!label_index(P, &a))
            return false;
        wat_u32(out, a);
        return true;
    case IMM_BR_TABLE: {
        wat_buf labels;
        wat_buf_init(&labels, P->owner);
        uint32_t n = 0, last = 0;
        bool ok = true;
        do {
            if (n)
                wat_u32(&labels, last);
            ok = label_index(P, &last);
            n++;
        } while (ok && wat_at_index(P));
        if (ok) {
            wat_u32(out, n - 1);
            wat_bytes(out, labels.p, labels.len);
            wat_u32(out, last);
        }
        wat_buf_free(&labels);
        return ok;
    }
    case IMM_FUNC:
        if (!wat_index(P, SP_FUNC, &a))
            return false;
        wat_u32(out, a);
        return true;
    case IMM_CALL_INDIRECT:
        if (!opt_index(P, SP_TABLE, &b) || !wat_typeuse(P, false, &a))
            return false;
        wat_u32(out, a);
        wat_u32(out, b);
        return true;
    case IMM_LOCAL:
        if (!local_index(P, &a))
            return false;
        wat_u32(out, a);
        return true;
    case IMM_GLOBAL:
        if (!wat_index(P, SP_GLOBAL, &a))
            return false;
        wat_u32(out, a);
        return true;
    case IMM_TABLE:
        if (!opt_index(P, SP_TABLE, &a))
            return false;
        wat_u32(out, a);
        return true;
    case IMM_MEMARG:
        return memarg(P, op, out);
    case IMM_MEMORY:
        wat_u8(out, 0);
        return true;
    case IMM_I32:
        if (!int_const(P, 32, &v))
            return false;
        wat_s32(out, (int32_t)(uint32_t)v);
        return true;
    case IMM_I64:
        if (!int_const(P, 64, &v))
            return false;
        wat_s64(out, (int64_t)v);
        return true;
    case IMM_F32:
        return float_const(P, false, out);
    case IMM_F64:
        return float_const(P, true, out);
    case IMM_REFTYPE:
        if (text_tok_is(wat_peek(P), "func"))
            wat_u8(out, 0x70);
        else if (text_tok_is(wat_peek(P), "extern"))
            wat_u8(out, 0x6f);
        else
            return wat_unexpected(P, wat_peek(P));
        wat_next(P);
        return true;
    case IMM_MEMORY_INIT:
    case IMM_DATA:
        P->uses_data_index = true;
        if (!wat_index(P, SP_DATA, &a))
            return false;
        wat_u32(out, a);
        if (op_table[op].imm == IMM_MEMORY_INIT)
            wat_u8(out, 0);
        return true;
    case IMM_MEMORY_COPY:
        wat_u8(out, 0);
        wat_u8(out, 0);
        return true;
    case IMM_TABLE_INIT: {
        /* `table.init x? y`: with one index it is the element segment */
        b = 0;
        const text_token *t2 = wat_peek2(P);
        if (wat_at_index(P) && (t2->kind == TOK_NUM || t2->kind == TOK_ID) &&
            !wat_index(P, SP_TABLE, &b))
            return false;
        if (!wat_index(P, SP_ELEM, &a))
            return false;
        wat_u32(out, a);
        wat_u32(out, b);
        return true;
    }
    case IMM_ELEM:
        if (!wat_index(P, SP_ELEM, &a))
            return false;
        wat_u32(out, a);
        return true;
    case IMM_TABLE_COPY:
        a = b = 0;
        if (wat_at_index(P) &&
            (!wat_index(P, SP_TABLE, &a) || !wat_index(P, SP_TABLE, &b)))
            return false;
        wat_u32(out, a);
        wat_u32(out, b);
        return true;
    case IMM_V128:
        return v128_const(P, out);
    case IMM_SHUFFLE:
        for (int i = 0; i < 16; i++) {
            uint8_t l;
            if (wat_peek(P)->kind != TOK_NUM)
                return wat_fail(P, wat_peek(P), "invalid lane length");
            if (!lane_index(P, &l))
                return false;
            wat_u8(out, l);
        }
        if (wat_peek(P)->kind == TOK_NUM)
            return wat_fail(P, wat_peek(P), "invalid lane length");
        return true;
    case IMM_LANE: {
        uint8_t l;
        if (!lane_index(P, &l))
            return false;
        wat_u8(out, l);
        return true;
    }
    case IMM_MEMARG_LANE: {
        uint8_t l;
        if (!memarg(P, op, out) || !lane_index(P, &l))
            return false;
        wat_u8(out, l);
        return true;
    }
    default:
        return wat_unexpected(P, wat_peek(P));
    }
}

/* ---- flat and folded instructions ---- */

/* Nesting is parsed by recursion: bound it so that a hostile input gets
 * an error rather than a stack overflow, by a count and by the native
 * stack actually used (a thread's stack may be small: up to half of what
 * is left when nesting first starts). */
#define MAX_NESTING 2000

static bool too_deep(wat_parser *P)
{
    char probe;
    uintptr_t here = (uintptr_t)&probe;
    if (!P->stack_floor) {
        size_t room = os_stack_room();
        P->stack_floor = room == SIZE_MAX || room / 2 >= here
                             ? 1 : here - room / 2;
    }
    return ++P->depth > MAX_NESTING || here < P->stack_floor;
}

static bool flat_block(wat_parser *P, wat_buf *out);

static bool flat(wat_parser *P, wat_buf *out)
{
    if (too_deep(P))
        return wat_fail(P, wat_peek(P), "nesting too deep");
    bool ok = flat_block(P, out);
    P->depth--;
    return ok;
}

static bool flat_block(wat_parser *P, wat_buf *out)
{
    const text_token *kw = wat_next(P);
    int op = find_op(kw);
    if (op < 0 || op == OP_ELSE || op == OP_END)
        return wat_unexpected(P, kw);
    if (op != OP_BLOCK && op != OP_LOOP && op != OP_IF)
        return plain(P, op, out);
    const text_token *label;
    if (!block_head(P, op, out, &label) || !push_label(P, label) ||
        !wat_instrs(P, out))
        return false;
    if (op == OP_IF && text_tok_is(wat_peek(P), "else")) {
        wat_next(P);
        if (!closing_label(P))
            return false;
        wat_u8(out, 0x05);
        if (!wat_instrs(P, out))
            return false;
    }
    if (!wat_expect_kw(P, "end") || !closing_label(P))
        return false;
    wat_u8(out, 0x0b);
    P->labels.n--;
    return true;
}

static bool folded_if(wat_parser *P, wat_buf *out)
{
    wat_buf head;
    wat_buf_init(&head, P->owner);
    const text_token *label;
    bool ok = block_head(P, OP_IF, &head, &label);
    /* the condition is outside the if's label scope */
    while (ok && wat_peek(P)->kind == TOK_LPAR && !wat_at_field(P, "then"))
        ok = wat_folded(P, out);
    if (ok)
        wat_bytes(out, head.p, head.len);
    if (ok && head.failed)
        ok = wat_fail(P, wat_peek(P), "out of memory");
    wat_buf_free(&head);
    if (!ok || !push_label(P, label))
        return false;
    if (!wat_expect(P, TOK_LPAR) || !wat_expect_kw(P, "then") ||
        !wat_instrs(P, out) || !wat_expect(P, TOK_RPAR))
        return false;
    if (wat_at_field(P, "else")) {
        P->pos += 2;
        wat_u8(out, 0x05);
        if (!wat_instrs(P, out) || !wat_expect(P, TOK_RPAR))
            return false;
    }
    if (!wat_expect(P, TOK_RPAR))
        return false;
    wat_u8(out, 0x0b);
    P->labels.n--;
    return true;
}

static bool folded(wat_parser *P, wat_buf *out);

bool wat_folded(wat_parser *P, wat_buf *out)
{
    if (too_deep(P))
        return wat_fail(P, wat_peek(P), "nesting too deep");
    bool ok = folded(P, out);
    P->depth--;
    return ok;
}

static bool folded(wat_parser *P, wat_buf *out)
{
    if (!wat_expect(P, TOK_LPAR))
        return false;
    const text_token *kw = wat_next(P);
    int op = find_op(kw);
    if (op < 0 || op == OP_ELSE || op == OP_END)
        return wat_unexpected(P, kw);
    if (op == OP_IF)
        return folded_if(P, out);
    if (op == OP_BLOCK || op == OP_LOOP) {
        const text_token *label;
        if (!block_head(P, op, out, &label) || !push_label(P, label) ||
            !wat_instrs(P, out) || !wat_expect(P, TOK_RPAR))
            return false;
        wat_u8(out, 0x0b);
        P->labels.n--;
        return true;
    }
    size_t start = out->len;
    if (!plain(P, op, out))
        return false;
    size_t mid = out->len;
    while (wat_peek(P)->kind == TOK_LPAR)
        if (!wat_folded(P, out))
            return false;
    if (!wat_expect(P, TOK_RPAR))
        return false;
    wat_rotate(out, start, mid);
    return true;
}

bool wat_instrs(wat_parser *P, wat_buf *out)
{
    for (;;) {
        const text_token *t = wat_peek(P);
        if (t->kind == TOK_LPAR) {
            if (!wat_folded(P, out))
                return false;
        } else if (t->kind == TOK_KEYWORD) {
            if (text_tok_is(t, "end") || text_tok_is(t, "else"))
                return true;
            if (!flat(P, out))
                return false;
        } else if (t->kind == TOK_RPAR || t->kind == TOK_EOF) {
            return true;
        } else {
            return wat_unexpected(P, t);
        }
    }
}

bool wat_expr(wat_parser *P, wat_buf *out)
{
    if (!wat_instrs(P, out))
        return false;
    wat_u8(out, 0x0b);
    return true;
}
