/* The halves of the pair instructions (iops.def PAIR, PAIRM, PAIRB,
 * PAIRBM), as inline functions of their operands. Included by run.c only,
 * inside its operand macros (SLOT, OPD, ...).
 *
 * pc points at the half's operands as a handler's does: the second half
 * of a pair runs with pc + 4, which moves its operands to words 4-7. Only
 * forms that cannot trap are paired, so TRAP never runs here: binary ops
 * that cannot, and the unchecked (guard page) loads and stores, whose
 * faults the signal handler turns into traps.
 *
 * A chain of ALU operations through frame slots costs a store and a load
 * back per link, which the processor forwards in a few cycles: the round
 * trip, not the operation, bounds crypto rounds and hash loops. So when a
 * pair's second half reads the slot the first half just wrote, the pair's
 * handler hands it the value in a register instead:
 *
 *   exec_X(fp, pc, membase, memsize)       runs half X
 *   val_X(...)                             runs X as a first half and
 *                                          returns what it wrote to slot
 *                                          0 (VAL_X: 0 for stores, which
 *                                          write none)
 *   inx_X(..., v), iny_X(..., v)           run X as a second half with
 *                                          its input word INX_X (INY_X)
 *                                          taken as v
 *   test_X / tinx_X / tiny_X               the same for a branch half:
 *                                          whether it is taken
 *
 * An input word index is NO_IN where X has no such input. */
#ifndef EBB_INTERP_HALVES_H
#define EBB_INTERP_HALVES_H

#if defined(__GNUC__)
#define MAYBE_UNUSED __attribute__((unused))
#else
#define MAYBE_UNUSED
#endif

#define NO_IN 15

/* A binary op: d = x op y, x read by xv, y by yv; the same in a handler
 * and in a pair's half. */
#define BINOP_BODY_XY(tx, tr, xv, yv, ...)                              \
    CT_##tx x = GET_##tx(xv);                                           \
    CT_##tx y = GET_##tx(yv);                                           \
    CT_##tr r;                                                          \
    __VA_ARGS__                                                         \
    SLOT(0) = PUT_##tr(r);
#define BINOP_BODY(tx, tr, yv, ...)                                     \
    BINOP_BODY_XY(tx, tr, SLOT(1), yv, __VA_ARGS__)
/* A load's value from membase + ea into slot 0; a store's value v. */
#define LOAD_VALUE(ct, conv)                                            \
    ct v;                                                               \
    memcpy(&v, membase + ea, sizeof v);                                 \
    SLOT(0) = (uint64_t)(conv);
#define STORE_VALUE_V(ct, vv)                                           \
    ct v = (ct)(vv);                                                    \
    memcpy(membase + ea, &v, sizeof v);
#define STORE_VALUE(ct) STORE_VALUE_V(ct, SLOT(1))

/* Not every half is in a pair, nor every parameter used: fine. */
#define EXEC(name)                                                      \
    MAYBE_UNUSED static inline void exec_##name(                       \
        uint64_t *fp, const uint32_t *pc, MAYBE_UNUSED uint8_t *membase, \
        MAYBE_UNUSED uint64_t memsize)
#define HALF_IN(pre, name)                                              \
    MAYBE_UNUSED static inline void pre##_##name(                      \
        uint64_t *fp, MAYBE_UNUSED const uint32_t *pc,                  \
        MAYBE_UNUSED uint8_t *membase,                                  \
        MAYBE_UNUSED uint64_t memsize, MAYBE_UNUSED uint64_t v_)
/* The value a first half wrote, read back from its slot: the compiler
 * forwards it from the store just made (no load is emitted). */
#define VAL_OF(name, has)                                               \
    MAYBE_UNUSED static inline uint64_t val_##name(                    \
        uint64_t *fp, const uint32_t *pc, uint8_t *membase,             \
        uint64_t memsize)                                               \
    {                                                                   \
        exec_##name(fp, pc, membase, memsize);                          \
        return (has) ? SLOT(0) : 0;                                     \
    }
/* An unchecked access's half (signature sig) with address av plus k. */
#define ACCESS(sig, av, k, value)                                       \
    sig                                                                 \
    {                                                                   \
        uint64_t ea = (uint64_t)(uint32_t)((av) + (k)) + OPD(2);        \
        value                                                           \
    }
#define LOAD_HALVES(w, ct, conv, k, kin, yin)                           \
    ACCESS(EXEC(w), SLOT(1), k, LOAD_VALUE(ct, conv))                   \
    ACCESS(HALF_IN(inx, w), v_, k, LOAD_VALUE(ct, conv))                \
    ACCESS(HALF_IN(iny, w), SLOT(1), kin, LOAD_VALUE(ct, conv))         \
    VAL_OF(w, 1)                                                        \
    enum { VAL_##w = 1, INX_##w = 1, INY_##w = yin };
#define STORE_HALVES(w, ct, k)                                          \
    ACCESS(EXEC(w), SLOT(0), k, STORE_VALUE(ct))                        \
    ACCESS(HALF_IN(inx, w), SLOT(0), k, STORE_VALUE_V(ct, v_))          \
    ACCESS(HALF_IN(iny, w), v_, k, STORE_VALUE(ct))                     \
    VAL_OF(w, 0)                                                        \
    enum { VAL_##w = 0, INX_##w = 1, INY_##w = 0 };
#define BINOP_HALVES(name, tx, tr, yv, yin, ...)                        \
    EXEC(name) { BINOP_BODY_XY(tx, tr, SLOT(1), yv, __VA_ARGS__) }      \
    HALF_IN(inx, name) { BINOP_BODY_XY(tx, tr, v_, yv, __VA_ARGS__) }   \
    HALF_IN(iny, name)                                                  \
    {                                                                   \
        BINOP_BODY_XY(tx, tr, SLOT(1), (yin) == 2 ? v_ : (yv),          \
                      __VA_ARGS__)                                      \
    }                                                                   \
    VAL_OF(name, 1)                                                     \
    enum { VAL_##name = 1, INX_##name = 1, INY_##name = yin };
/* A branch's half (PAIRB): whether it is taken; operands a, b|imm. */
#define TEST(name, tx, xv, yv, test)                                    \
    MAYBE_UNUSED static inline bool name(MAYBE_UNUSED const uint64_t *fp, \
                                         MAYBE_UNUSED const uint32_t *pc, \
                                         MAYBE_UNUSED uint64_t v_)      \
    {                                                                   \
        CT_##tx x = GET_##tx(xv);                                       \
        MAYBE_UNUSED CT_##tx y = GET_##tx(yv);                          \
        return test;                                                    \
    }
#define TESTS(name, tx, yv, yin, test)                                  \
    TEST(test_##name, tx, SLOT(0), yv, test)                            \
    TEST(tinx_##name, tx, v_, yv, test)                                 \
    TEST(tiny_##name, tx, SLOT(0), (yin) == 1 ? v_ : (yv), test)        \
    enum { INX_##name = 0, INY_##name = yin };

#undef TRAP
#define TRAP(c) return
#define IOP(n)
#define BINOP(w, tx, tr, ...)                                           \
    BINOP_HALVES(w##_SS, tx, tr, SLOT(2), 2, __VA_ARGS__)               \
    BINOP_HALVES(w##_SI, tx, tr, IMM_##tx(2), NO_IN, __VA_ARGS__)
#define UNOP(w, tx, tr, ...)
#define LOAD(w, ct, conv)                                               \
    LOAD_HALVES(w##_G, ct, conv, 0, 0, NO_IN)                           \
    LOAD_HALVES(w##_KG, ct, conv, OPD(3), OPD(3), NO_IN)                \
    LOAD_HALVES(w##_XG, ct, conv, SLOT(3), v_, 3)
#define STORE(w, ct)                                                    \
    STORE_HALVES(w##_G, ct, 0)                                          \
    STORE_HALVES(w##_KG, ct, OPD(3))                                    \
    STORE_HALVES(w##_XG, ct, SLOT(3))
#define CMP(w, tx, cond)                                                \
    BINOP(w, tx, I32, r = (cond);)                                      \
    TESTS(BRT_##w##_SS, tx, SLOT(1), 1, cond)                           \
    TESTS(BRT_##w##_SI, tx, IMM_##tx(1), NO_IN, cond)                   \
    TESTS(BRF_##w##_SS, tx, SLOT(1), 1, !(cond))                        \
    TESTS(BRF_##w##_SI, tx, IMM_##tx(1), NO_IN, !(cond))
#define PAIR(a, b)
#define PAIRB(a, b)
#include "iops.def"
#undef IOP
#undef BINOP
#undef CMP
#undef UNOP
#undef LOAD
#undef STORE
#undef PAIR
#undef PAIRB
#undef TRAP

/* The hand-written halves: a copy, a constant, a branch on zero. */
EXEC(COPY) { SLOT(0) = SLOT(1); }
HALF_IN(inx, COPY) { SLOT(0) = v_; }
HALF_IN(iny, COPY) { SLOT(0) = SLOT(1); }
VAL_OF(COPY, 1)
enum { VAL_COPY = 1, INX_COPY = 1, INY_COPY = NO_IN };

EXEC(CONST32) { SLOT(0) = OPD(1); }
HALF_IN(inx, CONST32) { SLOT(0) = OPD(1); }
HALF_IN(iny, CONST32) { SLOT(0) = OPD(1); }
VAL_OF(CONST32, 1)
enum { VAL_CONST32 = 1, INX_CONST32 = NO_IN, INY_CONST32 = NO_IN };

TESTS(BR_NEZ, I32, 0, NO_IN, x != 0)
TESTS(BR_EQZ, I32, 0, NO_IN, x == 0)

#endif
