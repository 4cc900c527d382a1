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
 * A branch offset is relative to the word that holds it, in words. */
#ifndef EBB_INTERP_CODE_H
#define EBB_INTERP_CODE_H

#include <stdint.h>

#include "../compile/compile.h"

#if defined(__GNUC__) && !defined(EBB_NO_COMPUTED_GOTO)
#define EBB_CG 1 /* threaded dispatch by computed goto */
#endif

typedef enum iop {
#define IOP(n) IOP_##n,
#define BINOP(w, tx, tr, ...) IOP_##w##_SS, IOP_##w##_SI,
#define UNOP(w, tx, tr, ...) IOP_##w,
#define LOAD(w, ct, conv) IOP_##w,
#define STORE(w, ct) IOP_##w,
#include "iops.def"
#undef IOP
#undef BINOP
#undef UNOP
#undef LOAD
#undef STORE
    IOP_COUNT
} iop;

/* Words taken by an instruction with n operand words. */
#define ICODE_LEN(n) (2u + (((n) + 1u) & ~1u))

struct compiled_func {
    uint32_t *code;          /* MEM_CODE, 8-byte aligned */
    uint32_t code_len;       /* words */
    uint32_t func_index;     /* in the module */
    uint32_t nparams;
    uint32_t nresults;
    uint32_t nlocals;        /* declared locals, excluding parameters */
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
