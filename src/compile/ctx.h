/* The translator's state for one function, shared by compile.c (stacks,
 * labels, emission) and body.c (the instruction loop). */
#ifndef EBB_COMPILE_CTX_H
#define EBB_COMPILE_CTX_H

#include <stdbool.h>
#include <stdint.h>

#include "../decode/module.h"
#include "../decode/reader.h"
#include "../interp/code.h"

#define T_UNKNOWN 0 /* a value of the polymorphic stack */
/* A v128 takes two stack entries, one per 64-bit cell: the value's entry
 * (type VT_V128) and above it this one for the high cell. Each entry has
 * its own location, so aliases, constants and copies work cell by cell. */
#define T_V128_HI 1

enum { K_SLOT, K_LOCAL, K_CONST, K_ADD };

/* An operand-stack entry: its type and where its value is. Heights count
 * cells (entries), so stack height h is always one slot. */
typedef struct vent {
    uint8_t type;
    uint8_t kind;     /* K_SLOT, K_LOCAL (alias of local cell `local`),
                         K_CONST (k), K_ADD (i32: frame cell `local`
                         plus k, not yet added) */
    uint32_t local;
    uint64_t k;
} vent;

/* A popped operand: the entry plus its height (for its stack slot). A
 * v128's high cell is at local + 1 or k_hi. */
typedef struct opnd {
    uint8_t type;
    uint8_t kind;
    uint32_t h;
    uint32_t local;
    uint64_t k;
    uint64_t k_hi;
} opnd;

typedef struct ctrl {
    uint8_t op;             /* OP_BLOCK, OP_LOOP, OP_IF, OP_ELSE */
    bool unreachable;       /* the rest of this block is dead */
    bool dead;              /* the whole block is in dead code */
    uint32_t height;        /* operand height at entry, below params */
    const uint8_t *params;
    uint32_t nparams;
    const uint8_t *results;
    uint32_t nresults;
    uint32_t label_pc;      /* loop: where branches go */
    uint32_t patches;       /* forward branches to patch at end */
    uint32_t else_patch;    /* if: the false branch's offset word */
    /* loop: a head that ends in a br_table (head.c), 0 when none. */
    uint32_t head_end;      /* one past the br_table */
    uint32_t head_tab;      /* the br_table's first word */
    uint32_t head_patch0;   /* its first entry in patches */
    uint32_t head_copies;   /* copies made so far */
} ctrl;

typedef struct patch {
    uint32_t pos;           /* code word holding a branch offset */
    uint32_t next;
    uint32_t ctl;           /* index of the label's ctrl */
} patch;

typedef struct cc {
    const module_desc *m;
    const uint32_t *type_ids;
    uint64_t unchecked_offsets; /* compile_opts */
    bool fuel, epoch;           /* compile_opts */
    mem_owner *owner;
    err_t *err;
    const functype *ft;
    reader r;

    uint8_t *ltypes;        /* params then locals */
    uint32_t *lslot;        /* each local's first frame cell */
    uint32_t nparams;
    uint32_t nlocals_all;
    uint32_t nlocal_cells;  /* cells of params and locals */
    uint32_t zero_cell;     /* a local cell that always holds 0 */

    vent *stk;
    uint32_t nstk, max_height;
    size_t stk_cap;
    ctrl *ctl;
    uint32_t nctl;
    size_t ctl_cap;
    uint32_t *code;
    uint32_t code_len;
    size_t code_cap;
    patch *patches;
    uint32_t npatches;
    size_t patch_cap;
    uint32_t (*sites)[2];   /* trap/call sites, see compiled_func */
    uint32_t nsites;
    size_t sites_cap;
    uint32_t instr_offset;  /* binary offset of the current instruction */
    uint32_t body_offset;   /* binary offset of the body's first byte */
    uint32_t branch_mark;   /* the last branch offset word emitted */
    uint32_t *labels;       /* br_table scratch */
    size_t labels_cap;
    bool oom;

    /* op + local.set: the previous instruction's result, if it wrote the
     * top of the stack and nothing happened since. */
    bool just_emitted, can_retarget;
    uint32_t last_dst_pos, last_dst_h;

    /* Fusing an instruction with the one that consumes its result: the
     * last instruction emitted (its op, its first word and one past its
     * last), its operand count, the stack height of its result
     * (UINT32_MAX: none), and the code position of the last branch
     * target, which must stay put. */
    iop last_op;
    uint32_t last_start, last_end, last_nopd, last_result_h, fence;
    /* The same of the instruction before it (op, start, result height). */
    iop prev_op;
    uint32_t prev_start, prev_result_h;
} cc;

/* The helpers every instruction runs through are inline (below): a call
 * each would cost about as much as their work. */
static inline bool cc_live(const cc *c);
/* Function entry and loop headers: the interruption checks the options
 * ask for (none when fuel and epochs are off). */
void cc_emit_checks(cc *c);
/* Appends an instruction with n operand words (zeroed) and returns the
 * index of its first operand word, or UINT32_MAX on failure. */
static inline uint32_t cc_emit(cc *c, iop op, uint32_t n);
/* cc_emit's rare paths: room for `need` code words (false: out of
 * memory, c->oom set), and recording a trap site. */
bool cc_code_grow(cc *c, size_t need);
void cc_add_site(cc *c, uint32_t at);
/* By internal op: its handler word, and whether it can trap or call
 * (compile.c, built once before any compile). */
extern uint64_t cc_handler_word[IOP_COUNT];
extern bool cc_traps[IOP_COUNT];
static inline uint32_t cc_slot(const cc *c, uint32_t h);
static inline bool cc_push(cc *c, uint8_t type);
/* cc_push when the stack must grow first. */
bool cc_push_grow(cc *c, uint8_t type);
static inline bool cc_pop(cc *c, uint8_t expect, opnd *o);
bool cc_repush(cc *c, const opnd *o, uint8_t type);
static inline uint32_t cc_src(cc *c, opnd *o);
/* cc_src of a constant or a pending sum: emits it into o's slot. */
uint32_t cc_src_emit(cc *c, opnd *o);
void cc_materialize_from(cc *c, uint32_t from);
void cc_branch_to(cc *c, ctrl *f, uint32_t pos);
uint32_t cc_label_arity(const ctrl *f);
uint32_t cc_label_cells(const ctrl *f);
/* Is o the result of the last instruction emitted, with no code and no
 * branch target placed since? Then o's consumer may rewrite that
 * instruction (c->last_start) into one that does the work of both. */
bool cc_fusable(const cc *c, const opnd *o);
/* Rewrites the handler word of the instruction at code word `start`. */
void cc_set_op(cc *c, uint32_t start, iop op);
/* Slot of the top value's first cell (a result just pushed). */
static inline uint32_t cc_top_slot(const cc *c);
/* local.get: pushes an alias of local x (x is valid). */
static inline bool cc_push_local(cc *c, uint32_t x);
const uint8_t *cc_label_types(const ctrl *f);
bool cc_needs_copies(const cc *c, const ctrl *f);
void cc_emit_copies(cc *c, const ctrl *f);
bool cc_push_ctrl(cc *c, uint8_t op, const uint8_t *params, uint32_t np,
                  const uint8_t *results, uint32_t nr);
bool cc_check_results(cc *c, ctrl *f);
void cc_set_unreachable(cc *c);
bool cc_end(cc *c);
void cc_emit_return(cc *c);
bool cc_local_set(cc *c, uint32_t x, bool tee);
/* The instruction just emitted wrote the new top of stack through code
 * word dst_word (so a following local.set can retarget it). */
static inline void cc_result_at(cc *c, uint32_t dst_word);

/* body.c: the instruction loop. */
bool cc_body(cc *c);
/* Builds body.c's lookup tables; once per process, before any compile. */
void body_init(void);

/* head.c: jumps back to a loop whose head is a dispatch. */
/* After a br_table was emitted at code word tab, with its entries'
 * forward branches from patches[patch0] on and branch_mark `mark` before
 * it: if it ends the head of the innermost loop, remembers it. */
void head_note(cc *c, uint32_t tab, uint32_t patch0, uint32_t mark);
/* `br` to loop L: emits a copy of L's head in place of the jump, when L
 * has one. False: nothing emitted. */
bool head_copy(cc *c, ctrl *L);

/* fuse.c: superinstructions. */
/* Emits a branch on cond, taken when it is nonzero (or zero, when
 * if_zero), as one compare-and-branch with the comparison that just made
 * cond where there is one. Returns the offset word to patch (UINT32_MAX:
 * none). */
uint32_t fuse_branch_on(cc *c, opnd *cond, bool if_zero);
/* Emits load or store w (its checked form; the others follow it, code.h)
 * with address in[0] (and value in[1]), folding the address arithmetic
 * just before it into the access where it can. */
bool fuse_access(cc *c, iop w, opnd in[2], uint32_t offset, bool load);
/* i32.add/i32.sub (op) of a constant: the sum waits as K_ADD. False when
 * the operands are not of that shape (nothing done). */
bool fuse_add_const(cc *c, int op, opnd in[2]);
/* i32.eqz (op) of an integer comparison just emitted: flips it. */
bool fuse_eqz(cc *c, int op, const opnd *x);
/* Before the next instruction is emitted: the last two become one PAIR
 * (iops.def) when they are a listed pair and no branch target lies after
 * the first one's start. */
static inline void fuse_pair(cc *c);
/* fuse_pair once the first op is known to start some pair. */
void fuse_pair_join(cc *c);
/* By internal op: 1 when a PAIR starts with it, 2 when a PAIRB does
 * (fuse_init). */
extern uint8_t fuse_pair_first[IOP_COUNT];
/* Builds fuse.c's lookup tables; once per process, before any compile
 * (compile.c). */
void fuse_init(void);

/* simd.c: validates and translates one 0xFD-prefixed instruction. */
bool cc_simd(cc *c, int op);
/* Emits op (d, ...) with d = the top value's slot; n operand words. The
 * first operand index, or UINT32_MAX when nothing was emitted. */
static inline uint32_t cc_emit_result(cc *c, iop op, uint32_t n);

/* ---- inline helpers ------------------------------------------------------ */

/* Run before every instruction emitted; most ops start no pair. */
static inline void fuse_pair(cc *c)
{
    if (fuse_pair_first[c->prev_op] & 1)
        fuse_pair_join(c);
}

static inline uint32_t cc_emit(cc *c, iop op, uint32_t n)
{
    fuse_pair(c);
    uint32_t len = ICODE_LEN(n);
    if ((size_t)c->code_len + len > c->code_cap &&
        !cc_code_grow(c, (size_t)c->code_len + len))
        return UINT32_MAX;
    uint64_t h = cc_handler_word[op];
    uint32_t at = c->code_len;
    if (cc_traps[op])
        cc_add_site(c, at);
    c->code[at] = (uint32_t)h;
    c->code[at + 1] = (uint32_t)(h >> 32);
    for (uint32_t i = at + 2; i < at + len; i++)
        c->code[i] = 0;
    c->code_len += len;
    c->prev_op = c->last_op;
    c->prev_start = c->last_start;
    c->prev_result_h = c->last_result_h;
    c->last_op = op;
    c->last_start = at;
    c->last_end = c->code_len;
    c->last_nopd = n;
    c->last_result_h = UINT32_MAX;
    return at + 2;
}

static inline bool cc_live(const cc *c)
{
    const ctrl *f = &c->ctl[c->nctl - 1];
    return !f->unreachable && !f->dead;
}

static inline uint32_t cc_slot(const cc *c, uint32_t h)
{
    return c->nlocal_cells + h;
}

/* Pushes a value of type `type` in its own slot(s): a v128 is two
 * entries, the second of type T_V128_HI. */
static inline bool cc_push(cc *c, uint8_t type)
{
    if ((size_t)c->nstk + 2 > c->stk_cap)
        return cc_push_grow(c, type);
    c->stk[c->nstk] = (vent){.type = type, .kind = K_SLOT};
    uint32_t n = 1;
    if (type == VT_V128) {
        c->stk[c->nstk + 1] = (vent){.type = T_V128_HI, .kind = K_SLOT};
        n = 2;
    }
    c->nstk += n;
    if (c->nstk > c->max_height)
        c->max_height = c->nstk;
    return true;
}

static inline bool cc_push_local(cc *c, uint32_t x)
{
    uint8_t t = c->ltypes[x];
    if (!cc_push(c, t))
        return false;
    uint32_t n = valtype_cells(t);
    for (uint32_t i = 0; i < n; i++) {
        vent *e = &c->stk[c->nstk - n + i];
        e->kind = K_LOCAL;
        e->local = c->lslot[x] + i;
    }
    return true;
}

static inline uint32_t cc_top_slot(const cc *c)
{
    uint32_t h = c->nstk - 1;
    if (c->stk[h].type == T_V128_HI)
        h--;
    return cc_slot(c, h);
}

/* Pops one operand into *o (with its height, for its location). */
static inline bool cc_pop(cc *c, uint8_t expect, opnd *o)
{
    const ctrl *f = &c->ctl[c->nctl - 1];
    if (c->nstk == f->height) {
        if (!f->unreachable)
            return err_set(c->err, "type mismatch");
        /* Polymorphic stack: an unknown value, only in dead code. */
        *o = (opnd){.type = T_UNKNOWN, .kind = K_SLOT, .h = f->height};
        return true;
    }
    uint64_t k_hi = 0;
    if (c->stk[c->nstk - 1].type == T_V128_HI) {
        k_hi = c->stk[c->nstk - 1].k;
        c->nstk--;
    }
    c->nstk--;
    const vent *e = &c->stk[c->nstk];
    if (expect != T_UNKNOWN && e->type != T_UNKNOWN && e->type != expect)
        return err_set(c->err, "type mismatch");
    *o = (opnd){.type = e->type, .kind = e->kind, .h = c->nstk,
                .local = e->local, .k = e->k, .k_hi = k_hi};
    return true;
}

/* The slot holding a popped operand's value, materialising a constant
 * (or a pending sum) into the operand's own, now free, stack slot. */
static inline uint32_t cc_src(cc *c, opnd *o)
{
    if (o->kind == K_LOCAL)
        return o->local;
    if (o->kind == K_SLOT)
        return cc_slot(c, o->h);
    return cc_src_emit(c, o);
}

static inline void cc_result_at(cc *c, uint32_t dst_word)
{
    c->just_emitted = true;
    c->last_dst_pos = dst_word;
    c->last_dst_h = c->nstk - 1;
    if (c->stk[c->last_dst_h].type == T_V128_HI)
        c->last_dst_h--;
    c->last_result_h = c->last_dst_h;
}

static inline uint32_t cc_emit_result(cc *c, iop op, uint32_t n)
{
    if (!cc_live(c))
        return UINT32_MAX;
    uint32_t at = cc_emit(c, op, n);
    if (at == UINT32_MAX)
        return at;
    c->code[at] = cc_top_slot(c);
    cc_result_at(c, at);
    return at;
}

#endif
