/* WASI: runs a WASI command with its arguments, environment and stdin
 * given by the host and its stdout captured, through ebb's linker. */
#include <stdio.h>
#include <string.h>

#include <ebb.h>
#include <wasm.h>

static int fail(ebb_error_t *err)
{
    fprintf(stderr, "error: %s\n", ebb_error_text(err));
    ebb_error_delete(err);
    return 1;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "wasi.wat";
    FILE *f = fopen(path, "rb");
    if (!f)
        return 1;
    char text[8192];
    wasm_byte_vec_t source = {fread(text, 1, sizeof text, f), text};
    fclose(f);

    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);
    wasm_module_t *module;
    ebb_error_t *err = ebb_module_new(store, &source, &module);
    if (err)
        return fail(err);

    /* The guest's world: three arguments, one variable, stdin bytes, and
     * stdout captured (stderr inherited from this process). */
    ebb_wasi_config_t *config = ebb_wasi_config_new();
    const char *args[] = {"wasi.wasm", "one", "two"};
    ebb_wasi_config_set_argv(config, 3, args);
    const char *names[] = {"GREETING"}, *values[] = {"hi"};
    ebb_wasi_config_set_env(config, 1, names, values);
    wasm_byte_vec_t input;
    wasm_name_new_from_string(&input, "bytes from the host's stdin\n");
    ebb_wasi_config_set_stdin_bytes(config, &input);
    wasm_byte_vec_delete(&input);
    ebb_wasi_config_capture_stdout(config);
    ebb_wasi_config_inherit_stderr(config);
    ebb_wasi_t *wasi;
    if ((err = ebb_wasi_new(config, &wasi)))
        return fail(err);

    ebb_linker_t *linker = ebb_linker_new(store);
    if ((err = ebb_linker_define_wasi(linker, wasi)))
        return fail(err);
    wasm_instance_t *instance;
    wasm_trap_t *trap = NULL;
    if ((err = ebb_linker_instantiate(linker, module, &instance, &trap)))
        return fail(err);

    wasm_extern_t *start;
    ebb_linker_define_instance(linker, "command", 7, instance);
    ebb_linker_get(linker, "command", 7, "_start", 6, &start);
    wasm_val_vec_t none = WASM_EMPTY_VEC;
    trap = wasm_func_call(wasm_extern_as_func(start), &none, &none);
    int status = -1;
    if (ebb_wasi_exit_status(wasi, &status))
        printf("the guest exited with status %d\n", status);
    wasm_trap_delete(trap);

    wasm_byte_vec_t out;
    ebb_wasi_stdout(wasi, &out);
    printf("its stdout (%zu bytes):\n%.*s", out.size, (int)out.size,
           out.data);
    wasm_byte_vec_delete(&out);

    wasm_extern_delete(start);
    wasm_instance_delete(instance);
    ebb_linker_delete(linker);
    wasm_module_delete(module);
    wasm_store_delete(store);
    ebb_wasi_delete(wasi);
    wasm_engine_delete(engine);
    return 0;
}
