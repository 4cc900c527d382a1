/* ebb's counters: the statistics report what is alive, and after
 * everything is dropped every counter (each owner kind, each category) is
 * exactly 0 -- for every program of the benchmark suite (compiled and
 * instantiated with stub imports, then the quick ones run with WASI) and
 * for a guest that uses every kind of object.
 *
 *   counters_test [--run-all] [BENCH_DIR]
 *                              (default ../shared/bench/sightglass) */
#include "../unit/check.h"
#include "memtest.h"
#include "guests.h"
#include "wasi/wasi.h"

/* The programs that run in under a second here; the others (up to minutes
 * in the interpreter) are compiled and instantiated only, unless the test
 * is given --run-all. */
static const char *const quick[] = {
    "blake3-scalar", "bz2", "noop", "quicksort", "regex", "richards",
    "rust-json", "shootout-ackermann", "shootout-gimli", "shootout-keccak",
    "shootout-memmove", "shootout-nestedloop", "shootout-random",
    "shootout-ratelimit", "shootout-switch", "shootout-xblabla20",
    "shootout-xchacha20",
};
static bool run_all;

/* Under a sanitizer everything runs several times slower: a few programs
 * stand for the rest. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifdef SANITIZED
static const char *const sanitized[] = {"noop", "shootout-gimli",
                                        "shootout-memmove"};
#define QUICK (run_all ? quick : sanitized)
#define NQUICK (run_all ? sizeof quick / sizeof quick[0] : 3)
#else
#define QUICK quick
#define NQUICK (sizeof quick / sizeof quick[0])
#endif

static bool is_quick(const char *dir, const char *file)
{
    if (run_all)
        return true;
    char stem[256];
    snprintf(stem, sizeof stem, "%s", file);
    char *dot = strrchr(stem, '.');
    if (dot)
        *dot = 0;
    for (size_t i = 0; i < NQUICK; i++)
        if (!strcmp(QUICK[i], stem) ||
            (!strcmp(stem, "benchmark") && strstr(dir, QUICK[i])))
            return true;
    return false;
}

/* The harness's bench.start and bench.end: no-ops, as the suite allows. */
static bool bench_stub(void *env, rt_store *s, const import_desc *im,
                       rt_extern *out)
{
    const rt_module *m = env;
    if (im->kind != EXTERN_FUNC || im->module_len != 5 ||
        memcmp(im->module, "bench", 5))
        return false;
    out->kind = EXTERN_FUNC;
    out->u.func = rt_func_new_host(s, &m->desc.types[im->u.func_type],
                                   mt_noop_fn, NULL, NULL);
    return out->u.func != NULL;
}

/* Runs a benchmark program as the suite does (its folder preopened as
 * ".", output discarded): false with the reason printed unless it exits
 * with status 0. */
static bool run_wasi(const char *dir, const char *path, const uint8_t *bytes,
                     size_t len)
{
    err_t err;
    err_clear(&err);
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    const char *argv[] = {"benchmark"};
    wasi_preopen pre = {.host_path = dir, .guest_path = "."};
    wasi_config cfg;
    wasi_config_default(&cfg);
    cfg.argc = 1;
    cfg.argv = argv;
    cfg.npreopens = 1;
    cfg.preopens = &pre;
    for (int i = 0; i < 3; i++)
        cfg.stdio[i] = null_fd;
    rt_engine *e = rt_engine_new(NULL);
    rt_module *m = e ? rt_module_new(e, bytes, len, &err) : NULL;
    rt_store *s = m ? rt_store_new(e) : NULL;
    wasi_ctx *w = s ? wasi_ctx_new(&e->mem, &cfg, &err) : NULL;
    rt_extern *im = NULL;
    bool ok = false;
    rt_trap *trap = NULL;
    if (w && wasi_link(w, s, m, bench_stub, m, &im, &err)) {
        rt_instance *inst = rt_instance_new(s, m, im, m->desc.nimports,
                                            &trap, &err);
        rt_extern ex;
        uint64_t res[2];
        uint32_t status = 0;
        if (inst && rt_instance_export(inst, "_start", 6, &ex)) {
            trap = rt_call(s, ex.u.func, NULL, res);
            ok = !trap || (wasi_trap_is_exit(trap, &status) && !status);
        }
        wasi_imports_free(s, im);
    }
    if (!ok)
        printf("  %s: %s\n", path, trap ? trap->message : err.msg);
    rt_trap_free(trap);
    rt_store_free(s);
    if (w)
        wasi_ctx_free(w);
    if (m)
        rt_module_release(m);
    rt_engine_free(e);
    if (null_fd >= 0)
        close(null_fd);
    return ok;
}

static void check_objects(const size_t *have, const size_t *want,
                          const char *when)
{
    for (int k = 0; k < RT_NOBJ; k++)
        CHECK(have[k] == want[k], "%s: %zu %s live, expected %zu", when,
              have[k], rt_obj_kind_name((rt_obj_kind)k), want[k]);
}

/* The statistics follow a store's objects as they come and go. */
static void stats_follow_objects(void)
{
    size_t len;
    uint8_t *bytes = mt_wat(guest_mixed, &len);
    if (!bytes) {
        CHECK(0, "guest_mixed does not parse");
        return;
    }
    rt_engine *e = rt_engine_new(NULL);
    err_t err;
    err_clear(&err);
    rt_module *m = rt_module_new(e, bytes, len, &err);
    rt_store *s = rt_store_new(e);
    rt_trap *trap = NULL;
    rt_instance *inst = m && s ? rt_instance_new(s, m, NULL, 0, &trap, &err)
                               : NULL;
    CHECK(inst != NULL, "instantiate: %s", err.msg);
    rt_engine_stats es;
    rt_store_stats ss;
    rt_engine_stats_get(e, &es);
    rt_store_stats_get(s, &ss);
    /* modules, stores, instances, funcs, memories, tables, globals */
    static const size_t all[RT_NOBJ] = {1, 1, 1, 2, 1, 1, 1};
    static const size_t in_store[RT_NOBJ] = {0, 0, 1, 2, 1, 1, 1};
    static const size_t module_only[RT_NOBJ] = {1, 0, 0, 0, 0, 0, 0};
    static const size_t none[RT_NOBJ] = {0};
    check_objects(es.objects, all, "engine, instantiated");
    check_objects(ss.objects, in_store, "store, instantiated");
    CHECK(ss.mem.live[MEM_LINEAR] >= 65536, "store linear bytes %zu",
          ss.mem.live[MEM_LINEAR]);
    CHECK(es.modules.live[MEM_CODE] > 0, "module code bytes %zu",
          es.modules.live[MEM_CODE]);
    CHECK(es.live_bytes >= ss.live_bytes + es.modules.live[MEM_CODE],
          "engine live %zu covers the store's %zu", es.live_bytes,
          ss.live_bytes);
    rt_store_free(s);
    rt_engine_stats_get(e, &es);
    check_objects(es.objects, module_only, "engine, store dropped");
    EXPECT(es.stores.live[MEM_LINEAR] == 0);
    rt_module_release(m);
    rt_engine_stats_get(e, &es);
    check_objects(es.objects, none, "engine, module dropped");
    size_t modsum = 0;
    for (int c = 0; c < MEM_NCAT; c++)
        modsum += es.modules.live[c] + es.stores.live[c];
    CHECK(modsum == 0, "module+store bytes %zu after the drop", modsum);
    EXPECT(es.compile_threads == 0 || es.compile_threads <= 64);
    rt_engine_free(e);
    CHECK(mt_counters_zero("guest_mixed"), "counters 0 after guest_mixed");
    mt_unload(bytes, len);
}

static void bench_programs(const char *dir)
{
    DIR *d = opendir(dir);
    CHECK(d != NULL, "cannot open %s", dir);
    if (!d)
        return;
    struct dirent *ent;
    unsigned n = 0, nrun = 0;
    while ((ent = readdir(d))) {
        if (ent->d_name[0] == '.')
            continue;
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", dir, ent->d_name);
        DIR *sd = opendir(sub);
        if (!sd)
            continue;
        struct dirent *f;
        while ((f = readdir(sd))) {
            size_t l = strlen(f->d_name);
            if (l < 5 || strcmp(f->d_name + l - 5, ".wasm"))
                continue;
            char path[8192];
            snprintf(path, sizeof path, "%s/%s", sub, f->d_name);
            size_t len;
            uint8_t *bytes = mt_load(path, &len);
            /* A component (layer 1, version 0x0d) is not a core module:
             * ebb refuses it, and the refusal must give everything back. */
            if (bytes && len >= 8 && bytes[4] == 0x0d && bytes[6] == 1) {
                CHECK(!mt_one_pass(bytes, len, false, NULL, NULL),
                      "%s: a component is refused", path);
                CHECK(mt_counters_zero(path), "%s: counters 0 after the refusal",
                      path);
                mt_unload(bytes, len);
                continue;
            }
            bool ok = bytes && mt_one_pass(bytes, len, false, NULL, NULL);
            CHECK(ok, "%s: compile + instantiate", path);
            CHECK(mt_counters_zero(path), "%s: counters 0 after the drop",
                  path);
            if (bytes && is_quick(sub, f->d_name)) {
                CHECK(run_wasi(sub, path, bytes, len), "%s: run", path);
                CHECK(mt_counters_zero(path), "%s: counters 0 after the run",
                      path);
                nrun++;
            }
            mt_unload(bytes, len);
            n++;
        }
        closedir(sd);
    }
    closedir(d);
    CHECK(n >= 10, "only %u benchmark programs found in %s", n, dir);
    printf("  %u benchmark programs compiled, instantiated and dropped; %u "
           "of them run with WASI\n", n, nrun);
}

int main(int argc, char **argv)
{
    const char *bench = "../shared/bench/sightglass";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--run-all"))
            run_all = true;
        else if (strstr(argv[i], "bench"))
            bench = argv[i];
    }
    stats_follow_objects();
    bench_programs(bench);
    return check_summary();
}
