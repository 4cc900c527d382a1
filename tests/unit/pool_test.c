/* The compile pool: a parallel compile gives the same bytes as a serial
 * one, the workers exit after the idle time, and neither they nor their
 * scratch arenas leave anything behind.
 *
 *   pool_test [SUITE]   (the benchmark programs are read from
 *                        ../shared/bench/sightglass, or $EBB_BENCH) */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "compile/compile.h"
#include "interp/code.h"
#include "os/os.h"
#include "runtime/runtime.h"

static uint8_t *read_all(const char *path, size_t *len, mem_owner *o)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = n > 0 ? mem_alloc(o, MEM_HOST, (size_t)n) : NULL;
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
        mem_free(o, MEM_HOST, p);
        p = NULL;
    }
    fclose(f);
    *len = p ? (size_t)n : 0;
    return p;
}

/* Every compiled function of a and b, field by field and word by word. */
static bool same_code(const rt_module *a, const rt_module *b)
{
    uint32_t n = a->desc.nfuncs - a->desc.nimported_funcs;
    for (uint32_t i = 0; i < n; i++) {
        const compiled_func *x = a->funcs[i], *y = b->funcs[i];
        if (x->code_len != y->code_len || x->nsites != y->nsites ||
            x->frame_size != y->frame_size || x->nlocals != y->nlocals ||
            x->func_index != y->func_index ||
            memcmp(x->code, y->code, x->code_len * sizeof *x->code) ||
            (x->nsites &&
             memcmp(x->sites, y->sites, x->nsites * sizeof *x->sites))) {
            printf("function %u differs\n", i);
            return false;
        }
    }
    return true;
}

static double compile_ms(rt_engine *e, const uint8_t *bytes, size_t len,
                         rt_module **out)
{
    err_t err;
    err_clear(&err);
    uint64_t t0 = os_now_ns();
    *out = rt_module_new(e, bytes, len, &err);
    uint64_t t1 = os_now_ns();
    if (!*out)
        printf("compile failed: %s\n", err.msg);
    return (double)(t1 - t0) / 1e6;
}

static void test_identical_and_idle(const char *bench)
{
    char path[512];
    snprintf(path, sizeof path, "%s/gcc-loops/benchmark.wasm", bench);
    mem_owner host;
    mem_owner_init(&host, MEM_OWNER_ENGINE);
    size_t len;
    uint8_t *bytes = read_all(path, &len, &host);
    CHECK(bytes != NULL, "cannot read %s", path);
    if (!bytes)
        return;
    int threads_before = os_thread_count();

    rt_config serial_cfg, par_cfg;
    rt_config_default(&serial_cfg);
    serial_cfg.parallel_compilation = false;
    rt_config_default(&par_cfg);
    par_cfg.compile_threads = 4; /* more workers than a small machine has */
    par_cfg.compile_idle_ms = 200;
    rt_engine *se = rt_engine_new(&serial_cfg);
    rt_engine *pe = rt_engine_new(&par_cfg);
    rt_module *sm = NULL, *pm = NULL;
    double ts = compile_ms(se, bytes, len, &sm);
    double tp = compile_ms(pe, bytes, len, &pm);
    EXPECT(sm && pm);
    if (sm && pm)
        CHECK(same_code(sm, pm), "serial and parallel code differ");
    printf("gcc-loops: serial %.1f ms, parallel (4 threads) %.1f ms\n", ts,
           tp);
    EXPECT(rt_engine_compile_threads_alive(se) == 0);
    unsigned alive = rt_engine_compile_threads_alive(pe);
    CHECK(alive == 3, "%u workers alive right after the compile", alive);
    /* A second module reuses the live workers: same bytes again. */
    rt_module *pm2 = NULL;
    compile_ms(pe, bytes, len, &pm2);
    if (sm && pm2)
        CHECK(same_code(sm, pm2), "second parallel compile differs");
    rt_module_release(pm2);

    /* After the idle time the workers are gone, from the pool and from
     * the process, and the pool holds no scratch. */
    struct timespec nap = {0, 400 * 1000000L};
    nanosleep(&nap, NULL);
    alive = rt_engine_compile_threads_alive(pe);
    CHECK(alive == 0, "%u workers alive after the idle time", alive);
    int threads_after = os_thread_count();
    CHECK(threads_after == threads_before, "threads: %d before, %d after",
          threads_before, threads_after);
    printf("threads alive after the idle time: %u (process: %d)\n", alive,
           threads_after);
    EXPECT(rt_engine_compile_pool_bytes(pe) == 0);
    rt_module_release(sm);
    rt_module_release(pm);
    rt_engine_free(se);
    rt_engine_free(pe);
    mem_free(&host, MEM_HOST, bytes);
    CHECK(mem_global_live() == 0, "%zu bytes live", mem_global_live());
    CHECK(mem_global_mapped() == 0, "%zu bytes mapped",
          mem_global_mapped());
}

/* A module of NF functions of ~600 bytes each (so the pool is used); the
 * functions listed in `bad` end with a type error. */
enum { NF = 40, BODY = 600 };
static size_t make_module(uint8_t *w, const int *bad, int nbad)
{
    size_t n = 0;
    static const uint8_t head[] = {0, 'a', 's', 'm', 1, 0, 0, 0,
                                   1, 4, 1, 0x60, 0, 0};   /* type () */
    memcpy(w, head, sizeof head);
    n = sizeof head;
    w[n++] = 3; /* function section */
    w[n++] = 1 + NF;
    w[n++] = NF;
    for (int i = 0; i < NF; i++)
        w[n++] = 0;
    /* code section: each body = 0 locals, (i32.const 0, drop)*, end */
    uint32_t body_len = 1 + (BODY / 3) * 3 + 1;
    uint32_t sec = 1 + NF * (2 + body_len);
    w[n++] = 10;
    w[n++] = (uint8_t)(0x80 | (sec & 0x7f));
    w[n++] = (uint8_t)(0x80 | ((sec >> 7) & 0x7f));
    w[n++] = (uint8_t)(sec >> 14);
    w[n++] = NF;
    for (int i = 0; i < NF; i++) {
        bool is_bad = false;
        for (int k = 0; k < nbad; k++)
            is_bad = is_bad || bad[k] == i;
        w[n++] = (uint8_t)(0x80 | (body_len & 0x7f));
        w[n++] = (uint8_t)(body_len >> 7);
        w[n++] = 0;
        for (uint32_t k = 0; k < BODY / 3; k++) {
            w[n++] = 0x41; /* i32.const 0 */
            w[n++] = 0;
            /* i32.eqz leaves a value where drop would not */
            w[n++] = is_bad && k == BODY / 3 - 1 ? 0x45 : 0x1a;
        }
        w[n++] = 0x0b;
    }
    return n;
}

/* The parallel compile reports the first failing function, as the serial
 * one does. */
static void test_first_error(void)
{
    mem_owner host;
    mem_owner_init(&host, MEM_OWNER_ENGINE);
    uint8_t *w = mem_alloc(&host, MEM_HOST, 64 + NF * (BODY + 8));
    static const int bad[] = {30, 17};
    size_t n = make_module(w, bad, 2);
    rt_config cfg;
    rt_config_default(&cfg);
    cfg.compile_threads = 4;
    for (int par = 0; par < 2; par++) {
        cfg.parallel_compilation = par;
        rt_engine *e = rt_engine_new(&cfg);
        err_t err;
        err_clear(&err);
        rt_module *m = rt_module_new(e, w, n, &err);
        CHECK(!m && strstr(err.msg, "type mismatch"),
              "%s compile: %s", par ? "parallel" : "serial",
              m ? "accepted" : err.msg);
        rt_module_release(m);
        rt_engine_free(e);
    }
    mem_free(&host, MEM_HOST, w);
    CHECK(mem_global_live() == 0, "%zu bytes live", mem_global_live());
}

/* Allocation n fails, for every n until a parallel compile succeeds:
 * each failure is a clean error that leaves nothing behind, whichever
 * thread met it. */
static void test_fail_every(void)
{
    mem_owner host;
    mem_owner_init(&host, MEM_OWNER_ENGINE);
    uint8_t *w = mem_alloc(&host, MEM_HOST, 64 + NF * (BODY + 8));
    size_t n = make_module(w, NULL, 0);
    size_t held = mem_global_live(); /* w itself */
    rt_config cfg;
    rt_config_default(&cfg);
    cfg.compile_threads = 3;
    /* How many requests a whole run makes. */
    rt_engine *e = rt_engine_new(&cfg);
    err_t err;
    err_clear(&err);
    mem_fail_at(-1);
    rt_module *m = rt_module_new(e, w, n, &err);
    long total = mem_fail_at(-1);
    EXPECT(m != NULL);
    rt_module_release(m);
    rt_engine_free(e);
    /* Some failures are absorbed (no pool: the caller compiles alone);
     * all others must be "out of memory". */
    unsigned dirty = 0, absorbed = 0;
    for (long k = 0; k <= total; k++) {
        e = rt_engine_new(&cfg);
        err_clear(&err);
        mem_fail_at(k);
        m = e ? rt_module_new(e, w, n, &err) : NULL;
        mem_fail_at(-1);
        if (e && !m && !strstr(err.msg, "out of memory") && dirty++ < 3)
            printf("fail at %ld: '%s'\n", k, err.msg);
        absorbed += m != NULL;
        rt_module_release(m);
        rt_engine_free(e);
        if (mem_global_live() != held || mem_global_mapped() != 0) {
            if (dirty++ < 3)
                printf("fail at %ld: %zu bytes live, %zu mapped\n", k,
                       mem_global_live() - held, mem_global_mapped());
        }
    }
    CHECK(dirty == 0 && total > NF, "%u of %ld failures unclean", dirty,
          total);
    printf("parallel compile, failure injection: %ld points, all clean, "
           "%u absorbed\n", total, absorbed);
    mem_free(&host, MEM_HOST, w);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    const char *bench = getenv("EBB_BENCH");
    if (!bench)
        bench = "../shared/bench/sightglass";
    test_identical_and_idle(bench);
    test_first_error();
    test_fail_every();
    return check_summary();
}
