/* hello: the smallest embedding. Loads hello.wat, gives it a host
 * function to import, and calls its export "run", which calls back. */
#include <stdio.h>
#include <stdlib.h>

#include <ebb.h>
#include <wasm.h>

/* The host function: prints what Wasm passed and returns nothing. */
static wasm_trap_t *hello(const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
    (void)results;
    printf("Hello from the host! Wasm says %d\n", args->data[0].of.i32);
    return NULL;
}

/* Reads a file into a byte vector (text or binary module). */
static int read_file(const char *path, wasm_byte_vec_t *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    wasm_byte_vec_new_uninitialized(out, (size_t)n);
    size_t got = fread(out->data, 1, (size_t)n, f);
    fclose(f);
    return got == (size_t)n;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "hello.wat";
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);

    wasm_byte_vec_t bytes;
    if (!read_file(path, &bytes)) {
        fprintf(stderr, "cannot read %s\n", path);
        return 1;
    }
    wasm_module_t *module;
    ebb_error_t *err = ebb_module_new(store, &bytes, &module);
    wasm_byte_vec_delete(&bytes);
    if (err) {
        fprintf(stderr, "module: %s\n", ebb_error_text(err));
        ebb_error_delete(err);
        return 1;
    }

    wasm_functype_t *type = wasm_functype_new_1_0(wasm_valtype_new_i32());
    wasm_func_t *callback = wasm_func_new(store, type, hello);
    wasm_functype_delete(type);

    wasm_extern_t *imports_data[] = {wasm_func_as_extern(callback)};
    wasm_extern_vec_t imports = WASM_ARRAY_VEC(imports_data);
    wasm_trap_t *trap = NULL;
    wasm_instance_t *instance = wasm_instance_new(store, module, &imports,
                                                  &trap);
    if (!instance) {
        fprintf(stderr, "instantiation failed\n");
        return 1;
    }

    wasm_extern_vec_t exports;
    wasm_instance_exports(instance, &exports);
    wasm_func_t *run = wasm_extern_as_func(exports.data[0]);
    wasm_val_t args_data[] = {WASM_I32_VAL(21)};
    wasm_val_vec_t args = WASM_ARRAY_VEC(args_data);
    wasm_val_vec_t results = WASM_EMPTY_VEC;
    printf("Calling run(21)...\n");
    trap = wasm_func_call(run, &args, &results);
    printf("Done: %s\n", trap ? "trapped" : "ok");

    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(instance);
    wasm_func_delete(callback);
    wasm_module_delete(module);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    return trap != NULL;
}
