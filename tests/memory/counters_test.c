/* ebb's counters: the statistics report what is alive, and after
 * everything is dropped every counter (each owner kind, each category) is
 * exactly 0 -- for every program of the benchmark suite (compiled and
 * instantiated with stub imports) and for a guest that uses every kind of
 * object.
 *
 *   counters_test [BENCH_DIR]     (default ../shared/bench/sightglass) */
#include "../unit/check.h"
#include "memtest.h"
#include "guests.h"

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
    unsigned n = 0;
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
             * ebb does not load those. */
            if (bytes && len >= 8 && bytes[4] == 0x0d && bytes[6] == 1) {
                printf("  %s: a component, skipped\n", path);
                mt_unload(bytes, len);
                continue;
            }
            bool ok = bytes && mt_one_pass(bytes, len, false, NULL, NULL);
            CHECK(ok, "%s: compile + instantiate", path);
            CHECK(mt_counters_zero(path), "%s: counters 0 after the drop",
                  path);
            mt_unload(bytes, len);
            n++;
        }
        closedir(sd);
    }
    closedir(d);
    CHECK(n >= 10, "only %u benchmark programs found in %s", n, dir);
    printf("  %u benchmark programs compiled, instantiated and dropped\n", n);
}

int main(int argc, char **argv)
{
    const char *bench = argc >= 2 && strstr(argv[1], "bench")
                            ? argv[1] : "../shared/bench/sightglass";
    stats_follow_objects();
    bench_programs(bench);
    return check_summary();
}
