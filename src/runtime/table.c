/* Tables: a growable array of reference cells. */
#include "internal.h"

/* Far below the spec's 2^32-1 so a runaway table.grow fails cleanly
 * instead of exhausting the host. */
#define RT_TABLE_LIMIT 10000000u

static void fill(uint64_t *cells, uint32_t from, uint32_t to, uint64_t v)
{
    for (uint32_t i = from; i < to; i++)
        cells[i] = v;
}

rt_table *rt_table_new(rt_store *s, const tabletype *type, uint64_t init)
{
    if (type->lim.min > RT_TABLE_LIMIT ||
        (s->limit_table_elems && type->lim.min > s->limit_table_elems))
        return NULL;
    rt_table *t = mem_calloc(&s->mem, MEM_TABLE, 1, sizeof *t);
    if (!t)
        return NULL;
    t->type = *type;
    t->size = type->lim.min;
    t->elems = mem_alloc(&s->mem, MEM_TABLE, (size_t)t->size * sizeof *t->elems);
    if (!t->elems) {
        mem_free(&s->mem, MEM_TABLE, t);
        return NULL;
    }
    fill(t->elems, 0, t->size, init);
    if (!rt_store_track(s, (void ***)&s->tables, &s->ntables, &s->cap_tables,
                        t)) {
        rt_table_destroy(s, t);
        return NULL;
    }
    return t;
}

int64_t rt_table_grow(rt_store *s, rt_table *t, uint32_t delta, uint64_t init)
{
    uint32_t old = t->size;
    uint64_t limit = t->type.lim.has_max ? t->type.lim.max : UINT32_MAX;
    if (limit > RT_TABLE_LIMIT)
        limit = RT_TABLE_LIMIT;
    if (s->limit_table_elems && limit > s->limit_table_elems)
        limit = s->limit_table_elems;
    if ((uint64_t)old + delta > limit)
        return -1;
    if (delta == 0)
        return old;
    uint32_t size = old + delta;
    uint64_t *cells = mem_realloc(&s->mem, MEM_TABLE, t->elems,
                                  (size_t)size * sizeof *cells);
    if (!cells)
        return -1;
    fill(cells, old, size, init);
    t->elems = cells;
    t->size = size;
    t->type.lim.min = size;
    return old;
}

void rt_table_destroy(rt_store *s, rt_table *t)
{
    mem_free(&s->mem, MEM_TABLE, t->elems);
    mem_free(&s->mem, MEM_TABLE, t);
}
