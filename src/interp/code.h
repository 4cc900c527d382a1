/* The interpreter's internal code, shared by the translator (compile/)
 * and the interpreter (interp/).
 *
 * A compiled function is a stream of 32-bit words. Every instruction
 * starts at an even word (so at 8-byte alignment) with the address of its
 * handler (or, in builds without labels-as-values, its op number) in two
 * words, followed by its 32-bit operands, padded to an even count:
 *
 *   [handler lo][handler hi][op 0][op 1]...
 *
 * Operands are frame slots (64-bit cells relative to the frame base: the
 * parameters, then the other locals, then the operand stack, with stack
 * height h at slot nparams + nlocals + h), immediates, or branch offsets.
 * A branch offset is relative to the word that holds it, in words. A v128
 * takes two consecutive cells (low half first) and is named by the first;
 * heights and the counts below are in cells. */
#ifndef EBB_INTERP_CODE_H
#define EBB_INTERP_CODE_H

#include <stdint.h>

#include "../compile/compile.h"

#if defined(__GNUC__) && !defined(EBB_NO_COMPUTED_GOTO)
#define EBB_CG 1 /* threaded dispatch by computed goto */
#endif

/* Every load and store W comes in four forms: W checks the effective
 * address against the memory's size; W_G (right after it) does not, and
 * relies on the memory's reservation and guard pages to fault (see
 * rt_engine.unchecked_offsets). W_K and W_KG take one more operand, a
 * constant k added (wrapping, as i32.add does) to the address operand
 * first: the translator folds `i32.add (x) (i32.const k)` into them.
 * W_X and W_XG take a slot instead, for `i32.add (x) (y)`; W_SC and W_SCG
 * a slot and a shift, for `i32.add (x) (i32.shl (y) (i32.const s))`. */
typedef enum iop {
#define IOP(n) IOP_##n,
#define BINOP(w, tx, tr, ...) IOP_##w##_SS, IOP_##w##_SI,
#define UNOP(w, tx, tr, ...) IOP_##w,
#define LOAD(w, ct, conv) IOP_##w, IOP_##w##_G, IOP_##w##_K, IOP_##w##_KG, \
    IOP_##w##_X, IOP_##w##_XG, IOP_##w##_SC, IOP_##w##_SCG,
#define STORE(w, ct) IOP_##w, IOP_##w##_G, IOP_##w##_K, IOP_##w##_KG, \
    IOP_##w##_X, IOP_##w##_XG, IOP_##w##_SC, IOP_##w##_SCG,
#include "iops.def"
#undef IOP
#undef BINOP
#undef UNOP
#undef LOAD
#undef STORE
    IOP_COUNT
} iop;

/* Operand words of each KIND of SIMD instruction (simd_ops.def). */
enum {
    SIMD_NOPD_UN = 2, SIMD_NOPD_BIN = 3, SIMD_NOPD_TERN = 4,
    SIMD_NOPD_SHIFT = 3, SIMD_NOPD_TEST = 2, SIMD_NOPD_SPLAT = 2,
    SIMD_NOPD_EXTRACT = 3, SIMD_NOPD_REPLACE = 4, SIMD_NOPD_SHUFFLE = 7,
    SIMD_NOPD_LOAD = 3, SIMD_NOPD_LOAD_LANE = 5, SIMD_NOPD_STORE = 3,
    SIMD_NOPD_STORE_LANE = 4, SIMD_NOPD_X2 = 2, SIMD_NOPD_X4 = 4,
};

/* SIMD_MEM_KIND(n): `case IOP_n:` for the memory kinds (which can trap),
 * nothing for the others; expand with
 * #define SIMD_OP(n, kind, ...) SIMD_MEM_##kind(n) */
#define SIMD_MEM_LOAD(n) case IOP_##n:
#define SIMD_MEM_LOAD_LANE(n) case IOP_##n:
#define SIMD_MEM_STORE(n) case IOP_##n:
#define SIMD_MEM_STORE_LANE(n) case IOP_##n:
#define SIMD_MEM_UN(n)
#define SIMD_MEM_BIN(n)
#define SIMD_MEM_TERN(n)
#define SIMD_MEM_SHIFT(n)
#define SIMD_MEM_TEST(n)
#define SIMD_MEM_SPLAT(n)
#define SIMD_MEM_EXTRACT(n)
#define SIMD_MEM_REPLACE(n)
#define SIMD_MEM_SHUFFLE(n)
#define SIMD_MEM_X2(n)
#define SIMD_MEM_X4(n)

/* Words taken by an instruction with n operand words. */
#define ICODE_LEN(n) (2u + (((n) + 1u) & ~1u))

struct compiled_func {
    uint32_t *code;          /* MEM_CODE, 8-byte aligned */
    uint32_t code_len;       /* words */
    uint32_t func_index;     /* in the module */
    uint32_t nparams;        /* cells of the parameters */
    uint32_t nresults;       /* cells of the results */
    uint32_t nlocals;        /* cells of the declared locals (not params) */
    uint32_t frame_size;     /* slots: params + locals + max stack height */
    /* For backtraces: (code word, offset in the module binary) of every
     * instruction that can trap or call, in code order. */
    uint32_t (*sites)[2];    /* MEM_CODE */
    uint32_t nsites;
};

/* The binary offset of the instruction at or before code word `at`
 * (0 when unknown). */
uint32_t interp_code_offset(const compiled_func *f, uint32_t at);

/* The handler word of each internal op, for the translator to store in
 * the code (label addresses with computed goto, else the op number). */
uint64_t interp_handler_word(iop op);

#endif
