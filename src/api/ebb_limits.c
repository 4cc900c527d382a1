/* Limits an embedder sets on a store: fuel, the epoch deadline, and the
 * sizes memories and tables may grow to and the instances it may hold
 * (see rt_store). NULL arguments are ignored (or an error / false). */
#include "ebb_internal.h"

#include <stdatomic.h>

void ebb_config_consume_fuel_set(wasm_config_t *c, bool on)
{
    if (c)
        c->rt.consume_fuel = on;
}

void ebb_config_epoch_interruption_set(wasm_config_t *c, bool on)
{
    if (c)
        c->rt.epoch_interruption = on;
}

ebb_error_t *ebb_store_set_fuel(wasm_store_t *s, uint64_t fuel)
{
    if (!s)
        return ebb_error_newf("ebb_store_set_fuel: no store");
    if (!s->rt->engine->config.consume_fuel)
        return ebb_error_newf("fuel is not configured in this engine");
    s->rt->fuel = fuel;
    return NULL;
}

bool ebb_store_get_fuel(const wasm_store_t *s, uint64_t *out)
{
    if (!s || !out || !s->rt->engine->config.consume_fuel)
        return false;
    *out = s->rt->fuel;
    return true;
}

void ebb_engine_increment_epoch(wasm_engine_t *e)
{
    if (!e)
        return;
    atomic_fetch_add_explicit(&e->rt->epoch, 1, memory_order_relaxed);
}

void ebb_store_set_epoch_deadline(wasm_store_t *s, uint64_t ticks)
{
    if (!s)
        return;
    uint64_t now = atomic_load_explicit(&s->rt->engine->epoch,
                                        memory_order_relaxed);
    s->rt->epoch_deadline = ticks > UINT64_MAX - now ? UINT64_MAX
                                                     : now + ticks;
}

void ebb_store_limiter(wasm_store_t *s, const ebb_store_limits_t *l)
{
    if (!s || !l)
        return;
    /* Bytes to whole pages, rounded down: a limit below one page allows
     * no growth beyond what the module declares (0 would mean none). */
    uint64_t pages = l->memory_size / RT_PAGE_SIZE;
    if (l->memory_size && pages == 0)
        pages = 1;
    s->rt->limit_memory_pages = pages > RT_MAX_PAGES ? RT_MAX_PAGES
                                                     : (uint32_t)pages;
    s->rt->limit_table_elems = l->table_elements;
    s->rt->limit_instances = l->instances;
}
