/* Shared by the libFuzzer targets of tests/fuzz/: one engine for the whole
 * run (made on the first input) and the counters check that every input
 * gave back what it took. */
#ifndef EBB_FUZZ_H
#define EBB_FUZZ_H

#include <stdint.h>
#include <stdlib.h>

#include "runtime/runtime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A small value stack: deep recursion ends in "call stack exhausted"
 * quickly instead of after megabytes of frames. Fuel is on in every
 * target (the run target bounds each call with it), so the seeds the
 * deserialize target loads carry fuel checks too. Explicit bounds checks
 * instead of signals: libFuzzer and ASan own SIGSEGV. */
static inline rt_engine *fuzz_engine(void)
{
    static rt_engine *e;
    if (!e) {
        rt_config c;
        rt_config_default(&c);
        c.max_wasm_stack = 64 * 1024;
        c.parallel_compilation = false;
        c.consume_fuel = true;
        c.signals_based_traps = false;
        e = rt_engine_new(&c);
        if (!e)
            abort();
    }
    return e;
}

/* Every module and store made for one input is gone after it: their
 * byte counters must be back to zero (a leak the sanitizers cannot see,
 * since ebb's arenas hold the blocks). */
static inline void fuzz_check_counters(void)
{
    mem_stats st;
    mem_global_stats(MEM_OWNER_MODULE, &st);
    for (int c = 0; c < MEM_NCAT; c++)
        if (st.live[c])
            abort();
    mem_global_stats(MEM_OWNER_STORE, &st);
    for (int c = 0; c < MEM_NCAT; c++)
        if (st.live[c])
            abort();
}

#endif
