/* Statistics: what an engine and a store hold, for embedders (ebb.h wraps
 * these), for `ebb memstat` and for the tests that hold ebb to its promise
 * that everything taken is given back. Reading them costs a few atomic
 * loads and a moment of the compile pool's lock: the byte counters are
 * kept by src/mem on every allocation and the object counters by the
 * constructors and destructors. */
#include "runtime.h"

#include <stdio.h>

static const char *const obj_names[RT_NOBJ] = {
#define X(id, name) name,
    RT_OBJECT_KINDS(X)
#undef X
};

const char *rt_obj_kind_name(rt_obj_kind k)
{
    return k < RT_NOBJ ? obj_names[k] : "?";
}

void rt_stats_count(rt_engine *e, rt_obj_kind k, long delta)
{
    if (delta >= 0)
        atomic_fetch_add_explicit(&e->objects[k], (size_t)delta,
                                  memory_order_relaxed);
    else
        atomic_fetch_sub_explicit(&e->objects[k], (size_t)-delta,
                                  memory_order_relaxed);
}

static size_t sum_live(const mem_stats *s)
{
    size_t n = 0;
    for (int c = 0; c < MEM_NCAT; c++)
        n += s->live[c];
    return n;
}

void rt_engine_stats_get(rt_engine *e, rt_engine_stats *out)
{
    mem_owner_stats(&e->mem, &out->engine);
    mem_global_stats(MEM_OWNER_MODULE, &out->modules);
    mem_global_stats(MEM_OWNER_STORE, &out->stores);
    out->live_bytes = sum_live(&out->engine) + sum_live(&out->modules) +
                      sum_live(&out->stores);
    for (int k = 0; k < RT_NOBJ; k++)
        out->objects[k] = atomic_load_explicit(&e->objects[k],
                                               memory_order_relaxed);
    out->compile_threads = rt_engine_compile_threads_alive(e);
    out->compile_pool_bytes = rt_engine_compile_pool_bytes(e);
}

void rt_store_stats_get(const rt_store *s, rt_store_stats *out)
{
    mem_owner_stats(&s->mem, &out->mem);
    out->live_bytes = sum_live(&out->mem);
    out->objects[RT_OBJ_MODULE] = 0;
    out->objects[RT_OBJ_STORE] = 0;
    out->objects[RT_OBJ_INSTANCE] = s->ninstances;
    out->objects[RT_OBJ_FUNC] = s->nfuncs;
    out->objects[RT_OBJ_MEMORY] = s->nmemories;
    out->objects[RT_OBJ_TABLE] = s->ntables;
    out->objects[RT_OBJ_GLOBAL] = s->nglobals;
}

bool rt_stats_all_zero(char *what, size_t n)
{
    static const char *const owner_names[MEM_NOWNER] = {"engine", "module",
                                                       "store"};
    for (int k = 0; k < MEM_NOWNER; k++) {
        mem_stats st;
        mem_global_stats((mem_owner_kind)k, &st);
        for (int c = 0; c < MEM_NCAT; c++) {
            if (st.live[c] == 0)
                continue;
            if (n)
                snprintf(what, n, "%s/%s: %zu bytes live", owner_names[k],
                         mem_cat_name((mem_cat)c), st.live[c]);
            return false;
        }
    }
    if (n)
        what[0] = 0;
    return true;
}
