/* The binary shape of instruction sequences: opcodes, immediates and
 * block nesting, for function bodies and constant expressions.
 *
 * The spec ranks every malformed byte of a module above every validation
 * error, and its reference decoder reads each body instruction by
 * instruction, on past the body's declared size if need be. So the decoder
 * reads the instructions once to find malformed bytes in that order and
 * to find where each body really ends; the compiler then validates them.
 * (decode_module_lazy skips this pass for bodies and runs it only after a
 * failure, for the message: the compiler rejects what it would.) */
#include "decode_internal.h"

#include <string.h>

#include "../opcodes.h"

int decode_opcode(decode_ctx *c, reader *r)
{
    uint8_t b = 0;
    if (!reader_u8(r, &b))
        return -1;
    int op;
    if (b == OP_PREFIX_FC) {
        uint32_t sub = 0;
        if (!reader_u32(r, &sub))
            return -1;
        op = op_from_fc(sub);
    } else if (b == OP_PREFIX_FD) {
        uint32_t sub = 0;
        if (!reader_u32(r, &sub))
            return -1;
        op = op_from_fd(sub);
    } else {
        op = op_from_byte(b);
    }
    if (op < 0) {
        err_set(c->err, "illegal opcode");
        return -1;
    }
    return op;
}

static bool zero_byte(decode_ctx *c, reader *r)
{
    uint8_t b = 0;
    if (!reader_u8(r, &b))
        return false;
    if (b != 0)
        return err_set(c->err, "zero byte expected");
    return true;
}

static bool memarg(decode_ctx *c, reader *r)
{
    uint32_t align = 0, offset = 0;
    if (!reader_u32(r, &align))
        return false;
    /* 2^32 and beyond is no alignment at all; 2^31 is merely too big for
     * the access, which the validator reports. */
    if (align >= 32)
        return err_set(c->err, "malformed memop flags");
    return reader_u32(r, &offset);
}

/* Reads the immediates of `op`. For a constant instruction they are
 * stored in `k` (its op, type and value); other instructions leave `k`
 * untouched. */
static bool immediates(decode_ctx *c, reader *r, int op, const_expr *k)
{
    uint32_t u = 0;
    int32_t s32 = 0;
    int64_t s64 = 0;
    uint8_t b = 0;
    switch (op) {
    case OP_I32_CONST:
        if (!reader_s32(r, &s32))
            return false;
        *k = (const_expr){.op = CONST_I32, .type = VT_I32, .value = (uint32_t)s32};
        return true;
    case OP_I64_CONST:
        if (!reader_s64(r, &s64))
            return false;
        *k = (const_expr){.op = CONST_I64, .type = VT_I64, .value = (uint64_t)s64};
        return true;
    case OP_F32_CONST:
        if (!reader_f32(r, &u))
            return false;
        *k = (const_expr){.op = CONST_F32, .type = VT_F32, .value = u};
        return true;
    case OP_F64_CONST:
        *k = (const_expr){.op = CONST_F64, .type = VT_F64};
        return reader_f64(r, &k->value);
    case OP_REF_NULL:
        *k = (const_expr){.op = CONST_REF_NULL};
        return decode_reftype(c, r, &k->type);
    case OP_REF_FUNC:
        if (!reader_u32(r, &u))
            return false;
        *k = (const_expr){.op = CONST_REF_FUNC, .type = VT_FUNCREF, .value = u};
        return true;
    case OP_V128_CONST: {
        /* 16 bytes, little-endian: the low half first */
        *k = (const_expr){.op = CONST_V128, .type = VT_V128};
        const uint8_t *p = NULL;
        if (!reader_bytes(r, 16, &p))
            return false;
        for (int i = 0; i < 8; i++) {
            k->value |= (uint64_t)p[i] << (8 * i);
            k->value_hi |= (uint64_t)p[8 + i] << (8 * i);
        }
        return true;
    }
    case OP_GLOBAL_GET:
        if (!reader_u32(r, &u))
            return false;
        *k = (const_expr){.op = CONST_GLOBAL_GET, .value = u,
                          .type = u < c->m->nglobals ? c->m->globals[u].type : VT_I32};
        return true;
    case OP_MEMORY_INIT: case OP_DATA_DROP:
        /* Only a data count section lets a single pass check the data
         * index; the module-level check comes after decoding. */
        c->uses_data_index = true;
        break;
    default:
        break;
    }
    switch (op_table[op].imm) {
    case IMM_NONE:
        return true;
    case IMM_BLOCKTYPE:
        return reader_s33(r, &s64);
    case IMM_LABEL: case IMM_FUNC: case IMM_LOCAL: case IMM_GLOBAL:
    case IMM_TABLE: case IMM_DATA: case IMM_ELEM:
        return reader_u32(r, &u);
    case IMM_BR_TABLE: {
        uint32_t n = 0;
        if (!reader_u32(r, &n))
            return false;
        for (uint64_t i = 0; i <= n; i++) /* the targets, then the default */
            if (!reader_u32(r, &u))
                return false;
        return true;
    }
    case IMM_CALL_INDIRECT: case IMM_TABLE_INIT: case IMM_TABLE_COPY:
        return reader_u32(r, &u) && reader_u32(r, &u);
    case IMM_MEMARG:
        return memarg(c, r);
    case IMM_MEMORY:
        return zero_byte(c, r);
    case IMM_MEMORY_INIT:
        return reader_u32(r, &u) && zero_byte(c, r);
    case IMM_MEMORY_COPY:
        return zero_byte(c, r) && zero_byte(c, r);
    case IMM_REFTYPE:
        return decode_reftype(c, r, &b);
    case IMM_SHUFFLE: {
        const uint8_t *p = NULL;
        return reader_bytes(r, 16, &p);
    }
    case IMM_LANE:
        return reader_u8(r, &b);
    case IMM_MEMARG_LANE:
        return memarg(c, r) && reader_u8(r, &b);
    case IMM_SELECT_T: {
        uint32_t n = 0;
        if (!reader_u32(r, &n))
            return false;
        for (uint32_t i = 0; i < n; i++)
            if (!decode_valtype(c, r, &b))
                return false;
        return true;
    }
    default: /* the constants, handled above */
        return err_set(c->err, "illegal opcode");
    }
}

/* Open blocks: one byte each, 1 for an `if` that may still take `else`.
 * Most bodies nest shallowly: a buffer on the C stack serves them, and
 * only deeper ones take a block. */
enum { NEST_LOCAL = 128 };
typedef struct nesting {
    uint8_t *stack;
    size_t cap;
    size_t depth;
    uint8_t local[NEST_LOCAL];
} nesting;

static bool push(decode_ctx *c, nesting *n, uint8_t v)
{
    if (n->depth == n->cap) {
        bool moving = n->stack == n->local;
        uint8_t *heap = moving ? NULL : n->stack;
        size_t cap = moving ? 0 : n->cap;
        if (!mem_grow_array(c->owner, MEM_MODULE, (void **)&heap, &cap,
                            n->depth + 1, 1))
            return err_set(c->err, "out of memory decoding module");
        if (moving)
            memcpy(heap, n->local, n->depth);
        n->stack = heap;
        n->cap = cap;
    }
    n->stack[n->depth++] = v;
    return true;
}

/* ---- the fast path ----------------------------------------------------
 *
 * Most instructions of a body are one-byte opcodes whose immediates are
 * LEB128 numbers short enough that they cannot be malformed (only the
 * last byte of a maximal encoding is restricted). The fast path steps
 * over runs of those with no calls. Anything else -- prefixed opcodes,
 * br_table, select with types, a maximal or truncated LEB128, an error --
 * stops it in front of that instruction, which the general path then
 * reads exactly as it always has, so messages cannot differ. */
enum {
    SH_SLOW,    /* the general path reads it (also: illegal opcodes) */
    SH_NONE,    /* no immediates */
    SH_U32,     /* one u32 */
    SH_U32X2,   /* two u32 */
    SH_MEMARG,  /* align < 32 in one byte, then a u32 offset */
    SH_ZERO,    /* one zero byte */
    SH_S32,
    SH_S64,
    SH_BYTES4,
    SH_BYTES8,
    SH_BLOCK,   /* a block type in one byte */
};
#define SH_IMM_NONE SH_NONE
#define SH_IMM_BLOCKTYPE SH_BLOCK
#define SH_IMM_LABEL SH_U32
#define SH_IMM_BR_TABLE SH_SLOW
#define SH_IMM_FUNC SH_U32
#define SH_IMM_CALL_INDIRECT SH_U32X2
#define SH_IMM_LOCAL SH_U32
#define SH_IMM_GLOBAL SH_U32
#define SH_IMM_TABLE SH_U32
#define SH_IMM_MEMARG SH_MEMARG
#define SH_IMM_MEMORY SH_ZERO
#define SH_IMM_I32 SH_S32
#define SH_IMM_I64 SH_S64
#define SH_IMM_F32 SH_BYTES4
#define SH_IMM_F64 SH_BYTES8
#define SH_IMM_REFTYPE SH_SLOW
#define SH_IMM_SELECT_T SH_SLOW
#define SH_IMM_MEMORY_INIT SH_SLOW
#define SH_IMM_DATA SH_SLOW
#define SH_IMM_MEMORY_COPY SH_SLOW
#define SH_IMM_TABLE_INIT SH_SLOW
#define SH_IMM_ELEM SH_SLOW
#define SH_IMM_TABLE_COPY SH_SLOW
#define SH_IMM_V128 SH_SLOW
#define SH_IMM_SHUFFLE SH_SLOW
#define SH_IMM_LANE SH_SLOW
#define SH_IMM_MEMARG_LANE SH_SLOW

/* By one-byte opcode; prefixed rows all land on 0xff, which is no
 * opcode (a repeated initialisation, intended, as in opcodes.c). */
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Winitializer-overrides"
#elif defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
#endif
static const uint8_t shape[256] = {
#define OP(id, text, prefix, code, imm, sig, align) \
    [(prefix) ? 0xff : (code)] = (prefix) ? SH_SLOW : SH_IMM_##imm,
#include "../ops.def"
#undef OP
};
#if defined(__clang__)
#pragma clang diagnostic pop
#elif defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

/* Steps over a LEB128 of at most max - 1 bytes (never the restricted
 * last byte of a maximal one); false to leave it to the general path. */
static inline bool skip_leb(const uint8_t **q, const uint8_t *end,
                            unsigned max)
{
    const uint8_t *p = *q;
    for (unsigned i = 0; i + 1 < max && p < end; i++)
        if (!(*p++ & 0x80)) {
            *q = p;
            return true;
        }
    return false;
}

/* One instruction at *q (below end) on the fast path: true with *q past
 * it, false to leave it, untouched, to the general path. Also false for
 * the `end` that closes the sequence (depth 0). */
static inline bool fast_instr(const uint8_t **q, const uint8_t *end,
                              nesting *n)
{
    const uint8_t *p = *q;
    uint8_t b = *p++;
    switch (shape[b]) {
    case SH_NONE:
        if (b == 0x0b) { /* end */
            if (n->depth == 0)
                return false;
            n->depth--;
        } else if (b == 0x05) { /* else */
            if (n->depth == 0 || !n->stack[n->depth - 1])
                return false;
            n->stack[n->depth - 1] = 0;
        }
        break;
    case SH_U32:
        if (!skip_leb(&p, end, 5))
            return false;
        break;
    case SH_U32X2:
        if (!skip_leb(&p, end, 5) || !skip_leb(&p, end, 5))
            return false;
        break;
    case SH_MEMARG:
        if (p >= end || *p >= 32)
            return false;
        p++;
        if (!skip_leb(&p, end, 5))
            return false;
        break;
    case SH_ZERO:
        if (p >= end || *p != 0)
            return false;
        p++;
        break;
    case SH_S32:
        if (!skip_leb(&p, end, 5))
            return false;
        break;
    case SH_S64:
        if (!skip_leb(&p, end, 10))
            return false;
        break;
    case SH_BYTES4:
        if (end - p < 4)
            return false;
        p += 4;
        break;
    case SH_BYTES8:
        if (end - p < 8)
            return false;
        p += 8;
        break;
    case SH_BLOCK:
        /* any one byte below 0x80 is a well-formed s33; pushing needs
         * room, which the general path makes */
        if (p >= end || (*p & 0x80) || n->depth == n->cap)
            return false;
        p++;
        n->stack[n->depth++] = b == 0x04; /* if */
        break;
    default:
        return false;
    }
    *q = p;
    return true;
}

bool decode_instr_seq(decode_ctx *c, reader *r, decode_instr_fn fn, void *ud)
{
    nesting n;
    n.stack = n.local;
    n.cap = NEST_LOCAL;
    n.depth = 0;
    bool ok = true;
    for (;;) {
        /* Constant expressions (fn set) are short and reported to fn
         * instruction by instruction: general path only. */
        if (!fn) {
            const uint8_t *p = r->p, *end = r->end;
            while (p < end && fast_instr(&p, end, &n))
                ;
            r->p = p;
        }
        int op = decode_opcode(c, r);
        if (op < 0) {
            ok = false;
            break;
        }
        if (op == OP_END && n.depth == 0)
            break;
        const_expr k = {.op = 0xff};
        if (!immediates(c, r, op, &k)) {
            ok = false;
            break;
        }
        if (op == OP_BLOCK || op == OP_LOOP || op == OP_IF) {
            if (!(ok = push(c, &n, op == OP_IF)))
                break;
        } else if (op == OP_END) {
            n.depth--;
        } else if (op == OP_ELSE) {
            /* An `else` outside an `if` ends the sequence where the
             * binary grammar wants an `end`. */
            if (n.depth == 0 || !n.stack[n.depth - 1]) {
                ok = err_set(c->err, "END opcode expected");
                break;
            }
            n.stack[n.depth - 1] = 0;
        }
        if (fn)
            fn(c, ud, op, &k);
    }
    if (n.stack != n.local)
        mem_free(c->owner, MEM_MODULE, n.stack);
    return ok;
}
