/* ebb_engine_stats / ebb_store_stats: the runtime's statistics
 * (runtime/stats.c) in the public header's terms. */
#include "ebb_internal.h"

#include <string.h>

static void usage_from(const mem_stats *s, ebb_mem_usage_t *out)
{
    for (size_t c = 0; c < MEM_NCAT && c < EBB_MEM_CATEGORIES_MAX; c++) {
        out[c].live = s->live[c];
        out[c].peak = s->peak[c];
    }
}

static void counts_from(const size_t *objects, ebb_object_counts_t *out)
{
    out->modules = objects[RT_OBJ_MODULE];
    out->stores = objects[RT_OBJ_STORE];
    out->instances = objects[RT_OBJ_INSTANCE];
    out->funcs = objects[RT_OBJ_FUNC];
    out->memories = objects[RT_OBJ_MEMORY];
    out->tables = objects[RT_OBJ_TABLE];
    out->globals = objects[RT_OBJ_GLOBAL];
}

static size_t ncategories(void)
{
    return MEM_NCAT < EBB_MEM_CATEGORIES_MAX ? MEM_NCAT
                                             : EBB_MEM_CATEGORIES_MAX;
}

void ebb_engine_stats(const wasm_engine_t *engine, ebb_engine_stats_t *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof *out);
    if (!engine)
        return;
    rt_engine_stats s;
    rt_engine_stats_get(engine->rt, &s);
    out->live_bytes = s.live_bytes;
    out->ncategories = ncategories();
    usage_from(&s.engine, out->engine);
    usage_from(&s.modules, out->modules);
    usage_from(&s.stores, out->stores);
    counts_from(s.objects, &out->objects);
    out->compile_threads = s.compile_threads;
}

void ebb_store_stats(const wasm_store_t *store, ebb_store_stats_t *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof *out);
    if (!store)
        return;
    rt_store_stats s;
    rt_store_stats_get(store->rt, &s);
    out->live_bytes = s.live_bytes;
    out->ncategories = ncategories();
    usage_from(&s.mem, out->mem);
    counts_from(s.objects, &out->objects);
}

const char *ebb_mem_category_name(size_t i)
{
    return i < ncategories() ? mem_cat_name((mem_cat)i) : NULL;
}
