/* globals and tables: the host makes a global and a table for a module to
 * import, reads and writes the module's exported global, puts a host
 * function into the table, grows it, and has Wasm call through it. */
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

static wasm_trap_t *multiply(const wasm_val_vec_t *args,
                             wasm_val_vec_t *results)
{
    results->data[0] = (wasm_val_t)WASM_I32_VAL(args->data[0].of.i32 *
                                                args->data[1].of.i32);
    return NULL;
}

static int32_t apply(const wasm_func_t *f, int32_t slot, int32_t a, int32_t b)
{
    wasm_val_t args_data[] = {WASM_I32_VAL(slot), WASM_I32_VAL(a),
                              WASM_I32_VAL(b)};
    wasm_val_t results_data[1] = {WASM_INIT_VAL};
    wasm_val_vec_t args = WASM_ARRAY_VEC(args_data);
    wasm_val_vec_t results = WASM_ARRAY_VEC(results_data);
    wasm_trap_t *trap = wasm_func_call(f, &args, &results);
    if (trap) {
        wasm_message_t msg;
        wasm_trap_message(trap, &msg);
        printf("  trap: %s\n", msg.data);
        wasm_byte_vec_delete(&msg);
        wasm_trap_delete(trap);
        return -1;
    }
    return results_data[0].of.i32;
}

int main(int argc, char **argv)
{
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);
    wasm_module_t *module =
        load(store, argc > 1 ? argv[1] : "globals_tables.wat");
    if (!module)
        return 1;

    /* The imports: a mutable i32 global holding 41 and a table of 2. */
    wasm_globaltype_t *gtype =
        wasm_globaltype_new(wasm_valtype_new_i32(), WASM_VAR);
    wasm_val_t init = WASM_I32_VAL(41);
    wasm_global_t *counter = wasm_global_new(store, gtype, &init);
    wasm_globaltype_delete(gtype);
    wasm_limits_t limits = {2, 10};
    wasm_tabletype_t *ttype =
        wasm_tabletype_new(wasm_valtype_new_funcref(), &limits);
    wasm_table_t *table = wasm_table_new(store, ttype, NULL);
    wasm_tabletype_delete(ttype);

    wasm_extern_t *imports_data[] = {wasm_global_as_extern(counter),
                                     wasm_table_as_extern(table)};
    wasm_extern_vec_t imports = WASM_ARRAY_VEC(imports_data);
    wasm_instance_t *instance = wasm_instance_new(store, module, &imports,
                                                  NULL);
    if (!instance)
        return 1;
    wasm_extern_vec_t exports;
    wasm_instance_exports(instance, &exports);
    wasm_global_t *limit = wasm_extern_as_global(exports.data[0]);
    wasm_func_t *bump = wasm_extern_as_func(exports.data[1]);
    wasm_func_t *applyf = wasm_extern_as_func(exports.data[2]);

    /* Globals. */
    wasm_val_vec_t none = WASM_EMPTY_VEC;
    wasm_val_t r[1] = {WASM_INIT_VAL};
    wasm_val_vec_t results = WASM_ARRAY_VEC(r);
    wasm_func_call(bump, &none, &results);
    wasm_val_t v;
    wasm_global_get(counter, &v);
    printf("bump returned %d, the host's global is %d\n", r[0].of.i32,
           v.of.i32);
    wasm_val_t seven = WASM_I32_VAL(7);
    wasm_global_set(counter, &seven);
    wasm_func_call(bump, &none, &results);
    printf("after the host set 7, bump returned %d\n", r[0].of.i32);
    wasm_global_get(limit, &v);
    printf("exported limit: %lld\n", (long long)v.of.i64);
    wasm_val_t big = WASM_I64_VAL(1000);
    wasm_global_set(limit, &big);
    wasm_global_get(limit, &v);
    printf("after the host set it: %lld\n", (long long)v.of.i64);

    /* Tables. */
    printf("table size %u\n", wasm_table_size(table));
    printf("slot 0 (Wasm's add): 6, 7 -> %d\n", apply(applyf, 0, 6, 7));
    printf("slot 1 (empty):\n");
    apply(applyf, 1, 6, 7);
    wasm_functype_t *ftype = wasm_functype_new_2_1(
        wasm_valtype_new_i32(), wasm_valtype_new_i32(), wasm_valtype_new_i32());
    wasm_func_t *mul = wasm_func_new(store, ftype, multiply);
    wasm_functype_delete(ftype);
    wasm_table_set(table, 1, wasm_func_as_ref(mul));
    printf("slot 1 (the host's multiply): 6, 7 -> %d\n",
           apply(applyf, 1, 6, 7));
    bool grown = wasm_table_grow(table, 3, wasm_func_as_ref(mul));
    printf("grow by 3: %s, size %u\n", grown ? "ok" : "failed",
           wasm_table_size(table));
    printf("slot 4: 6, 7 -> %d\n", apply(applyf, 4, 6, 7));
    wasm_ref_t *ref = wasm_table_get(table, 0);
    wasm_func_t *add = wasm_ref_as_func(ref);
    printf("slot 0 holds a function of %zu params\n",
           wasm_func_param_arity(add));
    wasm_ref_delete(ref);

    wasm_func_delete(mul);
    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(instance);
    wasm_table_delete(table);
    wasm_global_delete(counter);
    wasm_module_delete(module);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    return 0;
}
