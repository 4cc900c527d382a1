/* Inside the canonical ABI (cm_canon*.c, cm_flat.c, cm_handles.c,
 * cm_val.c): the call context that lifting and lowering share, and the
 * pieces each file gives the others. Nothing outside these files uses it. */
#ifndef EBB_COMPONENT_CM_CANON_H
#define EBB_COMPONENT_CM_CANON_H

#include "cm_internal.h"

#define CM_MAX_FLAT_PARAMS 16
#define CM_MAX_FLAT_RESULTS 1
/* Handle tables stop growing here (the spec's limit). */
#define CM_MAX_HANDLES (1u << 28)
/* Strings longer than this trap (the spec's limit). */
#define CM_MAX_STRING_BYTES 0x7fffffffu

/* An own handle lent for the duration of a call (its lends count goes
 * back down when the call ends). */
typedef struct cm_lend {
    cm_instance *inst;
    uint32_t index;
} cm_lend;

/* One component-level call: what it borrowed and lent. */
typedef struct cm_callctx {
    cm_lend *lends;             /* `small`, or on the store's owner (MEM_HOST) */
    cm_lend small[4];
    uint32_t nlends, caplends;
    uint32_t scope;             /* borrows lowered into the callee (0: none) */
    uint32_t nborrows;          /* how many of them were made */
} cm_callctx;

/* One side of a call: the instance whose memory and handle table the
 * values move through (NULL: the host, which has neither), its options,
 * and where lifted values go. */
typedef struct cm_cx {
    rt_store *s;
    mem_owner *o;               /* cm_val blocks, MEM_HOST */
    cm_instance *inst;
    const cm_canon_opts *opts;
    cm_callctx *call;
    rt_trap *trap;              /* set when a function returns false */
} cm_cx;

/* Sets cx->trap to a TRAP_HOST trap with the message; returns false. */
bool cm_trapf(cm_cx *cx, const char *fmt, ...) ERR_PRINTF(2, 3);
/* The same, returning the trap (for core host functions). */
rt_trap *cm_trap_of(cm_cx *cx, const char *fmt, ...) ERR_PRINTF(2, 3);

/* ---- types (cm_canon_mem.c) ---- */

/* Variant-like kinds (variant, enum, option, result): their number of
 * cases, and the payload type of a case (NULL: none). */
uint32_t cm_ncases(const cm_valtype *t);
const cm_valtype *cm_case_type(const cm_valtype *t, uint32_t tag);
bool cm_is_variant_kind(cm_kind k);
uint32_t cm_disc_size(uint32_t ncases);
uint32_t cm_align(const cm_valtype *t);
uint32_t cm_size(const cm_valtype *t);
/* Layout of a list of fields as a record: size, alignment. */
uint32_t cm_fields_align(const cm_field *f, uint32_t n);
uint32_t cm_fields_size(const cm_field *f, uint32_t n);

/* ---- linear memory (cm_canon_mem.c) ---- */

/* Loads a value of type t at ptr of cx's memory (bounds checked). */
bool cm_load(cm_cx *cx, const cm_valtype *t, uint32_t ptr, cm_val *out);
/* Stores v (of type t, already checked) at ptr. */
bool cm_store(cm_cx *cx, const cm_valtype *t, const cm_val *v, uint32_t ptr);
/* Loads / stores fields laid out as a record at ptr. */
bool cm_load_fields(cm_cx *cx, const cm_field *f, uint32_t n, uint32_t ptr,
                    cm_val *out);
/* The same into items[0..n) (zeroed by the caller). */
bool cm_load_items(cm_cx *cx, const cm_field *f, uint32_t n, uint32_t ptr,
                   cm_val *items);
bool cm_store_fields(cm_cx *cx, const cm_field *f, uint32_t n,
                     const cm_val *v, uint32_t ptr);
/* Checks that [ptr, ptr + size) is in cx's memory and ptr is aligned. */
bool cm_check_range(cm_cx *cx, uint64_t ptr, uint64_t size, uint32_t align,
                    const char *what);
/* realloc(0, 0, align, size) in cx's instance, result checked. */
bool cm_alloc(cm_cx *cx, uint32_t align, uint32_t size, uint32_t *ptr);
/* Strings and lists from (ptr, len) / to a fresh block. */
bool cm_lift_string(cm_cx *cx, uint32_t ptr, uint32_t len, cm_val *out);
bool cm_lower_string(cm_cx *cx, const cm_val *v, uint32_t *ptr,
                     uint32_t *len);
bool cm_lift_list(cm_cx *cx, const cm_valtype *t, uint32_t ptr, uint32_t len,
                  cm_val *out);
bool cm_lower_list(cm_cx *cx, const cm_valtype *t, const cm_val *v,
                   uint32_t *ptr, uint32_t *len);
bool cm_lift_char(cm_cx *cx, uint32_t c, cm_val *out);

/* ---- flat values (cm_flat.c) ---- */

/* Flat values a type takes, or limit + 1 as soon as it takes more. */
uint32_t cm_flat_count(const cm_valtype *t, uint32_t limit);
uint32_t cm_flat_count_fields(const cm_field *f, uint32_t n, uint32_t limit);
/* Lifts from / lowers to 64-bit cells (i32 and f32 zero-extended). */
bool cm_lift_flat(cm_cx *cx, const cm_valtype *t, const uint64_t *cells,
                  uint32_t *pos, cm_val *out);
bool cm_lower_flat(cm_cx *cx, const cm_valtype *t, const cm_val *v,
                   uint64_t *cells, uint32_t *pos);

/* Does the type hold a string or a list (need memory / realloc)? */
bool cm_type_has_ptr(const cm_valtype *t);

/* ---- handles (cm_handles.c) ---- */

bool cm_lift_own(cm_cx *cx, const cm_valtype *t, uint32_t index, cm_val *out);
bool cm_lift_borrow(cm_cx *cx, const cm_valtype *t, uint32_t index,
                    cm_val *out);
bool cm_lower_own(cm_cx *cx, const cm_valtype *t, const cm_val *v,
                  uint32_t *index);
bool cm_lower_borrow(cm_cx *cx, const cm_valtype *t, const cm_val *v,
                     uint32_t *index);
/* Ends a call: gives back the lends, then checks the callee dropped
 * every borrow it was given (callee NULL: the host). Frees ctx's blocks. */
bool cm_call_end(cm_cx *cx, cm_callctx *call, cm_instance *callee);
void cm_callctx_init(cm_callctx *call);
void cm_callctx_free(rt_store *s, cm_callctx *call);

/* ---- values (cm_val.c) ---- */

/* Does v have type t (kinds, counts, ranges, char validity)? */
bool cm_val_matches(const cm_valtype *t, const cm_val *v);
void cm_val_free_array(mem_owner *o, cm_val *v, uint32_t n);

#endif
