/* The `spectest` host module that the spec scripts import from: print
 * functions that do nothing visible, four constant globals, a table and a
 * memory, with the types the testsuite's README gives. */
#include <string.h>

#include "cli.h"

typedef struct spectest_export {
    const char *name;
    rt_extern ext;
} spectest_export;

#define SPECTEST_MAX 16

struct spectest {
    uint32_t n;
    spectest_export exports[SPECTEST_MAX];
};

static rt_trap *print_nothing(void *env, rt_store *s, const uint64_t *args,
                              uint64_t *results)
{
    (void)env, (void)s, (void)args, (void)results;
    return NULL;
}

static bool add(spectest *t, const char *name, rt_extern ext)
{
    if (t->n == SPECTEST_MAX)
        return false;
    t->exports[t->n].name = name;
    t->exports[t->n].ext = ext;
    t->n++;
    return true;
}

static bool add_print(spectest *t, rt_store *s, const char *name,
                      uint8_t *params, uint32_t nparams)
{
    functype ft = {.nparams = nparams, .nresults = 0, .types = params};
    rt_func *f = rt_func_new_host(s, &ft, print_nothing, NULL, NULL);
    if (!f)
        return false;
    return add(t, name, (rt_extern){.kind = EXTERN_FUNC, .u.func = f});
}

static bool add_global(spectest *t, rt_store *s, const char *name,
                       uint8_t type, uint64_t bits)
{
    globaltype gt = {.type = type, .mut = false};
    rt_global *g = rt_global_new(s, &gt, bits);
    if (!g)
        return false;
    return add(t, name, (rt_extern){.kind = EXTERN_GLOBAL, .u.global = g});
}

spectest *spectest_new(rt_store *s)
{
    spectest *t = mem_calloc(&s->mem, MEM_HOST, 1, sizeof *t);
    if (!t)
        return NULL;
    static uint8_t i32[] = {VT_I32}, i64[] = {VT_I64}, f32[] = {VT_F32},
                   f64[] = {VT_F64}, i32_f32[] = {VT_I32, VT_F32},
                   f64_f64[] = {VT_F64, VT_F64};
    float f = 666.6f;
    double d = 666.6;
    uint32_t fbits;
    uint64_t dbits;
    memcpy(&fbits, &f, 4);
    memcpy(&dbits, &d, 8);
    tabletype tt = {.elemtype = VT_FUNCREF,
                    .lim = {.min = 10, .max = 20, .has_max = true}};
    memtype mt = {.lim = {.min = 1, .max = 2, .has_max = true}};
    rt_table *table = rt_table_new(s, &tt, 0);
    rt_memory *memory = rt_memory_new(s, &mt);
    bool ok = table && memory &&
              add_print(t, s, "print", NULL, 0) &&
              add_print(t, s, "print_i32", i32, 1) &&
              add_print(t, s, "print_i64", i64, 1) &&
              add_print(t, s, "print_f32", f32, 1) &&
              add_print(t, s, "print_f64", f64, 1) &&
              add_print(t, s, "print_i32_f32", i32_f32, 2) &&
              add_print(t, s, "print_f64_f64", f64_f64, 2) &&
              add_global(t, s, "global_i32", VT_I32, 666) &&
              add_global(t, s, "global_i64", VT_I64, 666) &&
              add_global(t, s, "global_f32", VT_F32, fbits) &&
              add_global(t, s, "global_f64", VT_F64, dbits) &&
              add(t, "table", (rt_extern){.kind = EXTERN_TABLE, .u.table = table}) &&
              add(t, "memory", (rt_extern){.kind = EXTERN_MEMORY, .u.memory = memory});
    if (!ok) {
        /* What was created belongs to the store and dies with it. */
        mem_free(&s->mem, MEM_HOST, t);
        return NULL;
    }
    return t;
}

void spectest_free(rt_store *s, spectest *t)
{
    mem_free(&s->mem, MEM_HOST, t);
}

bool spectest_lookup(const spectest *t, const char *name, size_t len,
                     rt_extern *out)
{
    for (uint32_t i = 0; i < t->n; i++) {
        if (strlen(t->exports[i].name) == len &&
            !memcmp(t->exports[i].name, name, len)) {
            *out = t->exports[i].ext;
            return true;
        }
    }
    return false;
}
