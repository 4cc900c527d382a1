/* ebb_config_*_set: the engine's settings (rt_config) on wasm_config_t.
 * A NULL config is ignored, as the standard's setters would. */
#include "ebb_internal.h"

void ebb_config_max_wasm_stack_set(wasm_config_t *c, size_t bytes)
{
    if (c)
        c->rt.max_wasm_stack = bytes;
}

void ebb_config_parallel_compilation_set(wasm_config_t *c, bool on)
{
    if (c)
        c->rt.parallel_compilation = on;
}

void ebb_config_compile_threads_set(wasm_config_t *c, uint32_t n)
{
    if (c)
        c->rt.compile_threads = n;
}

void ebb_config_compile_idle_ms_set(wasm_config_t *c, uint32_t ms)
{
    if (c)
        c->rt.compile_idle_ms = ms;
}

void ebb_config_memory_reservation_set(wasm_config_t *c, uint64_t bytes)
{
    if (c)
        c->rt.memory_reservation = bytes;
}

void ebb_config_memory_guard_size_set(wasm_config_t *c, uint64_t bytes)
{
    if (c)
        c->rt.memory_guard = bytes;
}

void ebb_config_signals_based_traps_set(wasm_config_t *c, bool on)
{
    if (c)
        c->rt.signals_based_traps = on;
}

void ebb_config_allocator_set(wasm_config_t *c, ebb_alloc_fn_t fn, void *env)
{
    if (!c)
        return;
    /* The same contract as the memory door's hook (mem/mem.h). */
    mem_alloc_fn hook = fn;
    c->rt.alloc.fn = hook;
    c->rt.alloc.ud = fn ? env : NULL;
}
