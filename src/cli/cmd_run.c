/* `ebb run` (a module, as a WASI command or one exported function) and
 * `ebb validate`. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "component/component.h"
#include "wasi/wasi.h"

static int run_usage(void)
{
    fputs("usage: ebb run [--dir HOST[::GUEST]]... [--env NAME[=VAL]]...\n"
          "               [--invoke NAME] [--fuel N] [--timeout DURATION]\n"
          "               [--] FILE [ARGS...]\n", stderr);
    return EXIT_USAGE;
}

/* A v128 as one 128-bit hexadecimal number, 0x and up to 32 digits (lane
 * 0 in the low bytes): two cells, the low half first. */
static bool parse_v128(const char *s, uint64_t *cell)
{
    if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
        return false;
    s += 2;
    size_t n = strlen(s);
    if (n == 0 || n > 32)
        return false;
    cell[0] = cell[1] = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        int d = ch >= '0' && ch <= '9' ? ch - '0'
              : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
              : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
        if (d < 0)
            return false;
        cell[1] = cell[1] << 4 | cell[0] >> 60;
        cell[0] = cell[0] << 4 | (uint64_t)d;
    }
    return true;
}

/* Parses one command-line argument as a value of type t into its cell(s). */
static bool parse_arg(const char *s, uint8_t t, uint64_t *cell)
{
    char *end;
    errno = 0;
    switch (t) {
    case VT_I32: {
        long long v = strtoll(s, &end, 0);
        if (*s == 0 || *end || errno || v < INT32_MIN || v > UINT32_MAX)
            return false;
        *cell = (uint32_t)v;
        return true;
    }
    case VT_I64: {
        if (*s == '-') {
            long long v = strtoll(s, &end, 0);
            if (*end || errno)
                return false;
            *cell = (uint64_t)v;
        } else {
            unsigned long long v = strtoull(s, &end, 0);
            if (*s == 0 || *end || errno)
                return false;
            *cell = v;
        }
        return true;
    }
    case VT_F32: {
        float v = strtof(s, &end);
        if (*s == 0 || *end)
            return false;
        uint32_t bits;
        memcpy(&bits, &v, 4);
        *cell = bits;
        return true;
    }
    case VT_F64: {
        double v = strtod(s, &end);
        if (*s == 0 || *end)
            return false;
        memcpy(cell, &v, 8);
        return true;
    }
    case VT_V128:
        return parse_v128(s, cell);
    default:
        return false;
    }
}

/* Shortest decimal that reads back as the same double. */
static void print_double(double d)
{
    char buf[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    puts(buf);
}

static void print_float(float f)
{
    char buf[40];
    for (int prec = 1; prec <= 9; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, (double)f);
        if (strtof(buf, NULL) == f)
            break;
    }
    puts(buf);
}

/* Prints one result from its cell(s); a v128 as 0x and 32 hex digits. */
static void print_result(uint8_t t, const uint64_t *cells)
{
    uint64_t cell = cells[0];
    switch (t) {
    case VT_V128:
        printf("0x%016" PRIx64 "%016" PRIx64 "\n", cells[1], cells[0]);
        break;
    case VT_I32: printf("%" PRId32 "\n", (int32_t)(uint32_t)cell); break;
    case VT_I64: printf("%" PRId64 "\n", (int64_t)cell); break;
    case VT_F32: {
        uint32_t bits = (uint32_t)cell;
        float f;
        memcpy(&f, &bits, 4);
        print_float(f);
        break;
    }
    case VT_F64: {
        double d;
        memcpy(&d, &cell, 8);
        print_double(d);
        break;
    }
    case VT_FUNCREF: puts(cell ? "ref.func" : "ref.null func"); break;
    case VT_EXTERNREF: puts(cell ? "ref.extern" : "ref.null extern"); break;
    default: puts("?"); break;
    }
}

/* Prints a trap and its backtrace (innermost first) with the function
 * names of the module's name section where it has them. */
static void report_trap(const rt_trap *t)
{
    fprintf(stderr, "ebb: trap: %s\n", t->message);
    if (t->nframes)
        fputs("backtrace:\n", stderr);
    for (uint32_t i = 0; i < t->nframes; i++) {
        const rt_frame_info *fr = &t->frames[i];
        const module_desc *d = fr->module ? &fr->module->desc : NULL;
        const char *name = NULL;
        uint32_t len = 0;
        if (d && d->func_names && fr->func_index < d->nfuncs &&
            d->func_names[fr->func_index]) {
            name = d->func_names[fr->func_index];
            len = d->func_name_lens[fr->func_index];
        }
        if (name)
            fprintf(stderr, "  %2u: %.*s (func %u) at 0x%x\n", i, (int)len,
                    name, fr->func_index, fr->code_offset);
        else
            fprintf(stderr, "  %2u: func %u at 0x%x\n", i, fr->func_index,
                    fr->code_offset);
    }
}

/* The exit status of a run that ended with trap t (freed here): the
 * guest's own for proc_exit, else 1 after reporting it. */
static int trap_status(rt_trap *t)
{
    uint32_t code;
    int status = 1;
    if (wasi_trap_is_exit(t, &code))
        status = (int)code;
    else
        report_trap(t);
    rt_trap_free(t);
    return status;
}

static int invoke(rt_store *store, rt_instance *inst, const char *name,
                  int argc, char **argv)
{
    rt_extern ex;
    if (!rt_instance_export(inst, name, strlen(name), &ex) ||
        ex.kind != EXTERN_FUNC) {
        fprintf(stderr, "ebb: no exported function '%s'\n", name);
        return 1;
    }
    const functype *ft = ex.u.func->type;
    if ((uint32_t)argc != ft->nparams) {
        fprintf(stderr, "ebb: '%s' takes %u argument(s), %d given\n", name,
                ft->nparams, argc);
        return 1;
    }
    /* Cells: a v128 takes two. */
    uint32_t np = valtypes_cells(functype_params(ft), ft->nparams);
    uint32_t nr = valtypes_cells(functype_results(ft), ft->nresults);
    uint32_t ncells = np > nr ? np : nr;
    uint64_t *args = mem_calloc(&store->mem, MEM_HOST, ncells + 1, 8);
    uint64_t *results = mem_calloc(&store->mem, MEM_HOST, ncells + 1, 8);
    int status = 0;
    if (!args || !results) {
        fprintf(stderr, "ebb: out of memory\n");
        status = 1;
        goto done;
    }
    for (uint32_t i = 0, k = 0; i < ft->nparams;
         k += valtype_cells(functype_params(ft)[i++])) {
        if (!parse_arg(argv[i], functype_params(ft)[i], &args[k])) {
            fprintf(stderr, "ebb: argument %u: '%s' is not a valid %s\n",
                    i + 1, argv[i], valtype_name(functype_params(ft)[i]));
            status = 1;
            goto done;
        }
    }
    rt_trap *trap = rt_call(store, ex.u.func, args, results);
    if (trap) {
        status = trap_status(trap);
        goto done;
    }
    for (uint32_t i = 0, k = 0; i < ft->nresults;
         k += valtype_cells(functype_results(ft)[i++]))
        print_result(functype_results(ft)[i], &results[k]);
done:
    mem_free(&store->mem, MEM_HOST, args);
    mem_free(&store->mem, MEM_HOST, results);
    return status;
}

/* ---- options ----------------------------------------------------------- */

typedef struct run_opts {
    const char *invoke;
    bool has_fuel;      /* --fuel N: the store's fuel */
    uint64_t fuel;
    uint64_t timeout_ns; /* --timeout: 0 for none */
    wasi_preopen *dirs; size_t ndirs;
    const char **env;   size_t nenv;
    char **owned;       size_t nowned; /* strings made here, freed after */
    mem_owner mem;      /* counts all of the above */
} run_opts;

static void opts_free(run_opts *o)
{
    for (size_t i = 0; i < o->nowned; i++)
        mem_free(&o->mem, MEM_HOST, o->owned[i]);
    mem_free(&o->mem, MEM_HOST, o->owned);
    mem_free(&o->mem, MEM_HOST, o->dirs);
    mem_free(&o->mem, MEM_HOST, o->env);
}

/* Keeps s to free later; NULL (and s freed) when out of memory. */
static char *opts_own(run_opts *o, char *s)
{
    char **v = s ? mem_realloc(&o->mem, MEM_HOST, o->owned,
                               (o->nowned + 1) * sizeof *v)
                 : NULL;
    if (!v) {
        mem_free(&o->mem, MEM_HOST, s);
        return NULL;
    }
    o->owned = v;
    return o->owned[o->nowned++] = s;
}

/* --dir HOST[::GUEST]: the guest sees HOST under the name GUEST (default
 * HOST itself, as wasmtime does). */
static bool opt_dir(run_opts *o, const char *arg)
{
    wasi_preopen *v = mem_realloc(&o->mem, MEM_HOST, o->dirs,
                                  (o->ndirs + 1) * sizeof *v);
    if (!v)
        return false;
    o->dirs = v;
    const char *sep = strstr(arg, "::");
    if (!sep) {
        v[o->ndirs++] = (wasi_preopen){.host_path = arg, .guest_path = arg};
        return true;
    }
    char *host = opts_own(o, mem_strndup(&o->mem, MEM_HOST, arg,
                                         (size_t)(sep - arg)));
    if (!host)
        return false;
    v[o->ndirs++] = (wasi_preopen){.host_path = host, .guest_path = sep + 2};
    return true;
}

/* --env NAME=VAL, or --env NAME for the host's value (skipped if unset). */
static bool opt_env(run_opts *o, const char *arg)
{
    const char *entry = arg;
    if (!strchr(arg, '=')) {
        const char *val = getenv(arg);
        if (!val)
            return true;
        size_t n = strlen(arg) + strlen(val) + 2;
        char *s = opts_own(o, mem_alloc(&o->mem, MEM_HOST, n));
        if (!s)
            return false;
        snprintf(s, n, "%s=%s", arg, val);
        entry = s;
    }
    const char **v = mem_realloc(&o->mem, MEM_HOST, o->env,
                                 (o->nenv + 1) * sizeof *v);
    if (!v)
        return false;
    o->env = v;
    v[o->nenv++] = entry;
    return true;
}

/* Matches "--name VALUE" and "--name=VALUE"; advances *i past it. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n))
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] == 0 && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

/* Parses options; returns the index of FILE, or -1 (usage) / -2 (OOM). */
static int parse_opts(int argc, char **argv, run_opts *o)
{
    int i = 0;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *v;
        if (!strcmp(argv[i], "--")) {
            i++;
            break;
        } else if ((v = opt_value(argc, argv, &i, "--invoke"))) {
            o->invoke = v;
        } else if ((v = opt_value(argc, argv, &i, "--dir"))) {
            if (!opt_dir(o, v))
                return -2;
        } else if ((v = opt_value(argc, argv, &i, "--env"))) {
            if (!opt_env(o, v))
                return -2;
        } else if ((v = opt_value(argc, argv, &i, "--fuel"))) {
            o->has_fuel = true;
            if (!cli_parse_fuel(v, &o->fuel)) {
                fprintf(stderr, "ebb run: bad --fuel '%s'\n", v);
                return -1;
            }
        } else if ((v = opt_value(argc, argv, &i, "--timeout"))) {
            if (!cli_parse_duration(v, &o->timeout_ns)) {
                fprintf(stderr, "ebb run: bad --timeout '%s'\n", v);
                return -1;
            }
        } else {
            fprintf(stderr, "ebb run: unknown option '%s'\n", argv[i]);
            return -1;
        }
    }
    return i < argc ? i : -1;
}

/* ---- running ----------------------------------------------------------- */

/* Links, instantiates and runs the module; returns the exit status. */
static int run_module(rt_store *store, rt_module *module, wasi_ctx *wasi,
                      const run_opts *o, int nargs, char **args,
                      const char *path)
{
    err_t err;
    err_clear(&err);
    rt_extern *imports = NULL;
    /* Sightglass programs run too: their bench markers do nothing. */
    if (!wasi_link(wasi, store, module, cli_bench_import, NULL, &imports,
                   &err)) {
        fprintf(stderr, "ebb: %s: %s\n", path, err.msg);
        return 1;
    }
    rt_trap *trap = NULL;
    rt_instance *inst = rt_instance_new(store, module, imports,
                                        module->desc.nimports, &trap, &err);
    wasi_imports_free(store, imports);
    if (!inst) {
        if (trap)
            return trap_status(trap);
        fprintf(stderr, "ebb: %s: %s\n", path, err.msg);
        return 1;
    }
    if (o->invoke)
        return invoke(store, inst, o->invoke, nargs, args);
    rt_extern ex;
    if (rt_instance_export(inst, "_start", 6, &ex) && ex.kind == EXTERN_FUNC)
        return invoke(store, inst, "_start", 0, NULL);
    return 0;
}

/* The guest's WASI view: argv = FILE ARGS..., the --env and --dir
 * settings, the host's standard streams. */
static wasi_ctx *make_wasi(mem_owner *owner, const run_opts *o, int argc,
                           char **argv, err_t *err)
{
    wasi_config cfg;
    wasi_config_default(&cfg);
    cfg.argc = (uint32_t)argc;
    cfg.argv = (const char *const *)argv;
    cfg.envc = (uint32_t)o->nenv;
    cfg.env = o->env;
    cfg.npreopens = (uint32_t)o->ndirs;
    cfg.preopens = o->dirs;
    /* Tests force the portable path resolution with this variable. */
    const char *fb = getenv("EBB_WASI_NO_OPENAT2");
    cfg.no_openat2 = fb && *fb && strcmp(fb, "0");
    return wasi_ctx_new(owner, &cfg, err);
}

int cmd_run(int argc, char **argv)
{
    run_opts o = {0};
    mem_owner_init(&o.mem, MEM_OWNER_ENGINE);
    int i = parse_opts(argc, argv, &o);
    if (i < 0) {
        opts_free(&o);
        if (i == -2) {
            fprintf(stderr, "ebb: out of memory\n");
            return 1;
        }
        return run_usage();
    }
    const char *path = argv[i];
    /* A guest writing to a closed pipe gets EPIPE, as under wasmtime,
     * rather than the signal killing ebb. */
    signal(SIGPIPE, SIG_IGN);

    err_t err;
    err_clear(&err);
    rt_config cfg;
    rt_config_default(&cfg);
    cfg.consume_fuel = o.has_fuel;
    cfg.epoch_interruption = o.timeout_ns != 0;
    rt_engine *engine = rt_engine_new(&cfg);
    if (!engine) {
        fprintf(stderr, "ebb: out of memory\n");
        opts_free(&o);
        return 1;
    }
    int status = 1;
    uint8_t *bytes = NULL;
    size_t len = 0;
    rt_module *module = NULL;
    rt_store *store = NULL;
    wasi_ctx *wasi = NULL;
    if (!cli_load_module(&engine->mem, path, &bytes, &len, &err)) {
        fprintf(stderr, "ebb: %s\n", err.msg);
        goto out;
    }
    bool component = cm_is_component(bytes, len);
    if (component && o.invoke) {
        fprintf(stderr, "ebb: %s: --invoke is for modules, not components\n",
                path);
        goto out;
    }
    module = component ? NULL
             : rt_module_is_serialized(bytes, len)
                 ? rt_module_deserialize(engine, bytes, len, &err)
                 : rt_module_new(engine, bytes, len, &err);
    if (!module && !component) {
        fprintf(stderr, "ebb: %s: %s\n", path, err.msg);
        goto out;
    }
    wasi = make_wasi(&engine->mem, &o, argc - i, argv + i, &err);
    if (!wasi) {
        fprintf(stderr, "ebb: %s\n", err.msg);
        goto out;
    }
    store = rt_store_new(engine);
    if (!store) {
        fprintf(stderr, "ebb: out of memory\n");
        goto out;
    }
    store->fuel = o.fuel;
    store->epoch_deadline = 1; /* the timer's one tick */
    cli_timer timer = {0};
    if (o.timeout_ns && !cli_timer_start(&timer, engine, o.timeout_ns)) {
        fprintf(stderr, "ebb: cannot start the --timeout timer\n");
        goto out;
    }
    status = component ? cli_run_component(store, bytes, len, wasi, path,
                                           trap_status)
                       : run_module(store, module, wasi, &o, argc - i - 1,
                                    argv + i + 1, path);
    cli_timer_stop(&timer);
out:
    fflush(stdout);
    if (store)
        rt_store_free(store);
    wasi_ctx_free(wasi);
    if (module)
        rt_module_release(module);
    mem_free(&engine->mem, MEM_HOST, bytes);
    rt_engine_free(engine);
    opts_free(&o);
    return status;
}

int cmd_validate(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[0], "--time") && argv[2][0] != '-') {
        char *end;
        long runs = strtol(argv[1], &end, 10);
        if (*argv[1] && !*end && runs > 0 && runs <= 100000)
            return cli_validate_time(argv[2], runs);
    }
    if (argc != 1 || argv[0][0] == '-') {
        fputs("usage: ebb validate [--time RUNS] FILE\n", stderr);
        return EXIT_USAGE;
    }
    err_t err;
    err_clear(&err);
    rt_engine *engine = rt_engine_new(NULL);
    if (!engine) {
        fprintf(stderr, "ebb: out of memory\n");
        return 1;
    }
    uint8_t *bytes = NULL;
    size_t len = 0;
    int status = 1;
    if (!cli_load_module(&engine->mem, argv[0], &bytes, &len, &err)) {
        fprintf(stderr, "ebb: %s\n", err.msg);
    } else if (cm_is_component(bytes, len)) {
        cm_component *c = cm_component_new(engine, bytes, len, &err);
        if (c) {
            status = 0;
            cm_component_free(c);
        } else {
            fprintf(stderr, "ebb: %s: invalid component: %s\n", argv[0],
                    err.msg);
        }
    } else {
        rt_module *m = rt_module_new(engine, bytes, len, &err);
        if (m) {
            status = 0;
            rt_module_release(m);
        } else {
            fprintf(stderr, "ebb: %s: invalid module: %s\n", argv[0], err.msg);
        }
    }
    mem_free(&engine->mem, MEM_HOST, bytes);
    rt_engine_free(engine);
    return status;
}
