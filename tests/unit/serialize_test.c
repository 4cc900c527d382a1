/* Serialized modules: every module of the spec scripts round-trips to the
 * same code; a deserialized module runs (in another engine, whose type ids
 * differ); every flipped or cut byte is an error, never a crash; forged
 * artifacts with a valid checksum reach the structural checks without a
 * crash; and loading gcc-loops is faster than compiling it.
 *
 *   serialize_test [TESTSUITE-DIR]   (bench: $EBB_BENCH or ../shared/bench) */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "interp/code.h"
#include "runtime/runtime.h"
#include "text/text.h"
#include "text/wast.h"

#include "check.h"
#include "test_file.h"

static mem_owner host;

static uint8_t *serialize(const rt_module *m, size_t *len)
{
    *len = rt_module_serialized_size(m);
    uint8_t *b = malloc(*len ? *len : 1);
    err_t err = {{0}};
    if (!*len || !rt_module_serialize(m, b, *len, &err)) {
        free(b);
        return NULL;
    }
    return b;
}

/* Same functions with the same code, word for word (same process, so the
 * same handler addresses)? */
static bool same_code(const rt_module *a, const rt_module *b)
{
    uint32_t n = a->desc.nfuncs - a->desc.nimported_funcs;
    if (b->desc.nfuncs - b->desc.nimported_funcs != n)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        const compiled_func *x = a->funcs[i], *y = b->funcs[i];
        if (x->code_len != y->code_len || x->nsites != y->nsites ||
            x->frame_size != y->frame_size || x->nlocals != y->nlocals ||
            x->func_index != y->func_index ||
            memcmp(x->code, y->code, (size_t)x->code_len * 4) != 0 ||
            (x->nsites &&
             memcmp(x->sites, y->sites, (size_t)x->nsites * 8) != 0))
            return false;
    }
    return true;
}

/* Every valid module of every spec script (SIMD ones included), in an
 * engine of its own for the round trip so type ids are the same. */
static void test_spec_round_trip(const char *suite)
{
    DIR *d = opendir(suite);
    if (!d) {
        CHECK(0, "cannot open %s", suite);
        return;
    }
    unsigned modules = 0, same = 0;
    struct dirent *ent;
    while ((ent = readdir(d))) {
        size_t nl = strlen(ent->d_name);
        if (nl < 5 || strcmp(ent->d_name + nl - 5, ".wast"))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", suite, ent->d_name);
        size_t len;
        char *src = (char *)test_read_file(path, &len);
        wast_script sc;
        err_t err = {{0}};
        if (!src || !wast_parse(&host, src, len, &sc, &err)) {
            CHECK(0, "%s: %s", path, err.msg);
            free(src);
            continue;
        }
        rt_engine *e = rt_engine_new(NULL);
        for (uint32_t c = 0; c < sc.ncommands; c++) {
            const wast_command *cmd = &sc.commands[c];
            if (cmd->kind != WC_MODULE || !cmd->module.bytes)
                continue;
            rt_module *m = rt_module_new(e, cmd->module.bytes,
                                         cmd->module.len, &err);
            if (!m)
                continue;
            modules++;
            size_t n;
            uint8_t *b = serialize(m, &n);
            rt_module *m2 = b ? rt_module_deserialize(e, b, n, &err) : NULL;
            /* Trailing custom sections may be dropped, nothing else. */
            if (m2 && same_code(m, m2) && m2->len <= m->len &&
                m2->desc.nexports == m->desc.nexports &&
                m2->desc.nimports == m->desc.nimports &&
                m2->desc.ndatas == m->desc.ndatas)
                same++;
            else
                printf("%s:%u: round trip differs: %s\n", path, cmd->line,
                       err.msg);
            rt_module_release(m2);
            rt_module_release(m);
            free(b);
        }
        rt_engine_free(e);
        wast_script_free(&host, &sc);
        free(src);
    }
    closedir(d);
    CHECK(modules > 1000 && same == modules,
          "%u of %u spec modules round-trip", same, modules);
    printf("spec modules round-tripped: %u of %u\n", same, modules);
}

static const char run_wat[] =
    "(module\n"
    "  (type $un (func (param i64) (result i64)))\n"
    "  (type $bin (func (param i32 i32) (result i32)))\n"
    "  (memory 1)\n"
    "  (table funcref (elem $fac $add))\n"
    "  (func $fac (type $un) (if (result i64) (i64.eqz (local.get 0))\n"
    "    (then (i64.const 1))\n"
    "    (else (i64.mul (local.get 0)\n"
    "      (call $fac (i64.sub (local.get 0) (i64.const 1)))))))\n"
    "  (func $add (type $bin) (i32.add (local.get 0) (local.get 1)))\n"
    "  (func (export \"fac\") (param i64) (result i64)\n"
    "    (call_indirect (type $un) (local.get 0) (i32.const 0)))\n"
    "  (func (export \"add\") (param i32 i32) (result i32)\n"
    "    (i32.store (i32.const 8) (local.get 0))\n"
    "    (call_indirect (type $bin) (i32.load (i32.const 8)) (local.get 1)\n"
    "      (i32.const 1)))\n"
    "  (func (export \"sum\") (param i32) (result i32) (local i32)\n"
    "    (block (loop\n"
    "      (br_if 1 (i32.eqz (local.get 0)))\n"
    "      (local.set 1 (i32.add (local.get 1) (local.get 0)))\n"
    "      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))\n"
    "      (br_table 1 0 (local.get 0))))\n"
    "    (local.get 1))\n"
    "  (func (export \"boom\") (param i32) (result i32)\n"
    "    (i32.div_u (i32.const 1) (local.get 0))))\n";

static uint8_t *wat(const char *src, size_t *len)
{
    uint8_t *b;
    err_t err = {{0}};
    if (!text_wat_to_binary(&host, src, strlen(src), &b, len, &err)) {
        CHECK(0, "wat: %s", err.msg);
        return NULL;
    }
    return b;
}

static uint64_t call1(rt_store *s, rt_instance *inst, const char *name,
                      uint64_t a, uint64_t b, rt_trap **trap)
{
    rt_extern ex;
    uint64_t args[2] = {a, b}, res[1] = {0};
    if (!rt_instance_export(inst, name, strlen(name), &ex))
        return 0xdead;
    *trap = rt_call(s, ex.u.func, args, res);
    return res[0];
}

/* A module serialized in one engine runs in another whose type ids are
 * different (call_indirect's check depends on the relocation). */
static void test_runs_elsewhere(void)
{
    size_t wlen, n;
    uint8_t *w = wat(run_wat, &wlen);
    if (!w)
        return;
    err_t err = {{0}};
    rt_engine *e1 = rt_engine_new(NULL), *e2 = rt_engine_new(NULL);
    uint8_t many[8] = {VT_F64, VT_F64, VT_F64, VT_F64, VT_F64, VT_F64};
    for (uint32_t k = 0; k < 6; k++) { /* shift e2's ids */
        functype t = {k, 1, many};
        rt_type_id id;
        rt_engine_intern_type(e2, &t, &id);
    }
    rt_module *m = rt_module_new(e1, w, wlen, &err);
    EXPECT(m != NULL);
    uint8_t *b = m ? serialize(m, &n) : NULL;
    EXPECT(b != NULL);
    rt_module *m2 = b ? rt_module_deserialize(e2, b, n, &err) : NULL;
    CHECK(m2 != NULL, "deserialize: %s", err.msg);
    if (m2) {
        rt_store *s = rt_store_new(e2);
        rt_trap *trap = NULL;
        rt_instance *inst = rt_instance_new(s, m2, NULL, 0, &trap, &err);
        CHECK(inst != NULL, "instantiate: %s", err.msg);
        if (inst) {
            EXPECT(call1(s, inst, "fac", 20, 0, &trap) ==
                   2432902008176640000u && !trap);
            EXPECT(call1(s, inst, "add", 40, 2, &trap) == 42 && !trap);
            EXPECT(call1(s, inst, "sum", 10, 0, &trap) == 55 && !trap);
            EXPECT(call1(s, inst, "boom", 1, 0, &trap) == 1 && !trap);
            call1(s, inst, "boom", 0, 0, &trap);
            CHECK(trap && trap->code == TRAP_DIV_ZERO && trap->nframes >= 1,
                  "division by zero traps with a backtrace");
            rt_trap_free(trap);
        }
        rt_store_free(s);
    }
    /* Another engine configuration's artifact is refused if the code
     * depends on it; the same configuration is accepted. */
    rt_module_release(m2);
    rt_module_release(m);
    free(b);
    mem_free(&host, MEM_HOST, w);
    rt_engine_free(e1);
    rt_engine_free(e2);
}

static rt_module *try_load(rt_engine *e, const uint8_t *b, size_t n,
                           err_t *err)
{
    err_clear(err);
    /* A copy of exactly n bytes, so ASan sees any read past the end. */
    uint8_t *c = malloc(n ? n : 1);
    if (n)
        memcpy(c, b, n);
    rt_module *m = rt_module_deserialize(e, b ? c : NULL, n, err);
    free(c);
    return m;
}

/* Every single flipped byte and every truncation is refused with a
 * message; payload flips with a recomputed checksum never crash. */
static void test_corruption(void)
{
    size_t wlen, n;
    uint8_t *w = wat(run_wat, &wlen);
    if (!w)
        return;
    err_t err = {{0}};
    rt_engine *e = rt_engine_new(NULL);
    rt_module *m = rt_module_new(e, w, wlen, &err);
    uint8_t *b = m ? serialize(m, &n) : NULL;
    if (!b) {
        CHECK(0, "serialize failed");
        rt_module_release(m);
        rt_engine_free(e);
        return;
    }
    rt_module *ok = try_load(e, b, n, &err);
    CHECK(ok != NULL, "intact bytes load: %s", err.msg);
    rt_module_release(ok);

    unsigned flips_refused = 0, cuts_refused = 0, with_msg = 0;
    uint8_t *c = malloc(n);
    for (size_t i = 0; i < n; i++)
        for (int bit = 0; bit < 8; bit += 7) {
            memcpy(c, b, n);
            c[i] ^= (uint8_t)(1u << bit);
            rt_module *x = try_load(e, c, n, &err);
            flips_refused += x == NULL;
            with_msg += x == NULL && err_failed(&err);
            rt_module_release(x);
        }
    CHECK(flips_refused == 2 * n && with_msg == 2 * n,
          "%u of %zu flips refused", flips_refused, 2 * n);
    for (size_t k = 0; k < n; k++) {
        rt_module *x = try_load(e, b, k, &err);
        cuts_refused += x == NULL && err_failed(&err);
        rt_module_release(x);
    }
    CHECK(cuts_refused == n, "%u of %zu cuts refused", cuts_refused, n);
    EXPECT(try_load(e, NULL, 0, &err) == NULL &&
           strstr(err.msg, "not a serialized ebb module"));
    memcpy(c, b, n);
    c[8] ^= 0x40; /* the version */
    EXPECT(try_load(e, c, n, &err) == NULL && strstr(err.msg, "version"));
    memcpy(c, b, n);
    c[12] ^= 1; /* the build fingerprint */
    EXPECT(try_load(e, c, n, &err) == NULL &&
           strstr(err.msg, "incompatible build"));
    memcpy(c, b, n);
    c[16] ^= 1; /* the configuration fingerprint */
    EXPECT(try_load(e, c, n, &err) == NULL &&
           strstr(err.msg, "engine configuration"));

    /* Forged: payload changed and the checksum made to match. */
    unsigned loaded = 0, refused = 0;
    for (size_t i = 40; i < n; i++)
        for (int v = 0; v < 3; v++) {
            memcpy(c, b, n);
            c[i] = v == 0 ? (uint8_t)(c[i] ^ 0xff)
                   : v == 1 ? (uint8_t)(c[i] + 1) : 0x7f;
            uint64_t sum = rt_serialize_checksum(c + 40, n - 40);
            memcpy(c + 32, &sum, 8);
            rt_module *x = try_load(e, c, n, &err);
            loaded += x != NULL;
            refused += x == NULL && err_failed(&err);
            rt_module_release(x);
        }
    CHECK(loaded + refused == 3 * (n - 40) && refused > 0,
          "forged payloads: %u loaded, %u refused", loaded, refused);
    printf("corruption: %zu bytes, %u flips and %u cuts refused, forged: "
           "%u refused, %u loaded\n", n, flips_refused, cuts_refused,
           refused, loaded);
    free(c);
    free(b);
    rt_module_release(m);
    mem_free(&host, MEM_HOST, w);
    rt_engine_free(e);
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* Best of 5 of each, since the machine is shared. */
static void test_faster_than_compiling(void)
{
    const char *bench = getenv("EBB_BENCH");
    char path[4096];
    snprintf(path, sizeof path, "%s/sightglass/gcc-loops/benchmark.wasm",
             bench ? bench : "../shared/bench");
    size_t len, n = 0;
    uint8_t *w = test_read_file(path, &len);
    if (!w) {
        CHECK(0, "cannot read %s", path);
        return;
    }
    err_t err = {{0}};
    rt_engine *e = rt_engine_new(NULL);
    double compile = 1e9, load = 1e9;
    uint8_t *b = NULL;
    for (int r = 0; r < 5; r++) {
        double t0 = now_ms();
        rt_module *m = rt_module_new(e, w, len, &err);
        double t1 = now_ms();
        if (!m)
            break;
        if (t1 - t0 < compile)
            compile = t1 - t0;
        if (!b)
            b = serialize(m, &n);
        rt_module_release(m);
        if (!b)
            break;
        t0 = now_ms();
        rt_module *m2 = rt_module_deserialize(e, b, n, &err);
        t1 = now_ms();
        if (!m2)
            break;
        if (t1 - t0 < load)
            load = t1 - t0;
        rt_module_release(m2);
    }
    CHECK(load < compile, "gcc-loops: deserialize %.2f ms, compile %.2f ms "
                          "(%s)", load, compile, err.msg);
    printf("gcc-loops: compile %.2f ms, deserialize %.2f ms (%.1fx), "
           "%zu -> %zu bytes\n", compile, load, compile / load, len, n);
    free(b);
    free(w);
    rt_engine_free(e);
}

int main(int argc, char **argv)
{
    const char *suite = argc > 1 ? argv[1] : "../shared/testsuite/wasm-2.0";
    mem_owner_init(&host, MEM_OWNER_ENGINE);
    test_runs_elsewhere();
    test_corruption();
    test_spec_round_trip(suite);
    test_faster_than_compiling();
    EXPECT(mem_owner_live(&host) == 0);
    EXPECT(mem_global_live() == 0);
    return check_summary();
}
