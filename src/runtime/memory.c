/* Linear memories. For now the bytes are one block from the memory door,
 * reallocated on growth; a later issue replaces memory_resize with a
 * virtual-memory reservation and guard pages, without changing callers. */
#include "internal.h"

/* Makes m exactly `pages` long, new bytes zeroed. The one place that knows
 * how linear memory is backed. */
static bool memory_resize(rt_store *s, rt_memory *m, uint32_t pages)
{
    uint64_t bytes = (uint64_t)pages * RT_PAGE_SIZE;
    if (bytes > SIZE_MAX)
        return false;
    uint8_t *base = mem_realloc(&s->mem, MEM_LINEAR, m->base, (size_t)bytes);
    if (!base)
        return false;
    m->base = base;
    m->size = bytes;
    m->pages = pages;
    m->type.lim.min = pages;
    return true;
}

rt_memory *rt_memory_new(rt_store *s, const memtype *type)
{
    if (type->lim.min > RT_MAX_PAGES)
        return NULL;
    rt_memory *m = mem_calloc(&s->mem, MEM_INSTANCE, 1, sizeof *m);
    if (!m)
        return NULL;
    m->type = *type;
    if (!memory_resize(s, m, type->lim.min)) {
        mem_free(&s->mem, MEM_INSTANCE, m);
        return NULL;
    }
    if (!rt_store_track(s, (void ***)&s->memories, &s->nmemories,
                        &s->cap_memories, m)) {
        rt_memory_destroy(s, m);
        return NULL;
    }
    return m;
}

int64_t rt_memory_grow(rt_store *s, rt_memory *m, uint32_t delta)
{
    uint32_t old = m->pages;
    uint64_t limit = m->type.lim.has_max ? m->type.lim.max : RT_MAX_PAGES;
    if (limit > RT_MAX_PAGES)
        limit = RT_MAX_PAGES;
    if ((uint64_t)old + delta > limit)
        return -1;
    if (delta == 0)
        return old;
    if (!memory_resize(s, m, old + delta))
        return -1;
    return old;
}

void rt_memory_destroy(rt_store *s, rt_memory *m)
{
    mem_free(&s->mem, MEM_LINEAR, m->base);
    mem_free(&s->mem, MEM_INSTANCE, m);
}
