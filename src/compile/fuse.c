/* Instruction selection beyond one internal instruction per Wasm one.
 *
 * Superinstructions: the translator rewrites the instruction it has just
 * emitted (or the two last ones) into one that also does the work of the
 * instruction consuming its result. Each applies only when cc_fusable
 * says that result is read by nothing else and no branch target lies
 * inside what is rewritten (ctx.h); otherwise the plain instructions are
 * emitted. See docs/ARCHITECTURE.md. */
#include <string.h>

#include "../opcodes.h"
#include "ctx.h"

/* Comparison -> the same comparison fused with a branch taken when its
 * result is nonzero (branch_if[0]) or zero (branch_if[1]), + 1 (0: none). */
static const uint16_t branch_if[2][IOP_COUNT] = {
    {
#define IOP(n)
#define BINOP(w, tx, tr, ...)
#define CMP(w, tx, cond) [IOP_##w##_SS] = IOP_BRT_##w##_SS + 1, \
                         [IOP_##w##_SI] = IOP_BRT_##w##_SI + 1,
#define UNOP(w, tx, tr, ...)
#define LOAD(w, ct, conv)
#define STORE(w, ct)
#include "../interp/iops.def"
#undef CMP
        [IOP_I32_EQZ] = IOP_BR_EQZ + 1,
        [IOP_I64_EQZ] = IOP_BR_EQZ64 + 1,
    },
    {
#define CMP(w, tx, cond) [IOP_##w##_SS] = IOP_BRF_##w##_SS + 1, \
                         [IOP_##w##_SI] = IOP_BRF_##w##_SI + 1,
#include "../interp/iops.def"
#undef CMP
#undef IOP
#undef BINOP
#undef UNOP
#undef LOAD
#undef STORE
        [IOP_I32_EQZ] = IOP_BR_NEZ + 1,
        [IOP_I64_EQZ] = IOP_BR_NEZ64 + 1,
    },
};

/* A listed pair: first op, second op, the pair's op. */
typedef struct pair_def {
    uint16_t a, b, ab;
} pair_def;

/* The listed pairs with a branch (iops.def PAIRB). */
static const pair_def branch_pairs[] = {
#define IOP(n)
#define BINOP(w, tx, tr, ...)
#define UNOP(w, tx, tr, ...)
#define LOAD(w, ct, conv)
#define STORE(w, ct)
#define PAIRB(a, b) {IOP_##a, IOP_##b, IOP_##a##__##b},
#include "../interp/iops.def"
#undef IOP
#undef BINOP
#undef UNOP
#undef LOAD
#undef STORE
#undef PAIRB
};

/* The listed pairs (iops.def PAIR). */
static const pair_def pairs[] = {
#define IOP(n)
#define BINOP(w, tx, tr, ...)
#define UNOP(w, tx, tr, ...)
#define LOAD(w, ct, conv)
#define STORE(w, ct)
#define PAIR(a, b) {IOP_##a, IOP_##b, IOP_##a##__##b},
#include "../interp/iops.def"
#undef IOP
#undef BINOP
#undef UNOP
#undef LOAD
#undef STORE
#undef PAIR
};

#define NPAIRS (sizeof pairs / sizeof *pairs)
#define NBRANCH_PAIRS (sizeof branch_pairs / sizeof *branch_pairs)

/* The listed pairs by (first op, second op), in open-addressed hash
 * tables of 1 + their index (0: empty slot), with a per-op flag of the
 * first ops (1: a PAIR starts with it, 2: a PAIRB does). Built once by
 * fuse_init: a pair is looked for before every instruction emitted, so
 * an op that starts none costs one load, and one that does about one
 * probe. Tables are over twice the lists' length, so probes stay short
 * and an empty slot always ends them. */
#define PAIR_SLOTS 512u
uint8_t fuse_pair_first[IOP_COUNT];
static uint16_t pair_slot[PAIR_SLOTS], branch_slot[PAIR_SLOTS];

static unsigned pair_hash(unsigned a, unsigned b)
{
    return (a * 40503u ^ b * 2654435761u) % PAIR_SLOTS;
}

/* Slot of (a, b) in t: the one holding it, or the empty one where it
 * would go. `list` is the table's list (pairs or branch_pairs). */
static unsigned pair_find(const uint16_t *t, const pair_def *l, unsigned a,
                          unsigned b)
{
    unsigned h = pair_hash(a, b);
    while (t[h] && (l[t[h] - 1].a != a || l[t[h] - 1].b != b))
        h = (h + 1) % PAIR_SLOTS;
    return h;
}

void fuse_init(void)
{
    _Static_assert(2 * NPAIRS < PAIR_SLOTS && 2 * NBRANCH_PAIRS < PAIR_SLOTS,
                   "pair tables too small");
    /* The first listed pair of each (a, b) wins, as a scan would find. */
    for (size_t i = 0; i < NPAIRS; i++) {
        unsigned h = pair_find(pair_slot, pairs, pairs[i].a, pairs[i].b);
        if (!pair_slot[h])
            pair_slot[h] = (uint16_t)(i + 1);
        fuse_pair_first[pairs[i].a] |= 1;
    }
    for (size_t i = 0; i < NBRANCH_PAIRS; i++) {
        unsigned h = pair_find(branch_slot, branch_pairs, branch_pairs[i].a,
                               branch_pairs[i].b);
        if (!branch_slot[h])
            branch_slot[h] = (uint16_t)(i + 1);
        fuse_pair_first[branch_pairs[i].a] |= 2;
    }
}

/* Can the last two instructions still become one? Both as emitted, side
 * by side, the first's operands in at most 4 words, no label after the
 * first's start, and together at least a pair's length: the pair is
 * never longer than the two (it is written over them, in room they had),
 * so nothing may point past it. */
static bool joinable(const cc *c)
{
    uint32_t a = c->prev_start, b = c->last_start;
    return c->code_len == c->last_end && c->fence <= a && a < b &&
           b - a - 2 <= 4 && c->last_end - a >= ICODE_LEN(8);
}

/* Rewrites the last two instructions into pair `ab`: the first's operand
 * words stay (padded to 4), `opd` follows them. */
static void join_pair(cc *c, iop ab, const uint32_t opd[4])
{
    uint32_t a = c->prev_start;
    for (uint32_t k = c->last_start - a - 2; k < 4; k++)
        c->code[a + 2 + k] = 0;
    memcpy(&c->code[a + 6], opd, 4 * sizeof *opd);
    c->code_len = a + ICODE_LEN(8);
    cc_set_op(c, a, ab);
    c->last_start = a;
    c->last_end = c->code_len;
    c->last_nopd = 8;
    c->prev_op = IOP_UNREACHABLE; /* none */
    c->prev_start = a;
    c->prev_result_h = UINT32_MAX;
}

/* The branch just emitted, whose offset word is `off`, joins the
 * instruction before it when they are a listed PAIRB (the conditions of
 * fuse_pair). Returns where the offset word is now. Done before the
 * caller writes or records the offset, so nothing points at the old one. */
static uint32_t pair_branch(cc *c, uint32_t off)
{
    c->branch_mark = off;
    uint32_t a = c->prev_start, b = c->last_start;
    if (!joinable(c) || off - b - 2 > 3)
        return off;
    if (!(fuse_pair_first[c->prev_op] & 2))
        return off;
    unsigned j = branch_slot[pair_find(branch_slot, branch_pairs, c->prev_op,
                                       c->last_op)];
    if (!j)
        return off;
    size_t i = j - 1;
    uint32_t opd[4] = {0};
    memcpy(opd, &c->code[b + 2], (off - b - 2) * sizeof *opd);
    opd[3] = c->code[off];
    join_pair(c, (iop)branch_pairs[i].ab, opd);
    c->last_result_h = UINT32_MAX;
    return a + 9;
}

/* Emits a branch on cond (taken when it is nonzero, or zero when
 * `if_zero`), fused into the comparison that just produced cond when
 * there is one. Returns the offset word to patch (UINT32_MAX: none). */
uint32_t fuse_branch_on(cc *c, opnd *cond, bool if_zero)
{
    if (cc_fusable(c, cond)) {
        uint16_t f = branch_if[if_zero][c->last_op];
        if (f) {
            /* d, a, b|imm... becomes a, b|imm..., off: same length. */
            uint32_t at = c->last_start + 2, n = c->last_nopd;
            memmove(&c->code[at], &c->code[at + 1],
                    (n - 1) * sizeof *c->code);
            c->code[at + n - 1] = 0;
            cc_set_op(c, c->last_start, (iop)(f - 1));
            return pair_branch(c, at + n - 1);
        }
    }
    uint32_t cs = cc_src(c, cond);
    uint32_t at = cc_emit(c, if_zero ? IOP_BR_EQZ : IOP_BR_NEZ, 2);
    if (at == UINT32_MAX)
        return UINT32_MAX;
    c->code[at] = cs;
    return pair_branch(c, at + 1);
}

/* The first three operands of an access at operand word `at`: a load's
 * destination (the new top of stack) and address, or a store's address
 * and value; then the static offset. */
static void put_access(cc *c, uint32_t at, bool load, uint32_t a, uint32_t v,
                       uint32_t offset)
{
    if (load) {
        c->code[at] = cc_top_slot(c);
        c->code[at + 1] = a;
        cc_result_at(c, at);
    } else {
        c->code[at] = a;
        c->code[at + 1] = v;
    }
    c->code[at + 2] = offset;
}

/* The i32.add of slots a and b just emitted made the address of this
 * load or store, and one of them is the result of an i32.shl by a
 * constant right before it, read by nothing else: all three become one
 * access (the _SC forms), written over the two. */
static bool fuse_scaled(cc *c, iop w, uint32_t a, uint32_t b,
                        uint32_t offset, uint32_t v, bool load)
{
    if (c->prev_op != IOP_I32_SHL_SI || c->prev_result_h == UINT32_MAX ||
        c->prev_start + ICODE_LEN(3) != c->last_start ||
        c->fence > c->prev_start)
        return false;
    uint32_t t = cc_slot(c, c->prev_result_h);
    if (c->code[c->prev_start + 2] != t) /* retargeted to a local */
        return false;
    if (a == t) {
        a = b;
        b = t;
    }
    if (b != t || a == t)
        return false;
    uint32_t at = c->prev_start + 2;
    uint32_t idx = c->code[at + 1], s = c->code[at + 2] & 31;
    c->code_len = c->prev_start;
    uint32_t op = cc_emit(c, (iop)(w + 6 + (offset < c->unchecked_offsets)),
                          5);
    if (op == UINT32_MAX)
        return true;
    put_access(c, op, load, a, v, offset);
    c->code[op + 3] = idx;
    c->code[op + 4] = s;
    return true;
}

/* The i32.add of two slots just emitted made the address of this load
 * or store: it becomes the access, with both slots (the _X forms). */
static bool fuse_add_access(cc *c, iop w, opnd in[2], uint32_t offset,
                            bool load)
{
    if (c->last_op != IOP_I32_ADD_SS || !cc_fusable(c, &in[0]) ||
        (!load && in[1].kind != K_LOCAL))
        return false;
    uint32_t at = c->last_start + 2;
    uint32_t a = c->code[at + 1], b = c->code[at + 2];
    if (fuse_scaled(c, w, a, b, offset, load ? 0 : in[1].local, load))
        return true;
    w = (iop)(w + 4 + (offset < c->unchecked_offsets));
    cc_set_op(c, c->last_start, w);
    put_access(c, at, load, a, load ? 0 : in[1].local, offset);
    c->code[at + 3] = b;
    return true;
}

/* A load or store: forms W, W_G, W_K, W_KG, W_X, W_XG, W_SC, W_SCG follow
 * each other (code.h). An address `x + k` not yet added goes in as x and
 * k. */
bool fuse_access(cc *c, iop w, opnd in[2], uint32_t offset, bool load)
{
    if (fuse_add_access(c, w, in, offset, load))
        return true;
    uint32_t n = 3, k = 0;
    if (in[0].kind == K_CONST) {
        /* A constant address: zero plus k. */
        in[0].kind = K_ADD;
        in[0].local = c->zero_cell;
    }
    if (in[0].kind == K_ADD) {
        w = (iop)(w + 2);
        n = 4;
        k = (uint32_t)in[0].k;
        in[0].kind = K_LOCAL; /* its cell, read as it is */
    }
    /* The unchecked form follows the checked one. */
    if (offset < c->unchecked_offsets)
        w = (iop)(w + 1);
    uint32_t a = cc_src(c, &in[0]);
    uint32_t at;
    if (load) {
        at = cc_emit_result(c, w, n);
        if (at == UINT32_MAX)
            return true;
        c->code[at + 1] = a;
    } else {
        uint32_t v = cc_src(c, &in[1]);
        at = cc_emit(c, w, n);
        if (at == UINT32_MAX)
            return true;
        c->code[at] = a;
        c->code[at + 1] = v;
    }
    c->code[at + 2] = offset;
    if (n == 4)
        c->code[at + 3] = k;
    return true;
}

/* i32.eqz of an integer comparison just made: the comparison turns into
 * its opposite (lt_s into ge_s, ...) in place, so a branch on the result
 * can still fuse with it. */
bool fuse_eqz(cc *c, int op, const opnd *x)
{
    static const iop opposite[][2] = {
#define OPPOSITE(w, a, b)                                               \
    {IOP_##w##_##a##_SS, IOP_##w##_##b##_SS},                           \
    {IOP_##w##_##a##_SI, IOP_##w##_##b##_SI},                           \
    {IOP_##w##_##b##_SS, IOP_##w##_##a##_SS},                           \
    {IOP_##w##_##b##_SI, IOP_##w##_##a##_SI},
        OPPOSITE(I32, EQ, NE) OPPOSITE(I32, LT_S, GE_S)
        OPPOSITE(I32, LT_U, GE_U) OPPOSITE(I32, GT_S, LE_S)
        OPPOSITE(I32, GT_U, LE_U)
        OPPOSITE(I64, EQ, NE) OPPOSITE(I64, LT_S, GE_S)
        OPPOSITE(I64, LT_U, GE_U) OPPOSITE(I64, GT_S, LE_S)
        OPPOSITE(I64, GT_U, LE_U)
#undef OPPOSITE
    };
    if (op != OP_I32_EQZ || !cc_fusable(c, x))
        return false;
    for (size_t i = 0; i < sizeof opposite / sizeof *opposite; i++) {
        if (opposite[i][0] == c->last_op) {
            cc_set_op(c, c->last_start, opposite[i][1]);
            cc_result_at(c, c->last_start + 2);
            return true;
        }
    }
    return false;
}

void fuse_pair_join(cc *c)
{
    /* Operand words from positions: an instruction rewritten in place
     * (an add that became an access) has more than it had. */
    uint32_t a = c->prev_start, b = c->last_start;
    if (!joinable(c) || c->last_end - b - 2 > 4)
        return;
    unsigned j = pair_slot[pair_find(pair_slot, pairs, c->prev_op,
                                     c->last_op)];
    if (!j)
        return;
    size_t i = j - 1;
    uint32_t opd[4] = {0};
    memcpy(opd, &c->code[b + 2], (c->last_end - b - 2) * sizeof *opd);
    if (c->last_dst_pos >= b + 2 && c->last_dst_pos < b + 6)
        c->last_dst_pos = c->last_dst_pos - b + a + 4;
    /* A second half that can fault (PAIRM) is found at the pair's start. */
    if (c->nsites && c->sites[c->nsites - 1][0] == b)
        c->sites[c->nsites - 1][0] = a;
    join_pair(c, (iop)pairs[i].ab, opd);
}

/* i32.add or i32.sub of a constant: the sum waits on the stack as
 * K_ADD (see compile.c) for a load or store to take as its address. */
bool fuse_add_const(cc *c, int op, opnd in[2])
{
    if (op != OP_I32_ADD && op != OP_I32_SUB)
        return false;
    if (op == OP_I32_ADD && in[0].kind == K_CONST && in[1].kind != K_CONST) {
        opnd t = in[0];
        in[0] = in[1];
        in[1] = t;
    }
    if (in[1].kind != K_CONST || in[0].kind == K_CONST)
        return false;
    uint32_t k = (uint32_t)in[1].k;
    if (op == OP_I32_SUB)
        k = 0u - k;
    /* The cell the sum is over: a local's, or a stack slot, which must
     * then be the result's own (with the constant first, x sits one slot
     * above, where the next value pushed would overwrite it). */
    uint32_t base = in[0].kind == K_SLOT ? cc_slot(c, in[0].h) : in[0].local;
    if (base >= cc_slot(c, 0) && base != cc_slot(c, c->nstk - 1))
        return false;
    vent *e = &c->stk[c->nstk - 1];
    e->local = base;
    if (in[0].kind == K_ADD)
        k += (uint32_t)in[0].k;
    e->kind = K_ADD;
    e->k = k;
    return true;
}
