/* The engine: configuration and the registry of interned function types.
 * Interning makes call_indirect's signature check one integer compare. */
#include "runtime.h"

#include <string.h>

#include "../os/os.h"
#include "pool.h"

void rt_config_default(rt_config *c)
{
    memset(c, 0, sizeof *c);
    c->max_wasm_stack = 512 * 1024;
    c->memory_reservation = (uint64_t)4 << 30;
    c->memory_guard = (uint64_t)32 << 20;
    c->signals_based_traps = true;
    c->parallel_compilation = true;
    c->compile_threads = 0;
    c->compile_idle_ms = 1000;
}

/* Unchecked accesses need every 32-bit address plus a static offset below
 * the guard to land in the reservation, and a handler to catch them. And
 * a store that straddles the end of memory must write nothing: x86-64
 * faults before writing any of it, but other architectures (aarch64) may
 * write the part that fits, so they keep the checks. */
static uint64_t unchecked_offsets(const rt_config *c)
{
#if defined(__x86_64__)
    if (!c->signals_based_traps || c->memory_reservation < ((uint64_t)1 << 32))
        return 0;
    return os_trap_install() ? c->memory_guard : 0;
#else
    (void)c;
    return 0;
#endif
}

rt_engine *rt_engine_new(const rt_config *config)
{
    /* The struct holds its own counters, so it is allocated on a temporary
     * owner whose count then moves into e->mem. (mem_free reads the
     * counters before it releases the block, so freeing it is safe.) */
    rt_config defaults;
    if (!config) {
        rt_config_default(&defaults);
        config = &defaults;
    }
    /* The struct itself is a small handle from the embedder's hook or the
     * C allocator; everything else the engine holds lives in its arena. */
    mem_owner tmp;
    mem_owner_init(&tmp, MEM_OWNER_ENGINE);
    if (config->alloc.fn)
        mem_owner_init_arena(&tmp, MEM_OWNER_ENGINE, &config->alloc);
    rt_engine *e = mem_calloc(&tmp, MEM_HOST, 1, sizeof *e);
    if (!e)
        return NULL;
    mem_owner_init_arena(&e->mem, MEM_OWNER_ENGINE, &config->alloc);
    atomic_store(&e->mem.live[MEM_HOST], atomic_load(&tmp.live[MEM_HOST]));
    atomic_store(&e->mem.peak[MEM_HOST], atomic_load(&tmp.peak[MEM_HOST]));
    e->config = *config;
    e->unchecked_offsets = unchecked_offsets(config);
    if (pthread_mutex_init(&e->lock, NULL) != 0) {
        mem_free(&e->mem, MEM_HOST, e);
        return NULL;
    }
    return e;
}

void rt_engine_free(rt_engine *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->ntypes; i++) {
        mem_free(&e->mem, MEM_MODULE, e->types[i]->types);
        mem_free(&e->mem, MEM_MODULE, e->types[i]);
    }
    mem_free(&e->mem, MEM_MODULE, e->types);
    mem_free(&e->mem, MEM_MODULE, e->type_index);
    rt_pool_free(e);
    pthread_mutex_destroy(&e->lock);
    mem_owner_destroy(&e->mem);
    mem_free(&e->mem, MEM_HOST, e);
}

static bool same_type(const functype *a, const functype *b)
{
    size_t n = (size_t)a->nparams + a->nresults;
    return a->nparams == b->nparams && a->nresults == b->nresults &&
           (n == 0 || memcmp(a->types, b->types, n) == 0);
}

/* FNV-1a over the counts and the value types. */
static uint32_t hash_type(const functype *t)
{
    uint32_t h = 2166136261u;
    size_t n = (size_t)t->nparams + t->nresults;
    uint32_t counts[2] = {t->nparams, t->nresults};
    const uint8_t *c = (const uint8_t *)counts;
    for (size_t i = 0; i < sizeof counts; i++)
        h = (h ^ c[i]) * 16777619u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ t->types[i]) * 16777619u;
    return h;
}

/* The slot holding t, or the empty slot where it would go. */
static uint32_t *find_slot(const rt_engine *e, const functype *t)
{
    size_t mask = e->index_cap - 1;
    for (size_t i = hash_type(t) & mask;; i = (i + 1) & mask) {
        uint32_t *slot = &e->type_index[i];
        if (!*slot || same_type(e->types[*slot - 1], t))
            return slot;
    }
}

/* Keeps the hash at most half full, so probes stay short and end. */
static bool reserve_index(rt_engine *e, size_t need)
{
    if (need * 2 <= e->index_cap)
        return true;
    size_t cap = e->index_cap ? e->index_cap * 2 : 64;
    uint32_t *index = mem_calloc(&e->mem, MEM_MODULE, cap, sizeof *index);
    if (!index)
        return false;
    mem_free(&e->mem, MEM_MODULE, e->type_index);
    e->type_index = index;
    e->index_cap = cap;
    for (size_t id = 0; id < e->ntypes; id++)
        *find_slot(e, e->types[id]) = (uint32_t)id + 1;
    return true;
}

/* A separately allocated copy, so its address never changes. */
static functype *copy_type(rt_engine *e, const functype *t)
{
    functype *c = mem_alloc(&e->mem, MEM_MODULE, sizeof *c);
    if (!c)
        return NULL;
    size_t n = (size_t)t->nparams + t->nresults;
    c->nparams = t->nparams;
    c->nresults = t->nresults;
    c->types = mem_alloc(&e->mem, MEM_MODULE, n);
    if (!c->types) {
        mem_free(&e->mem, MEM_MODULE, c);
        return NULL;
    }
    if (n)
        memcpy(c->types, t->types, n);
    return c;
}

static bool intern_locked(rt_engine *e, const functype *t, rt_type_id *out)
{
    if (e->ntypes >= UINT32_MAX - 1 || !reserve_index(e, e->ntypes + 1))
        return false;
    uint32_t *slot = find_slot(e, t);
    if (*slot) {
        *out = *slot - 1;
        return true;
    }
    if (!mem_grow_array(&e->mem, MEM_MODULE, (void **)&e->types,
                        &e->cap_types, e->ntypes + 1, sizeof *e->types))
        return false;
    functype *c = copy_type(e, t);
    if (!c)
        return false;
    e->types[e->ntypes] = c;
    *out = (rt_type_id)e->ntypes++;
    *slot = *out + 1;
    return true;
}

bool rt_engine_intern_type(rt_engine *e, const functype *t, rt_type_id *out)
{
    pthread_mutex_lock(&e->lock);
    bool ok = intern_locked(e, t, out);
    pthread_mutex_unlock(&e->lock);
    return ok;
}

const functype *rt_engine_type(rt_engine *e, rt_type_id id)
{
    pthread_mutex_lock(&e->lock);
    const functype *t = id < e->ntypes ? e->types[id] : NULL;
    pthread_mutex_unlock(&e->lock);
    return t;
}
