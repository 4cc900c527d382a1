/* Validation and translation of the SIMD instructions (0xFD prefix).
 *
 * Every SIMD instruction is typed by its ops.def signature and becomes the
 * internal instruction of the same name (simd_ops.def), whose operands are
 * always: the destination slot (when it has a result), the slots of its
 * inputs in order, then its immediates (memory offset, lane index, the
 * shuffle's 16 lane bytes in 4 words). Only v128.const is different: like
 * the scalar constants it emits nothing, its two cells become constant
 * stack entries. */
#include <string.h>

#include "../opcodes.h"
#include "ctx.h"

/* Wasm op -> internal op + 1; 0 for the internal ops that serve other
 * instructions (X2, X4). */
#define SIMD_MAP(n) [OP_##n] = IOP_##n + 1,
#define SIMD_MAP_UN SIMD_MAP
#define SIMD_MAP_BIN SIMD_MAP
#define SIMD_MAP_TERN SIMD_MAP
#define SIMD_MAP_SHIFT SIMD_MAP
#define SIMD_MAP_TEST SIMD_MAP
#define SIMD_MAP_SPLAT SIMD_MAP
#define SIMD_MAP_EXTRACT SIMD_MAP
#define SIMD_MAP_REPLACE SIMD_MAP
#define SIMD_MAP_SHUFFLE SIMD_MAP
#define SIMD_MAP_LOAD SIMD_MAP
#define SIMD_MAP_LOAD_LANE SIMD_MAP
#define SIMD_MAP_STORE SIMD_MAP
#define SIMD_MAP_STORE_LANE SIMD_MAP
#define SIMD_MAP_X2(n)
#define SIMD_MAP_X4(n)
static const uint16_t simd_iop[OP_COUNT] = {
#define SIMD_OP(n, kind, ...) SIMD_MAP_##kind(n)
#include "../interp/simd_ops.def"
#undef SIMD_OP
};

static uint8_t sig_type(char ch)
{
    switch (ch) {
    case 'i': return VT_I32;
    case 'I': return VT_I64;
    case 'f': return VT_F32;
    case 'F': return VT_F64;
    default: return VT_V128;
    }
}

/* Lanes of the shape that names the instruction ("i16x8.xxx" -> 8), or of
 * the access size for the lane loads and stores (v128.load16_lane -> 8). */
static uint32_t lane_count(int op)
{
    const op_info *oi = &op_table[op];
    if (oi->imm == IMM_MEMARG_LANE)
        return 16u >> oi->align;
    const char *x = strchr(oi->text, 'x');
    uint32_t n = 0;
    for (x++; *x >= '0' && *x <= '9'; x++)
        n = n * 10 + (uint32_t)(*x - '0');
    return n;
}

static bool memarg(cc *c, int op, uint32_t *offset)
{
    uint32_t align;
    if (!reader_u32(&c->r, &align) || !reader_u32(&c->r, offset))
        return false;
    if (align >= 32)
        return err_set(c->err, "malformed memop flags");
    if (c->m->nmemories == 0)
        return err_set(c->err, "unknown memory 0");
    if (align > op_table[op].align)
        return err_set(c->err, "alignment must not be larger than natural");
    return true;
}

static bool lane(cc *c, int op, uint32_t *out)
{
    uint8_t b;
    if (!reader_u8(&c->r, &b))
        return false;
    if (b >= lane_count(op))
        return err_set(c->err, "invalid lane index");
    *out = b;
    return true;
}

static bool v128_const(cc *c)
{
    const uint8_t *p;
    if (!reader_bytes(&c->r, 16, &p))
        return false;
    uint64_t half[2] = {0, 0};
    for (int i = 0; i < 16; i++)
        half[i / 8] |= (uint64_t)p[i] << (8 * (i % 8));
    if (!cc_push(c, VT_V128))
        return false;
    for (int i = 0; i < 2; i++) {
        vent *e = &c->stk[c->nstk - 2 + i];
        e->kind = K_CONST;
        e->k = half[i];
    }
    return true;
}

bool cc_simd(cc *c, int op)
{
    const op_info *oi = &op_table[op];
    if (op == OP_V128_CONST)
        return v128_const(c);
    /* Immediates: at most an offset, a lane, or 16 shuffle lanes. */
    uint32_t imm[4] = {0, 0, 0, 0}, nimm = 0, offset = 0, ln = 0;
    switch (oi->imm) {
    case IMM_MEMARG:
        if (!memarg(c, op, &offset))
            return false;
        imm[nimm++] = offset;
        break;
    case IMM_MEMARG_LANE:
        if (!memarg(c, op, &offset) || !lane(c, op, &ln))
            return false;
        imm[nimm++] = offset;
        imm[nimm++] = ln;
        break;
    case IMM_LANE:
        if (!lane(c, op, &ln))
            return false;
        imm[nimm++] = ln;
        break;
    case IMM_SHUFFLE: {
        const uint8_t *p;
        if (!reader_bytes(&c->r, 16, &p))
            return false;
        for (int i = 0; i < 16; i++)
            if (p[i] >= 32)
                return err_set(c->err, "invalid lane index");
        memcpy(imm, p, 16);
        nimm = 4;
        break;
    }
    default:
        break;
    }
    /* Operands by the signature, popped right to left. */
    const char *sig = oi->sig;
    const char *us = strchr(sig, '_');
    uint32_t nin = (uint32_t)(us - sig);
    opnd in[3];
    for (uint32_t i = nin; i-- > 0;)
        if (!cc_pop(c, sig_type(sig[i]), &in[i]))
            return false;
    bool has_result = us[1] != 0;
    if (has_result && !cc_push(c, sig_type(us[1])))
        return false;
    if (!cc_live(c))
        return true;
    uint32_t src[3];
    for (uint32_t i = 0; i < nin; i++)
        src[i] = cc_src(c, &in[i]);
    iop iop_ = (iop)(simd_iop[op] - 1);
    uint32_t n = (has_result ? 1 : 0) + nin + nimm;
    uint32_t at = has_result ? cc_emit_result(c, iop_, n) : cc_emit(c, iop_, n);
    if (at == UINT32_MAX)
        return true;
    uint32_t w = has_result ? 1 : 0;
    for (uint32_t i = 0; i < nin; i++)
        c->code[at + w++] = src[i];
    for (uint32_t i = 0; i < nimm; i++)
        c->code[at + w++] = imm[i];
    return true;
}
