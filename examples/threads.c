/* threads: one module compiled once, shared with wasm_module_share, and
 * instantiated in 8 threads at once, each with its own store. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>

#include <ebb.h>
#include <wasm.h>

#define NTHREADS 8

static wasm_engine_t *engine;
static wasm_shared_module_t *shared;
static int64_t sums[NTHREADS];

/* The host function each thread's instance calls: (thread id, sum). */
static wasm_trap_t *report(const wasm_val_vec_t *args,
                           wasm_val_vec_t *results)
{
    (void)results;
    sums[args->data[0].of.i32] = args->data[1].of.i64;
    return NULL;
}

static void *worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    wasm_store_t *store = wasm_store_new(engine);
    wasm_module_t *module = wasm_module_obtain(store, shared);
    wasm_functype_t *type = wasm_functype_new_2_0(wasm_valtype_new_i32(),
                                                  wasm_valtype_new_i64());
    wasm_func_t *host = wasm_func_new(store, type, report);
    wasm_functype_delete(type);
    wasm_extern_t *imports_data[] = {wasm_func_as_extern(host)};
    wasm_extern_vec_t imports = WASM_ARRAY_VEC(imports_data);
    wasm_instance_t *instance = wasm_instance_new(store, module, &imports,
                                                  NULL);
    if (instance) {
        wasm_extern_vec_t exports;
        wasm_instance_exports(instance, &exports);
        wasm_val_t a[] = {WASM_I32_VAL(id),
                          WASM_I64_VAL(100000 * (int64_t)(id + 1))};
        wasm_val_vec_t args = WASM_ARRAY_VEC(a), none = WASM_EMPTY_VEC;
        wasm_trap_t *trap =
            wasm_func_call(wasm_extern_as_func(exports.data[0]), &args,
                           &none);
        if (trap) {
            sums[id] = -1;
            wasm_trap_delete(trap);
        }
        wasm_extern_vec_delete(&exports);
        wasm_instance_delete(instance);
    }
    wasm_func_delete(host);
    wasm_module_delete(module);
    wasm_store_delete(store);
    return NULL;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "threads.wat";
    FILE *f = fopen(path, "rb");
    if (!f)
        return 1;
    char text[4096];
    wasm_byte_vec_t source = {fread(text, 1, sizeof text, f), text};
    fclose(f);

    engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);
    wasm_module_t *module;
    ebb_error_t *err = ebb_module_new(store, &source, &module);
    if (err) {
        fprintf(stderr, "%s\n", ebb_error_text(err));
        ebb_error_delete(err);
        return 1;
    }
    shared = wasm_module_share(module);
    wasm_module_delete(module);

    pthread_t threads[NTHREADS];
    for (int i = 0; i < NTHREADS; i++)
        pthread_create(&threads[i], NULL, worker, (void *)(intptr_t)i);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(threads[i], NULL);
    for (int i = 0; i < NTHREADS; i++) {
        int64_t n = 100000 * (int64_t)(i + 1);
        printf("thread %d: sum 1..%" PRId64 " = %" PRId64 " (%s)\n", i, n,
               sums[i], sums[i] == n * (n + 1) / 2 ? "right" : "WRONG");
    }

    wasm_shared_module_delete(shared);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    return 0;
}
