/* Validation fused with translation: one pass over a function body checks
 * it with the spec's algorithm and emits the interpreter's internal code.
 * Functions are independent units: compile_function reads only the
 * immutable module description, so functions can be compiled in any order
 * and on any thread, with identical results. */
#ifndef EBB_COMPILE_H
#define EBB_COMPILE_H

#include <stdbool.h>
#include <stdint.h>

#include "../decode/module.h"
#include "../mem/mem.h"
#include "../util/err.h"

/* Defined in compile/, read by interp/; opaque to everyone else. */
typedef struct compiled_func compiled_func;

/* Frame cells a compiled function has beyond its parameters and declared
 * locals, counted with the locals: one, always zero (compile.c). */
#define COMPILE_EXTRA_CELLS 1u

/* Validates and translates defined function `defined_index` (its function
 * index is m->nimported_funcs + defined_index). `type_ids` maps the
 * module's type indices to engine-wide canonical ids (for call_indirect).
 * Memory for the result is owned by `owner` (MEM_CODE). NULL with the
 * spec's message ("type mismatch", "unknown local", ...) on failure. */
compiled_func *compile_function(const module_desc *m, uint32_t defined_index,
                                const uint32_t *type_ids, mem_owner *owner,
                                err_t *err);
void compiled_func_free(mem_owner *owner, compiled_func *f);

/* What the code may assume about the engine it runs in. */
typedef struct compile_opts {
    /* Loads and stores with a static offset below this are emitted in
     * their unchecked form (rt_engine.unchecked_offsets; 0: none). */
    uint64_t unchecked_offsets;
    /* Emit a fuel / epoch check at function entry and loop headers
     * (rt_config.consume_fuel / epoch_interruption). */
    bool fuel, epoch;
} compile_opts;

/* compile_function with options (compile_function: all zero). */
compiled_func *compile_function_opts(const module_desc *m,
                                     uint32_t defined_index,
                                     const uint32_t *type_ids,
                                     mem_owner *owner, err_t *err,
                                     const compile_opts *opts);

/* The translator's working arrays (operand and control stacks, the code
 * being emitted, ...), kept from one function to the next so that a
 * thread compiling many functions allocates them a few times in all, not
 * once or more per function. Owned by `owner` (MEM_COMPILE); the types
 * are the translator's own (ctx.h). */
struct vent;
struct ctrl;
struct patch;
typedef struct compile_work {
    mem_owner *owner;
    struct vent *stk;
    size_t stk_cap;
    struct ctrl *ctl;
    size_t ctl_cap;
    uint32_t *code;
    size_t code_cap;
    struct patch *patches;
    size_t patch_cap;
    uint32_t (*sites)[2];
    size_t sites_cap;
    uint32_t *labels;
    size_t labels_cap;
    uint8_t *ltypes;
    size_t ltypes_cap;
    uint32_t *lslot;
    size_t lslot_cap;
} compile_work;

void compile_work_init(compile_work *w, mem_owner *owner);
/* Frees the arrays (w can be initialised again). */
void compile_work_release(compile_work *w);

/* compile_function_opts with reused working arrays: the result, and only
 * the result, is allocated from `dest` (MEM_CODE), with its code copied
 * once out of w. Compile workers keep w in a scratch arena of their own
 * and put the result straight into the module's arena. */
compiled_func *compile_function_work(const module_desc *m,
                                     uint32_t defined_index,
                                     const uint32_t *type_ids,
                                     compile_work *w, mem_owner *dest,
                                     err_t *err, const compile_opts *opts);

#endif
