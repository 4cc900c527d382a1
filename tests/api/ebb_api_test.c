/* include/ebb.h: every function it declares, called and checked, with
 * its error cases (NULL or mismatched arguments give messages, never
 * crashes), and every byte given back at the end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ebb.h"
#include "wasm.h"

#include "api/api.h"

#include "../unit/check.h"

static bool has(const ebb_error_t *e, const char *text)
{
    return e && strstr(ebb_error_text(e), text) != NULL;
}

/* Checks that e is an error containing text, then deletes it. */
#define EXPECT_ERROR(e, text)                                           \
    do {                                                                \
        ebb_error_t *e_ = (e);                                          \
        CHECK(has(e_, text), "%s: want an error with \"%s\", got \"%s\"", \
              #e, text, e_ ? ebb_error_text(e_) : "(none)");            \
        ebb_error_delete(e_);                                           \
    } while (0)

#define EXPECT_OK(e)                                                    \
    do {                                                                \
        ebb_error_t *e_ = (e);                                          \
        CHECK(!e_, "%s: %s", #e, e_ ? ebb_error_text(e_) : "");         \
        ebb_error_delete(e_);                                           \
    } while (0)

static wasm_byte_vec_t text(const char *s)
{
    wasm_byte_vec_t v;
    wasm_byte_vec_new(&v, strlen(s), s);
    return v;
}

/* ---- errors, version, text to binary --------------------------------------- */

static void test_errors_and_text(void)
{
    EXPECT(strcmp(ebb_version(), EBB_VERSION) == 0);
    wasm_byte_vec_t bin;
    const char *ok = "(module (func (export \"f\")))";
    ebb_error_t *e = ebb_wat2wasm(ok, strlen(ok), &bin);
    EXPECT(e == NULL && bin.size > 8 && memcmp(bin.data, "\0asm", 4) == 0);
    ebb_error_delete(e);
    wasm_byte_vec_delete(&bin);

    e = ebb_wat2wasm("(module (func (i32.frob)))", 26, &bin);
    CHECK(e && strstr(ebb_error_text(e), "1:") == ebb_error_text(e),
          "syntax error with LINE:COL: %s", ebb_error_text(e));
    EXPECT(bin.size == 0);
    wasm_name_t msg;
    ebb_error_message(e, &msg);
    EXPECT(msg.size == strlen(ebb_error_text(e)) + 1 &&
           msg.data[msg.size - 1] == 0 &&
           strcmp(msg.data, ebb_error_text(e)) == 0);
    wasm_byte_vec_delete(&msg);
    ebb_error_delete(e);
    ebb_error_message(NULL, &msg);
    EXPECT(msg.size == 0);
    EXPECT(strcmp(ebb_error_text(NULL), "") == 0);
    ebb_error_delete(NULL);
    EXPECT_ERROR(ebb_wat2wasm("(module)", 8, NULL), "no output");
    EXPECT_ERROR(ebb_wat2wasm(NULL, 3, &bin), "no text");
    wasm_byte_vec_delete(&bin);
}

/* ---- configuration ------------------------------------------------------------ */

typedef struct counting {
    size_t calls;
    long live;
} counting;

static void *count_alloc(void *env, void *ptr, size_t old_size,
                         size_t new_size, int category)
{
    counting *c = env;
    (void)category;
    c->calls++;
    if (new_size == 0) {
        c->live -= (long)old_size;
        free(ptr);
        return NULL;
    }
    void *p = ptr ? realloc(ptr, new_size) : aligned_alloc(16, (new_size + 15) & ~(size_t)15);
    if (p)
        c->live += (long)new_size - (long)(ptr ? old_size : 0);
    return p;
}

static const char deep_wat[] =
    "(module (func $f (export \"f\") (param i32) (result i32)"
    "  (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))"
    "    (else (i32.add (i32.const 1)"
    "      (call $f (i32.sub (local.get 0) (i32.const 1))))))))";

/* Calls export 0 of a fresh instance of deep_wat with n: NULL or trap. */
static wasm_trap_t *recurse(wasm_engine_t *engine, int32_t n)
{
    wasm_store_t *s = wasm_store_new(engine);
    wasm_byte_vec_t src = text(deep_wat);
    wasm_module_t *m = NULL;
    EXPECT_OK(ebb_module_new(s, &src, &m));
    wasm_byte_vec_delete(&src);
    wasm_trap_t *trap = NULL;
    wasm_instance_t *inst = m ? wasm_instance_new(s, m, NULL, NULL) : NULL;
    if (inst) {
        wasm_extern_vec_t ex;
        wasm_instance_exports(inst, &ex);
        wasm_val_t a[1] = {WASM_I32_VAL(n)}, r[1] = {WASM_INIT_VAL};
        wasm_val_vec_t args = WASM_ARRAY_VEC(a), res = WASM_ARRAY_VEC(r);
        trap = wasm_func_call(wasm_extern_as_func(ex.data[0]), &args, &res);
        if (!trap)
            EXPECT(r[0].of.i32 == n);
        wasm_extern_vec_delete(&ex);
        wasm_instance_delete(inst);
    }
    wasm_module_delete(m);
    wasm_store_delete(s);
    return trap;
}

static void test_config(void)
{
    wasm_config_t *c = wasm_config_new();
    ebb_config_max_wasm_stack_set(c, 64 * 1024);
    ebb_config_parallel_compilation_set(c, false);
    ebb_config_compile_threads_set(c, 3);
    ebb_config_compile_idle_ms_set(c, 250);
    ebb_config_memory_reservation_set(c, 1u << 20);
    ebb_config_memory_guard_size_set(c, 1u << 16);
    ebb_config_signals_based_traps_set(c, false);
    counting cnt = {0, 0};
    ebb_config_allocator_set(c, count_alloc, &cnt);
    EXPECT(c->rt.max_wasm_stack == 64 * 1024);
    EXPECT(!c->rt.parallel_compilation && c->rt.compile_threads == 3);
    EXPECT(c->rt.compile_idle_ms == 250);
    EXPECT(c->rt.memory_reservation == 1u << 20);
    EXPECT(c->rt.memory_guard == 1u << 16);
    EXPECT(!c->rt.signals_based_traps);
    EXPECT(c->rt.alloc.fn != NULL && c->rt.alloc.ud == &cnt);
    /* NULL configs are ignored. */
    ebb_config_max_wasm_stack_set(NULL, 1);
    ebb_config_parallel_compilation_set(NULL, true);
    ebb_config_compile_threads_set(NULL, 1);
    ebb_config_compile_idle_ms_set(NULL, 1);
    ebb_config_memory_reservation_set(NULL, 1);
    ebb_config_memory_guard_size_set(NULL, 1);
    ebb_config_signals_based_traps_set(NULL, true);
    ebb_config_allocator_set(NULL, NULL, NULL);

    wasm_engine_t *small = wasm_engine_new_with_config(c);
    EXPECT(small != NULL);
    if (!small)
        return;
    EXPECT(small->rt->config.max_wasm_stack == 64 * 1024);
    EXPECT(!small->rt->config.signals_based_traps);
    /* The small stack: 100 levels fit, 100000 do not. */
    wasm_trap_t *t = recurse(small, 100);
    EXPECT(t == NULL);
    wasm_trap_delete(t);
    t = recurse(small, 100000);
    wasm_message_t msg = WASM_EMPTY_VEC;
    if (t)
        wasm_trap_message(t, &msg);
    CHECK(t && strstr(msg.data, "call stack exhausted"),
          "deep recursion traps on a 64 KiB stack");
    wasm_byte_vec_delete(&msg);
    wasm_trap_delete(t);
    /* The allocator saw the engine's blocks, and got them all back. */
    EXPECT(cnt.calls > 0);
    ebb_engine_stats_t st;
    ebb_engine_stats(small, &st);
    EXPECT(st.compile_threads == 0); /* parallel compilation off */
    wasm_engine_delete(small);
    CHECK(cnt.live == 0, "allocator hook: %ld bytes not returned", cnt.live);

    /* The default engine goes deeper than the small one. */
    wasm_engine_t *big = wasm_engine_new();
    t = recurse(big, 3000);
    EXPECT(t == NULL);
    wasm_trap_delete(t);
    wasm_engine_delete(big);
}

/* ---- statistics ---------------------------------------------------------------- */

static size_t category(const char *name)
{
    for (size_t i = 0; ebb_mem_category_name(i); i++)
        if (!strcmp(ebb_mem_category_name(i), name))
            return i;
    return EBB_MEM_CATEGORIES_MAX;
}

static void test_stats(void)
{
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *s = wasm_store_new(engine);
    ebb_engine_stats_t es;
    ebb_store_stats_t ss;
    ebb_engine_stats(engine, &es);
    EXPECT(es.ncategories > 0 && es.ncategories <= EBB_MEM_CATEGORIES_MAX);
    EXPECT(es.objects.stores == 1 && es.objects.modules == 0);
    EXPECT(ebb_mem_category_name(es.ncategories) == NULL);
    size_t linear = category("linear"), code = category("code");
    EXPECT(linear < es.ncategories && code < es.ncategories);

    wasm_byte_vec_t src = text("(module (memory 2) (func (export \"f\")))");
    wasm_module_t *m = NULL;
    EXPECT_OK(ebb_module_new(s, &src, &m));
    wasm_byte_vec_delete(&src);
    wasm_instance_t *inst = wasm_instance_new(s, m, NULL, NULL);
    EXPECT(inst != NULL);
    ebb_engine_stats(engine, &es);
    EXPECT(es.objects.modules == 1 && es.objects.instances == 1);
    EXPECT(es.objects.memories == 1 && es.objects.funcs >= 1);
    EXPECT(es.live_bytes > 0 && es.modules[code].live > 0);
    ebb_store_stats(s, &ss);
    EXPECT(ss.objects.instances == 1 && ss.objects.memories == 1);
    CHECK(linear < EBB_MEM_CATEGORIES_MAX &&
          ss.mem[linear].live >= 2 * 65536,
          "store linear bytes %zu", ss.mem[linear].live);
    EXPECT(ss.live_bytes > 0 && ss.ncategories == es.ncategories);

    ebb_engine_stats(NULL, &es);
    EXPECT(es.live_bytes == 0);
    ebb_store_stats(NULL, &ss);
    EXPECT(ss.live_bytes == 0);
    ebb_engine_stats(engine, NULL);
    ebb_store_stats(s, NULL);

    wasm_instance_delete(inst);
    wasm_module_delete(m);
    wasm_store_delete(s);
    wasm_engine_delete(engine);
}

/* ---- modules ---------------------------------------------------------------------- */

static void test_modules(void)
{
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *s = wasm_store_new(engine);
    wasm_module_t *m = NULL;
    wasm_byte_vec_t src = text("(module (func (export \"f\") (result i32) "
                               "(i32.const 7)))");
    EXPECT_OK(ebb_module_new(s, &src, &m));
    wasm_byte_vec_t bin;
    EXPECT_OK(ebb_wat2wasm(src.data, src.size, &bin));
    wasm_module_t *m2 = NULL;
    EXPECT_OK(ebb_module_new(s, &bin, &m2)); /* binary too */
    wasm_module_delete(m2);
    wasm_byte_vec_delete(&bin);
    wasm_byte_vec_delete(&src);

    src = text("(module (func (result i32) (i64.const 1)))");
    EXPECT_ERROR(ebb_module_new(s, &src, &m2), "type mismatch");
    EXPECT(m2 == NULL);
    wasm_byte_vec_delete(&src);
    wasm_byte_vec_t junk = {5, "\0asm\1"};
    EXPECT_ERROR(ebb_module_new(s, &junk, &m2), "unexpected end");
    EXPECT_ERROR(ebb_module_new(NULL, &junk, &m2), "no store");
    EXPECT_ERROR(ebb_module_new(s, NULL, &m2), "no store");
    EXPECT_ERROR(ebb_module_new(s, &junk, NULL), "no output");

    wasm_byte_vec_t ser;
    EXPECT_OK(ebb_module_serialize(m, &ser));
    EXPECT(ser.size > 40);
    EXPECT_OK(ebb_module_deserialize(s, &ser, &m2));
    EXPECT(m2 != NULL);
    wasm_instance_t *inst = m2 ? wasm_instance_new(s, m2, NULL, NULL) : NULL;
    if (inst) {
        wasm_extern_vec_t ex;
        wasm_instance_exports(inst, &ex);
        wasm_val_t r[1] = {WASM_INIT_VAL};
        wasm_val_vec_t none = WASM_EMPTY_VEC, res = WASM_ARRAY_VEC(r);
        wasm_trap_t *t =
            wasm_func_call(wasm_extern_as_func(ex.data[0]), &none, &res);
        EXPECT(!t && r[0].of.i32 == 7);
        wasm_extern_vec_delete(&ex);
        wasm_instance_delete(inst);
    }
    wasm_module_delete(m2);
    ser.data[ser.size - 3] ^= 1;
    EXPECT_ERROR(ebb_module_deserialize(s, &ser, &m2), "checksum");
    ser.data[0] ^= 1;
    EXPECT_ERROR(ebb_module_deserialize(s, &ser, &m2),
                 "not a serialized ebb module");
    wasm_byte_vec_t cut = {30, ser.data};
    EXPECT_ERROR(ebb_module_deserialize(s, &cut, &m2), "not a serialized");
    EXPECT_ERROR(ebb_module_deserialize(NULL, &ser, &m2), "no store");
    EXPECT_ERROR(ebb_module_deserialize(s, &ser, NULL), "no output");
    wasm_byte_vec_delete(&ser);
    EXPECT_ERROR(ebb_module_serialize(NULL, &ser), "not a module");
    EXPECT(ser.size == 0);
    EXPECT_ERROR(ebb_module_serialize(m, NULL), "no output");

    /* Another configuration of memory guarding refuses the code. */
    EXPECT_OK(ebb_module_serialize(m, &ser));
    wasm_config_t *c = wasm_config_new();
    ebb_config_signals_based_traps_set(c, !engine->rt->config.signals_based_traps);
    wasm_engine_t *other = wasm_engine_new_with_config(c);
    wasm_store_t *os = wasm_store_new(other);
    EXPECT_ERROR(ebb_module_deserialize(os, &ser, &m2), "engine configuration");
    wasm_store_delete(os);
    wasm_engine_delete(other);
    wasm_byte_vec_delete(&ser);

    wasm_module_delete(m);
    wasm_store_delete(s);
    wasm_engine_delete(engine);
}

/* ---- WASI ---------------------------------------------------------------------------- */

/* Writes "out" to stdout and "err" to stderr, copies stdin to stdout,
 * and exits with argc * 10 + environ count. */
static const char wasi_wat[] =
    "(module\n"
    " (import \"wasi_snapshot_preview1\" \"fd_write\"\n"
    "   (func $w (param i32 i32 i32 i32) (result i32)))\n"
    " (import \"wasi_snapshot_preview1\" \"fd_read\"\n"
    "   (func $r (param i32 i32 i32 i32) (result i32)))\n"
    " (import \"wasi_snapshot_preview1\" \"args_sizes_get\"\n"
    "   (func $a (param i32 i32) (result i32)))\n"
    " (import \"wasi_snapshot_preview1\" \"environ_sizes_get\"\n"
    "   (func $e (param i32 i32) (result i32)))\n"
    " (import \"wasi_snapshot_preview1\" \"proc_exit\" (func $x (param i32)))\n"
    " (memory (export \"memory\") 1)\n"
    " (data (i32.const 100) \"outerr\")\n"
    " (func $put (param $fd i32) (param $p i32) (param $n i32)\n"
    "   (i32.store (i32.const 0) (local.get $p))\n"
    "   (i32.store (i32.const 4) (local.get $n))\n"
    "   (drop (call $w (local.get $fd) (i32.const 0) (i32.const 1)\n"
    "     (i32.const 8))))\n"
    " (func (export \"_start\")\n"
    "   (call $put (i32.const 1) (i32.const 100) (i32.const 3))\n"
    "   (call $put (i32.const 2) (i32.const 103) (i32.const 3))\n"
    "   (i32.store (i32.const 0) (i32.const 200))\n"
    "   (i32.store (i32.const 4) (i32.const 100))\n"
    "   (drop (call $r (i32.const 0) (i32.const 0) (i32.const 1)\n"
    "     (i32.const 8)))\n"
    "   (call $put (i32.const 1) (i32.const 200) (i32.load (i32.const 8)))\n"
    "   (drop (call $a (i32.const 16) (i32.const 20)))\n"
    "   (drop (call $e (i32.const 24) (i32.const 28)))\n"
    "   (call $x (i32.add (i32.mul (i32.load (i32.const 16)) (i32.const 10))\n"
    "     (i32.load (i32.const 24))))))\n";

static void run_wasi(ebb_wasi_t *w, wasm_store_t *s, wasm_module_t *m,
                     int *status)
{
    ebb_linker_t *l = ebb_linker_new(s);
    EXPECT_OK(ebb_linker_define_wasi(l, w));
    wasm_instance_t *inst = NULL;
    wasm_trap_t *trap = NULL;
    EXPECT_OK(ebb_linker_instantiate(l, m, &inst, &trap));
    EXPECT(inst && !trap);
    *status = -1;
    if (inst) {
        wasm_extern_vec_t ex;
        wasm_instance_exports(inst, &ex);
        wasm_val_vec_t none = WASM_EMPTY_VEC;
        trap = wasm_func_call(wasm_extern_as_func(ex.data[1]), &none, &none);
        wasm_message_t msg = WASM_EMPTY_VEC;
        if (trap)
            wasm_trap_message(trap, &msg);
        CHECK(trap && msg.size && strcmp(msg.data, "exit") == 0,
              "proc_exit ends the call with the trap \"exit\"");
        wasm_byte_vec_delete(&msg);
        wasm_trap_delete(trap);
        EXPECT(ebb_wasi_exit_status(w, status));
        wasm_extern_vec_delete(&ex);
        wasm_instance_delete(inst);
    }
    ebb_linker_delete(l);
}

static bool vec_is(const wasm_byte_vec_t *v, const char *s)
{
    return v->size == strlen(s) && memcmp(v->data, s, v->size) == 0;
}

static void test_wasi(void)
{
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *s = wasm_store_new(engine);
    wasm_byte_vec_t src = text(wasi_wat);
    wasm_module_t *m = NULL;
    EXPECT_OK(ebb_module_new(s, &src, &m));
    wasm_byte_vec_delete(&src);

    ebb_wasi_config_t *c = ebb_wasi_config_new();
    const char *argv[] = {"prog", "a", "b"};
    EXPECT(ebb_wasi_config_set_argv(c, 3, argv));
    const char *names[] = {"X", "Y"}, *values[] = {"1", "2"};
    EXPECT(ebb_wasi_config_inherit_env(c));
    EXPECT(ebb_wasi_config_set_env(c, 2, names, values)); /* replaces */
    EXPECT(ebb_wasi_config_preopen_dir(c, ".", "/data"));
    ebb_wasi_config_inherit_stdin(c);
    ebb_wasi_config_inherit_stdout(c);
    ebb_wasi_config_inherit_stderr(c);
    ebb_wasi_config_capture_stdout(c); /* the last choice counts */
    ebb_wasi_config_capture_stderr(c);
    wasm_byte_vec_t input = text("in!");
    EXPECT(ebb_wasi_config_set_stdin_bytes(c, &input));
    wasm_byte_vec_delete(&input);
    /* Bad arguments are refused. */
    EXPECT(!ebb_wasi_config_set_argv(c, 1, NULL));
    EXPECT(ebb_wasi_config_set_argv(c, 3, argv));
    EXPECT(!ebb_wasi_config_set_env(NULL, 0, NULL, NULL));
    EXPECT(!ebb_wasi_config_preopen_dir(c, NULL, "/x"));
    EXPECT(!ebb_wasi_config_set_stdin_bytes(c, NULL));
    EXPECT(!ebb_wasi_config_inherit_env(NULL));

    ebb_wasi_t *w = NULL;
    EXPECT_OK(ebb_wasi_new(c, &w));
    int status = -1;
    EXPECT(!ebb_wasi_exit_status(w, &status));
    if (w) {
        run_wasi(w, s, m, &status);
        CHECK(status == 32, "exit status %d (3 args, 2 variables)", status);
        wasm_byte_vec_t out, err;
        ebb_wasi_stdout(w, &out);
        ebb_wasi_stderr(w, &err);
        CHECK(vec_is(&out, "outin!"), "stdout \"%.*s\"", (int)out.size,
              out.data);
        EXPECT(vec_is(&err, "err"));
        wasm_byte_vec_delete(&out);
        wasm_byte_vec_delete(&err);
    }
    ebb_wasi_stdout(NULL, &src);
    EXPECT(src.size == 0);
    ebb_wasi_stderr(w, NULL);

    /* A directory that does not exist; no config; no output pointer. */
    c = ebb_wasi_config_new();
    EXPECT(ebb_wasi_config_preopen_dir(c, "/no/such/dir/ebb", "/x"));
    ebb_wasi_t *w2 = NULL;
    EXPECT_ERROR(ebb_wasi_new(c, &w2), "/no/such/dir/ebb");
    EXPECT(w2 == NULL);
    EXPECT_ERROR(ebb_wasi_new(NULL, &w2), "no configuration");
    EXPECT_ERROR(ebb_wasi_new(ebb_wasi_config_new(), NULL), "no output");
    ebb_wasi_config_delete(NULL);
    EXPECT(!ebb_wasi_exit_status(NULL, &status));

    wasm_module_delete(m);
    wasm_store_delete(s);
    ebb_wasi_delete(w);
    ebb_wasi_delete(NULL);
    wasm_engine_delete(engine);
}

/* ---- linker ------------------------------------------------------------------------- */

static wasm_trap_t *add(void *env, const wasm_val_vec_t *args,
                        wasm_val_vec_t *results)
{
    results->data[0] = (wasm_val_t)WASM_I32_VAL(args->data[0].of.i32 +
                                                args->data[1].of.i32 +
                                                *(int32_t *)env);
    return NULL;
}

static int finalized;
static void finalize(void *env)
{
    (void)env;
    finalized++;
}

static const char lib_wat[] =
    "(module (global (export \"base\") i32 (i32.const 1000))"
    " (func (export \"twice\") (param i32) (result i32)"
    "   (i32.mul (local.get 0) (i32.const 2))))";

static const char app_wat[] =
    "(module"
    " (import \"host\" \"add\" (func $add (param i32 i32) (result i32)))"
    " (import \"host\" \"g\" (global $g i32))"
    " (import \"lib\" \"twice\" (func $twice (param i32) (result i32)))"
    " (import \"lib\" \"base\" (global $base i32))"
    " (func (export \"run\") (result i32)"
    "   (call $add (call $twice (global.get $g)) (global.get $base))))";

static int32_t call_run(wasm_instance_t *inst)
{
    wasm_extern_vec_t ex;
    wasm_instance_exports(inst, &ex);
    wasm_val_t r[1] = {WASM_INIT_VAL};
    wasm_val_vec_t none = WASM_EMPTY_VEC, res = WASM_ARRAY_VEC(r);
    wasm_trap_t *t = wasm_func_call(wasm_extern_as_func(ex.data[0]), &none,
                                    &res);
    wasm_extern_vec_delete(&ex);
    if (t) {
        wasm_trap_delete(t);
        return -1;
    }
    return r[0].of.i32;
}

static wasm_module_t *module_of(wasm_store_t *s, const char *wat)
{
    wasm_byte_vec_t src = text(wat);
    wasm_module_t *m = NULL;
    EXPECT_OK(ebb_module_new(s, &src, &m));
    wasm_byte_vec_delete(&src);
    return m;
}

static void test_linker(void)
{
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *s = wasm_store_new(engine);
    ebb_linker_t *l = ebb_linker_new(s);
    EXPECT(l != NULL && ebb_linker_new(NULL) == NULL);
    static int32_t extra = 5;
    wasm_functype_t *ft = wasm_functype_new_2_1(
        wasm_valtype_new_i32(), wasm_valtype_new_i32(), wasm_valtype_new_i32());
    EXPECT_OK(ebb_linker_define_func(l, "host", 4, "add", 3, ft, add, &extra,
                                     finalize));
    EXPECT_ERROR(ebb_linker_define_func(l, "host", 4, "add", 3, ft, add,
                                        &extra, NULL),
                 "already defined");
    EXPECT_ERROR(ebb_linker_define_func(l, "h", 1, "x", 1, NULL, add, NULL,
                                        NULL),
                 "no linker, type or callback");
    wasm_globaltype_t *gt = wasm_globaltype_new(wasm_valtype_new_i32(),
                                                WASM_CONST);
    wasm_val_t v = WASM_I32_VAL(20);
    wasm_global_t *g = wasm_global_new(s, gt, &v);
    EXPECT_OK(ebb_linker_define(l, "host", 4, "g", 1,
                                wasm_global_as_extern(g)));
    EXPECT_ERROR(ebb_linker_define(l, "host", 4, "g", 1, NULL), "not an extern");

    /* app needs lib: unknown import until lib is registered. */
    wasm_module_t *lib = module_of(s, lib_wat), *app = module_of(s, app_wat);
    wasm_instance_t *inst = NULL;
    wasm_trap_t *trap = NULL;
    EXPECT_ERROR(ebb_linker_instantiate(l, app, &inst, &trap),
                 "unknown import: `lib::twice`");
    EXPECT(inst == NULL && trap == NULL);
    EXPECT_OK(ebb_linker_module(l, "lib", 3, lib, &trap));
    EXPECT_OK(ebb_linker_instantiate(l, app, &inst, &trap));
    CHECK(inst && call_run(inst) == 20 * 2 + 1000 + 5, "run: linked");
    wasm_instance_delete(inst);

    wasm_extern_t *got = NULL;
    EXPECT(ebb_linker_get(l, "lib", 3, "base", 4, &got) && got &&
           wasm_extern_kind(got) == WASM_EXTERN_GLOBAL);
    wasm_extern_delete(got);
    EXPECT(!ebb_linker_get(l, "lib", 3, "nope", 4, &got) && got == NULL);
    EXPECT(!ebb_linker_get(l, "lib", 3, "base", 4, NULL));

    /* Shadowing: a new g replaces the old one once allowed. */
    v = (wasm_val_t)WASM_I32_VAL(30);
    wasm_global_t *g2 = wasm_global_new(s, gt, &v);
    EXPECT_ERROR(ebb_linker_define(l, "host", 4, "g", 1,
                                   wasm_global_as_extern(g2)),
                 "already defined");
    ebb_linker_allow_shadowing(l, true);
    EXPECT_OK(ebb_linker_define(l, "host", 4, "g", 1,
                                wasm_global_as_extern(g2)));
    EXPECT_OK(ebb_linker_instantiate(l, app, &inst, NULL));
    CHECK(inst && call_run(inst) == 30 * 2 + 1000 + 5, "run: shadowed");

    /* define_instance names an instance's exports under a module name. */
    EXPECT_OK(ebb_linker_define_instance(l, "app", 3, inst));
    EXPECT(ebb_linker_get(l, "app", 3, "run", 3, &got));
    wasm_extern_delete(got);
    EXPECT_ERROR(ebb_linker_define_instance(l, "x", 1, NULL), "not an instance");
    wasm_instance_delete(inst);

    /* Mismatched import type; a trapping start function. */
    wasm_module_t *bad = module_of(
        s, "(module (import \"host\" \"g\" (global i64)))");
    EXPECT_ERROR(ebb_linker_instantiate(l, bad, &inst, &trap),
                 "incompatible import type");
    wasm_module_t *starts = module_of(
        s, "(module (func $s unreachable) (start $s))");
    EXPECT_OK(ebb_linker_instantiate(l, starts, &inst, &trap));
    EXPECT(inst == NULL && trap != NULL);
    wasm_trap_delete(trap);
    EXPECT_ERROR(ebb_linker_instantiate(NULL, starts, &inst, &trap), "no linker");
    EXPECT_ERROR(ebb_linker_module(l, "s", 1, NULL, NULL), "no linker");
    EXPECT_ERROR(ebb_linker_define_wasi(l, NULL), "no WASI");

    /* A module of another engine. */
    wasm_engine_t *e2 = wasm_engine_new();
    wasm_store_t *s2 = wasm_store_new(e2);
    wasm_module_t *foreign = module_of(s2, "(module)");
    EXPECT_ERROR(ebb_linker_instantiate(l, foreign, &inst, &trap),
                 "another engine");
    wasm_module_delete(foreign);
    wasm_store_delete(s2);
    wasm_engine_delete(e2);

    wasm_module_delete(bad);
    wasm_module_delete(starts);
    wasm_module_delete(lib);
    wasm_module_delete(app);
    wasm_global_delete(g);
    wasm_global_delete(g2);
    wasm_globaltype_delete(gt);
    wasm_functype_delete(ft);
    ebb_linker_delete(l);
    ebb_linker_delete(NULL);
    ebb_linker_allow_shadowing(NULL, true);
    wasm_store_delete(s);
    EXPECT(finalized == 1);
    wasm_engine_delete(engine);
}

/* ---- limits (tests/api/limits_test.c runs code under them) ----------------- */

static void test_limits(void)
{
    wasm_config_t *c = wasm_config_new();
    ebb_config_consume_fuel_set(c, true);
    ebb_config_epoch_interruption_set(c, true);
    ebb_config_consume_fuel_set(NULL, true);
    ebb_config_epoch_interruption_set(NULL, true);
    wasm_engine_t *e = wasm_engine_new_with_config(c);
    wasm_store_t *s = wasm_store_new(e);
    uint64_t fuel = 0;
    EXPECT_OK(ebb_store_set_fuel(s, 42));
    EXPECT(ebb_store_get_fuel(s, &fuel) && fuel == 42);
    EXPECT_ERROR(ebb_store_set_fuel(NULL, 1), "no store");
    EXPECT(!ebb_store_get_fuel(NULL, &fuel) && !ebb_store_get_fuel(s, NULL));
    ebb_engine_increment_epoch(e);
    ebb_engine_increment_epoch(NULL);
    ebb_store_set_epoch_deadline(s, 2);
    ebb_store_set_epoch_deadline(NULL, 2);
    EXPECT(s->rt->epoch_deadline == 3);
    ebb_store_limits_t lim = {.memory_size = 65536, .table_elements = 7,
                              .instances = 3};
    ebb_store_limiter(s, &lim);
    ebb_store_limiter(s, NULL);
    ebb_store_limiter(NULL, &lim);
    EXPECT(s->rt->limit_memory_pages == 1 && s->rt->limit_table_elems == 7 &&
           s->rt->limit_instances == 3);
    wasm_store_delete(s);
    wasm_engine_delete(e);
}

int main(void)
{
    test_limits();
    test_errors_and_text();
    test_config();
    test_stats();
    test_modules();
    test_wasi();
    test_linker();
    CHECK(mem_global_live() == 0, "%zu bytes still live", mem_global_live());
    return check_summary();
}
