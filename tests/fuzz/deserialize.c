/* Fuzz target: loading a serialized module from any bytes
 * (rt_module_deserialize, what wasm_module_deserialize calls). Bad bytes
 * must give an error, never a crash; a module that loads is serialized
 * again and must give back the same bytes' length.
 *
 * Mutated bytes rarely get past the checksum, so each input is also tried
 * with the header's payload length and checksum rewritten to match: that
 * takes the fuzzer to the structural checks behind them. */
#include <string.h>

#include "fuzz.h"

#define HEADER 40u  /* serialize.c: the header the checksum follows */

static rt_module *load(const uint8_t *data, size_t size, bool reseal)
{
    err_t err;
    err_clear(&err);
    uint8_t *copy = NULL;
    if (reseal && size >= HEADER) {
        copy = malloc(size);
        if (!copy)
            abort();
        memcpy(copy, data, size);
        uint64_t payload = size - HEADER;
        uint64_t sum = rt_serialize_checksum(copy + HEADER, payload);
        memcpy(copy + HEADER - 16, &payload, 8);  /* the writer's order */
        memcpy(copy + HEADER - 8, &sum, 8);
        data = copy;
    }
    rt_module *m = rt_module_deserialize(fuzz_engine(), data, size, &err);
    if (!m && !err_failed(&err))
        abort();
    free(copy);
    return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rt_module *m = load(data, size, false);
    if (!m)
        m = load(data, size, true);
    if (m) {
        size_t n = rt_module_serialized_size(m);
        uint8_t *out = n ? malloc(n) : NULL;
        err_t err;
        err_clear(&err);
        if (n && (!out || !rt_module_serialize(m, out, n, &err)))
            abort();
        free(out);
        rt_module_release(m);
    }
    fuzz_check_counters();
    return 0;
}
