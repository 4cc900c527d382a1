/* The interpreter: runs compiled functions. Wasm-to-Wasm calls never use
 * the C stack; a store's execution stacks (value slots and call frames)
 * are made on its first call and bounded by the engine's max_wasm_stack. */
#ifndef EBB_INTERP_H
#define EBB_INTERP_H

#include <stdint.h>

#include "../runtime/runtime.h"

/* Runs Wasm function f (f->code != NULL) with nparams argument cells,
 * writes its nresults cells. NULL on success, else the trap. */
rt_trap *interp_call(rt_store *s, rt_func *f, const uint64_t *args,
                     uint64_t *results);
/* Frees the store's execution stacks (rt_store_free calls it). */
void interp_thread_free(rt_store *s);

#endif
