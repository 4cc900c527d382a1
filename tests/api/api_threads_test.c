/* A module compiled on one thread, shared with wasm_module_share, then
 * obtained and instantiated on 8 threads at once, each with its own store,
 * each running it (calls, a host import, memory growth, traps) many times
 * while also compiling the module itself.
 * Built also with -fsanitize=thread: the engine's type registry, the
 * module's reference count and the memory counters are what is shared. */
#include <pthread.h>
#include <stdio.h>

#include "api_util.h"

#define NTHREADS 8
#define ROUNDS 20

static const char *const wat =
    "(module\n"
    "  (import \"env\" \"twice\" (func $twice (param i32) (result i32)))\n"
    "  (memory (export \"mem\") 1)\n"
    "  (func $fib (export \"fib\") (param i32) (result i32)\n"
    "    local.get 0 i32.const 2 i32.lt_u\n"
    "    if (result i32) local.get 0\n"
    "    else local.get 0 i32.const 1 i32.sub call $fib\n"
    "         local.get 0 i32.const 2 i32.sub call $fib i32.add end)\n"
    "  (func (export \"work\") (param i32) (result i32)\n"
    "    (i32.store (i32.const 0) (call $twice (local.get 0)))\n"
    "    (drop (memory.grow (i32.const 1)))\n"
    "    (i32.add (i32.load (i32.const 0)) (memory.size)))\n"
    "  (func (export \"boom\") unreachable))\n";

static wasm_trap_t *twice(void *env, const wasm_val_vec_t *args,
                          wasm_val_vec_t *res)
{
    (*(int *)env)++;
    res->data[0] = (wasm_val_t)WASM_I32_VAL(args->data[0].of.i32 * 2);
    return NULL;
}

typedef struct job {
    wasm_engine_t *engine;
    const wasm_shared_module_t *shared;
    const wasm_byte_vec_t *binary;
    int id;
    int ok, host_calls;
} job;

/* One round: a fresh store, the module obtained in it, an instance. */
static int run_round(job *j)
{
    int ok = 1;
    wasm_store_t *store = wasm_store_new(j->engine);
    wasm_module_t *m = wasm_module_obtain(store, j->shared);
    wasm_functype_t *ft = wasm_functype_new_1_1(wasm_valtype_new_i32(),
                                                wasm_valtype_new_i32());
    wasm_func_t *host = wasm_func_new_with_env(store, ft, twice,
                                               &j->host_calls, NULL);
    wasm_functype_delete(ft);
    wasm_extern_t *imps[1] = {wasm_func_as_extern(host)};
    wasm_extern_vec_t iv = WASM_ARRAY_VEC(imps), ex;
    wasm_trap_t *trap = NULL;
    wasm_instance_t *inst = m ? wasm_instance_new(store, m, &iv, &trap) : NULL;
    ok &= inst != NULL && trap == NULL;
    wasm_instance_exports(inst, &ex);
    ok &= ex.size == 4;
    if (ex.size == 4) {
        wasm_val_t a[1] = {WASM_I32_VAL(20)}, r[1];
        wasm_val_vec_t av = WASM_ARRAY_VEC(a), rv = WASM_ARRAY_VEC(r);
        ok &= wasm_func_call(wasm_extern_as_func(ex.data[1]), &av, &rv) == NULL &&
              r[0].of.i32 == 6765;
        a[0].of.i32 = j->id;
        ok &= wasm_func_call(wasm_extern_as_func(ex.data[2]), &av, &rv) == NULL &&
              r[0].of.i32 == 2 * j->id + 2;
        ok &= wasm_memory_size(wasm_extern_as_memory(ex.data[0])) == 2;
        wasm_val_vec_t none = WASM_EMPTY_VEC;
        wasm_trap_t *t = wasm_func_call(wasm_extern_as_func(ex.data[3]),
                                        &none, &none);
        wasm_message_t msg;
        wasm_trap_message(t, &msg);
        ok &= t != NULL && msg_is(&msg, "unreachable");
        wasm_name_delete(&msg);
        wasm_trap_delete(t);
    }
    wasm_extern_vec_delete(&ex);
    wasm_instance_delete(inst);
    wasm_func_delete(host);
    wasm_module_delete(m);
    wasm_store_delete(store);
    return ok;
}

/* Compiling at the same time as the other threads: the engine's type
 * registry is shared. */
static int compile_here(job *j)
{
    wasm_store_t *store = wasm_store_new(j->engine);
    wasm_module_t *m = wasm_module_new(store, j->binary);
    wasm_exporttype_vec_t ex;
    wasm_module_exports(m, &ex);
    int ok = m != NULL && ex.size == 4;
    wasm_exporttype_vec_delete(&ex);
    wasm_module_delete(m);
    wasm_store_delete(store);
    return ok;
}

static void *thread_main(void *arg)
{
    job *j = arg;
    j->ok = compile_here(j);
    for (int i = 0; i < ROUNDS; i++)
        j->ok &= run_round(j);
    return NULL;
}

int main(void)
{
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);
    wasm_byte_vec_t binary;
    wat_bytes(&binary, wat);
    wasm_module_t *m = wasm_module_new(store, &binary);
    EXPECT(m != NULL);
    wasm_shared_module_t *shared = wasm_module_share(m);
    EXPECT(shared != NULL);
    /* The shared module outlives the handle and the store it came from. */
    wasm_module_delete(m);
    wasm_store_delete(store);
    job jobs[NTHREADS];
    pthread_t th[NTHREADS];
    int started = 0;
    for (int i = 0; i < NTHREADS; i++) {
        jobs[i] = (job){engine, shared, &binary, i + 1, 0, 0};
        started += pthread_create(&th[i], NULL, thread_main, &jobs[i]) == 0;
    }
    EXPECT(started == NTHREADS);
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < started; i++) {
        CHECK(jobs[i].ok, "thread %d failed", i);
        CHECK(jobs[i].host_calls == ROUNDS, "thread %d: %d host calls", i,
              jobs[i].host_calls);
    }
    wasm_shared_module_delete(shared);
    wasm_byte_vec_delete(&binary);
    wasm_engine_delete(engine);
    CHECK(mem_global_live() == 0, "%zu bytes still live", mem_global_live());
    return check_summary();
}
