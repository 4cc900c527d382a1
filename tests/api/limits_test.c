/* Limits an embedder sets (include/ebb.h): fuel, epoch interruption from
 * another thread, per-store memory/table/instance limits, and a module
 * serialized with one interruption setting refused by an engine with
 * another. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ebb.h"
#include "wasm.h"

#include "../unit/check.h"

/* spin: loops forever; count(n): n loop iterations, returns n;
 * grow_mem(d) / grow_tab(d): memory.grow / table.grow. */
static const char *const GUEST =
    "(module (memory 1) (table 1 funcref)\n"
    " (func (export \"spin\") (loop $l (br $l)))\n"
    " (func (export \"count\") (param $n i32) (result i32) (local $i i32)\n"
    "  (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
    "   (br_if $l (i32.lt_u (local.get $i) (local.get $n))))\n"
    "  (local.get $i))\n"
    " (func (export \"twice\") (param i32) (result i32)\n"
    "  (i32.add (call 1 (local.get 0)) (call 1 (local.get 0))))\n"
    " (func (export \"grow_mem\") (param i32) (result i32)\n"
    "  (memory.grow (local.get 0)))\n"
    " (func (export \"grow_tab\") (param i32) (result i32)\n"
    "  (table.grow (ref.null func) (local.get 0))))";

enum { SPIN, COUNT, TWICE, GROW_MEM, GROW_TAB };

typedef struct env {
    wasm_engine_t *engine;
    wasm_store_t *store;
    wasm_module_t *module;
    wasm_instance_t *inst;
    wasm_extern_vec_t exports;
} env;

static wasm_engine_t *engine_with(bool fuel, bool epoch)
{
    wasm_config_t *c = wasm_config_new();
    ebb_config_consume_fuel_set(c, fuel);
    ebb_config_epoch_interruption_set(c, epoch);
    return wasm_engine_new_with_config(c);
}

static bool env_open(env *v, bool fuel, bool epoch)
{
    memset(v, 0, sizeof *v);
    v->engine = engine_with(fuel, epoch);
    v->store = wasm_store_new(v->engine);
    wasm_byte_vec_t src;
    wasm_byte_vec_new(&src, strlen(GUEST), GUEST);
    ebb_error_t *e = ebb_module_new(v->store, &src, &v->module);
    wasm_byte_vec_delete(&src);
    CHECK(!e, "module: %s", e ? ebb_error_text(e) : "");
    ebb_error_delete(e);
    if (!v->module)
        return false;
    wasm_extern_vec_t none = WASM_EMPTY_VEC;
    v->inst = wasm_instance_new(v->store, v->module, &none, NULL);
    EXPECT(v->inst != NULL);
    if (!v->inst)
        return false;
    wasm_instance_exports(v->inst, &v->exports);
    return true;
}

static void env_close(env *v)
{
    wasm_extern_vec_delete(&v->exports);
    if (v->inst)
        wasm_instance_delete(v->inst);
    if (v->module)
        wasm_module_delete(v->module);
    wasm_store_delete(v->store);
    wasm_engine_delete(v->engine);
}

/* Calls export i with one i32 argument (ignored by spin); the trap's
 * message into msg (empty when none), the result into *out. */
static void call(env *v, int i, int32_t arg, int32_t *out, char *msg,
                 size_t cap)
{
    wasm_func_t *f = wasm_extern_as_func(v->exports.data[i]);
    wasm_val_t a[1] = {WASM_I32_VAL(arg)};
    wasm_val_t r[1] = {WASM_INIT_VAL};
    size_t na = wasm_func_param_arity(f);
    wasm_val_vec_t args = {na, a}, res = {wasm_func_result_arity(f), r};
    wasm_trap_t *t = wasm_func_call(f, &args, &res);
    msg[0] = 0;
    if (t) {
        wasm_message_t m;
        wasm_trap_message(t, &m);
        snprintf(msg, cap, "%.*s", (int)m.size, m.data);
        wasm_byte_vec_delete(&m);
        wasm_trap_delete(t);
    } else if (res.size && out) {
        *out = r[0].of.i32;
    }
}

static void test_fuel(void)
{
    env v;
    if (!env_open(&v, true, false))
        return env_close(&v);
    char msg[128];
    int32_t r = 0;
    uint64_t left = 1;
    /* A store starts with none: the first function entry traps. */
    EXPECT(ebb_store_get_fuel(v.store, &left) && left == 0);
    call(&v, COUNT, 5, &r, msg, sizeof msg);
    EXPECT(strcmp(msg, "all fuel consumed") == 0);

    /* count(n): one unit at entry, one per loop iteration. */
    ebb_error_delete(ebb_store_set_fuel(v.store, 1000));
    call(&v, COUNT, 100, &r, msg, sizeof msg);
    EXPECT(msg[0] == 0 && r == 100);
    EXPECT(ebb_store_get_fuel(v.store, &left) && left == 1000 - 101);
    call(&v, TWICE, 10, &r, msg, sizeof msg);
    EXPECT(msg[0] == 0 && r == 20);
    CHECK(ebb_store_get_fuel(v.store, &left) && left == 899 - 23,
          "fuel left %llu", (unsigned long long)left);
    /* Exactly enough, then one short. */
    ebb_error_delete(ebb_store_set_fuel(v.store, 51));
    call(&v, COUNT, 50, &r, msg, sizeof msg);
    EXPECT(msg[0] == 0 && r == 50);
    EXPECT(ebb_store_get_fuel(v.store, &left) && left == 0);
    ebb_error_delete(ebb_store_set_fuel(v.store, 50));
    call(&v, COUNT, 50, &r, msg, sizeof msg);
    EXPECT(strcmp(msg, "all fuel consumed") == 0);

    /* An infinite loop ends. */
    ebb_error_delete(ebb_store_set_fuel(v.store, 1000000));
    call(&v, SPIN, 0, NULL, msg, sizeof msg);
    EXPECT(strcmp(msg, "all fuel consumed") == 0);
    EXPECT(ebb_store_get_fuel(v.store, &left) && left == 0);
    env_close(&v);

    /* Off: no fuel to set or read, and code runs unmetered. */
    if (!env_open(&v, false, false))
        return env_close(&v);
    ebb_error_t *e = ebb_store_set_fuel(v.store, 10);
    EXPECT(e && strstr(ebb_error_text(e), "fuel is not configured"));
    ebb_error_delete(e);
    EXPECT(!ebb_store_get_fuel(v.store, &left));
    call(&v, COUNT, 100000, &r, msg, sizeof msg);
    EXPECT(msg[0] == 0 && r == 100000);
    env_close(&v);
}

static void *ticker(void *arg)
{
    struct timespec d = {0, 50 * 1000 * 1000};
    nanosleep(&d, NULL);
    ebb_engine_increment_epoch(arg);
    return NULL;
}

static void test_epoch(void)
{
    env v;
    if (!env_open(&v, false, true))
        return env_close(&v);
    char msg[128];
    int32_t r = 0;
    /* The deadline starts at the current epoch: code traps at once. */
    call(&v, COUNT, 5, &r, msg, sizeof msg);
    EXPECT(strcmp(msg, "interrupt") == 0);
    ebb_store_set_epoch_deadline(v.store, 1);
    call(&v, COUNT, 1000, &r, msg, sizeof msg);
    EXPECT(msg[0] == 0 && r == 1000);
    /* Another thread ends an infinite loop. */
    pthread_t th;
    EXPECT(pthread_create(&th, NULL, ticker, v.engine) == 0);
    call(&v, SPIN, 0, NULL, msg, sizeof msg);
    pthread_join(th, NULL);
    EXPECT(strcmp(msg, "interrupt") == 0);
    /* A fresh deadline lets the store run again. */
    ebb_store_set_epoch_deadline(v.store, 1);
    call(&v, COUNT, 10, &r, msg, sizeof msg);
    EXPECT(msg[0] == 0 && r == 10);
    env_close(&v);
}

static void test_store_limits(void)
{
    env v;
    if (!env_open(&v, false, false))
        return env_close(&v);
    ebb_store_limits_t lim = {.memory_size = 3 * 65536, .table_elements = 4,
                              .instances = 2};
    ebb_store_limiter(v.store, &lim);
    char msg[128];
    int32_t r = 0;
    call(&v, GROW_MEM, 2, &r, msg, sizeof msg);
    EXPECT(msg[0] == 0 && r == 1);
    call(&v, GROW_MEM, 1, &r, msg, sizeof msg);
    EXPECT(msg[0] == 0 && r == -1);
    call(&v, GROW_MEM, 0, &r, msg, sizeof msg);
    EXPECT(msg[0] == 0 && r == 3);
    call(&v, GROW_TAB, 3, &r, msg, sizeof msg);
    EXPECT(msg[0] == 0 && r == 1);
    call(&v, GROW_TAB, 1, &r, msg, sizeof msg);
    EXPECT(msg[0] == 0 && r == -1);

    /* The store holds one instance; a second fits, a third does not (the
     * reason comes back as a trap, as for a link error). */
    wasm_extern_vec_t none = WASM_EMPTY_VEC;
    wasm_trap_t *t = NULL;
    wasm_instance_t *i2 = wasm_instance_new(v.store, v.module, &none, &t);
    EXPECT(i2 && !t);
    wasm_instance_t *i3 = wasm_instance_new(v.store, v.module, &none, &t);
    EXPECT(!i3 && t);
    if (t) {
        wasm_message_t m;
        wasm_trap_message(t, &m);
        CHECK(strstr(m.data, "instance limit of 2") != NULL, "got %s",
              m.data);
        wasm_byte_vec_delete(&m);
        wasm_trap_delete(t);
    }
    if (i2)
        wasm_instance_delete(i2);
    env_close(&v);
}

/* The limits bound initial sizes too: a module asking for more at the
 * start is refused at instantiation, and so is a host-made memory or
 * table; one within the limits is fine. */
static void test_initial_limits(void)
{
    wasm_engine_t *e = wasm_engine_new();
    wasm_store_t *s = wasm_store_new(e);
    ebb_store_limits_t lim = {.memory_size = 3 * 65536, .table_elements = 4};
    ebb_store_limiter(s, &lim);
    static const char *const src[3] = {"(module (memory 4))",
                                       "(module (table 5 funcref))",
                                       "(module (memory 3) (table 4 funcref))"};
    static const char *const want[2] = {
        "memory minimum of 4 pages exceeds the store's limit of 3 pages",
        "table minimum of 5 elements exceeds the store's limit of 4"};
    for (int i = 0; i < 3; i++) {
        wasm_byte_vec_t bin;
        wasm_byte_vec_new(&bin, strlen(src[i]), src[i]);
        wasm_module_t *m = NULL;
        ebb_error_t *err = ebb_module_new(s, &bin, &m);
        wasm_byte_vec_delete(&bin);
        EXPECT(!err && m);
        ebb_error_delete(err);
        if (!m)
            continue;
        wasm_extern_vec_t none = WASM_EMPTY_VEC;
        wasm_trap_t *t = NULL;
        wasm_instance_t *inst = wasm_instance_new(s, m, &none, &t);
        if (i < 2) {
            EXPECT(!inst && t);
            if (t) {
                wasm_message_t msg;
                wasm_trap_message(t, &msg);
                CHECK(strstr(msg.data, want[i]) != NULL, "got %s", msg.data);
                wasm_byte_vec_delete(&msg);
            }
        } else {
            EXPECT(inst && !t);
        }
        if (t)
            wasm_trap_delete(t);
        if (inst)
            wasm_instance_delete(inst);
        wasm_module_delete(m);
    }
    wasm_limits_t big = {4, 10}, ok = {3, 10};
    wasm_memorytype_t *mt = wasm_memorytype_new(&big);
    EXPECT(wasm_memory_new(s, mt) == NULL);
    wasm_memorytype_delete(mt);
    mt = wasm_memorytype_new(&ok);
    wasm_memory_t *mem = wasm_memory_new(s, mt);
    EXPECT(mem != NULL);
    if (mem)
        wasm_memory_delete(mem);
    wasm_memorytype_delete(mt);
    wasm_store_delete(s);
    wasm_engine_delete(e);
}

/* The checks are in the code or not, so a serialized module only loads
 * in an engine with the same settings. */
static void test_serialize(void)
{
    env v;
    if (!env_open(&v, true, false))
        return env_close(&v);
    wasm_byte_vec_t bin;
    ebb_error_t *e = ebb_module_serialize(v.module, &bin);
    EXPECT(!e);
    ebb_error_delete(e);
    for (int k = 0; k < 3 && !e; k++) {
        bool fuel = k == 0, epoch = k == 2;
        wasm_engine_t *en = engine_with(fuel, epoch);
        wasm_store_t *s = wasm_store_new(en);
        wasm_module_t *m = NULL;
        e = ebb_module_deserialize(s, &bin, &m);
        if (k == 0)
            EXPECT(!e && m);
        else
            CHECK(e && strstr(ebb_error_text(e), "incompatible engine"),
                  "settings %d: %s", k, e ? ebb_error_text(e) : "loaded");
        ebb_error_delete(e);
        e = NULL;
        if (m)
            wasm_module_delete(m);
        wasm_store_delete(s);
        wasm_engine_delete(en);
    }
    wasm_byte_vec_delete(&bin);
    env_close(&v);
}

int main(void)
{
    test_fuel();
    test_epoch();
    test_store_limits();
    test_initial_limits();
    test_serialize();
    return check_summary();
}
