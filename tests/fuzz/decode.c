/* Fuzz target: binary decoding, validation and translation of any bytes
 * (rt_module_new). Every input ends in a module or an error message. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    err_t err;
    err_clear(&err);
    rt_module *m = rt_module_new(fuzz_engine(), data, size, &err);
    if (m)
        rt_module_release(m);
    else if (!err_failed(&err))
        abort(); /* a failure must say why */
    fuzz_check_counters();
    return 0;
}
