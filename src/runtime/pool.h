/* The engine's compile pool (pool.c), for module.c and engine.c. */
#ifndef EBB_RUNTIME_POOL_H
#define EBB_RUNTIME_POOL_H

#include "runtime.h"

/* Validates and translates every defined function of m into m->funcs
 * (allocated by the caller, zeroed): on the engine's worker pool when
 * parallel compilation is on and the module is worth it, else on this
 * thread. Either way each function is translated into a scratch arena and
 * copied into the module's, so the results are the same bytes. On failure
 * the error of the lowest-numbered failing function, as a serial compile
 * would report it. */
bool rt_pool_compile(rt_module *m, err_t *err);
/* Waits for the workers to exit and frees the pool (rt_engine_free). */
void rt_pool_free(rt_engine *e);

#endif
