/* The process gives memory back: RssAnon after dropping everything is
 * within 64 KiB of RssAnon before the engine was made, for the largest
 * benchmark module (gcc-loops, 2.8 MB) and for a guest that touches
 * 16 MiB of linear memory, compiled serially and in parallel; and a
 * memory that declares 16 MiB but is touched once costs < 256 KiB.
 * Each case runs in a fresh process of its own.
 *
 *   rss_test [BENCH_DIR]     (default ../shared/bench/sightglass) */
#include "../unit/check.h"
#include "memtest.h"
#include "guests.h"

/* No stdio allocation may land between two samples. */
static char outbuf[4096];

enum { DROP_SLACK_KIB = 64, SPARSE_LIMIT_KIB = 256 };

/* Child: one pass, then RssAnon compared with before the engine. */
static int case_drop(const char *what, const char *path, bool serial)
{
    size_t len = 0;
    uint8_t *bytes = path ? mt_load(path, &len) : mt_wat(guest_touch16, &len);
    if (!bytes)
        return 1;
    const char *invoke = path ? NULL : "run";
    long before = mt_rss_anon();
    long vm_before = mt_vmrss();
    bool ok = mt_one_pass(bytes, len, serial, invoke, NULL);
    long after = mt_rss_anon();
    long vm_after = mt_vmrss();
    ok = mt_counters_zero(what) && ok;
    printf("  %s (%s): RssAnon %ld -> %ld KiB (%+ld), VmRSS %ld -> %ld KiB\n",
           what, serial ? "serial" : "parallel", before, after,
           after - before, vm_before, vm_after);
    if (after - before > DROP_SLACK_KIB) {
        printf("  %s: RssAnon grew by %ld KiB (limit %d)\n", what,
               after - before, DROP_SLACK_KIB);
        ok = false;
    }
    mt_unload(bytes, len);
    return ok ? 0 : 1;
}

/* Child: a small module first, so the interpreter's code and the C
 * library's first allocations are resident already; then what a 16 MiB
 * memory touched once adds. */
static int case_sparse(void)
{
    static const char warm[] = "(module (memory 1) (func (export \"run\")"
                               " (i32.store (i32.const 0) (i32.const 1))))";
    size_t wlen, len;
    uint8_t *wbytes = mt_wat(warm, &wlen);
    uint8_t *bytes = mt_wat(guest_sparse16, &len);
    if (!wbytes || !bytes || !mt_one_pass(wbytes, wlen, true, "run", NULL))
        return 1;
    rt_engine *e = rt_engine_new(NULL);
    err_t err;
    err_clear(&err);
    rt_module *m = e ? rt_module_new(e, bytes, len, &err) : NULL;
    rt_store *s = m ? rt_store_new(e) : NULL;
    if (!s) {
        printf("  sparse: setup failed: %s\n", err.msg);
        return 1;
    }
    long vm_before = mt_vmrss(), anon_before = mt_rss_anon();
    rt_trap *trap = NULL;
    rt_instance *inst = rt_instance_new(s, m, NULL, 0, &trap, &err);
    rt_extern ex;
    uint64_t res[2];
    bool ok = inst && rt_instance_export(inst, "run", 3, &ex) &&
              (trap = rt_call(s, ex.u.func, NULL, res)) == NULL;
    long vm_after = mt_vmrss(), anon_after = mt_rss_anon();
    if (trap) {
        printf("  sparse: trap: %s\n", trap->message);
        rt_trap_free(trap);
    }
    rt_store_free(s);
    rt_module_release(m);
    rt_engine_free(e);
    ok = mt_counters_zero("sparse") && ok;
    printf("  16 MiB declared, 1 page touched: VmRSS %+ld KiB, RssAnon "
           "%+ld KiB\n", vm_after - vm_before, anon_after - anon_before);
    if (vm_after - vm_before >= SPARSE_LIMIT_KIB ||
        anon_after - anon_before >= SPARSE_LIMIT_KIB)
        ok = false;
    mt_unload(wbytes, wlen);
    mt_unload(bytes, len);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, outbuf, _IOLBF, sizeof outbuf);
    if (argc >= 3 && !strcmp(argv[1], "--case")) {
        bool serial = argc >= 4 && !strcmp(argv[3], "serial");
        if (!strcmp(argv[2], "touch16"))
            return case_drop("touch16", NULL, serial);
        if (!strcmp(argv[2], "sparse"))
            return case_sparse();
        if (!strcmp(argv[2], "file") && argc >= 5)
            return case_drop(argv[4], argv[4], serial);
        return 2;
    }
    const char *bench = argc >= 2 && strstr(argv[1], "bench")
                            ? argv[1] : "../shared/bench/sightglass";
    char gcc[4096];
    snprintf(gcc, sizeof gcc, "%s/gcc-loops/benchmark.wasm", bench);
    static const char *const modes[] = {"serial", "parallel"};
    for (int i = 0; i < 2; i++) {
        const char *t[] = {"--case", "touch16", modes[i], NULL};
        CHECK(mt_spawn(t), "touch16 %s: RssAnon back within %d KiB",
              modes[i], DROP_SLACK_KIB);
        const char *g[] = {"--case", "file", modes[i], gcc, NULL};
        CHECK(mt_spawn(g), "gcc-loops %s: RssAnon back within %d KiB",
              modes[i], DROP_SLACK_KIB);
    }
    const char *sp[] = {"--case", "sparse", NULL};
    CHECK(mt_spawn(sp), "16 MiB memory touched once adds < %d KiB",
          SPARSE_LIMIT_KIB);
    return check_summary();
}
