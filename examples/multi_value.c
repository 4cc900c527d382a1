/* multi-value: functions with several results, in both directions. */
#include <inttypes.h>
#include <stdio.h>

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

/* (i32, i64) -> (i64, i32): the same values, swapped. */
static wasm_trap_t *swap(const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
    printf("host swap(%" PRId32 ", %" PRId64 ")\n", args->data[0].of.i32,
           args->data[1].of.i64);
    results->data[0] = (wasm_val_t)WASM_I64_VAL(args->data[1].of.i64);
    results->data[1] = (wasm_val_t)WASM_I32_VAL(args->data[0].of.i32);
    return NULL;
}

int main(int argc, char **argv)
{
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);
    wasm_module_t *module =
        load(store, argc > 1 ? argv[1] : "multi_value.wat");
    if (!module)
        return 1;
    wasm_functype_t *type = wasm_functype_new_2_2(
        wasm_valtype_new_i32(), wasm_valtype_new_i64(),
        wasm_valtype_new_i64(), wasm_valtype_new_i32());
    wasm_func_t *swapf = wasm_func_new(store, type, swap);
    wasm_functype_delete(type);
    wasm_extern_t *imports_data[] = {wasm_func_as_extern(swapf)};
    wasm_extern_vec_t imports = WASM_ARRAY_VEC(imports_data);
    wasm_instance_t *instance = wasm_instance_new(store, module, &imports,
                                                  NULL);
    if (!instance)
        return 1;
    wasm_extern_vec_t exports;
    wasm_instance_exports(instance, &exports);
    wasm_func_t *round_trip = wasm_extern_as_func(exports.data[0]);
    printf("round_trip takes %zu values and returns %zu\n",
           wasm_func_param_arity(round_trip),
           wasm_func_result_arity(round_trip));

    wasm_val_t a[] = {WASM_I32_VAL(-7), WASM_I64_VAL(INT64_C(1) << 40)};
    wasm_val_t r[4] = {WASM_INIT_VAL, WASM_INIT_VAL, WASM_INIT_VAL,
                       WASM_INIT_VAL};
    wasm_val_vec_t args = WASM_ARRAY_VEC(a), results = WASM_ARRAY_VEC(r);
    wasm_trap_t *trap = wasm_func_call(round_trip, &args, &results);
    if (trap)
        return 1;
    printf("results: %" PRId64 " %" PRId32 " %" PRId64 " %" PRId32 "\n",
           r[0].of.i64, r[1].of.i32, r[2].of.i64, r[3].of.i32);

    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(instance);
    wasm_func_delete(swapf);
    wasm_module_delete(module);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    return 0;
}
