/* Stores: all runtime state of one world. A store owns every instance,
 * function, table, memory and global created in it and frees them all at
 * once, which is also what keeps a failed instantiation's objects (that
 * may already sit in an imported table) alive as long as they can be used. */
#include "internal.h"

#include "../interp/interp.h"

rt_store *rt_store_new(rt_engine *e)
{
    rt_store *s = mem_calloc(&e->mem, MEM_INSTANCE, 1, sizeof *s);
    if (!s)
        return NULL;
    mem_owner_init_arena(&s->mem, MEM_OWNER_STORE, &e->config.alloc);
    s->engine = e;
    rt_stats_count(e, RT_OBJ_STORE, 1);
    return s;
}

/* Which kind of object an ownership array of s holds, for the engine's
 * live-object counts. */
static rt_obj_kind store_array_kind(const rt_store *s, void ***arr)
{
    if (arr == (void ***)&s->instances)
        return RT_OBJ_INSTANCE;
    if (arr == (void ***)&s->funcs)
        return RT_OBJ_FUNC;
    if (arr == (void ***)&s->tables)
        return RT_OBJ_TABLE;
    if (arr == (void ***)&s->memories)
        return RT_OBJ_MEMORY;
    return RT_OBJ_GLOBAL;
}

bool rt_store_track(rt_store *s, void ***arr, size_t *n, size_t *cap,
                    void *obj)
{
    if (!mem_grow_array(&s->mem, MEM_INSTANCE, (void **)arr, cap, *n + 1,
                        sizeof **arr))
        return false;
    (*arr)[(*n)++] = obj;
    rt_stats_count(s->engine, store_array_kind(s, arr), 1);
    return true;
}

void rt_store_free(rt_store *s)
{
    if (!s)
        return;
    /* The execution stacks go first: nothing runs any more. */
    interp_thread_free(s);
    for (size_t i = 0; i < s->ninstances; i++)
        rt_instance_destroy(s, s->instances[i]);
    for (size_t i = 0; i < s->nfuncs; i++)
        rt_func_destroy(s, s->funcs[i]);
    for (size_t i = 0; i < s->ntables; i++)
        rt_table_destroy(s, s->tables[i]);
    for (size_t i = 0; i < s->nmemories; i++)
        rt_memory_destroy(s, s->memories[i]);
    for (size_t i = 0; i < s->nglobals; i++)
        rt_global_destroy(s, s->globals[i]);
    mem_free(&s->mem, MEM_INSTANCE, s->instances);
    mem_free(&s->mem, MEM_INSTANCE, s->funcs);
    mem_free(&s->mem, MEM_INSTANCE, s->tables);
    mem_free(&s->mem, MEM_INSTANCE, s->memories);
    mem_free(&s->mem, MEM_INSTANCE, s->globals);
    rt_engine *e = s->engine;
    rt_stats_count(e, RT_OBJ_INSTANCE, -(long)s->ninstances);
    rt_stats_count(e, RT_OBJ_FUNC, -(long)s->nfuncs);
    rt_stats_count(e, RT_OBJ_TABLE, -(long)s->ntables);
    rt_stats_count(e, RT_OBJ_MEMORY, -(long)s->nmemories);
    rt_stats_count(e, RT_OBJ_GLOBAL, -(long)s->nglobals);
    rt_stats_count(e, RT_OBJ_STORE, -1);
    /* Every page the store took goes back at once. The struct is counted
     * on the engine; the store's own counters are zero by now unless
     * something leaked. */
    mem_owner_destroy(&s->mem);
    mem_free(&s->engine->mem, MEM_INSTANCE, s);
}
