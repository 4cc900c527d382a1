/* Compile workers keep nothing: after a parallel compile, once the idle
 * time has passed, no compile thread is alive (the engine's counter and
 * /proc/self/task agree) and the pool holds no bytes -- while the engine
 * and the module are still alive. Serial and parallel compiles of the same
 * module give the same results. Runs in a fresh process of its own. */
#include "../unit/check.h"
#include "memtest.h"
#include "guests.h"

enum { NFUNCS = 160, IDLE_MS = 150 };

static uint32_t call_i32(rt_store *s, rt_instance *inst, const char *name)
{
    rt_extern ex;
    uint64_t r[2] = {0};
    if (!rt_instance_export(inst, name, strlen(name), &ex))
        return 0;
    rt_trap *t = rt_call(s, ex.u.func, NULL, r);
    if (t) {
        rt_trap_free(t);
        return 0;
    }
    return (uint32_t)r[0];
}

/* Compiles in the given mode and checks every function's result. */
static rt_module *compile(rt_engine *e, const uint8_t *bytes, size_t len)
{
    err_t err;
    err_clear(&err);
    rt_module *m = rt_module_new(e, bytes, len, &err);
    CHECK(m != NULL, "compile: %s", err.msg);
    return m;
}

static void check_results(rt_engine *e, rt_module *m, const char *mode)
{
    rt_store *s = rt_store_new(e);
    err_t err;
    err_clear(&err);
    rt_trap *trap = NULL;
    rt_instance *inst = rt_instance_new(s, m, NULL, 0, &trap, &err);
    CHECK(inst != NULL, "%s: instantiate: %s", mode, err.msg);
    unsigned bad = 0;
    for (int i = 0; inst && i < NFUNCS; i++) {
        char name[16];
        snprintf(name, sizeof name, "f%d", i);
        if (call_i32(s, inst, name) != (uint32_t)(40 * i + 780))
            bad++;
    }
    CHECK(bad == 0, "%s: %u functions computed wrong results", mode, bad);
    rt_store_free(s);
}

int main(void)
{
    size_t wlen;
    char *wat = guest_many_funcs(NFUNCS, &wlen);
    size_t len;
    uint8_t *bytes = wat ? mt_wat(wat, &len) : NULL;
    if (!bytes) {
        CHECK(0, "the generated module does not parse");
        return check_summary();
    }
    rt_config cfg;
    mt_config(&cfg, false);
    cfg.compile_threads = 2;
    cfg.compile_idle_ms = IDLE_MS;
    rt_engine *e = rt_engine_new(&cfg);
    rt_module *m = compile(e, bytes, len);
    rt_engine_stats st;
    rt_engine_stats_get(e, &st);
    int tasks = mt_task_count();
    CHECK(st.compile_threads >= 1 && tasks >= 2,
          "the pool ran no worker (%zu alive, %d tasks): nothing is tested",
          st.compile_threads, tasks);
    printf("  right after the compile: %zu compile threads, %d tasks, "
           "pool %zu bytes\n", st.compile_threads, tasks,
           st.compile_pool_bytes);
    /* Workers exit after the idle time; give them three times that. */
    mt_sleep_ms(3 * IDLE_MS);
    rt_engine_stats_get(e, &st);
    tasks = mt_task_count();
    CHECK(st.compile_threads == 0, "%zu compile threads alive after %d ms "
          "idle", st.compile_threads, 3 * IDLE_MS);
    CHECK(tasks == 1, "%d threads in /proc/self/task after the idle time",
          tasks);
    CHECK(st.compile_pool_bytes == 0, "the pool holds %zu bytes",
          st.compile_pool_bytes);
    CHECK(st.objects[RT_OBJ_MODULE] == 1, "the module is alive");
    printf("  after %d ms idle: %zu compile threads, %d tasks, pool %zu "
           "bytes\n", 3 * IDLE_MS, st.compile_threads, tasks,
           st.compile_pool_bytes);
    if (m)
        check_results(e, m, "parallel");
    /* The pool starts again on demand. */
    rt_module *m2 = compile(e, bytes, len);
    if (m2)
        check_results(e, m2, "parallel, pool restarted");
    if (m2)
        rt_module_release(m2);
    rt_module_release(m);
    rt_engine_free(e);
    CHECK(mt_task_count() == 1 || (mt_sleep_ms(50), mt_task_count() == 1),
          "threads left after the engine is dropped");
    /* Serially compiled, the same module gives the same results. */
    mt_config(&cfg, true);
    e = rt_engine_new(&cfg);
    m = compile(e, bytes, len);
    if (m)
        check_results(e, m, "serial");
    rt_engine_stats_get(e, &st);
    CHECK(st.compile_threads == 0, "serial compile started %zu threads",
          st.compile_threads);
    rt_module_release(m);
    rt_engine_free(e);
    CHECK(mt_counters_zero("idle test"), "counters 0 at the end");
    mt_unload(bytes, len);
    munmap(wat, wlen);
    return check_summary();
}
