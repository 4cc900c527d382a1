/* memory: a module's linear memory seen from both sides. The host reads
 * and writes the bytes directly (wasm_memory_data) and grows the memory;
 * Wasm code sees the changes, and an access out of bounds traps. */
#include <stdio.h>
#include <string.h>

#include <ebb.h>
#include <wasm.h>

static wasm_module_t *load(wasm_store_t *store, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char text[4096];
    size_t n = fread(text, 1, sizeof text, f);
    fclose(f);
    wasm_byte_vec_t bytes = {n, text};
    wasm_module_t *module = NULL;
    ebb_error_t *err = ebb_module_new(store, &bytes, &module);
    if (err) {
        fprintf(stderr, "%s: %s\n", path, ebb_error_text(err));
        ebb_error_delete(err);
    }
    return module;
}

/* Calls f with up to two i32 arguments; prints a trap's message. */
static int32_t call(const wasm_func_t *f, int nargs, int32_t a, int32_t b)
{
    wasm_val_t args_data[2] = {WASM_I32_VAL(a), WASM_I32_VAL(b)};
    wasm_val_t results_data[1] = {WASM_INIT_VAL};
    wasm_val_vec_t args = {(size_t)nargs, args_data};
    wasm_val_vec_t results = {wasm_func_result_arity(f), results_data};
    wasm_trap_t *trap = wasm_func_call(f, &args, &results);
    if (trap) {
        wasm_message_t msg;
        wasm_trap_message(trap, &msg);
        printf("  trap: %s\n", msg.data);
        wasm_byte_vec_delete(&msg);
        wasm_trap_delete(trap);
        return -1;
    }
    return results.size ? results_data[0].of.i32 : 0;
}

int main(int argc, char **argv)
{
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);
    wasm_module_t *module = load(store, argc > 1 ? argv[1] : "memory.wat");
    if (!module)
        return 1;
    wasm_extern_vec_t imports = WASM_EMPTY_VEC;
    wasm_instance_t *instance = wasm_instance_new(store, module, &imports,
                                                  NULL);
    wasm_extern_vec_t exports;
    wasm_instance_exports(instance, &exports);
    wasm_memory_t *memory = wasm_extern_as_memory(exports.data[0]);
    wasm_func_t *size = wasm_extern_as_func(exports.data[1]);
    wasm_func_t *load8 = wasm_extern_as_func(exports.data[2]);
    wasm_func_t *store8 = wasm_extern_as_func(exports.data[3]);

    printf("pages: %u (%zu bytes), Wasm sees %d\n", wasm_memory_size(memory),
           wasm_memory_data_size(memory), call(size, 0, 0, 0));
    byte_t *data = wasm_memory_data(memory);
    printf("data at 0x1000: %d %d %d %d\n", data[0x1000], data[0x1001],
           data[0x1002], data[0x1003]);
    printf("Wasm loads 0x1002: %d\n", call(load8, 1, 0x1002, 0));

    data[0x1002] = 42; /* the host writes, Wasm reads */
    printf("after the host wrote 42, Wasm loads: %d\n",
           call(load8, 1, 0x1002, 0));
    call(store8, 2, 0x1003, -5); /* Wasm writes, the host reads */
    printf("after Wasm stored -5, the host reads: %d\n",
           (signed char)wasm_memory_data(memory)[0x1003]);

    printf("load at 0x20000 (past the end):\n");
    call(load8, 1, 0x20000, 0);
    bool grown = wasm_memory_grow(memory, 1);
    printf("grow by 1: %s, pages now %u\n", grown ? "ok" : "failed",
           wasm_memory_size(memory));
    printf("load at 0x20000 now: %d\n", call(load8, 1, 0x20000, 0));
    printf("grow past the maximum: %s\n",
           wasm_memory_grow(memory, 1) ? "ok" : "failed");

    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(instance);
    wasm_module_delete(module);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    return 0;
}
