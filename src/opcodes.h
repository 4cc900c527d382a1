/* Wasm opcodes and their immediates, expanded from ops.def. */
#ifndef EBB_OPCODES_H
#define EBB_OPCODES_H

#include <stdint.h>

typedef enum imm_kind {
    IMM_NONE,
    IMM_BLOCKTYPE,     /* s33: empty (0x40), a value type, or a type index */
    IMM_LABEL,         /* u32 label depth */
    IMM_BR_TABLE,      /* vec(u32 label), u32 default */
    IMM_FUNC,          /* u32 function index */
    IMM_CALL_INDIRECT, /* u32 type index, u32 table index */
    IMM_LOCAL,         /* u32 local index */
    IMM_GLOBAL,        /* u32 global index */
    IMM_TABLE,         /* u32 table index */
    IMM_MEMARG,        /* u32 align, u32 offset */
    IMM_MEMORY,        /* memory index: a zero byte in Wasm 2.0 */
    IMM_I32,           /* s32 */
    IMM_I64,           /* s64 */
    IMM_F32,           /* 4 bytes */
    IMM_F64,           /* 8 bytes */
    IMM_REFTYPE,       /* reference type byte */
    IMM_SELECT_T,      /* vec(valtype) */
    IMM_MEMORY_INIT,   /* u32 data index, memory index (zero byte) */
    IMM_DATA,          /* u32 data index */
    IMM_MEMORY_COPY,   /* two memory indices (zero bytes) */
    IMM_TABLE_INIT,    /* u32 elem index, u32 table index */
    IMM_ELEM,          /* u32 elem index */
    IMM_TABLE_COPY,    /* u32 dst table, u32 src table */
    IMM_V128,          /* 16 bytes: v128.const */
    IMM_SHUFFLE,       /* 16 lane index bytes: i8x16.shuffle */
    IMM_LANE,          /* one lane index byte */
    IMM_MEMARG_LANE,   /* memarg, then one lane index byte */
} imm_kind;

typedef enum wasm_op {
#define OP(id, text, prefix, code, imm, sig, align) OP_##id,
#include "ops.def"
#undef OP
    OP_COUNT
} wasm_op;

#define OP_PREFIX_FC 0xfc
#define OP_PREFIX_FD 0xfd /* SIMD */

typedef struct op_info {
    const char *text;
    uint8_t prefix;
    uint8_t code;
    uint8_t imm;       /* imm_kind */
    uint8_t align;     /* log2 natural alignment of memory accesses */
    const char *sig;   /* "ii_i" style, "" when typed by hand */
} op_info;

extern const op_info op_table[OP_COUNT];

/* The instruction for a one-byte opcode or a 0xFC/0xFD-prefixed sub-opcode;
 * -1 when there is none ("illegal opcode"). */
int op_from_byte(uint8_t code);
int op_from_fc(uint32_t sub);
int op_from_fd(uint32_t sub);

#endif
