/* The binary shape of instruction sequences: opcodes, immediates and
 * block nesting, for function bodies and constant expressions.
 *
 * The spec ranks every malformed byte of a module above every validation
 * error, and its reference decoder reads each body instruction by
 * instruction, on past the body's declared size if need be. So the decoder
 * reads the instructions once to find malformed bytes in that order and
 * to find where each body really ends; the compiler then validates them. */
#include "decode_internal.h"

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

/* Open blocks: one byte each, 1 for an `if` that may still take `else`. */
typedef struct nesting {
    uint8_t *stack;
    size_t cap;
    size_t depth;
} nesting;

static bool push(decode_ctx *c, nesting *n, uint8_t v)
{
    if (!mem_grow_array(c->owner, MEM_MODULE, (void **)&n->stack, &n->cap,
                        n->depth + 1, 1))
        return err_set(c->err, "out of memory decoding module");
    n->stack[n->depth++] = v;
    return true;
}

bool decode_instr_seq(decode_ctx *c, reader *r, decode_instr_fn fn, void *ud)
{
    nesting n = {0};
    bool ok = true;
    for (;;) {
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
    mem_free(c->owner, MEM_MODULE, n.stack);
    return ok;
}
