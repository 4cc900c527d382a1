/* serialization: compile a module once, keep ebb's translated code as
 * bytes (a cache file, say), and load it again later, in another engine,
 * without validating or translating it again. Damaged bytes are refused
 * with a message. */
#include <stdio.h>
#include <string.h>

#include <ebb.h>
#include <wasm.h>

static wasm_trap_t *hello(const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
    (void)results;
    printf("Hello from the host! Wasm says %d\n", args->data[0].of.i32);
    return NULL;
}

/* Compiles the text at path in a first engine and returns the bytes. */
static int compile_and_serialize(const char *path, wasm_byte_vec_t *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char text[4096];
    wasm_byte_vec_t source = {fread(text, 1, sizeof text, f), text};
    fclose(f);
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);
    wasm_module_t *module;
    ebb_error_t *err = ebb_module_new(store, &source, &module);
    if (err) {
        fprintf(stderr, "%s\n", ebb_error_text(err));
        ebb_error_delete(err);
        return 0;
    }
    wasm_module_serialize(module, out);
    wasm_module_delete(module);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    return out->size > 0;
}

int main(int argc, char **argv)
{
    wasm_byte_vec_t bytes;
    if (!compile_and_serialize(argc > 1 ? argv[1] : "hello.wat", &bytes))
        return 1;
    printf("serialized: %s\n", bytes.size > 16 ? "ok" : "empty");

    /* Later, elsewhere: a new engine loads the bytes. */
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);

    wasm_byte_vec_t damaged;
    wasm_byte_vec_copy(&damaged, &bytes);
    damaged.data[damaged.size / 2] ^= 0x20;
    wasm_module_t *bad;
    ebb_error_t *err = ebb_module_deserialize(store, &damaged, &bad);
    printf("damaged bytes: %s\n", err ? ebb_error_text(err) : "loaded?!");
    ebb_error_delete(err);
    wasm_byte_vec_delete(&damaged);
    wasm_byte_vec_t cut = {bytes.size - 1, bytes.data};
    printf("cut bytes: %s\n",
           wasm_module_deserialize(store, &cut) ? "loaded?!" : "refused");

    wasm_module_t *module = wasm_module_deserialize(store, &bytes);
    wasm_byte_vec_delete(&bytes);
    if (!module)
        return 1;
    printf("deserialized: ok\n");
    wasm_functype_t *type = wasm_functype_new_1_0(wasm_valtype_new_i32());
    wasm_func_t *callback = wasm_func_new(store, type, hello);
    wasm_functype_delete(type);
    wasm_extern_t *imports_data[] = {wasm_func_as_extern(callback)};
    wasm_extern_vec_t imports = WASM_ARRAY_VEC(imports_data);
    wasm_instance_t *instance = wasm_instance_new(store, module, &imports,
                                                  NULL);
    if (!instance)
        return 1;
    wasm_extern_vec_t exports;
    wasm_instance_exports(instance, &exports);
    wasm_val_t a[] = {WASM_I32_VAL(21)};
    wasm_val_vec_t args = WASM_ARRAY_VEC(a), none = WASM_EMPTY_VEC;
    wasm_trap_t *trap =
        wasm_func_call(wasm_extern_as_func(exports.data[0]), &args, &none);
    printf("run: %s\n", trap ? "trapped" : "ok");
    wasm_trap_delete(trap);

    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(instance);
    wasm_func_delete(callback);
    wasm_module_delete(module);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    return 0;
}
