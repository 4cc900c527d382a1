/* The interpreter loop: executes the internal code of code.h.
 *
 * All handlers live in one function so the machine state (pc, frame
 * pointer, memory base and size) stays in registers. With labels-as-values
 * each handler ends in its own indirect jump through the handler address
 * stored in the next instruction (threaded code); without them a `switch`
 * in a loop runs the same handler bodies.
 *
 * Wasm-to-Wasm calls never recurse on the C stack: a call pushes a record
 * {return pc, caller frame, callee} on the thread's frame stack and jumps.
 * The callee's frame starts at the caller's first argument slot, so the
 * arguments are already in place, and its results land where the caller
 * expects them. Host functions are called from a cold path. */
#include "interp.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "../os/os.h"
#include "code.h"
#include "numeric.h"
#include "simd_run.h"
#include "thread.h"

#if defined(__GNUC__)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#define LIKELY(x) __builtin_expect(!!(x), 1)
#else
#define LIKELY(x) (x)
#define UNLIKELY(x) (x)
#endif

/* ---- operand access ------------------------------------------------------ */

#define OPD(i) (pc[2 + (i)])
#define SLOT(i) (fp[OPD(i)])
#define IMM64(i) ((uint64_t)OPD(i) | (uint64_t)OPD((i) + 1) << 32)

#define CT_I32 uint32_t
#define CT_I64 uint64_t
#define CT_F32 float
#define CT_F64 double
#define GET_I32(c) ((uint32_t)(c))
#define GET_I64(c) ((uint64_t)(c))
#define GET_F32(c) num_f32((uint32_t)(c))
#define GET_F64(c) num_f64(c)
#define PUT_I32(v) ((uint64_t)(uint32_t)(v))
#define PUT_I64(v) ((uint64_t)(v))
#define PUT_F32(v) ((uint64_t)num_f32_bits(v))
#define PUT_F64(v) num_f64_bits(v)
#define IMM_I32(i) OPD(i)
#define IMM_F32(i) OPD(i)
#define IMM_I64(i) IMM64(i)
#define IMM_F64(i) IMM64(i)
#define NIMM_I32 1
#define NIMM_F32 1
#define NIMM_I64 2
#define NIMM_F64 2

/* ---- dispatch -------------------------------------------------------------- */

#ifdef EBB_CG
#define DISPATCH()                       \
    do {                                 \
        const void *h_;                  \
        memcpy(&h_, pc, sizeof h_);      \
        goto *h_;                        \
    } while (0)
#define HANDLER(n) L_##n:
#else
#define DISPATCH() goto dispatch
#define HANDLER(n) case IOP_##n:
#endif

#define NEXT(n)                          \
    do {                                 \
        pc += ICODE_LEN(n);              \
        DISPATCH();                      \
    } while (0)
/* Jump by the offset held in operand i (relative to that word). */
#define JUMP_BY(i)                                      \
    do {                                                \
        pc = &pc[2 + (i)] + (int32_t)pc[2 + (i)];       \
        DISPATCH();                                     \
    } while (0)
#define TRAP(c)                          \
    do {                                 \
        tc = (c);                        \
        goto trap;                       \
    } while (0)

/* The one place that decides checked vs unchecked access. The effective
 * address is computed in 64 bits so addr + offset cannot wrap. Checked
 * (`checked` is a constant 1): compared with the current size. Unchecked
 * (the _G forms, emitted only when the engine's memories are 4 GiB
 * reservations with a guard larger than the static offset): any address
 * lands inside the reservation, and one past the accessible part faults;
 * the fault handler turns that into the trap (interp_call's scope). */
#define EFFECTIVE_ADDR(ea, ai, offi, size, checked)                 \
    EFFECTIVE_ADDR_K(ea, ai, 0, offi, size, checked)
/* The same with k added to the address operand first (the _K forms). */
#define EFFECTIVE_ADDR_K(ea, ai, k, offi, size, checked)            \
    uint64_t ea = (uint64_t)(uint32_t)(SLOT(ai) + (k)) + OPD(offi); \
    if ((checked) && UNLIKELY(ea + (size) > memsize))               \
        TRAP(TRAP_MEMORY_OOB)

#define LOAD_MEM()                                   \
    do {                                             \
        membase = mem0 ? mem0->base : NULL;          \
        memsize = mem0 ? mem0->size : 0;             \
    } while (0)
#define LOAD_INST(i)                                 \
    do {                                             \
        inst = (i);                                  \
        mem0 = interp_mem0(inst);                    \
        LOAD_MEM();                                  \
    } while (0)

static inline rt_memory *interp_mem0(const rt_instance *inst)
{
    return inst->module->desc.nmemories ? inst->memories[0] : NULL;
}

/* ---- pairs: each half as a function of its operands ------------------ */

#include "halves.h"

#define TRAP(c)                          \
    do {                                 \
        tc = (c);                        \
        goto trap;                       \
    } while (0)

static const void *const *handler_labels;

/* Runs from `pc` in frame `fp`, whose record is `fr` (the entry record,
 * whose return pc is NULL, marks where to stop). Called with t == NULL
 * once, to publish the handler addresses. */
static rt_trap *run(interp_thread *t, rt_store *s, frame_rec *fr,
                    uint64_t *fp, const uint32_t *pc)
{
#ifdef EBB_CG
    static const void *const labels[IOP_COUNT] = {
#define IOP(n) &&L_##n,
#define BINOP(w, tx, tr, ...) &&L_##w##_SS, &&L_##w##_SI,
#define UNOP(w, tx, tr, ...) &&L_##w,
#define LOAD(w, ct, conv) &&L_##w, &&L_##w##_G, &&L_##w##_K, &&L_##w##_KG, \
    &&L_##w##_X, &&L_##w##_XG, &&L_##w##_SC, &&L_##w##_SCG,
#define STORE(w, ct) &&L_##w, &&L_##w##_G, &&L_##w##_K, &&L_##w##_KG, \
    &&L_##w##_X, &&L_##w##_XG, &&L_##w##_SC, &&L_##w##_SCG,
#include "iops.def"
#undef IOP
#undef BINOP
#undef UNOP
#undef LOAD
#undef STORE
    };
    if (t == NULL) {
        handler_labels = labels;
        return NULL;
    }
#else
    if (t == NULL)
        return NULL;
#endif
    frame_rec *const entry = fr;
    rt_instance *inst;
    rt_memory *mem0;
    uint8_t *membase;
    uint64_t memsize;
    rt_trap_code tc = TRAP_UNREACHABLE;
    rt_trap *host_trap = NULL;
    int64_t trap_index = -1; /* table index named in the trap message */
    /* Call state passed to do_call. */
    rt_func *callee;
    uint64_t *nfp;
    const uint32_t *ret_pc;

    LOAD_INST(fr->func->instance);

#ifdef EBB_CG
    DISPATCH();
#else
dispatch:
    switch ((iop)pc[0]) {
#endif

    /* ---- control ---- */
    HANDLER(UNREACHABLE) TRAP(TRAP_UNREACHABLE);
    HANDLER(JMP) JUMP_BY(0);
    HANDLER(BR_NEZ)
    {
        if ((uint32_t)SLOT(0))
            JUMP_BY(1);
        NEXT(2);
    }
    HANDLER(BR_EQZ)
    {
        if (!(uint32_t)SLOT(0))
            JUMP_BY(1);
        NEXT(2);
    }
    HANDLER(BR_NEZ64)
    {
        if (SLOT(0))
            JUMP_BY(1);
        NEXT(2);
    }
    HANDLER(BR_EQZ64)
    {
        if (!SLOT(0))
            JUMP_BY(1);
        NEXT(2);
    }
    HANDLER(BR_TABLE)
    {
        uint32_t i = (uint32_t)SLOT(0);
        uint32_t n = OPD(1);
        if (i >= n - 1)
            i = n - 1;
        JUMP_BY(2 + i);
    }
    HANDLER(RET1)
    {
        fp[0] = SLOT(0);
        goto do_return;
    }
    HANDLER(RETN)
    {
        memmove(fp, fp + OPD(1), (size_t)OPD(0) * sizeof *fp);
        goto do_return;
    }
    HANDLER(RET0)
    {
    do_return:
        if (fr == entry)
            return NULL;
        pc = fr->ret_pc;
        fp = fr->fp;
        fr--;
        /* The callee may have grown memory or belong to another instance. */
        if (UNLIKELY(fr->func->instance != inst))
            LOAD_INST(fr->func->instance);
        else
            LOAD_MEM();
        DISPATCH();
    }
    HANDLER(CALL)
    {
        callee = inst->funcs[OPD(0)];
        nfp = fp + OPD(1);
        ret_pc = pc + ICODE_LEN(2);
        goto do_call;
    }
    HANDLER(CALL_INDIRECT)
    {
        rt_table *tab = inst->tables[OPD(1)];
        uint32_t i = (uint32_t)SLOT(3);
        if (UNLIKELY(i >= tab->size)) {
            trap_index = i;
            TRAP(TRAP_UNDEFINED_ELEMENT);
        }
        callee = (rt_func *)(uintptr_t)tab->elems[i];
        if (UNLIKELY(callee == NULL)) {
            trap_index = i;
            TRAP(TRAP_UNINITIALIZED_ELEMENT);
        }
        if (UNLIKELY(callee->type_id != OPD(0)))
            TRAP(TRAP_INDIRECT_MISMATCH);
        nfp = fp + OPD(2);
        ret_pc = pc + ICODE_LEN(4);
        goto do_call;
    }

    /* ---- interruption (emitted only when the engine asks for it) ---- */
    HANDLER(FUEL)
    {
        if (UNLIKELY(s->fuel == 0))
            TRAP(TRAP_OUT_OF_FUEL);
        s->fuel--;
        NEXT(0);
    }
    HANDLER(EPOCH)
    {
        if (UNLIKELY(atomic_load_explicit(&s->engine->epoch,
                                          memory_order_relaxed) >=
                     s->epoch_deadline))
            TRAP(TRAP_INTERRUPT);
        NEXT(0);
    }

    /* ---- moves ---- */
    HANDLER(COPY)
    {
        SLOT(0) = SLOT(1);
        NEXT(2);
    }
    HANDLER(COPY2)
    {
        SLOT(0) = SLOT(1);
        SLOT(2) = SLOT(3);
        NEXT(4);
    }
    HANDLER(CONST32)
    {
        SLOT(0) = OPD(1);
        NEXT(2);
    }
    HANDLER(CONST64)
    {
        SLOT(0) = IMM64(1);
        NEXT(3);
    }
    HANDLER(SELECT)
    {
        SLOT(0) = (uint32_t)SLOT(3) ? SLOT(1) : SLOT(2);
        NEXT(4);
    }
    HANDLER(GLOBAL_GET)
    {
        SLOT(0) = inst->globals[OPD(1)]->value;
        NEXT(2);
    }
    HANDLER(GLOBAL_SET)
    {
        inst->globals[OPD(0)]->value = SLOT(1);
        NEXT(2);
    }
    HANDLER(REF_FUNC)
    {
        SLOT(0) = (uint64_t)(uintptr_t)inst->funcs[OPD(1)];
        NEXT(2);
    }

    /* ---- memory ---- */
    HANDLER(MEMORY_SIZE)
    {
        SLOT(0) = mem0->pages;
        NEXT(1);
    }
    HANDLER(MEMORY_GROW)
    {
        int64_t r = rt_memory_grow(s, mem0, (uint32_t)SLOT(1));
        SLOT(0) = (uint32_t)r;
        LOAD_MEM();
        NEXT(2);
    }
    HANDLER(MEMORY_INIT)
    {
        const rt_data_seg *seg = &inst->datas[OPD(0)];
        uint64_t d = (uint32_t)SLOT(1), sr = (uint32_t)SLOT(2);
        uint64_t n = (uint32_t)SLOT(3);
        if (UNLIKELY(sr + n > seg->len || d + n > memsize))
            TRAP(TRAP_MEMORY_OOB);
        if (n)
            memcpy(membase + d, seg->bytes + sr, n);
        NEXT(4);
    }
    HANDLER(DATA_DROP)
    {
        inst->datas[OPD(0)].len = 0;
        NEXT(1);
    }
    HANDLER(MEMORY_COPY)
    {
        uint64_t d = (uint32_t)SLOT(0), sr = (uint32_t)SLOT(1);
        uint64_t n = (uint32_t)SLOT(2);
        if (UNLIKELY(sr + n > memsize || d + n > memsize))
            TRAP(TRAP_MEMORY_OOB);
        if (n)
            memmove(membase + d, membase + sr, n);
        NEXT(3);
    }
    HANDLER(MEMORY_FILL)
    {
        uint64_t d = (uint32_t)SLOT(0), n = (uint32_t)SLOT(2);
        if (UNLIKELY(d + n > memsize))
            TRAP(TRAP_MEMORY_OOB);
        if (n)
            memset(membase + d, (uint8_t)SLOT(1), n);
        NEXT(3);
    }

    /* ---- tables ---- */
    HANDLER(TABLE_GET)
    {
        const rt_table *tab = inst->tables[OPD(1)];
        uint32_t i = (uint32_t)SLOT(2);
        if (UNLIKELY(i >= tab->size))
            TRAP(TRAP_TABLE_OOB);
        SLOT(0) = tab->elems[i];
        NEXT(3);
    }
    HANDLER(TABLE_SET)
    {
        rt_table *tab = inst->tables[OPD(0)];
        uint32_t i = (uint32_t)SLOT(1);
        if (UNLIKELY(i >= tab->size))
            TRAP(TRAP_TABLE_OOB);
        tab->elems[i] = SLOT(2);
        NEXT(3);
    }
    HANDLER(TABLE_SIZE)
    {
        SLOT(0) = inst->tables[OPD(1)]->size;
        NEXT(2);
    }
    HANDLER(TABLE_GROW)
    {
        int64_t r = rt_table_grow(s, inst->tables[OPD(1)],
                                  (uint32_t)SLOT(3), SLOT(2));
        SLOT(0) = (uint32_t)r;
        NEXT(4);
    }
    HANDLER(TABLE_FILL)
    {
        rt_table *tab = inst->tables[OPD(0)];
        uint64_t i = (uint32_t)SLOT(1), n = (uint32_t)SLOT(3);
        uint64_t v = SLOT(2);
        if (UNLIKELY(i + n > tab->size))
            TRAP(TRAP_TABLE_OOB);
        for (uint64_t k = 0; k < n; k++)
            tab->elems[i + k] = v;
        NEXT(4);
    }
    HANDLER(TABLE_COPY)
    {
        rt_table *dt = inst->tables[OPD(0)];
        const rt_table *st = inst->tables[OPD(1)];
        uint64_t d = (uint32_t)SLOT(2), sr = (uint32_t)SLOT(3);
        uint64_t n = (uint32_t)SLOT(4);
        if (UNLIKELY(sr + n > st->size || d + n > dt->size))
            TRAP(TRAP_TABLE_OOB);
        if (n)
            memmove(dt->elems + d, st->elems + sr, n * sizeof *dt->elems);
        NEXT(5);
    }
    HANDLER(TABLE_INIT)
    {
        const rt_elem_seg *seg = &inst->elems[OPD(0)];
        rt_table *tab = inst->tables[OPD(1)];
        uint64_t d = (uint32_t)SLOT(2), sr = (uint32_t)SLOT(3);
        uint64_t n = (uint32_t)SLOT(4);
        if (UNLIKELY(sr + n > seg->count || d + n > tab->size))
            TRAP(TRAP_TABLE_OOB);
        if (n)
            memcpy(tab->elems + d, seg->refs + sr, n * sizeof *tab->elems);
        NEXT(5);
    }
    HANDLER(ELEM_DROP)
    {
        inst->elems[OPD(0)].count = 0;
        NEXT(1);
    }

    /* ---- numeric and memory instructions, from iops.def ---- */
#define IOP(n)
#define BINOP(w, tx, tr, ...)                                   \
    HANDLER(w##_SS)                                             \
    {                                                           \
        BINOP_BODY(tx, tr, SLOT(2), __VA_ARGS__)                \
        NEXT(3);                                                \
    }                                                           \
    HANDLER(w##_SI)                                             \
    {                                                           \
        BINOP_BODY(tx, tr, IMM_##tx(2), __VA_ARGS__)            \
        NEXT(2 + NIMM_##tx);                                    \
    }
/* Compare and branch: a, b|imm, off. */
#define CMP_BRANCH(tx, yv, offi, n, test)                       \
    {                                                           \
        CT_##tx x = GET_##tx(SLOT(0));                          \
        CT_##tx y = GET_##tx(yv);                               \
        if (test)                                               \
            JUMP_BY(offi);                                      \
        NEXT(n);                                                \
    }
#define CMP(w, tx, cond)                                        \
    BINOP(w, tx, I32, r = (cond);)                              \
    HANDLER(BRT_##w##_SS) CMP_BRANCH(tx, SLOT(1), 2, 3, cond)   \
    HANDLER(BRT_##w##_SI)                                       \
    CMP_BRANCH(tx, IMM_##tx(1), 1 + NIMM_##tx, 2 + NIMM_##tx, cond) \
    HANDLER(BRF_##w##_SS) CMP_BRANCH(tx, SLOT(1), 2, 3, !(cond)) \
    HANDLER(BRF_##w##_SI)                                       \
    CMP_BRANCH(tx, IMM_##tx(1), 1 + NIMM_##tx, 2 + NIMM_##tx, !(cond))
#define UNOP(w, tx, tr, ...)                                    \
    HANDLER(w)                                                  \
    {                                                           \
        CT_##tx x = GET_##tx(SLOT(1));                          \
        CT_##tr r;                                              \
        __VA_ARGS__                                             \
        SLOT(0) = PUT_##tr(r);                                  \
        NEXT(2);                                                \
    }
/* Loads: d, a, off[, k|b[, s]]; stores: a, v, off[, k|b[, s]]. */
#define SCALED(i) ((uint32_t)SLOT(i) << OPD((i) + 1))
#define LOAD_BODY(w, ct, conv, k, n, checked)                   \
    {                                                           \
        EFFECTIVE_ADDR_K(ea, 1, k, 2, sizeof(ct), checked);     \
        LOAD_VALUE(ct, conv)                                    \
        NEXT(n);                                                \
    }
#define STORE_BODY(w, ct, k, n, checked)                        \
    {                                                           \
        EFFECTIVE_ADDR_K(ea, 0, k, 2, sizeof(ct), checked);     \
        STORE_VALUE(ct)                                         \
        NEXT(n);                                                \
    }
#define LOAD(w, ct, conv)                                       \
    HANDLER(w) LOAD_BODY(w, ct, conv, 0, 3, 1)                  \
    HANDLER(w##_G) LOAD_BODY(w, ct, conv, 0, 3, 0)              \
    HANDLER(w##_K) LOAD_BODY(w, ct, conv, OPD(3), 4, 1)         \
    HANDLER(w##_KG) LOAD_BODY(w, ct, conv, OPD(3), 4, 0)        \
    HANDLER(w##_X) LOAD_BODY(w, ct, conv, SLOT(3), 4, 1)        \
    HANDLER(w##_XG) LOAD_BODY(w, ct, conv, SLOT(3), 4, 0)        \
    HANDLER(w##_SC) LOAD_BODY(w, ct, conv, SCALED(3), 5, 1)      \
    HANDLER(w##_SCG) LOAD_BODY(w, ct, conv, SCALED(3), 5, 0)
#define STORE(w, ct)                                            \
    HANDLER(w) STORE_BODY(w, ct, 0, 3, 1)                       \
    HANDLER(w##_G) STORE_BODY(w, ct, 0, 3, 0)                   \
    HANDLER(w##_K) STORE_BODY(w, ct, OPD(3), 4, 1)              \
    HANDLER(w##_KG) STORE_BODY(w, ct, OPD(3), 4, 0)             \
    HANDLER(w##_X) STORE_BODY(w, ct, SLOT(3), 4, 1)             \
    HANDLER(w##_XG) STORE_BODY(w, ct, SLOT(3), 4, 0)             \
    HANDLER(w##_SC) STORE_BODY(w, ct, SCALED(3), 5, 1)           \
    HANDLER(w##_SCG) STORE_BODY(w, ct, SCALED(3), 5, 0)
/* A pair: the second half takes the first's result in a register when
 * it reads the slot the first wrote (halves.h). Each way ends in its own
 * dispatch, so the compiler keeps them apart (no select that would wait
 * for the slot's load anyway). */
#define PAIR(a, b)                                                      \
    HANDLER(a##__##b)                                                   \
    {                                                                   \
        uint64_t r_ = val_##a(fp, pc, membase, memsize);                \
        if (VAL_##a && INX_##b != NO_IN && LIKELY(OPD(4 + INX_##b) == OPD(0))) { \
            inx_##b(fp, pc + 4, membase, memsize, r_);                  \
            NEXT(8);                                                    \
        }                                                               \
        if (VAL_##a && INY_##b != NO_IN && OPD(4 + INY_##b) == OPD(0)) { \
            iny_##b(fp, pc + 4, membase, memsize, r_);                  \
            NEXT(8);                                                    \
        }                                                               \
        exec_##b(fp, pc + 4, membase, memsize);                         \
        NEXT(8);                                                        \
    }
#define PAIRB(a, b)                                                     \
    HANDLER(a##__##b)                                                   \
    {                                                                   \
        uint64_t r_ = val_##a(fp, pc, membase, memsize);                \
        if (VAL_##a && OPD(4 + INX_##b) == OPD(0)) {                    \
            if (tinx_##b(fp, pc + 4, r_))                               \
                JUMP_BY(7);                                             \
            NEXT(8);                                                    \
        }                                                               \
        if (VAL_##a && INY_##b != NO_IN && OPD(4 + INY_##b) == OPD(0)) { \
            if (tiny_##b(fp, pc + 4, r_))                               \
                JUMP_BY(7);                                             \
            NEXT(8);                                                    \
        }                                                               \
        if (test_##b(fp, pc + 4, 0))                                    \
            JUMP_BY(7);                                                 \
        NEXT(8);                                                        \
    }
/* SIMD handlers: the operand readers of each kind are in simd_run.h */
#define SIMD_OP(n, kind, ...) HANDLER(n) SIMD_RUN_##kind(__VA_ARGS__)
#include "iops.def"
#undef IOP
#undef BINOP
#undef UNOP
#undef LOAD
#undef STORE
#undef PAIR
#undef PAIRB
#undef SIMD_OP
#undef CMP
#undef CMP_BRANCH
#undef LOAD_BODY
#undef STORE_BODY

#ifndef EBB_CG
    default:
        TRAP(TRAP_UNREACHABLE);
    }
#endif

    /* ---- calls (shared by call and call_indirect) ---- */
do_call:
    {
        const compiled_func *cf = callee->code;
        if (UNLIKELY(cf == NULL)) {
            host_trap = interp_call_host(t, s, callee, nfp, fr);
            if (host_trap)
                goto trap;
            LOAD_MEM(); /* the host may have grown memory */
            pc = ret_pc;
            DISPATCH();
        }
        /* One compare per stack: frames never need checks after entry. */
        if (UNLIKELY(cf->frame_size > (size_t)(t->slots_end - nfp) ||
                     fr + 1 >= t->frames_end))
            TRAP(TRAP_STACK_EXHAUSTED);
        fr++;
        fr->ret_pc = ret_pc;
        fr->fp = fp;
        fr->func = callee;
        for (uint32_t k = cf->nparams, e = k + cf->nlocals; k < e; k++)
            nfp[k] = 0; /* only the non-parameter locals */
        fp = nfp;
        pc = cf->code;
        if (UNLIKELY(callee->instance != inst))
            LOAD_INST(callee->instance);
        DISPATCH();
    }

trap:
    return interp_make_trap(s, host_trap, tc, trap_index, pc, fr, entry);
}

static pthread_once_t handlers_once = PTHREAD_ONCE_INIT;

static void init_handlers(void)
{
    run(NULL, NULL, NULL, NULL, NULL);
}

uint64_t interp_handler_word(iop op)
{
#ifdef EBB_CG
    pthread_once(&handlers_once, init_handlers);
    return (uint64_t)(uintptr_t)handler_labels[op];
#else
    (void)handlers_once;
    (void)init_handlers;
    (void)handler_labels;
    return (uint64_t)op;
#endif
}

/* Is addr inside one of the store's memory reservations (guard
 * included)? Called from the fault handler: reads only, no locks. The
 * store cannot change meanwhile: it is used by this thread alone, which
 * is stopped at the faulting load or store. */
static bool store_contains(void *arg, uintptr_t addr)
{
    const rt_store *s = arg;
    for (size_t i = 0; i < s->nmemories; i++) {
        const rt_memory *m = s->memories[i];
        uintptr_t b = (uintptr_t)m->base;
        if (b && addr >= b && addr - b < m->reserved + m->guard)
            return true;
    }
    return false;
}

/* Is the instruction at pc an unchecked load or store? */
static bool is_guarded_access(const uint32_t *pc)
{
    static const iop guarded[] = {
#define IOP(n)
#define BINOP(w, tx, tr, ...)
#define UNOP(w, tx, tr, ...)
#define LOAD(w, ct, conv) IOP_##w##_G, IOP_##w##_KG, IOP_##w##_XG, IOP_##w##_SCG,
#define STORE(w, ct) IOP_##w##_G, IOP_##w##_KG, IOP_##w##_XG, IOP_##w##_SCG,
#define PAIR(a, b)
#define PAIRM(a, b) IOP_##a##__##b,
#define PAIRB(a, b)
#define PAIRBM(a, b) IOP_##a##__##b,
#include "iops.def"
#undef IOP
#undef BINOP
#undef UNOP
#undef LOAD
#undef STORE
#undef PAIR
#undef PAIRM
#undef PAIRB
#undef PAIRBM
    };
    uint64_t h;
    memcpy(&h, pc, sizeof h);
    for (size_t i = 0; i < sizeof guarded / sizeof *guarded; i++)
        if (h == interp_handler_word(guarded[i]))
            return true;
    return false;
}

/* Where the interpreter stopped at a fault: its pc and frame record were
 * in registers, which the handler saved. A register holding a record of
 * this activation (at or above `entry`, on a record boundary) together
 * with one pointing, inside that record's function, at an unchecked load
 * or store is the pair. Found by search rather than by storing pc and fr
 * on every step, which would cost every access; if the compiler kept
 * either on the stack instead, the backtrace starts at the entry. */
static void fault_position(const interp_thread *t, const os_trap_scope *sc,
                           frame_rec *entry, frame_rec **fr_out,
                           const uint32_t **pc_out)
{
    *fr_out = entry;
    *pc_out = NULL;
    for (int i = 0; i < OS_TRAP_NREGS; i++) {
        uintptr_t v = sc->regs[i];
        if (v < (uintptr_t)entry || v >= (uintptr_t)t->frames_end ||
            (v - (uintptr_t)entry) % sizeof(frame_rec))
            continue;
        frame_rec *fr = (frame_rec *)v;
        const compiled_func *cf = fr->func ? fr->func->code : NULL;
        if (!cf)
            continue;
        uintptr_t lo = (uintptr_t)cf->code;
        uintptr_t hi = (uintptr_t)(cf->code + cf->code_len);
        /* The compiler may already hold the next instruction's address
         * instead: loads and stores are ICODE_LEN(3) words long, or
         * ICODE_LEN(5) in the scaled forms, ICODE_LEN(8) in a pair. */
        _Static_assert(ICODE_LEN(3) == ICODE_LEN(4), "access lengths");
        static const uintptr_t back[] = {0, ICODE_LEN(3) * 4, ICODE_LEN(5) * 4,
                                         ICODE_LEN(8) * 4};
        for (int j = 0; j < OS_TRAP_NREGS; j++) {
            uintptr_t p = sc->regs[j];
            if (p < lo || p > hi || (p - lo) % 8)
                continue;
            for (size_t k = 0; k < sizeof back / sizeof *back; k++) {
                uintptr_t q = p - back[k];
                if (p - lo < back[k] || q + 8 > hi ||
                    !is_guarded_access((const uint32_t *)q))
                    continue;
                *fr_out = fr;
                *pc_out = (const uint32_t *)q;
                return;
            }
        }
    }
}

/* run() for code with unchecked accesses: a fault in a memory of the
 * store comes back here as "out of bounds memory access". */
static rt_trap *run_guarded(interp_thread *t, rt_store *s, frame_rec *fr,
                            uint64_t *fp, const uint32_t *pc)
{
    os_trap_scope scope;
    scope.contains = store_contains;
    scope.arg = s;
    if (sigsetjmp(scope.jb, 0)) {
        frame_rec *at;
        const uint32_t *stopped;
        fault_position(t, &scope, fr, &at, &stopped);
        return interp_make_trap(s, NULL, TRAP_MEMORY_OOB, -1, stopped, at,
                                fr);
    }
    os_trap_enter(&scope);
    rt_trap *trap = run(t, s, fr, fp, pc);
    os_trap_leave(&scope);
    return trap;
}

rt_trap *interp_call(rt_store *s, rt_func *f, const uint64_t *args,
                     uint64_t *results)
{
    interp_thread *t = interp_thread_get(s);
    if (t == NULL)
        return rt_trap_new(s, TRAP_HOST, "out of memory");
    const compiled_func *cf = f->code;
    uint64_t *base = t->top;
    frame_rec *fr = t->frame_top + 1;
    if (cf->frame_size > (size_t)(t->slots_end - base) || fr >= t->frames_end)
        return rt_trap_new(s, TRAP_STACK_EXHAUSTED, NULL);
    memcpy(base, args, (size_t)cf->nparams * sizeof *base);
    memset(base + cf->nparams, 0, (size_t)cf->nlocals * sizeof *base);
    fr->ret_pc = NULL;
    fr->fp = NULL;
    fr->func = f;
    /* rt_call bounds the host -> Wasm nesting (store->host_depth). */
    rt_trap *trap;
    if (s->engine->unchecked_offsets)
        trap = run_guarded(t, s, fr, base, cf->code);
    else
        trap = run(t, s, fr, base, cf->code);
    if (trap == NULL)
        memcpy(results, base, (size_t)cf->nresults * sizeof *base);
    return trap;
}
