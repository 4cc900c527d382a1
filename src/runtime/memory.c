/* Linear memories as virtual memory.
 *
 * A memory is a reservation of address space: [base, base + reserved)
 * followed by `guard` bytes that never become accessible. Only the first
 * `size` bytes are committed (readable and writable); memory.grow commits
 * more in place, so the base never moves and the interpreter can keep it
 * in a register. Committed pages cost nothing until the guest touches
 * them (fresh pages read as zero), and dropping the memory unmaps it all.
 *
 * With signal-based traps (rt_engine.unchecked_offsets != 0) every memory
 * reserves the engine's full reservation (4 GiB or more) plus its guard,
 * so any 32-bit address plus a static offset below the guard lands inside
 * it: an out-of-bounds access faults, and the fault handler makes it the
 * trap. In bounds-checked mode the code checks every access, and a memory
 * reserves only what its maximum can reach (at most the configured
 * reservation); if the OS refuses that much address space it takes less
 * and moves when it outgrows it. */
#include "internal.h"

#include <string.h>

#include "../os/os.h"


static uint64_t max_bytes(const rt_memory *m)
{
    uint64_t pages = m->type.lim.has_max ? m->type.lim.max : RT_MAX_PAGES;
    if (pages > RT_MAX_PAGES)
        pages = RT_MAX_PAGES;
    return pages * RT_PAGE_SIZE;
}

/* Reserves address space for m (m->base, reserved, guard); false if the
 * OS has none to give. */
static bool memory_reserve(rt_engine *e, rt_memory *m, uint64_t need)
{
    uint64_t page = os_page_size();
    if (e->unchecked_offsets) {
        m->reserved = e->config.memory_reservation;
        m->guard = os_page_round(e->config.memory_guard);
        if (m->reserved > SIZE_MAX - m->guard)
            return false;
        m->base = mem_pages_reserve(m->reserved + m->guard, false);
        return m->base != NULL;
    }
    uint64_t want = max_bytes(m);
    if (want > e->config.memory_reservation)
        want = e->config.memory_reservation;
    if (want < need)
        want = need;
    if (want < page)
        want = page; /* never a NULL base, even for a 0-page memory */
    m->guard = 0;
    m->reserved = want;
    m->base = mem_pages_reserve(want, false);
    if (!m->base && want > need) {
        /* Little address space (a 32-bit host, valgrind): reserve what is
         * needed now and move on growth. */
        m->reserved = need < page ? page : need;
        m->base = mem_pages_reserve(m->reserved, false);
    }
    return m->base != NULL;
}

/* Moves a bounds-checked memory into a larger reservation (the only case
 * where its base changes; the interpreter reloads it after memory.grow
 * and after calls). */
static bool memory_move(rt_store *s, rt_memory *m, uint64_t bytes)
{
    uint64_t resv = m->reserved * 2;
    if (resv < bytes)
        resv = bytes;
    if (resv > max_bytes(m))
        resv = max_bytes(m);
    uint8_t *nb = mem_pages_reserve(resv, false);
    if (!nb)
        return false;
    if (!mem_pages_commit(&s->mem, MEM_LINEAR, nb, bytes)) {
        mem_pages_release(nb, resv);
        return false;
    }
    memcpy(nb, m->base, m->size);
    mem_pages_uncount(&s->mem, MEM_LINEAR, m->size);
    mem_pages_release(m->base, m->reserved + m->guard);
    m->base = nb;
    m->reserved = resv;
    return true;
}

/* Makes m exactly `pages` long (never shorter), new bytes zeroed. */
static bool memory_resize(rt_store *s, rt_memory *m, uint32_t pages)
{
    uint64_t bytes = (uint64_t)pages * RT_PAGE_SIZE;
    if (bytes > m->reserved) {
        if (m->guard || !memory_move(s, m, bytes))
            return false;
    } else if (!mem_pages_commit(&s->mem, MEM_LINEAR, m->base + m->size,
                                 bytes - m->size)) {
        return false;
    }
    m->size = bytes;
    m->pages = pages;
    m->type.lim.min = pages;
    return true;
}

rt_memory *rt_memory_new(rt_store *s, const memtype *type)
{
    if (type->lim.min > RT_MAX_PAGES ||
        (s->limit_memory_pages && type->lim.min > s->limit_memory_pages))
        return NULL;
    rt_memory *m = mem_calloc(&s->mem, MEM_INSTANCE, 1, sizeof *m);
    if (!m)
        return NULL;
    m->type = *type;
    uint64_t need = (uint64_t)type->lim.min * RT_PAGE_SIZE;
    if (!memory_reserve(s->engine, m, need)) {
        mem_free(&s->mem, MEM_INSTANCE, m);
        return NULL;
    }
    if (!memory_resize(s, m, type->lim.min)) {
        mem_pages_release(m->base, m->reserved + m->guard);
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
    if (s->limit_memory_pages && limit > s->limit_memory_pages)
        limit = s->limit_memory_pages;
    if ((uint64_t)old + delta > limit)
        return -1;
    if (delta == 0)
        return old;
    if (!memory_resize(s, m, old + delta))
        return -1;
    return old;
}

bool rt_memory_discard(rt_memory *m, uint64_t offset, uint64_t len)
{
    if (offset > m->size || len > m->size - offset)
        return false;
    /* Whole pages go back to the OS; the partial pages at either end are
     * zeroed by hand. */
    uint64_t page = os_page_size();
    uint64_t lo = (offset + page - 1) & ~(page - 1);
    uint64_t hi = (offset + len) & ~(page - 1);
    if (lo >= hi) {
        memset(m->base + offset, 0, len);
        return true;
    }
    memset(m->base + offset, 0, lo - offset);
    memset(m->base + hi, 0, offset + len - hi);
    if (!os_discard(m->base + lo, hi - lo))
        memset(m->base + lo, 0, hi - lo);
    return true;
}

void rt_memory_destroy(rt_store *s, rt_memory *m)
{
    mem_pages_uncount(&s->mem, MEM_LINEAR, m->size);
    mem_pages_release(m->base, m->reserved + m->guard);
    mem_free(&s->mem, MEM_INSTANCE, m);
}
