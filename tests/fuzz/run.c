/* Fuzz target: instantiate a valid module and call each exported function
 * (with all-zero and with all-ones arguments), checking that every run
 * ends in results or a trap and gives back all it took.
 *
 * Every call gets FUEL units of fuel (one per function entry and loop
 * iteration), each store may grow its memories to MAX_PAGES pages and its
 * tables to MAX_ELEMS elements, and modules declaring more are skipped:
 * a run is bounded in time and memory. Imports are made to fit: host
 * functions that return zeros, and fresh tables, memories and globals of
 * the imported types. */
#include <string.h>

#include "fuzz.h"

#define FUEL 100000u
#define MAX_PAGES 64u      /* 4 MiB of linear memory */
#define MAX_ELEMS 100000u

static bool module_runnable(const module_desc *d)
{
    for (uint32_t i = 0; i < d->nmemories; i++)
        if (d->memories[i].lim.min > MAX_PAGES)
            return false;
    for (uint32_t i = 0; i < d->ntables; i++)
        if (d->tables[i].lim.min > MAX_ELEMS)
            return false;
    return true;
}

static rt_trap *host_zeros(void *env, rt_store *s, const uint64_t *args,
                           uint64_t *results)
{
    const functype *t = env;
    (void)s;
    (void)args;
    memset(results, 0,
           valtypes_cells(functype_results(t), t->nresults) * sizeof *results);
    return NULL;
}

/* One extern per import, of the imported type; false on failure. */
static bool make_imports(rt_store *s, const module_desc *d, rt_extern *out)
{
    for (uint32_t i = 0; i < d->nimports; i++) {
        const import_desc *im = &d->imports[i];
        out[i].kind = im->kind;
        switch (im->kind) {
        case EXTERN_FUNC: {
            const functype *t = &d->types[im->u.func_type];
            out[i].u.func = rt_func_new_host(s, t, host_zeros, (void *)t, NULL);
            if (!out[i].u.func)
                return false;
            break;
        }
        case EXTERN_TABLE:
            if (!(out[i].u.table = rt_table_new(s, &im->u.table, 0)))
                return false;
            break;
        case EXTERN_MEMORY:
            if (!(out[i].u.memory = rt_memory_new(s, &im->u.memory)))
                return false;
            break;
        default:
            if (!(out[i].u.global = rt_global_new(s, &im->u.global, 0)))
                return false;
            break;
        }
    }
    return true;
}

static void fill_args(const functype *t, uint64_t *args, bool ones)
{
    const uint8_t *p = functype_params(t);
    uint32_t k = 0;
    for (uint32_t i = 0; i < t->nparams; i++) {
        uint64_t v = 0;
        if (ones && p[i] == VT_I32)
            v = 0xFFFFFFFFu;
        else if (ones && p[i] == VT_F32)
            v = 0x7FC00001u;
        else if (ones && (p[i] == VT_I64 || p[i] == VT_F64 || p[i] == VT_V128))
            v = ~(uint64_t)0;
        args[k++] = v;
        if (p[i] == VT_V128)
            args[k++] = v;
    }
}

static void call_exports(rt_store *s, rt_instance *inst)
{
    const module_desc *d = &inst->module->desc;
    for (uint32_t i = 0; i < d->nexports; i++) {
        if (d->exports[i].kind != EXTERN_FUNC)
            continue;
        rt_func *f = inst->exports[i].u.func;
        const functype *t = f->type;
        uint32_t na = valtypes_cells(functype_params(t), t->nparams);
        uint32_t nr = valtypes_cells(functype_results(t), t->nresults);
        uint64_t *args = calloc(na + 1, sizeof *args);
        uint64_t *res = calloc(nr + 1, sizeof *res);
        if (!args || !res)
            abort();
        for (int ones = 0; ones < 2; ones++) {
            fill_args(t, args, ones);
            s->fuel = FUEL;
            rt_trap *trap = rt_call(s, f, args, res);
            if (trap) {
                if (!trap->message[0])
                    abort();
                rt_trap_free(trap);
            }
        }
        free(args);
        free(res);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    err_t err;
    err_clear(&err);
    rt_module *m = rt_module_new(fuzz_engine(), data, size, &err);
    if (!m)
        return 0;
    if (module_runnable(&m->desc)) {
        rt_store *s = rt_store_new(fuzz_engine());
        if (!s)
            abort();
        s->limit_memory_pages = MAX_PAGES;
        s->limit_table_elems = MAX_ELEMS;
        s->fuel = FUEL;   /* for the start function */
        rt_trap *trap = NULL;
        err_clear(&err);
        rt_extern *imports = calloc(m->desc.nimports + 1, sizeof *imports);
        if (!imports)
            abort();
        rt_instance *inst = NULL;
        if (make_imports(s, &m->desc, imports))
            inst = rt_instance_new(s, m, imports, m->desc.nimports, &trap,
                                   &err);
        else
            err_set(&err, "imports");
        free(imports);
        if (inst)
            call_exports(s, inst);
        else if (trap)
            rt_trap_free(trap);
        else if (!err_failed(&err))
            abort();
        rt_store_free(s);
    }
    rt_module_release(m);
    fuzz_check_counters();
    return 0;
}
