/* `ebb run` and `ebb validate`. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int run_usage(void)
{
    fputs("usage: ebb run [--invoke NAME] [--] FILE [ARGS...]\n", stderr);
    return EXIT_USAGE;
}

/* Parses one command-line argument as a value of type t into a cell. */
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

static void print_result(uint8_t t, uint64_t cell)
{
    switch (t) {
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
    uint32_t ncells = ft->nparams > ft->nresults ? ft->nparams : ft->nresults;
    uint64_t *args = mem_calloc(&store->mem, MEM_HOST, ncells + 1, 8);
    uint64_t *results = mem_calloc(&store->mem, MEM_HOST, ncells + 1, 8);
    int status = 0;
    if (!args || !results) {
        fprintf(stderr, "ebb: out of memory\n");
        status = 1;
        goto done;
    }
    for (uint32_t i = 0; i < ft->nparams; i++) {
        if (!parse_arg(argv[i], functype_params(ft)[i], &args[i])) {
            fprintf(stderr, "ebb: argument %u: '%s' is not a valid %s\n",
                    i + 1, argv[i], valtype_name(functype_params(ft)[i]));
            status = 1;
            goto done;
        }
    }
    rt_trap *trap = rt_call(store, ex.u.func, args, results);
    if (trap) {
        fprintf(stderr, "ebb: trap: %s\n", trap->message);
        rt_trap_free(trap);
        status = 1;
        goto done;
    }
    for (uint32_t i = 0; i < ft->nresults; i++)
        print_result(functype_results(ft)[i], results[i]);
done:
    mem_free(&store->mem, MEM_HOST, args);
    mem_free(&store->mem, MEM_HOST, results);
    return status;
}

int cmd_run(int argc, char **argv)
{
    const char *invoke_name = NULL;
    int i = 0;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--")) {
            i++;
            break;
        } else if (!strcmp(argv[i], "--invoke") && i + 1 < argc) {
            invoke_name = argv[++i];
        } else if (!strncmp(argv[i], "--invoke=", 9)) {
            invoke_name = argv[i] + 9;
        } else {
            fprintf(stderr, "ebb run: unknown option '%s'\n", argv[i]);
            return run_usage();
        }
    }
    if (i >= argc)
        return run_usage();
    const char *path = argv[i++];

    err_t err;
    err_clear(&err);
    rt_engine *engine = rt_engine_new(NULL);
    if (!engine) {
        fprintf(stderr, "ebb: out of memory\n");
        return 1;
    }
    int status = 1;
    uint8_t *bytes = NULL;
    size_t len = 0;
    rt_module *module = NULL;
    rt_store *store = NULL;
    if (!cli_load_binary(&engine->mem, path, &bytes, &len, &err)) {
        fprintf(stderr, "ebb: %s\n", err.msg);
        goto out;
    }
    module = rt_module_new(engine, bytes, len, &err);
    if (!module) {
        fprintf(stderr, "ebb: %s: %s\n", path, err.msg);
        goto out;
    }
    if (module->desc.nimports) {
        const import_desc *im = &module->desc.imports[0];
        fprintf(stderr, "ebb: unknown import: %.*s::%.*s\n",
                (int)im->module_len, im->module, (int)im->name_len, im->name);
        goto out;
    }
    store = rt_store_new(engine);
    if (!store) {
        fprintf(stderr, "ebb: out of memory\n");
        goto out;
    }
    rt_trap *trap = NULL;
    rt_instance *inst = rt_instance_new(store, module, NULL, 0, &trap, &err);
    if (!inst) {
        if (trap) {
            fprintf(stderr, "ebb: trap: %s\n", trap->message);
            rt_trap_free(trap);
        } else {
            fprintf(stderr, "ebb: %s: %s\n", path, err.msg);
        }
        goto out;
    }
    if (invoke_name) {
        status = invoke(store, inst, invoke_name, argc - i, argv + i);
    } else {
        rt_extern ex;
        status = 0;
        if (rt_instance_export(inst, "_start", 6, &ex) &&
            ex.kind == EXTERN_FUNC)
            status = invoke(store, inst, "_start", 0, NULL);
    }
out:
    if (store)
        rt_store_free(store);
    if (module)
        rt_module_release(module);
    mem_free(&engine->mem, MEM_HOST, bytes);
    rt_engine_free(engine);
    return status;
}

int cmd_validate(int argc, char **argv)
{
    if (argc != 1 || argv[0][0] == '-') {
        fputs("usage: ebb validate FILE\n", stderr);
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
    if (!cli_load_binary(&engine->mem, argv[0], &bytes, &len, &err)) {
        fprintf(stderr, "ebb: %s\n", err.msg);
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
