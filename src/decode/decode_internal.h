/* Shared state of one decode_module call, split over the decode_*.c files
 * (one per group of sections). Not part of the decoder's interface. */
#ifndef EBB_DECODE_INTERNAL_H
#define EBB_DECODE_INTERNAL_H

#include "module.h"
#include "reader.h"

/* The engine's cap on the locals of one function (the spec allows up to
 * 2^32-1; like Wasmtime we refuse more than this with the same message). */
#define DECODE_MAX_LOCALS 50000u

typedef struct decode_ctx {
    mem_owner *owner;
    module_desc *m;
    const uint8_t *base; /* the whole binary */
    size_t len;
    err_t *err;          /* malformed: reported at once */
    /* The first validation error found. Reported only once the whole
     * binary has decoded, because the spec ranks a malformed binary above
     * an invalid module, whichever part comes first. */
    err_t invalid;
    uint32_t nfunc_decls; /* entries of the function section */
    uint32_t ncodes;
    bool has_data_section;
    bool uses_data_index; /* memory.init or data.drop in some body */
    bool out_of_memory;   /* an allocation failed where no error returns */
    bool lazy_bodies;     /* decode_module_lazy: skip body instructions */
    /* The `name` section's payload, read last: it may come before the
     * function section, and it needs the number of functions. */
    const uint8_t *name_sec;
    size_t name_sec_len;
} decode_ctx;

/* Records a validation error (the first one wins) and returns true, so
 * decoding goes on: `decode_invalid(c, "unknown type %u", i);`. */
bool decode_invalid(decode_ctx *c, const char *fmt, ...) ERR_PRINTF(2, 3);

/* How many entries to allocate for a vector that claims `n`: every entry
 * takes at least one byte, so no more than the bytes left can follow.
 * A hostile count thus costs nothing, and decoding then fails where the
 * bytes run out, with the message the spec expects there. */
static inline uint32_t decode_vec_cap(const reader *r, uint32_t n)
{
    size_t left = reader_left(r);
    return n < left ? n : (uint32_t)left;
}

/* Allocation of MEM_MODULE arrays; false with a message on failure. */
bool decode_alloc(decode_ctx *c, void **out, size_t count, size_t size);
bool decode_grow(decode_ctx *c, void **arr, size_t count, size_t size);

/* Marks function `f` as declared for ref.func (ignores bad indices: they
 * are reported where they appear). */
void decode_declare_func(decode_ctx *c, uint32_t f);

/* Value, reference and limit types. */
bool decode_valtype(decode_ctx *c, reader *r, uint8_t *out);
bool decode_reftype(decode_ctx *c, reader *r, uint8_t *out);
bool decode_tabletype(decode_ctx *c, reader *r, tabletype *out);
bool decode_memtype(decode_ctx *c, reader *r, memtype *out);
bool decode_globaltype(decode_ctx *c, reader *r, globaltype *out);

/* Reads instructions up to the `end` that closes the sequence (consumed,
 * not reported), calling `fn` (may be NULL) for each other instruction
 * with its opcode (an OP_ index) and, for constant instructions, their
 * immediate in `k` (k->op is 0xff for the others). Fails on malformed
 * bytes only. */
typedef void (*decode_instr_fn)(decode_ctx *c, void *ud, int op,
                                const const_expr *k);
bool decode_instr_seq(decode_ctx *c, reader *r, decode_instr_fn fn, void *ud);

/* A constant expression of type `type`; validation problems are recorded
 * with decode_invalid, malformed bytes fail. */
bool decode_const_expr(decode_ctx *c, reader *r, uint8_t type,
                       const_expr *out);

/* Section bodies; `r` covers exactly the section's content. */
bool decode_type_section(decode_ctx *c, reader *r);
bool decode_import_section(decode_ctx *c, reader *r);
bool decode_function_section(decode_ctx *c, reader *r);
bool decode_table_section(decode_ctx *c, reader *r);
bool decode_memory_section(decode_ctx *c, reader *r);
bool decode_global_section(decode_ctx *c, reader *r);
bool decode_export_section(decode_ctx *c, reader *r);
bool decode_start_section(decode_ctx *c, reader *r);
bool decode_elem_section(decode_ctx *c, reader *r);
bool decode_datacount_section(decode_ctx *c, reader *r);
bool decode_code_section(decode_ctx *c, reader *r);
bool decode_data_section(decode_ctx *c, reader *r);

/* The `name` custom section (c->name_sec): fills module and function
 * names when well-formed, and never fails the module. Needs func_names
 * allocated. */
void decode_name_section(decode_ctx *c);

#endif
