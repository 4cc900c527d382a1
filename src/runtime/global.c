/* Globals: one typed cell. */
#include "internal.h"

rt_global *rt_global_new(rt_store *s, const globaltype *type, uint64_t value)
{
    rt_global *g = mem_calloc(&s->mem, MEM_INSTANCE, 1, sizeof *g);
    if (!g)
        return NULL;
    g->type = *type;
    g->value = value;
    if (!rt_store_track(s, (void ***)&s->globals, &s->nglobals,
                        &s->cap_globals, g)) {
        mem_free(&s->mem, MEM_INSTANCE, g);
        return NULL;
    }
    return g;
}

void rt_global_destroy(rt_store *s, rt_global *g)
{
    mem_free(&s->mem, MEM_INSTANCE, g);
}
