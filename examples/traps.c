/* traps: a trap inside Wasm code (division by zero, three calls deep) and
 * one raised by a host function, each with its message and backtrace. */
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

static wasm_store_t *the_store;

static wasm_trap_t *fail(const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
    (void)args;
    (void)results;
    wasm_message_t msg;
    wasm_name_new_from_string_nt(&msg, "the host refuses");
    wasm_trap_t *trap = wasm_trap_new(the_store, &msg);
    wasm_byte_vec_delete(&msg);
    return trap;
}

static void report(wasm_trap_t *trap)
{
    if (!trap) {
        printf("no trap\n");
        return;
    }
    wasm_message_t msg;
    wasm_trap_message(trap, &msg);
    printf("trap: %s\n", msg.data);
    wasm_byte_vec_delete(&msg);
    wasm_frame_vec_t trace;
    wasm_trap_trace(trap, &trace);
    printf("backtrace, innermost first (%zu frames):\n", trace.size);
    for (size_t i = 0; i < trace.size; i++) {
        const wasm_frame_t *f = trace.data[i];
        printf("  #%zu function %u, offset %zu in the function\n", i,
               wasm_frame_func_index(f), wasm_frame_func_offset(f));
    }
    wasm_frame_t *origin = wasm_trap_origin(trap);
    if (origin)
        printf("origin: function %u\n", wasm_frame_func_index(origin));
    wasm_frame_delete(origin);
    wasm_frame_vec_delete(&trace);
    wasm_trap_delete(trap);
}

int main(int argc, char **argv)
{
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);
    the_store = store;
    wasm_module_t *module = load(store, argc > 1 ? argv[1] : "traps.wat");
    if (!module)
        return 1;
    wasm_functype_t *type = wasm_functype_new_0_0();
    wasm_func_t *failf = wasm_func_new(store, type, fail);
    wasm_functype_delete(type);
    wasm_extern_t *imports_data[] = {wasm_func_as_extern(failf)};
    wasm_extern_vec_t imports = WASM_ARRAY_VEC(imports_data);
    wasm_instance_t *instance = wasm_instance_new(store, module, &imports,
                                                  NULL);
    if (!instance)
        return 1;
    wasm_extern_vec_t exports;
    wasm_instance_exports(instance, &exports);

    wasm_val_t a[] = {WASM_I32_VAL(2)};
    wasm_val_t r[1] = {WASM_INIT_VAL};
    wasm_val_vec_t args = WASM_ARRAY_VEC(a), results = WASM_ARRAY_VEC(r);
    wasm_func_t *divide = wasm_extern_as_func(exports.data[0]);
    report(wasm_func_call(divide, &args, &results));
    printf("divide(2) = %d\n", r[0].of.i32);
    a[0] = (wasm_val_t)WASM_I32_VAL(0);
    printf("divide(0):\n");
    report(wasm_func_call(divide, &args, &results));

    printf("callback:\n");
    wasm_val_vec_t none = WASM_EMPTY_VEC;
    report(wasm_func_call(wasm_extern_as_func(exports.data[1]), &none,
                          &none));

    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(instance);
    wasm_func_delete(failf);
    wasm_module_delete(module);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    return 0;
}
