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
    mem_owner_init(&s->mem, MEM_OWNER_STORE);
    s->engine = e;
    return s;
}

bool rt_store_track(rt_store *s, void ***arr, size_t *n, size_t *cap,
                    void *obj)
{
    if (!mem_grow_array(&s->mem, MEM_INSTANCE, (void **)arr, cap, *n + 1,
                        sizeof **arr))
        return false;
    (*arr)[(*n)++] = obj;
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
    /* The struct is counted on the engine; the store's own counters are
     * zero by now unless something leaked. */
    mem_free(&s->engine->mem, MEM_INSTANCE, s);
}
