/* Running components as WASI 0.2 commands (`ebb run`, `ebb bench`): the
 * component gets WASI 0.2 on the same preview1 context a module would
 * (wasi_p2.h), plus, for benchmarks, the instance import "bench" with
 * start and end; its export wasi:cli/run@0.2.x `run` is called, and its
 * result (ok or error) is the exit status. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "component/component.h"
#include "component/wasi_p2.h"

/* One component being run. */
typedef struct crun {
    cm_component *comp;
    wasi_p2 *p2;
    cm_host host;               /* wasi_p2's, with "bench" in front */
    cm_host wasi;
    const cli_bench_hooks *bench;
    cm_instance *inst;
} crun;

/* ---- the host: "bench" {start, end}, then WASI 0.2 ----------------------- */

static rt_trap *bench_call(rt_host_fn hook, void *env, cm_host_call *cx,
                           uint32_t nargs, uint32_t nresults)
{
    if (nargs || nresults)
        return rt_trap_new(cx->store, TRAP_HOST,
                           "bench: start and end take and return nothing");
    return hook(env, cx->store, NULL, NULL);
}

static rt_trap *bench_start(void *env, cm_host_call *cx, const cm_val *args,
                            uint32_t nargs, cm_val *results,
                            uint32_t nresults)
{
    (void)args, (void)results;
    const cli_bench_hooks *b = env;
    return bench_call(b->start, b->env, cx, nargs, nresults);
}

static rt_trap *bench_end(void *env, cm_host_call *cx, const cm_val *args,
                          uint32_t nargs, cm_val *results, uint32_t nresults)
{
    (void)args, (void)results;
    const cli_bench_hooks *b = env;
    return bench_call(b->end, b->env, cx, nargs, nresults);
}

static bool host_func(void *env, const char *iface, const char *name,
                      cm_host_fn *fn, void **fn_env)
{
    crun *r = env;
    if (r->bench && iface && !strcmp(iface, "bench")) {
        if (strcmp(name, "start") && strcmp(name, "end"))
            return false;
        *fn = strcmp(name, "start") ? bench_end : bench_start;
        *fn_env = (void *)r->bench;
        return true;
    }
    return r->wasi.func(r->wasi.env, iface, name, fn, fn_env);
}

static const cm_resource *host_resource(void *env, const char *iface,
                                        const char *name)
{
    crun *r = env;
    return r->wasi.resource(r->wasi.env, iface, name);
}

/* ---- steps ---------------------------------------------------------------- */

/* Instantiates r->comp in s with WASI 0.2 on w. */
static bool crun_instantiate(crun *r, rt_store *s, wasi_ctx *w,
                             rt_trap **trap, err_t *err)
{
    r->p2 = wasi_p2_new(&s->engine->mem, w);
    if (!r->p2)
        return err_set(err, "out of memory");
    r->wasi = wasi_p2_host(r->p2);
    r->host = (cm_host){.env = r, .func = host_func,
                        .resource = host_resource};
    r->inst = cm_instance_new(s, r->comp, &r->host, trap, err);
    return r->inst != NULL;
}

/* The export wasi:cli/run@0.2.x `run` of type [] -> [result]. */
static const cm_func *find_run(cm_instance *inst)
{
    /* component.h looks exports up by name: try the 0.2 versions. */
    for (int v = 0; v < 100; v++) {
        char name[32];
        snprintf(name, sizeof name, "wasi:cli/run@0.2.%d", v);
        const cm_func *f = cm_instance_func(inst, name, "run");
        if (f)
            return f;
    }
    return NULL;
}

/* Calls run: NULL with *ok (its result was ok), or the trap; false in
 * *ok with err set when there is nothing to call. */
static rt_trap *crun_call(crun *r, rt_store *s, bool *ok, err_t *err)
{
    *ok = false;
    const cm_func *run = find_run(r->inst);
    if (!run || cm_func_nparams(run) != 0 || cm_func_nresults(run) != 1) {
        err_set(err, "no export 'wasi:cli/run@0.2.x' with a function "
                     "'run' of type (func (result (result)))");
        return NULL;
    }
    cm_val res = {.kind = CM_BOOL};
    rt_trap *t = cm_call(s, run, NULL, 0, &res, 1, err);
    if (!t && !err->msg[0]) {
        if (res.kind == CM_RESULT)
            *ok = res.u.var.tag == 0;
        else
            err_set(err, "'run' returned a value that is not a result");
    }
    cm_val_free(&s->mem, &res);
    return t;
}

static void crun_free_instance(crun *r)
{
    cm_instance_free(r->inst);
    r->inst = NULL;
    wasi_p2_free(r->p2);
    r->p2 = NULL;
}

/* ---- ebb run ---------------------------------------------------------------- */

/* Under ebb run, a benchmark's bench.start and bench.end do nothing. */
static rt_trap *bench_nothing(void *env, rt_store *s, const uint64_t *args,
                              uint64_t *results)
{
    (void)env, (void)s, (void)args, (void)results;
    return NULL;
}

static const cli_bench_hooks no_bench = {bench_nothing, bench_nothing, NULL};

int cli_run_component(rt_store *s, const uint8_t *bytes, size_t len,
                      wasi_ctx *w, const char *path,
                      int (*on_trap)(rt_trap *t))
{
    err_t err;
    err_clear(&err);
    crun r = {.bench = &no_bench};
    rt_trap *trap = NULL;
    int status = 1;
    bool ok = false;
    r.comp = cm_component_new(s->engine, bytes, len, &err);
    if (!r.comp || !crun_instantiate(&r, s, w, &trap, &err)) {
        if (trap)
            status = on_trap(trap);
        else
            fprintf(stderr, "ebb: %s: %s\n", path, err.msg);
        goto out;
    }
    trap = crun_call(&r, s, &ok, &err);
    if (trap)
        status = on_trap(trap); /* while the modules it names live */
    else if (err.msg[0])
        fprintf(stderr, "ebb: %s: %s\n", path, err.msg);
    else
        status = ok ? 0 : 1;
out:
    fflush(stdout);
    crun_free_instance(&r);
    cm_component_free(r.comp);
    return status;
}

/* ---- ebb bench ------------------------------------------------------------- */

static double ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

bool cli_bench_component(rt_engine *e, const uint8_t *bytes, size_t len,
                         wasi_ctx *w, const cli_bench_hooks *bench,
                         double *compile_ms, double *instantiate_ms,
                         err_t *err)
{
    crun r = {.bench = bench};
    rt_trap *trap = NULL;
    bool ok = false, run_ok = false;
    double t0 = ms_now();
    r.comp = cm_component_new(e, bytes, len, err);
    *compile_ms = ms_now() - t0;
    rt_store *s = r.comp ? rt_store_new(e) : NULL;
    if (r.comp && !s)
        err_set(err, "out of memory");
    if (!s)
        goto out;
    t0 = ms_now();
    if (!crun_instantiate(&r, s, w, &trap, err))
        goto fail;
    *instantiate_ms = ms_now() - t0;
    trap = crun_call(&r, s, &run_ok, err);
fail:
    if (trap) {
        uint32_t status = 0;
        if (!wasi_trap_is_exit(trap, &status))
            err_set(err, "trap: %s", trap->message);
        else if (status != 0)
            err_set(err, "exit status %u", status);
        else
            run_ok = true;
        rt_trap_free(trap);
    } else if (r.inst && !err->msg[0] && !run_ok) {
        err_set(err, "wasi:cli/run returned an error");
    }
    ok = run_ok && !err->msg[0];
out:
    crun_free_instance(&r);
    if (s)
        rt_store_free(s);
    cm_component_free(r.comp);
    return ok;
}
