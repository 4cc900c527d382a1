/* The component linker: decoding the shared cm-online-stats component
 * (structure counts), instantiating it against a small fake WASI 0.2 host
 * and running it end to end, refusing what ebb does not support with a
 * clear message, and surviving every truncation and many bit flips of
 * the binary (clean error or success, counters back to zero). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "component/cm_link.h"

#include "check.h"
#include "test_file.h"

#define WASM_PATH "/cm-online-stats/cm-online-stats.wasm"

/* ---- a fake host: just enough WASI 0.2 for the program ------------------- */

typedef struct fake {
    cm_resource error, stream, descriptor;
    const char *input;
    char out[4096];
    size_t nout;
    int bench_calls, drops;
    bool no_bench;
} fake;

static void on_drop(void *env, uint32_t rep)
{
    (void)rep;
    ((fake *)env)->drops++;
}

static cm_val *host_vals(cm_host_call *cx, uint32_t n)
{
    return mem_calloc(cx->owner, MEM_HOST, n ? n : 1, sizeof(cm_val));
}

static rt_trap *bench_fn(void *env, cm_host_call *cx, const cm_val *args,
                         uint32_t nargs, cm_val *res, uint32_t nres)
{
    (void)cx; (void)args; (void)nargs; (void)res; (void)nres;
    ((fake *)env)->bench_calls++;
    return NULL;
}

static rt_trap *get_stdout(void *env, cm_host_call *cx, const cm_val *args,
                           uint32_t nargs, cm_val *res, uint32_t nres)
{
    (void)cx; (void)args; (void)nargs; (void)nres;
    res[0].kind = CM_OWN;
    res[0].u.handle.res = &((fake *)env)->stream;
    res[0].u.handle.rep = 1;
    return NULL;
}

static rt_trap *write_fn(void *env, cm_host_call *cx, const cm_val *args,
                         uint32_t nargs, cm_val *res, uint32_t nres)
{
    fake *f = env;
    (void)nres;
    if (nargs != 2 || args[1].kind != CM_LIST)
        return rt_trap_new(cx->store, TRAP_HOST, "bad write args");
    for (uint32_t i = 0; i < args[1].u.list.n; i++)
        if (f->nout < sizeof f->out - 1)
            f->out[f->nout++] = (char)args[1].u.list.items[i].u.u;
    f->out[f->nout] = 0;
    res[0].kind = CM_RESULT;
    res[0].u.var.tag = 0;
    res[0].u.var.payload = NULL;
    return NULL;
}

static rt_trap *get_dirs(void *env, cm_host_call *cx, const cm_val *args,
                         uint32_t nargs, cm_val *res, uint32_t nres)
{
    (void)args; (void)nargs; (void)nres;
    cm_val *pair = host_vals(cx, 1), *items = host_vals(cx, 2);
    char *name = mem_strndup(cx->owner, MEM_HOST, "/", 1);
    items[0].kind = CM_OWN;
    items[0].u.handle.res = &((fake *)env)->descriptor;
    items[0].u.handle.rep = 3;
    items[1].kind = CM_STRING;
    items[1].u.str.ptr = name;
    items[1].u.str.len = 1;
    pair->kind = CM_TUPLE;
    pair->u.list.items = items;
    pair->u.list.n = 2;
    res[0].kind = CM_LIST;
    res[0].u.list.items = pair;
    res[0].u.list.n = 1;
    return NULL;
}

static rt_trap *open_at(void *env, cm_host_call *cx, const cm_val *args,
                        uint32_t nargs, cm_val *res, uint32_t nres)
{
    (void)nres;
    if (nargs != 5 || args[2].kind != CM_STRING)
        return rt_trap_new(cx->store, TRAP_HOST, "bad open-at args");
    bool ok = args[2].u.str.len == 13 &&
              memcmp(args[2].u.str.ptr, "default.input", 13) == 0;
    cm_val *p = host_vals(cx, 1);
    res[0].kind = CM_RESULT;
    res[0].u.var.tag = ok ? 0 : 1;
    res[0].u.var.payload = p;
    if (ok) {
        p->kind = CM_OWN;
        p->u.handle.res = &((fake *)env)->descriptor;
        p->u.handle.rep = 4;
    } else {
        p->kind = CM_ENUM;
        p->u.var.tag = 20;       /* no-entry */
    }
    return NULL;
}

static rt_trap *read_fn(void *env, cm_host_call *cx, const cm_val *args,
                        uint32_t nargs, cm_val *res, uint32_t nres)
{
    fake *f = env;
    (void)nres;
    if (nargs != 3 || args[2].kind != CM_U64)
        return rt_trap_new(cx->store, TRAP_HOST, "bad read args");
    size_t len = strlen(f->input), off = args[2].u.u < len ? args[2].u.u
                                                           : len;
    size_t n = len - off;
    cm_val *tup = host_vals(cx, 1), *items = host_vals(cx, 2);
    cm_val *bytes = host_vals(cx, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        bytes[i].kind = CM_U8;
        bytes[i].u.u = (uint8_t)f->input[off + i];
    }
    items[0].kind = CM_LIST;
    items[0].u.list.items = bytes;
    items[0].u.list.n = (uint32_t)n;
    items[1].kind = CM_BOOL;
    items[1].u.b = n == 0;
    tup->kind = CM_TUPLE;
    tup->u.list.items = items;
    tup->u.list.n = 2;
    res[0].kind = CM_RESULT;
    res[0].u.var.tag = 0;
    res[0].u.var.payload = tup;
    return NULL;
}

static bool iface_is(const char *iface, const char *base)
{
    size_t n = strlen(base);
    return iface && strncmp(iface, base, n) == 0 &&
           (iface[n] == 0 || iface[n] == '@');
}

static bool host_func(void *env, const char *iface, const char *name,
                      cm_host_fn *fn, void **fn_env)
{
    fake *f = env;
    static const struct { const char *iface, *name; cm_host_fn fn; } t[] = {
        {"bench", "start", bench_fn}, {"bench", "end", bench_fn},
        {"wasi:cli/stdout", "get-stdout", get_stdout},
        {"wasi:io/streams", "[method]output-stream.blocking-write-and-flush",
         write_fn},
        {"wasi:filesystem/preopens", "get-directories", get_dirs},
        {"wasi:filesystem/types", "[method]descriptor.open-at", open_at},
        {"wasi:filesystem/types", "[method]descriptor.read", read_fn},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        if (f->no_bench && i < 2)
            continue;
        if (iface_is(iface, t[i].iface) && strcmp(name, t[i].name) == 0) {
            *fn = t[i].fn;
            *fn_env = f;
            return true;
        }
    }
    return false;
}

static const cm_resource *host_res(void *env, const char *iface,
                                   const char *name)
{
    fake *f = env;
    if (iface_is(iface, "wasi:io/error") && strcmp(name, "error") == 0)
        return &f->error;
    if (iface_is(iface, "wasi:io/streams") &&
        strcmp(name, "output-stream") == 0)
        return &f->stream;
    if (iface_is(iface, "wasi:filesystem/types") &&
        strcmp(name, "descriptor") == 0)
        return &f->descriptor;
    return NULL;
}

static void fake_init(fake *f, const char *input)
{
    memset(f, 0, sizeof *f);
    f->input = input;
    cm_resource *r[3] = {&f->error, &f->stream, &f->descriptor};
    const char *names[3] = {"error", "output-stream", "descriptor"};
    for (int i = 0; i < 3; i++) {
        r[i]->name = names[i];
        r[i]->host_drop = on_drop;
        r[i]->host_env = f;
    }
}

static cm_host fake_host(fake *f)
{
    return (cm_host){.env = f, .func = host_func, .resource = host_res};
}

/* ---- structure ------------------------------------------------------------ */

static uint32_t count_kind(const cd_comp *c, cd_item_kind k)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < c->nitems; i++)
        n += c->items[i].kind == k;
    return n;
}

static void test_structure(rt_engine *e, const uint8_t *w, size_t len)
{
    err_t err;
    err_clear(&err);
    cm_component *c = cm_component_new(e, w, len, &err);
    CHECK(c != NULL, "cm_component_new: %s", err.msg);
    if (!c)
        return;
    const cd_comp *top = c->top;
    EXPECT(c->nmodules == 4);
    EXPECT(count_kind(top, CD_I_COMPONENT) == 3);
    EXPECT(count_kind(top, CD_I_IMPORT) == 6);
    EXPECT(count_kind(top, CD_I_EXPORT) == 1);
    EXPECT(count_kind(top, CD_I_INSTANCE) == 4);
    EXPECT(count_kind(top, CD_I_CORE_MODULE) == 0);
    /* The runner: 8 imports, two core modules, 15 lowered functions
     * and one lift. */
    const cd_comp *runner = NULL;
    for (uint32_t i = 0, k = 0; i < top->nitems; i++)
        if (top->items[i].kind == CD_I_COMPONENT && k++ == 2)
            runner = top->items[i].comp;
    EXPECT(runner && count_kind(runner, CD_I_IMPORT) == 8);
    EXPECT(runner && count_kind(runner, CD_I_CORE_MODULE) == 2);
    EXPECT(runner && count_kind(runner, CD_I_CANON) == 16);
    EXPECT(cm_is_component(w, len));
    EXPECT(!cm_is_component(w, 7));
    cm_component_free(c);
}

/* ---- end to end ------------------------------------------------------------ */

/* The resolved types: stats' functions take a borrow of the resource the
 * stats instance defines, named by its export; the host's resources are
 * the host's own. */
static void check_types(cm_instance *top, fake *f)
{
    lk_scope *sc = top->link->scope;
    EXPECT(top->link->root->ninsts == 4);
    /* six imports, three instantiations, one bag and its export */
    EXPECT(sc->sp[LK_INST].n == 11 && sc->sp[LK_COMP].n == 3);
    if (sc->sp[LK_INST].n < 7)
        return;
    const lk_bag *stats = sc->sp[LK_INST].p[6];
    const lk_export *mean = lk_bag_find(stats, "get-mean", 8);
    const lk_export *res = lk_bag_find(stats, "online-stats", 12);
    EXPECT(mean && mean->sort == CD_FUNC && res && res->sort == CD_TYPE);
    if (!mean || !res)
        return;
    const cm_func *fn = mean->p;
    const lk_type *rt = res->p;
    EXPECT(fn->type->nparams == 1 && fn->type->nresults == 1);
    EXPECT(fn->type->params[0].type->kind == CM_BORROW);
    EXPECT(fn->type->result->kind == CM_F64);
    EXPECT(rt->kind == LK_T_RESOURCE &&
           fn->type->params[0].type->res == rt->res);
    EXPECT(strcmp(rt->res->name, "online-stats") == 0);
    EXPECT(rt->res->impl == fn->inst && fn->inst != top);
    const lk_bag *streams = sc->sp[LK_INST].p[2];
    const lk_export *os = lk_bag_find(streams, "output-stream", 13);
    EXPECT(os && ((const lk_type *)os->p)->res == &f->stream);
}

static void run_once(rt_engine *e, const cm_component *c, fake *f)
{
    err_t err;
    err_clear(&err);
    rt_store *s = rt_store_new(e);
    s->fuel = UINT64_MAX;
    cm_host h = fake_host(f);
    rt_trap *trap = NULL;
    cm_instance *i = cm_instance_new(s, c, &h, &trap, &err);
    CHECK(i != NULL, "cm_instance_new: %s", trap ? trap->message : err.msg);
    if (i) {
        check_types(i, f);
        const cm_func *run = cm_instance_func(i, "wasi:cli/run@0.2.6", "run");
        EXPECT(run != NULL);
        EXPECT(cm_instance_func(i, "wasi:cli/run@0.2.6", "nope") == NULL);
        EXPECT(cm_instance_func(i, NULL, "run") == NULL);
        if (run) {
            EXPECT(cm_func_nparams(run) == 0 && cm_func_nresults(run) == 1);
            cm_val result;
            memset(&result, 0, sizeof result);
            trap = cm_call(s, run, NULL, 0, &result, 1, &err);
            CHECK(trap == NULL, "run trapped: %s",
                  trap ? trap->message : "");
            EXPECT(result.kind == CM_RESULT && result.u.var.tag == 0);
            cm_val_free(&s->mem, &result);
        }
        cm_instance_free(i);
    }
    if (trap)
        rt_trap_free(trap);
    rt_store_free(s);
}

static void test_run(rt_engine *e, const uint8_t *w, size_t len)
{
    err_t err;
    err_clear(&err);
    cm_component *c = cm_component_new(e, w, len, &err);
    if (!c)
        return;
    fake f;
    fake_init(&f, "42,1000\n");
    run_once(e, c, &f);
    EXPECT(f.bench_calls == 2);
    CHECK(strncmp(f.out, "mean 0.", 7) == 0 && strstr(f.out, "\nmax 0."),
          "output: %s", f.out);
    /* The same component runs again in a new store, the same way. */
    char first[4096];
    memcpy(first, f.out, sizeof first);
    fake_init(&f, "42,1000\n");
    run_once(e, c, &f);
    EXPECT(strcmp(first, f.out) == 0);
    /* A host without bench: a clear link error. */
    fake_init(&f, "42,1000\n");
    f.no_bench = true;
    rt_store *s = rt_store_new(e);
    cm_host h = fake_host(&f);
    rt_trap *trap = NULL;
    err_clear(&err);
    cm_instance *i = cm_instance_new(s, c, &h, &trap, &err);
    EXPECT(i == NULL && trap == NULL);
    CHECK(strcmp(err.msg, "unknown import: bench::start") == 0, "%s",
          err.msg);
    rt_store_free(s);
    cm_component_free(c);
}

/* ---- refusals --------------------------------------------------------------- */

static void expect_error(rt_engine *e, const uint8_t *b, size_t n,
                         const char *want)
{
    err_t err;
    err_clear(&err);
    cm_component *c = cm_component_new(e, b, n, &err);
    CHECK(c == NULL && strstr(err.msg, want), "want \"%s\", got \"%s\"",
          want, err.msg);
    cm_component_free(c);
}

static void test_refusals(rt_engine *e)
{
#define PRE 0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00
    const uint8_t start[] = {PRE, 9, 3, 0, 0, 0};
    const uint8_t utf16[] = {PRE, 8, 6, 1, 1, 0, 0, 1, 1};
    const uint8_t async[] = {PRE, 8, 3, 1, 0x08, 0x00};
    const uint8_t value[] = {PRE, 12, 1, 0};
    const uint8_t badsec[] = {PRE, 13, 0};
    const uint8_t toomany[] = {PRE, 7, 2, 0xff, 0x01};
    const uint8_t core[] = {0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0};
    expect_error(e, start, sizeof start, "unsupported start section");
    expect_error(e, utf16, sizeof utf16, "unsupported string encoding utf16");
    expect_error(e, async, sizeof async, "component: unsupported canon");
    expect_error(e, value, sizeof value, "unsupported value section");
    expect_error(e, badsec, sizeof badsec, "unknown section id 13");
    expect_error(e, toomany, sizeof toomany, "exceeds the section");
    expect_error(e, core, sizeof core, "not a component");
    /* An empty component instantiates and exports nothing. */
    const uint8_t empty[] = {PRE};
    err_t err;
    err_clear(&err);
    cm_component *c = cm_component_new(e, empty, sizeof empty, &err);
    EXPECT(c != NULL);
    if (c) {
        rt_store *s = rt_store_new(e);
        cm_instance *i = cm_instance_new(s, c, NULL, NULL, &err);
        EXPECT(i != NULL && cm_instance_func(i, NULL, "run") == NULL);
        cm_instance_free(i);
        rt_store_free(s);
        cm_component_free(c);
    }
}

/* Instantiates bytes with no host: NULL or the link error. */
static bool link_bytes(rt_engine *e, const uint8_t *b, size_t n, err_t *err)
{
    err_clear(err);
    cm_component *c = cm_component_new(e, b, n, err);
    if (!c)
        return false;
    rt_store *s = rt_store_new(e);
    cm_instance *i = cm_instance_new(s, c, NULL, NULL, err);
    bool ok = i != NULL;
    cm_instance_free(i);
    rt_store_free(s);
    cm_component_free(c);
    return ok;
}

/* Outer aliases see what their enclosing component had defined before
 * them, never the component they are in (that would recurse). */
static void test_outer_alias(rt_engine *e)
{
    const uint8_t self[] = {
        PRE,
        4, 21, PRE, 6, 5, 1, 0x04, 0x02, 1, 0, 5, 4, 1, 0, 0, 0,
        5, 4, 1, 0, 0, 0,
    };
    const uint8_t earlier[] = {
        PRE,
        4, 8, PRE,
        4, 21, PRE, 6, 5, 1, 0x04, 0x02, 1, 0, 5, 4, 1, 0, 0, 0,
        5, 4, 1, 0, 1, 0,
    };
    err_t err;
    EXPECT(!link_bytes(e, self, sizeof self, &err));
    CHECK(strstr(err.msg, "outer alias of a component not yet defined"),
          "%s", err.msg);
    CHECK(link_bytes(e, earlier, sizeof earlier, &err), "%s", err.msg);
    /* A missing argument of a nested instantiation. */
    const uint8_t missing[] = {
        PRE,
        4, 16, PRE, 10, 6, 1, 0x00, 0x01, 'x', 0x03, 0x01,
        5, 4, 1, 0, 0, 0,
    };
    EXPECT(!link_bytes(e, missing, sizeof missing, &err));
    CHECK(strstr(err.msg, "missing instantiation argument x"), "%s",
          err.msg);
    /* An instance argument without an export the import declares. */
    const uint8_t lacking[] = {
        PRE,
        4, 32, PRE,
        7, 14, 1, 0x42, 2, 0x01, 0x40, 0, 0x01, 0, 0x04, 0, 1, 'f', 0x01, 0,
        10, 6, 1, 0, 1, 'x', 0x05, 0,
        5, 3, 1, 0x01, 0,
        5, 8, 1, 0x00, 0, 1, 1, 'x', 0x05, 0,
    };
    EXPECT(!link_bytes(e, lacking, sizeof lacking, &err));
    CHECK(strstr(err.msg, "argument x lacks the export f"), "%s", err.msg);
}

/* ---- bad bytes --------------------------------------------------------------- */

static unsigned n_decoded, n_instantiated, n_ran;

/* Decodes and, when that works, instantiates and runs: each may fail,
 * cleanly. */
static bool try_bytes(rt_engine *e, const uint8_t *b, size_t n)
{
    err_t err;
    err_clear(&err);
    cm_component *c = cm_component_new(e, b, n, &err);
    if (!c)
        return strncmp(err.msg, "component: ", 11) == 0;
    fake f;
    fake_init(&f, "1,10\n");
    cm_host h = fake_host(&f);
    rt_store *s = rt_store_new(e);
    rt_trap *trap = NULL;
    err_clear(&err);
    cm_instance *i = cm_instance_new(s, c, &h, &trap, &err);
    bool ok = i != NULL || trap != NULL || err_failed(&err);
    n_decoded++;
    if (i) {
        /* Run every 10th too (a store's first call maps its stacks: the
         * costly part), on a little fuel: mutated code may loop. */
        n_instantiated++;
        const cm_func *run = cm_instance_func(i, "wasi:cli/run@0.2.6", "run");
        s->fuel = 200000;
        if (run && cm_func_nparams(run) == 0 &&
            cm_func_nresults(run) == 1 && n_instantiated % 10 == 0) {
            cm_val result;
            memset(&result, 0, sizeof result);
            rt_trap *t = cm_call(s, run, NULL, 0, &result, 1, &err);
            if (t)
                rt_trap_free(t);
            else
                cm_val_free(&s->mem, &result);
            n_ran++;
        }
    }
    cm_instance_free(i);
    if (trap)
        rt_trap_free(trap);
    rt_store_free(s);
    cm_component_free(c);
    return ok;
}

static void test_mutations(rt_engine *e, const uint8_t *w, size_t len,
                           unsigned step)
{
    uint8_t *b = malloc(len);
    unsigned bad = 0, tried = 0;
    for (size_t cut = 0; cut < len; cut++) {
        bad += !try_bytes(e, w, cut);
        tried++;
    }
    memcpy(b, w, len);
    for (size_t bit = 0; bit < len * 8; bit += step) {
        b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        bad += !try_bytes(e, b, len);
        b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        tried++;
    }
    CHECK(bad == 0, "%u of %u mutations gave no clean result", bad, tried);
    printf("%u mutations: %u decoded, %u instantiated, %u ran\n", tried,
           n_decoded, n_instantiated, n_ran);
    free(b);
}

/* ---- allocation failures ---------------------------------------------------- */

/* One pass of engine, component, store and instance, everything freed;
 * false with a message when something failed. */
static bool oom_pass(const uint8_t *w, size_t len, char *why, size_t n)
{
    rt_config cfg;
    rt_config_default(&cfg);
    cfg.parallel_compilation = false;
    cfg.memory_reservation = 1u << 20;
    cfg.memory_guard = 0;
    cfg.signals_based_traps = false;
    rt_engine *e = rt_engine_new(&cfg);
    if (!e) {
        snprintf(why, n, "no engine");
        return false;
    }
    err_t err;
    err_clear(&err);
    rt_trap *trap = NULL;
    cm_instance *i = NULL;
    rt_store *s = NULL;
    cm_component *c = cm_component_new(e, w, len, &err);
    if (c)
        s = rt_store_new(e);
    if (s) {
        fake f;
        fake_init(&f, "1,1\n");
        cm_host h = fake_host(&f);
        i = cm_instance_new(s, c, &h, &trap, &err);
    }
    snprintf(why, n, "%s", trap ? trap->message : err.msg);
    if (c && !s)
        snprintf(why, n, "no store");
    bool ok = i != NULL;
    cm_instance_free(i);
    if (trap)
        rt_trap_free(trap);
    rt_store_free(s);
    cm_component_free(c);
    rt_engine_free(e);
    return ok;
}

/* Makes request N fail, for N = 0, 1, ... until a pass succeeds without
 * reaching it: each failure a clean error, counters back to zero. */
static void test_oom(const uint8_t *w, size_t len)
{
    unsigned unclean = 0, leaks = 0;
    long n = 0;
    for (; n < 100000; n++) {
        char why[ERR_MSG_MAX + 16] = "", leak[128];
        mem_fail_at(n);
        bool ok = oom_pass(w, len, why, sizeof why);
        long used = mem_fail_at(-1);
        if (!rt_stats_all_zero(leak, sizeof leak) && leaks++ < 3)
            printf("request %ld failing: %s\n", n, leak);
        if (used <= n) {
            CHECK(ok, "the pass without failure: %s", why);
            break;
        }
        if (!ok && !why[0] && unclean++ < 3)
            printf("request %ld failing: no message\n", n);
    }
    EXPECT(leaks == 0 && unclean == 0);
    printf("allocation failures: %ld requests, each failed in turn\n", n);
}

int main(void)
{
    const char *bench = getenv("EBB_BENCH");
    char path[1024];
    snprintf(path, sizeof path, "%s" WASM_PATH,
             bench ? bench : "../shared/bench/sightglass");
    size_t len = 0;
    uint8_t *w = test_read_file(path, &len);
    CHECK(w != NULL, "cannot read %s", path);
    /* Small reservations: the mutation loop makes thousands of stores. */
    rt_config cfg;
    rt_config_default(&cfg);
    cfg.memory_reservation = 1u << 20;
    cfg.memory_guard = 0;
    cfg.signals_based_traps = false;
    cfg.consume_fuel = true;
    rt_engine *e = rt_engine_new(&cfg);
    test_refusals(e);
    test_outer_alias(e);
    if (w) {
        test_structure(e, w, len);
        test_run(e, w, len);
        const char *step = getenv("CM_LINK_STEP");
        test_mutations(e, w, len, step ? (unsigned)atoi(step) : 7);
    }
    rt_engine_free(e);
    if (w)
        test_oom(w, len);       /* counts need nothing else alive */
    char what[256];
    CHECK(rt_stats_all_zero(what, sizeof what), "live after all: %s", what);
    free(w);
    return check_summary();
}
