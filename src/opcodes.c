#include "opcodes.h"

const op_info op_table[OP_COUNT] = {
#define OP(id, text, prefix, code, imm, sig, align) \
    [OP_##id] = {text, prefix, code, IMM_##imm, align, sig},
#include "ops.def"
#undef OP
};

/* Reverse maps built from the same list: code -> OP index + 1 (0 = none).
 * Rows of the other kind all land on one unused dummy entry, which the
 * compiler sees as repeated initialisation; that is intended. */
#if defined(__clang__)
#pragma clang diagnostic ignored "-Winitializer-overrides"
#elif defined(__GNUC__)
#pragma GCC diagnostic ignored "-Woverride-init"
#endif
static const uint16_t by_byte[256] = {
#define OP(id, text, prefix, code, imm, sig, align) \
    [(prefix) ? 256 - 1 : (code)] = (prefix) ? 0 : OP_##id + 1,
#include "ops.def"
#undef OP
};

static const uint16_t by_fc[32] = {
#define OP(id, text, prefix, code, imm, sig, align) \
    [(prefix) == OP_PREFIX_FC ? (code) : 31] = \
        (prefix) == OP_PREFIX_FC ? OP_##id + 1 : 0,
#include "ops.def"
#undef OP
};

/* SIMD sub-opcodes run from 0 to 255, with gaps; the dummy entry 256
 * takes the rows of the other kinds. */
static const uint16_t by_fd[257] = {
#define OP(id, text, prefix, code, imm, sig, align) \
    [(prefix) == OP_PREFIX_FD ? (code) : 256] = \
        (prefix) == OP_PREFIX_FD ? OP_##id + 1 : 0,
#include "ops.def"
#undef OP
};

int op_from_byte(uint8_t code)
{
    return code == 0xff ? -1 : (int)by_byte[code] - 1;
}

int op_from_fc(uint32_t sub)
{
    return sub >= 31 ? -1 : (int)by_fc[sub] - 1;
}

int op_from_fd(uint32_t sub)
{
    return sub >= 256 ? -1 : (int)by_fd[sub] - 1;
}
