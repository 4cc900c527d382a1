/* Fuzz target: the text parser on any bytes (text_wat_to_binary); when it
 * makes a binary, that binary goes through decode, validate and compile. */
#include "fuzz.h"
#include "text/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static mem_owner owner;
    static int ready;
    if (!ready) {
        mem_owner_init(&owner, MEM_OWNER_MODULE);
        ready = 1;
    }
    uint8_t *bin = NULL;
    size_t len = 0;
    err_t err;
    err_clear(&err);
    if (text_wat_to_binary(&owner, (const char *)data, size, &bin, &len,
                           &err)) {
        err_clear(&err);
        rt_module *m = rt_module_new(fuzz_engine(), bin, len, &err);
        if (m)
            rt_module_release(m);
        else if (!err_failed(&err))
            abort();
        mem_free(&owner, MEM_HOST, bin);
    } else if (!err_failed(&err)) {
        abort();
    }
    if (mem_owner_live(&owner))
        abort();
    return 0;
}
