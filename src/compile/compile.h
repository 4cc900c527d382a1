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
/* A deep copy of f owned by `owner` (MEM_CODE); NULL when out of memory.
 * Compile workers translate into their scratch arenas and copy the
 * result into the module's. */
compiled_func *compiled_func_clone(mem_owner *owner, const compiled_func *f);

#endif
