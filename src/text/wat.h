/* Internals of the WAT parser, shared by its files:
 *   wat_emit.c    growable byte buffers and the binary encodings (LEB128)
 *   wat_num.c     integer and float literals
 *   wat_parse.c   cursor, error wording, index spaces, types, type uses
 *   wat_module.c  module fields, the two passes, section assembly
 *   wat_instr.c   instructions, block types, type uses
 * The parser reads a token array (lexer.h) and writes the binary format
 * directly: every section is a buffer filled in text order, and the
 * sections are joined in binary order at the end. */
#ifndef EBB_TEXT_WAT_H
#define EBB_TEXT_WAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../mem/mem.h"
#include "../util/err.h"
#include "lexer.h"

/* ---- byte buffers (wat_emit.c) ---- */

/* A failed allocation makes the buffer sticky-failed: later writes are
 * dropped and the parser reports "out of memory" when it joins sections. */
typedef struct wat_buf {
    mem_owner *owner;
    uint8_t *p;
    size_t len, cap;
    bool failed;
} wat_buf;

void wat_buf_init(wat_buf *b, mem_owner *owner);
void wat_buf_free(wat_buf *b);
void wat_u8(wat_buf *b, uint8_t v);
void wat_bytes(wat_buf *b, const void *p, size_t n);
void wat_u32(wat_buf *b, uint32_t v);          /* unsigned LEB128 */
void wat_s32(wat_buf *b, int32_t v);           /* signed LEB128 */
void wat_s64(wat_buf *b, int64_t v);
void wat_f32(wat_buf *b, uint32_t bits);       /* little-endian */
void wat_f64(wat_buf *b, uint64_t bits);
void wat_name_bytes(wat_buf *b, const uint8_t *s, size_t n); /* vec(byte) */
/* Moves bytes [mid, len) in front of [start, mid): lets a folded
 * instruction write its opcode first and its operands after. */
void wat_rotate(wat_buf *b, size_t start, size_t mid);

/* ---- literals (wat_num.c) ---- */

typedef enum wat_num_result { NUM_OK, NUM_MALFORMED, NUM_RANGE } wat_num_result;

/* `bits` is 32 or 64; accepts -2^(bits-1) .. 2^bits-1, signs allowed. */
wat_num_result wat_parse_int(const char *p, size_t n, unsigned bits,
                             uint64_t *out);
/* An unsigned literal without sign (indices, limits, memarg values). */
wat_num_result wat_parse_nat(const char *p, size_t n, uint64_t *out);
wat_num_result wat_parse_f32(mem_owner *o, const char *p, size_t n,
                             uint32_t *bits);
wat_num_result wat_parse_f64(mem_owner *o, const char *p, size_t n,
                             uint64_t *bits);

/* ---- the parser ---- */

typedef struct wat_name {
    const char *p;  /* "$name" in the source; NULL when unnamed */
    uint32_t len;
} wat_name;

typedef struct wat_space {
    wat_name *v;
    size_t n, cap;
} wat_space;

typedef struct wat_functype {
    uint32_t nparams, nresults;
    uint8_t *types;  /* params then results, binary value type codes */
} wat_functype;

/* Index spaces, in the order of the binary's external kinds. */
enum { SP_FUNC, SP_TABLE, SP_MEM, SP_GLOBAL, SP_TYPE, SP_ELEM, SP_DATA,
       SP_COUNT };

/* Sections, in binary order. */
enum { SEC_TYPE, SEC_IMPORT, SEC_FUNC, SEC_TABLE, SEC_MEM, SEC_GLOBAL,
       SEC_EXPORT, SEC_START, SEC_ELEM, SEC_DATACOUNT, SEC_CODE, SEC_DATA,
       SEC_COUNT };

typedef struct wat_parser {
    mem_owner *owner;
    const text_token *t;
    size_t n, pos;
    err_t *err;

    const text_token *module_id;  /* `(module $id ...)`, or NULL */
    text_token eof;             /* returned when reading past the end */
    wat_space space[SP_COUNT];
    uint32_t cur[SP_COUNT];     /* pass 2: next index of each space */
    int first_def;              /* first definition kind seen, -1 none */
    wat_functype *types;      /* explicit ones first, then implicit */
    size_t ntypes, types_cap;
    size_t nexplicit_types;

    wat_buf sec[SEC_COUNT];
    uint32_t count[SEC_COUNT];  /* entries in each vector section */
    bool has_start;
    bool uses_data_index;       /* memory.init/data.drop need datacount */

    /* the function being parsed */
    wat_space locals;
    wat_space labels;           /* innermost last */
    uint32_t depth;             /* nesting of instructions being parsed */
    uintptr_t stack_floor;      /* nesting stops above it (0: not set) */
    uint8_t *local_types;       /* all locals incl. params */
    size_t nlocal_types, local_types_cap;
} wat_parser;

/* Parses a module from tokens: `(module ...)` (also `binary`/`quote`)
 * or bare fields. The array may end with TOK_EOF. Used by wast.c. */
bool wat_module_tokens(mem_owner *owner, const text_token *t, size_t n,
                       uint8_t **out, size_t *out_len, err_t *err);

/* Cursor helpers (wat_parse.c). */
const text_token *wat_peek(wat_parser *P);
const text_token *wat_peek2(wat_parser *P);  /* the token after */
const text_token *wat_next(wat_parser *P);
bool wat_fail(wat_parser *P, const text_token *at, const char *fmt, ...)
    ERR_PRINTF(3, 4);
/* The error for a token the grammar did not expect here. */
bool wat_unexpected(wat_parser *P, const text_token *at);
bool wat_expect(wat_parser *P, uint8_t kind);
bool wat_expect_kw(wat_parser *P, const char *kw);
/* Next is `(` followed by keyword kw. */
bool wat_at_field(wat_parser *P, const char *kw);
bool wat_skip_parens(wat_parser *P);   /* from just after a `(` to after its `)` */

/* Index spaces. wat_space_name gives the noun of the spec's messages
 * ("unknown function $f", "import after memory"). */
const char *wat_space_name(int sp);
bool wat_bind(wat_parser *P, wat_space *s, const text_token *id,
              const char *what);
bool wat_lookup(wat_space *s, const text_token *id, uint32_t *out);
/* An index: a number or a $name of space `sp` ("unknown func $x"). */
bool wat_index(wat_parser *P, int sp, uint32_t *out);
bool wat_at_index(wat_parser *P);

/* Appends a param or local (optionally named) to the function's locals. */
bool wat_push_local(wat_parser *P, const text_token *id, uint8_t type);

bool wat_valtype(wat_parser *P, uint8_t *out);
bool wat_reftype(wat_parser *P, uint8_t *out);
bool wat_u32_literal(wat_parser *P, uint32_t *out);

/* An optional $id token (NULL when absent). */
const text_token *wat_opt_id(wat_parser *P);
/* An explicit type definition, read in pass 1: `$id? (func ...))`. */
bool wat_type_definition(wat_parser *P);

/* Type uses: the smallest type index with this signature, appended as an
 * implicit type definition when there is none. */
bool wat_find_or_add_type(wat_parser *P, const uint8_t *params, uint32_t np,
                          const uint8_t *results, uint32_t nr,
                          uint32_t *out);

/* The parts of a type use `(type x)? (param ...)* (result ...)*`: the
 * inline params and results are appended to the two buffers. */
bool wat_typeuse_parts(wat_parser *P, bool bind_names, bool *has_type,
                       uint32_t *x, wat_buf *params, wat_buf *results);
/* A type use `(type x)? (param ...)* (result ...)*`. With `bind_names`
 * the params may carry ids, bound into P->locals (function headers). */
bool wat_typeuse(wat_parser *P, bool bind_names, uint32_t *typeidx);

/* Instructions (wat_instr.c). */
/* A sequence of instructions up to (not including) `)`, `end` or `else`. */
bool wat_instrs(wat_parser *P, wat_buf *out);
/* A constant expression: instructions then the `end` byte. */
bool wat_expr(wat_parser *P, wat_buf *out);
/* One folded instruction `( ... )`, e.g. an abbreviated offset. */
bool wat_folded(wat_parser *P, wat_buf *out);

#endif
