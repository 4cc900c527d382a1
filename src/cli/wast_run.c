/* `ebb wast`: runs WebAssembly spec scripts. Each script gets a fresh
 * engine and store; modules are linked by name against the `spectest`
 * host module and the instances the script registered. Every command that
 * checks something counts as one assertion; failures are printed as
 * FILE:LINE: message, then a summary per file and a closing line. After a
 * script, ebb's memory counters must be back to zero (also an assertion). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "text/wast.h"

typedef struct named {
    const char *name;          /* borrowed from the script */
    size_t len;
    rt_instance *inst;
} named;

typedef struct runner {
    const char *file;
    mem_owner mem;             /* the runner's own bookkeeping */
    rt_engine *engine;
    rt_store *store;
    spectest *spectest;
    named *ids;                /* $id -> instance */
    size_t nids, cap_ids;
    named *registered;         /* register "name" -> instance */
    size_t nregistered, cap_registered;
    rt_instance *current;      /* the latest module */
    unsigned passed, failed;
} runner;

static void fail(runner *r, const wast_command *c, const char *fmt, ...)
    ERR_PRINTF(3, 4);

#include <stdarg.h>
static void fail(runner *r, const wast_command *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s:%u: ", r->file, c->line);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
    r->failed++;
}

static bool add_named(runner *r, named **arr, size_t *n, size_t *cap,
                      const char *name, size_t len, rt_instance *inst)
{
    /* A later definition shadows an earlier one of the same name. */
    for (size_t i = 0; i < *n; i++) {
        if ((*arr)[i].len == len && !memcmp((*arr)[i].name, name, len)) {
            (*arr)[i].inst = inst;
            return true;
        }
    }
    if (!mem_grow_array(&r->mem, MEM_HOST, (void **)arr, cap, *n + 1,
                        sizeof **arr))
        return false;
    (*arr)[(*n)++] = (named){name, len, inst};
    return true;
}

static rt_instance *find_named(const named *arr, size_t n, const char *name,
                               size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (arr[i].len == len && !memcmp(arr[i].name, name, len))
            return arr[i].inst;
    return NULL;
}

static rt_instance *instance_for(runner *r, const char *id)
{
    if (!id)
        return r->current;
    return find_named(r->ids, r->nids, id, strlen(id));
}

/* ---- values ------------------------------------------------------------ */

static uint64_t arg_cell(const wast_value *v)
{
    switch (v->kind) {
    case WV_FUNCREF: return 0; /* only ref.null func can be written */
    case WV_EXTERNREF: return v->pattern == WP_REF_NULL ? 0 : v->bits + 1;
    default: return v->bits;
    }
}

static uint8_t value_type(const wast_value *v)
{
    static const uint8_t types[] = {
        [WV_I32] = VT_I32, [WV_I64] = VT_I64, [WV_F32] = VT_F32,
        [WV_F64] = VT_F64, [WV_V128] = VT_V128, [WV_FUNCREF] = VT_FUNCREF,
        [WV_EXTERNREF] = VT_EXTERNREF};
    return types[v->kind];
}

static bool f32_matches(uint8_t pattern, uint32_t b, uint32_t want)
{
    if (pattern == WP_NAN_CANONICAL)
        return (b & 0x7fffffffu) == 0x7fc00000u;
    if (pattern == WP_NAN_ARITHMETIC)
        return (b & 0x7fc00000u) == 0x7fc00000u;
    return b == want;
}

static bool f64_matches(uint8_t pattern, uint64_t b, uint64_t want)
{
    if (pattern == WP_NAN_CANONICAL)
        return (b & 0x7fffffffffffffffull) == 0x7ff8000000000000ull;
    if (pattern == WP_NAN_ARITHMETIC)
        return (b & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
    return b == want;
}

/* A v128 result (two cells) against the expected value, lane by lane in
 * the shape it was written in: float lanes may be NaN patterns. */
static bool v128_matches(const wast_value *want, const uint64_t *cells)
{
    const uint64_t w[2] = {want->bits, want->bits_hi};
    switch (want->shape) {
    case WS_F32X4:
        for (int i = 0; i < 4; i++)
            if (!f32_matches(want->lane_patterns[i],
                             (uint32_t)(cells[i / 2] >> (32 * (i % 2))),
                             (uint32_t)(w[i / 2] >> (32 * (i % 2)))))
                return false;
        return true;
    case WS_F64X2:
        for (int i = 0; i < 2; i++)
            if (!f64_matches(want->lane_patterns[i], cells[i], w[i]))
                return false;
        return true;
    default: /* integer lanes: the bits */
        return cells[0] == w[0] && cells[1] == w[1];
    }
}

/* `cells` holds the result's cells (two for a v128). */
static bool value_matches(const wast_value *want, const uint64_t *cells)
{
    uint64_t cell = cells[0];
    switch (want->kind) {
    case WV_V128:
        return v128_matches(want, cells);
    case WV_I32:
        return (uint32_t)cell == (uint32_t)want->bits;
    case WV_I64:
        return cell == want->bits;
    case WV_F32: {
        uint32_t b = (uint32_t)cell;
        if (want->pattern == WP_NAN_CANONICAL)
            return (b & 0x7fffffffu) == 0x7fc00000u;
        if (want->pattern == WP_NAN_ARITHMETIC)
            return (b & 0x7fc00000u) == 0x7fc00000u;
        return b == (uint32_t)want->bits;
    }
    case WV_F64:
        if (want->pattern == WP_NAN_CANONICAL)
            return (cell & 0x7fffffffffffffffull) == 0x7ff8000000000000ull;
        if (want->pattern == WP_NAN_ARITHMETIC)
            return (cell & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
        return cell == want->bits;
    case WV_FUNCREF:
    case WV_EXTERNREF:
        if (want->pattern == WP_REF_NULL)
            return cell == 0;
        if (want->pattern == WP_REF_ANY)
            return cell != 0;
        return cell == arg_cell(want);
    default:
        return false;
    }
}

static void format_cell(char *buf, size_t n, uint8_t type,
                        const uint64_t *cells)
{
    uint64_t cell = cells[0];
    switch (type) {
    case VT_V128:
        snprintf(buf, n, "v128:0x%016" PRIx64 "%016" PRIx64, cells[1],
                 cells[0]);
        break;
    case VT_I32: snprintf(buf, n, "i32:0x%08" PRIx32, (uint32_t)cell); break;
    case VT_I64: snprintf(buf, n, "i64:0x%016" PRIx64, cell); break;
    case VT_F32: snprintf(buf, n, "f32:0x%08" PRIx32, (uint32_t)cell); break;
    case VT_F64: snprintf(buf, n, "f64:0x%016" PRIx64, cell); break;
    case VT_FUNCREF: snprintf(buf, n, cell ? "ref.func" : "ref.null func"); break;
    case VT_EXTERNREF:
        if (cell)
            snprintf(buf, n, "ref.extern %" PRIu64, cell - 1);
        else
            snprintf(buf, n, "ref.null extern");
        break;
    default: snprintf(buf, n, "?"); break;
    }
}

/* ---- modules ----------------------------------------------------------- */

/* Resolves the module's imports by name into `out` (import order).
 * false with "unknown import" when one is missing. */
static bool resolve_imports(runner *r, const rt_module *m, rt_extern *out,
                            err_t *err)
{
    for (uint32_t i = 0; i < m->desc.nimports; i++) {
        const import_desc *im = &m->desc.imports[i];
        bool found = false;
        if (im->module_len == 8 && !memcmp(im->module, "spectest", 8) &&
            !find_named(r->registered, r->nregistered, "spectest", 8)) {
            found = spectest_lookup(r->spectest, im->name, im->name_len,
                                    &out[i]);
        } else {
            rt_instance *inst = find_named(r->registered, r->nregistered,
                                           im->module, im->module_len);
            found = inst && rt_instance_export(inst, im->name, im->name_len,
                                               &out[i]);
        }
        if (!found)
            return err_set(err, "unknown import %.*s::%.*s",
                           (int)im->module_len, im->module,
                           (int)im->name_len, im->name);
    }
    return true;
}

typedef enum stage { STAGE_TEXT, STAGE_COMPILE, STAGE_LINK, STAGE_TRAP,
                     STAGE_OK } stage;

/* Takes a script module as far as it goes: text, compile, link,
 * instantiate. Returns the stage reached; the message in `err`. */
static stage instantiate(runner *r, const wast_module *wm, rt_instance **out,
                         err_t *err)
{
    *out = NULL;
    if (!wm->bytes) {
        err_set(err, "%s", wm->text_error ? wm->text_error : "text error");
        return STAGE_TEXT;
    }
    rt_module *m = rt_module_new(r->engine, wm->bytes, wm->len, err);
    if (!m)
        return STAGE_COMPILE;
    stage st = STAGE_LINK;
    uint32_t n = m->desc.nimports;
    rt_extern *imports = mem_calloc(&r->mem, MEM_HOST, n + 1, sizeof *imports);
    if (!imports) {
        err_set(err, "out of memory");
    } else if (resolve_imports(r, m, imports, err)) {
        rt_trap *trap = NULL;
        *out = rt_instance_new(r->store, m, imports, n, &trap, err);
        if (*out) {
            st = STAGE_OK;
        } else if (trap) {
            err_set(err, "%s", trap->message);
            rt_trap_free(trap);
            st = STAGE_TRAP;
        }
    }
    mem_free(&r->mem, MEM_HOST, imports);
    rt_module_release(m); /* instances keep their own reference */
    return st;
}

static const char *stage_name(stage s)
{
    static const char *const names[] = {"text", "compile", "link",
                                        "instantiation", "ok"};
    return names[s];
}

/* ---- actions ----------------------------------------------------------- */

/* Runs an action. Returns false when it could not be run at all (message
 * in err); otherwise *trap is the trap or NULL, results in `results`. */
static bool perform(runner *r, const wast_action *a, uint64_t *results,
                    uint32_t max_results, uint32_t *nresults,
                    const uint8_t **result_types, rt_trap **trap, err_t *err)
{
    *trap = NULL;
    rt_instance *inst = instance_for(r, a->module_id);
    if (!inst)
        return err_set(err, "no module %s to act on",
                       a->module_id ? a->module_id : "(the last one failed)");
    rt_extern ex;
    if (!rt_instance_export(inst, a->field, a->field_len, &ex))
        return err_set(err, "no export \"%.*s\"", (int)a->field_len, a->field);
    if (a->kind == WA_GET) {
        if (ex.kind != EXTERN_GLOBAL)
            return err_set(err, "export \"%s\" is not a global", a->field);
        results[0] = ex.u.global->value;
        results[1] = ex.u.global->value_hi;
        *nresults = 1;
        *result_types = &ex.u.global->type.type;
        return true;
    }
    if (ex.kind != EXTERN_FUNC)
        return err_set(err, "export \"%s\" is not a function", a->field);
    const functype *ft = ex.u.func->type;
    if (ft->nparams != a->nargs)
        return err_set(err, "\"%s\" takes %u arguments, %u given", a->field,
                       ft->nparams, a->nargs);
    if (valtypes_cells(functype_results(ft), ft->nresults) > max_results)
        return err_set(err, "too many results");
    uint64_t args[64];
    if (valtypes_cells(functype_params(ft), ft->nparams) > 64)
        return err_set(err, "too many arguments");
    /* A v128 argument takes two cells, its low half first. */
    for (uint32_t i = 0, k = 0; i < a->nargs; i++) {
        if (value_type(&a->args[i]) != functype_params(ft)[i])
            return err_set(err, "argument %u has the wrong type", i);
        args[k++] = arg_cell(&a->args[i]);
        if (a->args[i].kind == WV_V128)
            args[k++] = a->args[i].bits_hi;
    }
    *trap = rt_call(r->store, ex.u.func, args, results);
    *nresults = ft->nresults;
    *result_types = functype_results(ft);
    return true;
}

#define MAX_RESULTS 256

static void run_action(runner *r, const wast_command *c)
{
    uint64_t results[MAX_RESULTS];
    uint32_t n;
    const uint8_t *types;
    rt_trap *trap;
    err_t err;
    err_clear(&err);
    if (!perform(r, &c->action, results, MAX_RESULTS, &n, &types, &trap, &err)) {
        fail(r, c, "%s", err.msg);
        return;
    }
    if (trap) {
        fail(r, c, "unexpected trap: %s", trap->message);
        rt_trap_free(trap);
        return;
    }
    if (c->kind == WC_ACTION) {
        r->passed++;
        return;
    }
    if (n != c->nexpected) {
        fail(r, c, "expected %u results, got %u", c->nexpected, n);
        return;
    }
    for (uint32_t i = 0, k = 0; i < n; k += valtype_cells(types[i++])) {
        if (value_type(&c->expected[i]) != types[i] ||
            !value_matches(&c->expected[i], &results[k])) {
            char got[64];
            format_cell(got, sizeof got, types[i], &results[k]);
            const wast_value *e = &c->expected[i];
            if (e->kind == WV_V128) {
                fail(r, c, "result %u: got %s, expected v128:0x%016" PRIx64
                     "%016" PRIx64 " (shape %u)", i, got, e->bits_hi, e->bits,
                     e->shape);
                return;
            }
            fail(r, c, "result %u: got %s, expected %s0x%" PRIx64, i, got,
                 e->pattern == WP_NAN_CANONICAL ? "nan:canonical "
                 : e->pattern == WP_NAN_ARITHMETIC ? "nan:arithmetic "
                 : "", e->bits);
            return;
        }
    }
    r->passed++;
}

static void expect_trap(runner *r, const wast_command *c)
{
    uint64_t results[MAX_RESULTS];
    uint32_t n;
    const uint8_t *types;
    rt_trap *trap;
    err_t err;
    err_clear(&err);
    if (!perform(r, &c->action, results, MAX_RESULTS, &n, &types, &trap, &err)) {
        fail(r, c, "%s", err.msg);
        return;
    }
    if (!trap) {
        fail(r, c, "expected trap \"%s\", got a result", c->message);
        return;
    }
    if (strstr(trap->message, c->message))
        r->passed++;
    else
        fail(r, c, "expected trap \"%s\", got \"%s\"", c->message,
             trap->message);
    rt_trap_free(trap);
}

/* ---- commands ---------------------------------------------------------- */

static void define_module(runner *r, const wast_command *c)
{
    rt_instance *inst;
    err_t err;
    err_clear(&err);
    stage st = instantiate(r, &c->module, &inst, &err);
    if (st != STAGE_OK) {
        /* Later actions must not silently run in an older module. */
        r->current = NULL;
        fail(r, c, "module failed (%s): %s", stage_name(st), err.msg);
        return;
    }
    r->current = inst;
    if (c->module.id && !add_named(r, &r->ids, &r->nids, &r->cap_ids,
                                   c->module.id, strlen(c->module.id), inst)) {
        fail(r, c, "out of memory");
        return;
    }
    r->passed++;
}

static void expect_module_failure(runner *r, const wast_command *c,
                                  stage want)
{
    rt_instance *inst;
    err_t err;
    err_clear(&err);
    stage st = instantiate(r, &c->module, &inst, &err);
    bool text_malformed = c->kind == WC_ASSERT_MALFORMED &&
                          c->module.kind != WM_BINARY;
    if (text_malformed) {
        /* The text format's messages are ebb's own: a rejection suffices. */
        if (st == STAGE_TEXT || st == STAGE_COMPILE)
            r->passed++;
        else
            fail(r, c, "malformed text module accepted");
        return;
    }
    if (st == STAGE_OK) {
        fail(r, c, "expected failure \"%s\", module succeeded", c->message);
        return;
    }
    /* A module rejected one stage early with the expected text still
     * shows the expected problem (e.g. a symbolic name the text parser
     * already finds unknown). */
    bool stage_ok = st == want || (want == STAGE_COMPILE && st == STAGE_TEXT);
    if (stage_ok && strstr(err.msg, c->message))
        r->passed++;
    else
        fail(r, c, "expected %s failure \"%s\", got %s failure \"%s\"",
             stage_name(want), c->message, stage_name(st), err.msg);
}

static void do_register(runner *r, const wast_command *c)
{
    rt_instance *inst = instance_for(r, c->module.id);
    if (!inst) {
        fail(r, c, "register: no module %s", c->module.id ? c->module.id : "");
        return;
    }
    if (!add_named(r, &r->registered, &r->nregistered, &r->cap_registered,
                   c->register_name, c->register_name_len, inst)) {
        fail(r, c, "out of memory");
        return;
    }
    r->passed++;
}

static void run_command(runner *r, const wast_command *c)
{
    switch (c->kind) {
    case WC_MODULE: define_module(r, c); break;
    case WC_REGISTER: do_register(r, c); break;
    case WC_ACTION:
    case WC_ASSERT_RETURN: run_action(r, c); break;
    case WC_ASSERT_TRAP:
        if (c->has_module)
            expect_module_failure(r, c, STAGE_TRAP);
        else
            expect_trap(r, c);
        break;
    case WC_ASSERT_EXHAUSTION: expect_trap(r, c); break;
    case WC_ASSERT_INVALID:
    case WC_ASSERT_MALFORMED: expect_module_failure(r, c, STAGE_COMPILE); break;
    case WC_ASSERT_UNLINKABLE: expect_module_failure(r, c, STAGE_LINK); break;
    case WC_ASSERT_UNINSTANTIABLE: expect_module_failure(r, c, STAGE_TRAP); break;
    default: fail(r, c, "unknown command"); break;
    }
}

/* Runs one script; adds its counts to *passed / *failed. */
static void run_script(const char *path, const rt_config *cfg,
                       unsigned *passed, unsigned *failed)
{
    runner r;
    memset(&r, 0, sizeof r);
    r.file = path;
    mem_owner_init(&r.mem, MEM_OWNER_ENGINE);
    wast_command none = {.line = 0};
    err_t err;
    err_clear(&err);

    uint8_t *src = NULL;
    size_t len = 0;
    wast_script script = {0};
    bool parsed = false;
    r.engine = rt_engine_new(cfg);
    if (!r.engine || !(r.store = rt_store_new(r.engine)) ||
        !(r.spectest = spectest_new(r.store))) {
        fail(&r, &none, "cannot create the engine");
        goto out;
    }
    if (!cli_read_file(&r.mem, path, &src, &len, &err)) {
        fail(&r, &none, "%s", err.msg);
        goto out;
    }
    if (!wast_parse(&r.mem, (const char *)src, len, &script, &err)) {
        fail(&r, &none, "%s", err.msg);
        goto out;
    }
    parsed = true;
    for (uint32_t i = 0; i < script.ncommands; i++)
        run_command(&r, &script.commands[i]);
out:
    if (r.spectest)
        spectest_free(r.store, r.spectest);
    if (r.store)
        rt_store_free(r.store);
    if (r.engine)
        rt_engine_free(r.engine);
    if (parsed)
        wast_script_free(&r.mem, &script);
    mem_free(&r.mem, MEM_HOST, src);
    mem_free(&r.mem, MEM_HOST, r.ids);
    mem_free(&r.mem, MEM_HOST, r.registered);
    /* Everything the script made must be given back, in every category
     * of every kind of owner. */
    char leak[128];
    size_t live = mem_global_live();
    if (live)
        fail(&r, &none, "%zu bytes still allocated after the script", live);
    else if (!rt_stats_all_zero(leak, sizeof leak))
        fail(&r, &none, "counters not zero after the script: %s", leak);
    else
        r.passed++;
    printf("%s: %u passed, %u failed\n", path, r.passed, r.failed);
    *passed += r.passed;
    *failed += r.failed;
}

int cmd_wast(int argc, char **argv)
{
    /* --bounds-checks: no signal handler, every memory access checked;
     * --serial: no compile workers. Both modes must pass every script. */
    rt_config cfg;
    rt_config_default(&cfg);
    int first = 0;
    for (; first < argc && argv[first][0] == '-'; first++) {
        if (!strcmp(argv[first], "--bounds-checks"))
            cfg.signals_based_traps = false;
        else if (!strcmp(argv[first], "--serial"))
            cfg.parallel_compilation = false;
        else
            break;
    }
    if (argc - first < 1) {
        fputs("usage: ebb wast [--bounds-checks] [--serial] FILE...\n",
              stderr);
        return EXIT_USAGE;
    }
    unsigned passed = 0, failed = 0;
    for (int i = first; i < argc; i++)
        run_script(argv[i], &cfg, &passed, &failed);
    printf("%u passed, %u failed\n", passed, failed);
    fflush(stdout);
    return failed ? 1 : 0;
}
