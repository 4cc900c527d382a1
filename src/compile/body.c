/* The instruction loop of the translator: decodes each instruction of a
 * function body, validates it and emits its internal code (ctx.h). The
 * ~130 simply-typed instructions are typed by their signature strings in
 * ops.def and mapped to internal ops through iops.def, so they need no
 * code of their own here. */
#include <string.h>

#include "../opcodes.h"
#include "ctx.h"

/* Wasm op -> internal op + 1 (0: not a simple op). For binary ops this is
 * the slot/slot form; the slot/immediate form follows it. */
static const uint16_t simple_iop[OP_COUNT] = {
#define IOP(n)
#define BINOP(w, tx, tr, ...) [OP_##w] = IOP_##w##_SS + 1,
#define UNOP(w, tx, tr, ...) [OP_##w] = IOP_##w + 1,
#define LOAD(w, ct, conv) [OP_##w] = IOP_##w + 1,
#define STORE(w, ct) [OP_##w] = IOP_##w + 1,
#include "../interp/iops.def"
#undef IOP
#undef BINOP
#undef UNOP
#undef LOAD
#undef STORE
};

/* Immediate words of the slot/immediate form of binary ops. */
#define NIMM_I32 1
#define NIMM_F32 1
#define NIMM_I64 2
#define NIMM_F64 2
static const uint8_t imm_words[OP_COUNT] = {
#define IOP(n)
#define BINOP(w, tx, tr, ...) [OP_##w] = NIMM_##tx,
#define UNOP(w, tx, tr, ...)
#define LOAD(w, ct, conv)
#define STORE(w, ct)
#include "../interp/iops.def"
#undef IOP
#undef BINOP
#undef UNOP
#undef LOAD
#undef STORE
};

static const uint8_t valtypes[] = {VT_I32, VT_I64, VT_F32, VT_F64,
                                   VT_V128, VT_FUNCREF, VT_EXTERNREF};

/* A pointer to a one-byte type list holding t (for single-result blocks). */
static const uint8_t *single_type(uint8_t t)
{
    for (size_t i = 0; i < sizeof valtypes; i++)
        if (valtypes[i] == t)
            return &valtypes[i];
    return NULL;
}

static uint8_t sig_type(char ch)
{
    switch (ch) {
    case 'i': return VT_I32;
    case 'I': return VT_I64;
    case 'f': return VT_F32;
    case 'V': return VT_V128;
    default: return VT_F64;
    }
}

/* Each simply typed op's signature, split once (body_init) instead of at
 * every instruction: operand count, operand types, result type (0:
 * none). */
static struct {
    bool simple;            /* typed by its signature (do_simple) */
    uint8_t nin, in[2], out;
} sigs[OP_COUNT];

/* Single-byte opcode -> op + 1 (0: none), copied from op_from_byte. */
static uint16_t byte_op[256];

void body_init(void)
{
    for (int op = 0; op < OP_COUNT; op++) {
        const char *sig = op_table[op].sig;
        sigs[op].simple = sig[0] != 0;
        const char *us = strchr(sig, '_');
        if (!us)
            continue;
        uint32_t nin = (uint32_t)(us - sig);
        sigs[op].nin = (uint8_t)nin;
        for (uint32_t i = 0; i < nin && i < 2; i++)
            sigs[op].in[i] = sig_type(sig[i]);
        sigs[op].out = us[1] ? sig_type(us[1]) : 0;
    }
    for (int b = 0; b < 256; b++)
        byte_op[b] = (uint16_t)(op_from_byte((uint8_t)b) + 1);
}

static bool is_commutative(int op)
{
    switch (op) {
    case OP_I32_ADD: case OP_I32_MUL: case OP_I32_AND: case OP_I32_OR:
    case OP_I32_XOR: case OP_I32_EQ: case OP_I32_NE:
    case OP_I64_ADD: case OP_I64_MUL: case OP_I64_AND: case OP_I64_OR:
    case OP_I64_XOR: case OP_I64_EQ: case OP_I64_NE:
        return true;
    default:
        return false;
    }
}

/* ---- immediates ------------------------------------------------------------- */

static bool read_u32(cc *c, uint32_t *v) { return reader_u32(&c->r, v); }

static bool zero_byte(cc *c)
{
    uint8_t b;
    if (!reader_u8(&c->r, &b))
        return false;
    if (b != 0)
        return err_set(c->err, "zero byte expected");
    return true;
}

static bool need_memory(cc *c)
{
    if (c->m->nmemories == 0)
        return err_set(c->err, "unknown memory 0");
    return true;
}

static bool check_table(cc *c, uint32_t t)
{
    if (t >= c->m->ntables)
        return err_set(c->err, "unknown table %u", t);
    return true;
}

static bool read_valtype(cc *c, uint8_t *t)
{
    if (!reader_u8(&c->r, t))
        return false;
    if (!single_type(*t))
        return err_set(c->err, "malformed value type");
    return true;
}

static bool read_blocktype(cc *c, const uint8_t **params, uint32_t *np,
                           const uint8_t **results, uint32_t *nr)
{
    *params = *results = NULL;
    *np = *nr = 0;
    if (reader_eof(&c->r))
        return err_set(c->err, "unexpected end");
    uint8_t b = *c->r.p;
    if (b == 0x40) {
        c->r.p++;
        return true;
    }
    if (single_type(b)) {
        c->r.p++;
        *results = single_type(b);
        *nr = 1;
        return true;
    }
    int64_t x;
    if (!reader_s33(&c->r, &x))
        return false;
    if (x < 0)
        return err_set(c->err, "malformed value type");
    if ((uint64_t)x >= c->m->ntypes)
        return err_set(c->err, "unknown type");
    const functype *ft = &c->m->types[x];
    *params = functype_params(ft);
    *np = ft->nparams;
    *results = functype_results(ft);
    *nr = ft->nresults;
    return true;
}

/* ---- validation helpers ------------------------------------------------------- */

/* Checks that the top n values have the given types and leaves them in
 * place. With `retype` (br_if) values of the polymorphic stack take those
 * types; without (br_table) they stay unknown, as the spec says. */
static bool peek_check_as(cc *c, const uint8_t *types, uint32_t n,
                          bool retype)
{
    uint32_t keep = c->nstk;
    opnd o;
    for (uint32_t i = n; i-- > 0;)
        if (!cc_pop(c, types[i], &o))
            return false;
    uint32_t base = c->nstk;
    if (keep == base + valtypes_cells(types, n)) {
        /* All were real entries (unknown ones stand for scalars here). */
        c->nstk = keep;
        for (uint32_t i = 0, h = base; i < n; h += valtype_cells(types[i++]))
            if (c->stk[h].type == T_UNKNOWN && retype)
                c->stk[h].type = types[i];
        return true;
    }
    for (uint32_t i = 0; i < n; i++)
        if (!cc_push(c, retype ? types[i] : T_UNKNOWN))
            return false;
    return true;
}

static bool peek_check(cc *c, const uint8_t *types, uint32_t n)
{
    return peek_check_as(c, types, n, true);
}

/* Pops n values of the given types; returns the height they started at.
 * When the code is live their entries stay readable above the stack. */
static bool pop_types(cc *c, const uint8_t *types, uint32_t n, uint32_t *base)
{
    opnd o;
    for (uint32_t i = n; i-- > 0;)
        if (!cc_pop(c, types[i], &o))
            return false;
    *base = c->nstk;
    return true;
}

/* Puts popped cells [base, base+n) into their own slots (call arguments,
 * block parameters). Only called when the code is live, so the entries
 * are all real. */
static void materialize_popped(cc *c, uint32_t base, uint32_t n, uint32_t from)
{
    uint32_t keep = c->nstk;
    c->nstk = base + n;
    cc_materialize_from(c, from);
    c->nstk = keep;
}

static ctrl *label(cc *c, uint32_t l)
{
    return &c->ctl[c->nctl - 1 - l];
}

static bool read_label(cc *c, uint32_t *l)
{
    if (!read_u32(c, l))
        return false;
    if (*l >= c->nctl)
        return err_set(c->err, "unknown label");
    return true;
}

/* ---- control ----------------------------------------------------------------- */

static bool do_block(cc *c, int op)
{
    const uint8_t *params, *results;
    uint32_t np, nr;
    if (!read_blocktype(c, &params, &np, &results, &nr))
        return false;
    opnd cond = {0};
    if (op == OP_IF) {
        if (!cc_pop(c, VT_I32, &cond))
            return false;
    }
    uint32_t base;
    if (!pop_types(c, params, np, &base))
        return false;
    bool live = cc_live(c);
    uint32_t else_patch = UINT32_MAX;
    if (live) {
        /* Block boundaries see every value in its own slot. */
        materialize_popped(c, base, valtypes_cells(params, np), 0);
        /* The branch around the then-arm fuses with the comparison that
         * made cond when that needed no moves. */
        if (op == OP_IF)
            else_patch = fuse_branch_on(c, &cond, true);
    }
    if (!cc_push_ctrl(c, (uint8_t)op, params, np, results, nr))
        return false;
    /* The loop's label is here, so every back-edge passes the checks. */
    if (op == OP_LOOP && live)
        cc_emit_checks(c);
    if (op == OP_IF)
        c->ctl[c->nctl - 1].else_patch = else_patch;
    return true;
}

static bool do_else(cc *c)
{
    ctrl *f = &c->ctl[c->nctl - 1];
    if (f->op != OP_IF)
        return err_set(c->err, "else without if");
    if (!cc_check_results(c, f))
        return false;
    if (cc_live(c)) {
        cc_materialize_from(c, f->height);
        uint32_t at = cc_emit(c, IOP_JMP, 1);
        cc_branch_to(c, f, at);
    }
    if (f->else_patch != UINT32_MAX) {
        c->code[f->else_patch] = c->code_len - f->else_patch;
        f->else_patch = UINT32_MAX;
    }
    c->fence = c->code_len; /* the else arm's label */
    f->op = OP_ELSE;
    f->unreachable = false;
    c->nstk = f->height;
    for (uint32_t i = 0; i < f->nparams; i++)
        if (!cc_push(c, f->params[i]))
            return false;
    return true;
}

static bool do_br(cc *c)
{
    uint32_t l;
    if (!read_label(c, &l))
        return false;
    ctrl *L = label(c, l);
    if (!peek_check(c, cc_label_types(L), cc_label_arity(L)))
        return false;
    if (cc_live(c)) {
        cc_emit_copies(c, L);
        if (L->op != OP_LOOP || !head_copy(c, L)) {
            uint32_t at = cc_emit(c, IOP_JMP, 1);
            cc_branch_to(c, L, at);
        }
    }
    cc_set_unreachable(c);
    return true;
}

static bool do_br_if(cc *c)
{
    uint32_t l;
    if (!read_label(c, &l))
        return false;
    ctrl *L = label(c, l);
    opnd cond;
    if (!cc_pop(c, VT_I32, &cond))
        return false;
    if (!peek_check(c, cc_label_types(L), cc_label_arity(L)))
        return false;
    if (!cc_live(c))
        return true;
    if (!cc_needs_copies(c, L)) {
        uint32_t off = fuse_branch_on(c, &cond, false);
        if (off != UINT32_MAX)
            cc_branch_to(c, L, off);
        return true;
    }
    /* Values must move: skip the moves and the jump when not taken. */
    uint32_t off = fuse_branch_on(c, &cond, true);
    cc_emit_copies(c, L);
    uint32_t j = cc_emit(c, IOP_JMP, 1);
    cc_branch_to(c, L, j);
    if (off != UINT32_MAX)
        c->code[off] = c->code_len - off;
    return true;
}

static bool do_br_table(cc *c)
{
    uint32_t n;
    if (!read_u32(c, &n))
        return false;
    if (n > reader_left(&c->r))
        return err_set(c->err, "unexpected end");
    if (!mem_grow_array(c->owner, MEM_COMPILE, (void **)&c->labels,
                        &c->labels_cap, (size_t)n + 1, sizeof *c->labels))
        return err_set(c->err, "out of memory");
    for (uint32_t i = 0; i <= n; i++)
        if (!read_label(c, &c->labels[i]))
            return false;
    opnd cond;
    if (!cc_pop(c, VT_I32, &cond))
        return false;
    ctrl *D = label(c, c->labels[n]);
    uint32_t arity = cc_label_arity(D);
    for (uint32_t i = 0; i < n; i++) {
        ctrl *L = label(c, c->labels[i]);
        if (cc_label_arity(L) != arity)
            return err_set(c->err, "type mismatch");
        if (!peek_check_as(c, cc_label_types(L), arity, false))
            return false;
    }
    if (!peek_check(c, cc_label_types(D), arity))
        return false;
    if (cc_live(c)) {
        uint32_t cs = cc_src(c, &cond);
        uint32_t mark = c->branch_mark, patch0 = c->npatches;
        uint32_t at = cc_emit(c, IOP_BR_TABLE, 2 + n + 1);
        if (at != UINT32_MAX) {
            c->code[at] = cs;
            c->code[at + 1] = n + 1;
        }
        /* Targets whose values must move go through a stub after the
         * table, so the table itself stays one offset per entry. */
        for (uint32_t i = 0; i <= n && at != UINT32_MAX; i++) {
            ctrl *L = label(c, c->labels[i]);
            if (!cc_needs_copies(c, L))
                cc_branch_to(c, L, at + 2 + i);
        }
        for (uint32_t i = 0; i <= n && at != UINT32_MAX; i++) {
            ctrl *L = label(c, c->labels[i]);
            if (!cc_needs_copies(c, L))
                continue;
            c->code[at + 2 + i] = c->code_len - (at + 2 + i);
            cc_emit_copies(c, L);
            uint32_t j = cc_emit(c, IOP_JMP, 1);
            cc_branch_to(c, L, j);
        }
        if (at != UINT32_MAX)
            head_note(c, at, patch0, mark);
    }
    cc_set_unreachable(c);
    return true;
}

static bool do_return(cc *c)
{
    ctrl *F = &c->ctl[0];
    if (!peek_check(c, F->results, F->nresults))
        return false;
    if (cc_live(c))
        cc_emit_return(c);
    cc_set_unreachable(c);
    return true;
}

static bool push_results(cc *c, const functype *ft)
{
    const uint8_t *res = functype_results(ft);
    for (uint32_t i = 0; i < ft->nresults; i++)
        if (!cc_push(c, res[i]))
            return false;
    return true;
}

static bool do_call(cc *c)
{
    uint32_t f;
    if (!read_u32(c, &f))
        return false;
    if (f >= c->m->nfuncs)
        return err_set(c->err, "unknown function %u", f);
    const functype *ft = module_func_type(c->m, f);
    uint32_t base;
    if (!pop_types(c, functype_params(ft), ft->nparams, &base))
        return false;
    if (cc_live(c)) {
        materialize_popped(c, base,
                           valtypes_cells(functype_params(ft), ft->nparams),
                           base);
        uint32_t at = cc_emit(c, IOP_CALL, 2);
        if (at != UINT32_MAX) {
            c->code[at] = f;
            c->code[at + 1] = cc_slot(c, base);
        }
    }
    return push_results(c, ft);
}

static bool do_call_indirect(cc *c)
{
    uint32_t ti, tab;
    if (!read_u32(c, &ti) || !read_u32(c, &tab))
        return false;
    if (!check_table(c, tab))
        return false;
    if (ti >= c->m->ntypes)
        return err_set(c->err, "unknown type");
    if (c->m->tables[tab].elemtype != VT_FUNCREF)
        return err_set(c->err, "type mismatch");
    const functype *ft = &c->m->types[ti];
    opnd idx;
    if (!cc_pop(c, VT_I32, &idx))
        return false;
    uint32_t base;
    if (!pop_types(c, functype_params(ft), ft->nparams, &base))
        return false;
    if (cc_live(c)) {
        uint32_t is = cc_src(c, &idx);
        materialize_popped(c, base,
                           valtypes_cells(functype_params(ft), ft->nparams),
                           base);
        uint32_t at = cc_emit(c, IOP_CALL_INDIRECT, 4);
        if (at != UINT32_MAX) {
            c->code[at] = c->type_ids[ti];
            c->code[at + 1] = tab;
            c->code[at + 2] = cc_slot(c, base);
            c->code[at + 3] = is;
        }
    }
    return push_results(c, ft);
}

/* ---- emission helpers for value-producing ops ------------------------------- */

/* Emits op with destination = the slot of the value just pushed, then
 * the given source operands; returns the operand index (or UINT32_MAX). */
static uint32_t emit_result(cc *c, iop op, uint32_t n)
{
    return cc_emit_result(c, op, n);
}

static bool do_select(cc *c, bool typed)
{
    uint8_t t = T_UNKNOWN;
    if (typed) {
        uint32_t n;
        if (!read_u32(c, &n))
            return false;
        if (n != 1)
            return err_set(c->err, "invalid result arity");
        if (!read_valtype(c, &t))
            return false;
    }
    opnd cond, b, a;
    if (!cc_pop(c, VT_I32, &cond) || !cc_pop(c, t, &b) || !cc_pop(c, t, &a))
        return false;
    if (!typed) {
        /* numeric and vector types only */
        if (valtype_is_ref(a.type) || valtype_is_ref(b.type))
            return err_set(c->err, "type mismatch");
        if (a.type != T_UNKNOWN && b.type != T_UNKNOWN && a.type != b.type)
            return err_set(c->err, "type mismatch");
        t = a.type != T_UNKNOWN ? a.type : b.type;
    }
    if (!cc_push(c, t))
        return false;
    if (cc_live(c)) {
        uint32_t sa = cc_src(c, &a), sb = cc_src(c, &b);
        uint32_t sc = cc_src(c, &cond);
        iop sel = t == VT_V128 ? IOP_SELECT_V128 : IOP_SELECT;
        uint32_t at = emit_result(c, sel, 4);
        if (at != UINT32_MAX) {
            c->code[at + 1] = sa;
            c->code[at + 2] = sb;
            c->code[at + 3] = sc;
        }
    }
    return true;
}

/* Pops the operands of an instruction typed by its ops.def signature and
 * pushes its result's type. */
static inline bool simple_operands(cc *c, int op, opnd in[2])
{
    uint32_t nin = sigs[op].nin;
    for (uint32_t i = nin; i-- > 0;)
        if (!cc_pop(c, sigs[op].in[i], &in[i]))
            return false;
    return !sigs[op].out || cc_push(c, sigs[op].out);
}

/* Loads and stores (typed by their signature). Apart from do_simple, so
 * each has a case of its own in instr's dispatch, not one more branch on
 * the kind of instruction inside a shared helper. */
static bool do_access(cc *c, int op)
{
    uint32_t align, offset;
    if (!read_u32(c, &align) || !read_u32(c, &offset))
        return false;
    if (align >= 32)
        return err_set(c->err, "malformed memop flags");
    if (!need_memory(c))
        return false;
    if (align > op_table[op].align)
        return err_set(c->err, "alignment must not be larger than natural");
    opnd in[2] = {{0}, {0}};
    if (!simple_operands(c, op, in))
        return false;
    if (!cc_live(c))
        return true;
    return fuse_access(c, (iop)(simple_iop[op] - 1), in, offset,
                       sigs[op].out != 0);
}

/* Numeric instructions typed by their ops.def signature. */
static bool do_simple(cc *c, int op)
{
    opnd in[2] = {{0}, {0}};
    if (!simple_operands(c, op, in))
        return false;
    if (!cc_live(c))
        return true;
    /* Reinterpretations keep the bits: the value just changes type. */
    if (op == OP_I32_REINTERPRET_F32 || op == OP_I64_REINTERPRET_F64 ||
        op == OP_F32_REINTERPRET_I32 || op == OP_F64_REINTERPRET_I64) {
        vent *e = &c->stk[c->nstk - 1];
        e->kind = in[0].kind;
        e->local = in[0].local;
        e->k = in[0].k;
        return true;
    }
    iop base = (iop)(simple_iop[op] - 1);
    /* The fusions' own first test, ahead of the calls. */
    if ((op == OP_I32_ADD || op == OP_I32_SUB) && fuse_add_const(c, op, in))
        return true;
    if (op == OP_I32_EQZ && fuse_eqz(c, op, &in[0]))
        return true;
    if (sigs[op].nin == 1) {
        uint32_t a = cc_src(c, &in[0]);
        uint32_t at = emit_result(c, base, 2);
        if (at != UINT32_MAX)
            c->code[at + 1] = a;
        return true;
    }
    if (in[0].kind == K_CONST && in[1].kind != K_CONST && is_commutative(op)) {
        opnd t = in[0];
        in[0] = in[1];
        in[1] = t;
    }
    if (in[1].kind == K_CONST) {
        uint32_t nimm = imm_words[op];
        uint32_t a = cc_src(c, &in[0]);
        uint32_t at = emit_result(c, (iop)(base + 1), 2 + nimm);
        if (at != UINT32_MAX) {
            c->code[at + 1] = a;
            c->code[at + 2] = (uint32_t)in[1].k;
            if (nimm == 2)
                c->code[at + 3] = (uint32_t)(in[1].k >> 32);
        }
        return true;
    }
    uint32_t a = cc_src(c, &in[0]), b = cc_src(c, &in[1]);
    uint32_t at = emit_result(c, base, 3);
    if (at != UINT32_MAX) {
        c->code[at + 1] = a;
        c->code[at + 2] = b;
    }
    return true;
}

static bool push_const(cc *c, uint8_t type, uint64_t k)
{
    if (!cc_push(c, type))
        return false;
    vent *e = &c->stk[c->nstk - 1];
    e->kind = K_CONST;
    e->k = k;
    return true;
}

/* Emits a value-less op with n source operands taken from srcs. */
static void emit_plain(cc *c, iop op, const uint32_t *ops, uint32_t n)
{
    if (!cc_live(c))
        return;
    uint32_t at = cc_emit(c, op, n);
    if (at == UINT32_MAX)
        return;
    memcpy(&c->code[at], ops, n * sizeof *ops);
}

/* Pops three i32 operands (d, s, n order on the stack) into slots. */
static bool pop3_i32(cc *c, uint32_t out[3])
{
    opnd o[3];
    for (int i = 3; i-- > 0;)
        if (!cc_pop(c, VT_I32, &o[i]))
            return false;
    if (cc_live(c))
        for (int i = 0; i < 3; i++)
            out[i] = cc_src(c, &o[i]);
    return true;
}

static bool need_data_count(cc *c)
{
    if (!c->m->has_data_count)
        return err_set(c->err, "data count section required");
    return true;
}

static bool check_data(cc *c, uint32_t d)
{
    if (!need_data_count(c))
        return false;
    if (d >= c->m->data_count)
        return err_set(c->err, "unknown data segment %u", d);
    return true;
}

static bool check_elem(cc *c, uint32_t e)
{
    if (e >= c->m->nelems)
        return err_set(c->err, "unknown elem segment %u", e);
    return true;
}

/* ---- table and bulk instructions -------------------------------------------- */

static bool do_table_op(cc *c, int op)
{
    uint32_t t;
    if (!read_u32(c, &t) || !check_table(c, t))
        return false;
    uint8_t et = c->m->tables[t].elemtype;
    opnd i, v, n;
    switch (op) {
    case OP_TABLE_GET:
        if (!cc_pop(c, VT_I32, &i) || !cc_push(c, et))
            return false;
        if (cc_live(c)) {
            uint32_t si = cc_src(c, &i);
            uint32_t at = emit_result(c, IOP_TABLE_GET, 3);
            if (at != UINT32_MAX) {
                c->code[at + 1] = t;
                c->code[at + 2] = si;
            }
        }
        return true;
    case OP_TABLE_SET:
        if (!cc_pop(c, et, &v) || !cc_pop(c, VT_I32, &i))
            return false;
        if (cc_live(c)) {
            uint32_t ops[3] = {t, cc_src(c, &i), cc_src(c, &v)};
            emit_plain(c, IOP_TABLE_SET, ops, 3);
        }
        return true;
    case OP_TABLE_SIZE:
        if (!cc_push(c, VT_I32))
            return false;
        {
            uint32_t at = emit_result(c, IOP_TABLE_SIZE, 2);
            if (at != UINT32_MAX)
                c->code[at + 1] = t;
        }
        return true;
    case OP_TABLE_GROW:
        if (!cc_pop(c, VT_I32, &n) || !cc_pop(c, et, &v) ||
            !cc_push(c, VT_I32))
            return false;
        if (cc_live(c)) {
            uint32_t sv = cc_src(c, &v), sn = cc_src(c, &n);
            uint32_t at = emit_result(c, IOP_TABLE_GROW, 4);
            if (at != UINT32_MAX) {
                c->code[at + 1] = t;
                c->code[at + 2] = sv;
                c->code[at + 3] = sn;
            }
        }
        return true;
    default: /* OP_TABLE_FILL */
        if (!cc_pop(c, VT_I32, &n) || !cc_pop(c, et, &v) ||
            !cc_pop(c, VT_I32, &i))
            return false;
        if (cc_live(c)) {
            uint32_t ops[4] = {t, cc_src(c, &i), cc_src(c, &v),
                               cc_src(c, &n)};
            emit_plain(c, IOP_TABLE_FILL, ops, 4);
        }
        return true;
    }
}

static bool do_bulk(cc *c, int op)
{
    uint32_t a, b, s[3] = {0, 0, 0};
    switch (op) {
    case OP_MEMORY_INIT:
        if (!read_u32(c, &a) || !zero_byte(c) || !need_data_count(c) ||
            !need_memory(c) || !check_data(c, a) || !pop3_i32(c, s))
            return false;
        {
            uint32_t ops[4] = {a, s[0], s[1], s[2]};
            emit_plain(c, IOP_MEMORY_INIT, ops, 4);
        }
        return true;
    case OP_DATA_DROP:
        if (!read_u32(c, &a) || !check_data(c, a))
            return false;
        emit_plain(c, IOP_DATA_DROP, &a, 1);
        return true;
    case OP_MEMORY_COPY:
        if (!zero_byte(c) || !zero_byte(c) || !need_memory(c) ||
            !pop3_i32(c, s))
            return false;
        emit_plain(c, IOP_MEMORY_COPY, s, 3);
        return true;
    case OP_MEMORY_FILL:
        if (!zero_byte(c) || !need_memory(c) || !pop3_i32(c, s))
            return false;
        emit_plain(c, IOP_MEMORY_FILL, s, 3);
        return true;
    case OP_TABLE_INIT:
        if (!read_u32(c, &a) || !read_u32(c, &b) || !check_table(c, b) ||
            !check_elem(c, a))
            return false;
        if (c->m->elems[a].elemtype != c->m->tables[b].elemtype)
            return err_set(c->err, "type mismatch");
        if (!pop3_i32(c, s))
            return false;
        {
            uint32_t ops[5] = {a, b, s[0], s[1], s[2]};
            emit_plain(c, IOP_TABLE_INIT, ops, 5);
        }
        return true;
    case OP_ELEM_DROP:
        if (!read_u32(c, &a) || !check_elem(c, a))
            return false;
        emit_plain(c, IOP_ELEM_DROP, &a, 1);
        return true;
    default: /* OP_TABLE_COPY */
        if (!read_u32(c, &a) || !read_u32(c, &b) || !check_table(c, a) ||
            !check_table(c, b))
            return false;
        if (c->m->tables[a].elemtype != c->m->tables[b].elemtype)
            return err_set(c->err, "type mismatch");
        if (!pop3_i32(c, s))
            return false;
        {
            uint32_t ops[5] = {a, b, s[0], s[1], s[2]};
            emit_plain(c, IOP_TABLE_COPY, ops, 5);
        }
        return true;
    }
}

/* ---- variables, constants, references ----------------------------------------- */

static inline bool do_variable(cc *c, int op)
{
    uint32_t x;
    if (!read_u32(c, &x))
        return false;
    switch (op) {
    case OP_LOCAL_GET:
        if (x >= c->nlocals_all)
            return err_set(c->err, "unknown local %u", x);
        return cc_push_local(c, x);
    case OP_LOCAL_SET:
        return cc_local_set(c, x, false);
    case OP_LOCAL_TEE:
        return cc_local_set(c, x, true);
    case OP_GLOBAL_GET:
        if (x >= c->m->nglobals)
            return err_set(c->err, "unknown global %u", x);
        if (!cc_push(c, c->m->globals[x].type))
            return false;
        {
            iop g = c->m->globals[x].type == VT_V128 ? IOP_GLOBAL_GET_V128
                                                     : IOP_GLOBAL_GET;
            uint32_t at = emit_result(c, g, 2);
            if (at != UINT32_MAX)
                c->code[at + 1] = x;
        }
        return true;
    default: { /* OP_GLOBAL_SET */
        if (x >= c->m->nglobals)
            return err_set(c->err, "unknown global %u", x);
        if (!c->m->globals[x].mut)
            return err_set(c->err, "global is immutable");
        opnd v;
        if (!cc_pop(c, c->m->globals[x].type, &v))
            return false;
        if (cc_live(c)) {
            uint32_t ops[2] = {x, cc_src(c, &v)};
            emit_plain(c, v.type == VT_V128 ? IOP_GLOBAL_SET_V128
                                            : IOP_GLOBAL_SET, ops, 2);
        }
        return true;
    }
    }
}

static inline bool do_const(cc *c, int op)
{
    switch (op) {
    case OP_I32_CONST: {
        int32_t v;
        return reader_s32(&c->r, &v) && push_const(c, VT_I32, (uint32_t)v);
    }
    case OP_I64_CONST: {
        int64_t v;
        return reader_s64(&c->r, &v) && push_const(c, VT_I64, (uint64_t)v);
    }
    case OP_F32_CONST: {
        uint32_t v;
        return reader_f32(&c->r, &v) && push_const(c, VT_F32, v);
    }
    default: {
        uint64_t v;
        return reader_f64(&c->r, &v) && push_const(c, VT_F64, v);
    }
    }
}

static bool do_ref(cc *c, int op)
{
    if (op == OP_REF_NULL) {
        uint8_t t;
        if (!reader_u8(&c->r, &t))
            return false;
        if (!valtype_is_ref(t))
            return err_set(c->err, "malformed reference type");
        return push_const(c, t, 0);
    }
    if (op == OP_REF_IS_NULL) {
        opnd v;
        if (!cc_pop(c, T_UNKNOWN, &v))
            return false;
        if (v.type != T_UNKNOWN && !valtype_is_ref(v.type))
            return err_set(c->err, "type mismatch");
        if (!cc_push(c, VT_I32))
            return false;
        if (cc_live(c)) {
            uint32_t s = cc_src(c, &v);
            uint32_t at = emit_result(c, IOP_REF_IS_NULL, 2);
            if (at != UINT32_MAX)
                c->code[at + 1] = s;
        }
        return true;
    }
    uint32_t f; /* OP_REF_FUNC */
    if (!read_u32(c, &f))
        return false;
    if (f >= c->m->nfuncs)
        return err_set(c->err, "unknown function %u", f);
    if (!module_func_declared(c->m, f))
        return err_set(c->err, "undeclared function reference");
    if (!cc_push(c, VT_FUNCREF))
        return false;
    uint32_t at = emit_result(c, IOP_REF_FUNC, 2);
    if (at != UINT32_MAX)
        c->code[at + 1] = f;
    return true;
}

static bool do_memory_size_grow(cc *c, int op)
{
    if (!zero_byte(c) || !need_memory(c))
        return false;
    if (op == OP_MEMORY_SIZE) {
        if (!cc_push(c, VT_I32))
            return false;
        emit_result(c, IOP_MEMORY_SIZE, 1);
        return true;
    }
    opnd n;
    if (!cc_pop(c, VT_I32, &n) || !cc_push(c, VT_I32))
        return false;
    if (cc_live(c)) {
        uint32_t s = cc_src(c, &n);
        uint32_t at = emit_result(c, IOP_MEMORY_GROW, 2);
        if (at != UINT32_MAX)
            c->code[at + 1] = s;
    }
    return true;
}

/* ---- the loop ---------------------------------------------------------------------- */

/* One non-SIMD instruction. Cases that share a helper pass it their op
 * as a constant, so the helper's own switch on op folds away once it is
 * inlined: one unpredictable jump per instruction, not two. */
static bool instr(cc *c, int op)
{
    switch (op) {
    case OP_UNREACHABLE:
        if (cc_live(c))
            cc_emit(c, IOP_UNREACHABLE, 0);
        cc_set_unreachable(c);
        return true;
    case OP_NOP:
        return true;
    case OP_BLOCK:
    case OP_LOOP:
    case OP_IF:
        return do_block(c, op);
    case OP_ELSE:
        return do_else(c);
    case OP_END:
        return cc_end(c);
    case OP_BR:
        return do_br(c);
    case OP_BR_IF:
        return do_br_if(c);
    case OP_BR_TABLE:
        return do_br_table(c);
    case OP_RETURN:
        return do_return(c);
    case OP_CALL:
        return do_call(c);
    case OP_CALL_INDIRECT:
        return do_call_indirect(c);
    case OP_DROP: {
        opnd o;
        return cc_pop(c, T_UNKNOWN, &o);
    }
    case OP_SELECT:
        return do_select(c, false);
    case OP_SELECT_T:
        return do_select(c, true);
    case OP_LOCAL_GET:
        return do_variable(c, OP_LOCAL_GET);
    case OP_LOCAL_SET:
        return do_variable(c, OP_LOCAL_SET);
    case OP_LOCAL_TEE:
        return do_variable(c, OP_LOCAL_TEE);
    case OP_GLOBAL_GET:
    case OP_GLOBAL_SET:
        return do_variable(c, op);
    case OP_TABLE_GET:
    case OP_TABLE_SET:
    case OP_TABLE_SIZE:
    case OP_TABLE_GROW:
    case OP_TABLE_FILL:
        return do_table_op(c, op);
    case OP_MEMORY_SIZE:
    case OP_MEMORY_GROW:
        return do_memory_size_grow(c, op);
    case OP_I32_LOAD: case OP_I64_LOAD: case OP_F32_LOAD: case OP_F64_LOAD:
    case OP_I32_LOAD8_S: case OP_I32_LOAD8_U: case OP_I32_LOAD16_S:
    case OP_I32_LOAD16_U: case OP_I64_LOAD8_S: case OP_I64_LOAD8_U:
    case OP_I64_LOAD16_S: case OP_I64_LOAD16_U: case OP_I64_LOAD32_S:
    case OP_I64_LOAD32_U: case OP_I32_STORE: case OP_I64_STORE:
    case OP_F32_STORE: case OP_F64_STORE: case OP_I32_STORE8:
    case OP_I32_STORE16: case OP_I64_STORE8: case OP_I64_STORE16:
    case OP_I64_STORE32:
        return do_access(c, op);
    case OP_I32_CONST:
        return do_const(c, OP_I32_CONST);
    case OP_I64_CONST:
        return do_const(c, OP_I64_CONST);
    case OP_F32_CONST:
    case OP_F64_CONST:
        return do_const(c, op);
    case OP_REF_NULL:
    case OP_REF_IS_NULL:
    case OP_REF_FUNC:
        return do_ref(c, op);
    case OP_MEMORY_INIT:
    case OP_DATA_DROP:
    case OP_MEMORY_COPY:
    case OP_MEMORY_FILL:
    case OP_TABLE_INIT:
    case OP_ELEM_DROP:
    case OP_TABLE_COPY:
        return do_bulk(c, op);
    default:
        if (!sigs[op].simple)
            return err_set(c->err, "illegal opcode");
        return do_simple(c, op);
    }
}

bool cc_body(cc *c)
{
    while (c->nctl > 0) {
        if (reader_eof(&c->r))
            return err_set(c->err, "END opcode expected");
        /* op + local.set: only directly after the producing instruction. */
        c->can_retarget = c->just_emitted;
        c->just_emitted = false;
        c->instr_offset = c->body_offset + (uint32_t)reader_offset(&c->r);
        uint8_t b;
        if (!reader_u8(&c->r, &b))
            return false;
        /* The two most common instructions (local.get is about a
         * quarter of compiled code, i32.const a sixth) emit nothing: a
         * test for each ahead of the dispatch below costs less than its
         * indirect jump. Their bytes are those of ops.def. */
        if (b == 0x20) {
            if (!do_variable(c, OP_LOCAL_GET))
                return false;
            continue;
        }
        if (b == 0x41) {
            if (!do_const(c, OP_I32_CONST))
                return false;
            continue;
        }
        int op;
        if (b == OP_PREFIX_FC) {
            uint32_t sub;
            if (!reader_u32(&c->r, &sub))
                return false;
            op = op_from_fc(sub);
        } else if (b == OP_PREFIX_FD) {
            uint32_t sub;
            if (!reader_u32(&c->r, &sub))
                return false;
            op = op_from_fd(sub);
            if (op < 0)
                return err_set(c->err, "illegal opcode");
            if (!cc_simd(c, op))
                return false;
            continue;
        } else {
            op = (int)byte_op[b] - 1;
        }
        if (op < 0)
            return err_set(c->err, "illegal opcode");
        if (!instr(c, op))
            return false;
    }
    if (!reader_eof(&c->r))
        return err_set(c->err, "section size mismatch");
    return true;
}
