/* The door: counters, and the dispatch of each block to where it comes
 * from (arena, hook or C allocator) and back. */
#include "mem_internal.h"

#include <stdlib.h>
#include <string.h>

static _Atomic size_t global_live[MEM_NOWNER][MEM_NCAT];
static _Atomic size_t global_peak[MEM_NOWNER][MEM_NCAT];
static _Atomic size_t global_mapped;

static const char *const cat_names[MEM_NCAT] = {
#define X(id, name) name,
    MEM_CATEGORIES(X)
#undef X
};

const char *mem_cat_name(mem_cat c)
{
    return c < MEM_NCAT ? cat_names[c] : "?";
}

/* ---- owners and counters -------------------------------------------------- */

void mem_owner_init(mem_owner *o, mem_owner_kind kind)
{
    o->kind = kind;
    for (int c = 0; c < MEM_NCAT; c++) {
        atomic_init(&o->live[c], 0);
        atomic_init(&o->peak[c], 0);
    }
    o->hook.fn = NULL;
    o->hook.ud = NULL;
    o->use_arena = false;
    o->arena = NULL;
}

void mem_owner_init_arena(mem_owner *o, mem_owner_kind kind,
                          const mem_hook *hook)
{
    mem_owner_init(o, kind);
    if (hook && hook->fn)
        o->hook = *hook;
    else
        o->use_arena = true;
}

void mem_owner_destroy(mem_owner *o)
{
    if (o->arena)
        arena_destroy(o->arena);
    o->arena = NULL;
}

static void raise_peak(_Atomic size_t *peak, size_t now)
{
    size_t old = atomic_load_explicit(peak, memory_order_relaxed);
    while (old < now && !atomic_compare_exchange_weak_explicit(
                            peak, &old, now, memory_order_relaxed,
                            memory_order_relaxed))
        ;
}

void mem_count_add(mem_owner *o, mem_cat c, size_t n)
{
    size_t now = atomic_fetch_add_explicit(&o->live[c], n,
                                           memory_order_relaxed) + n;
    raise_peak(&o->peak[c], now);
    now = atomic_fetch_add_explicit(&global_live[o->kind][c], n,
                                    memory_order_relaxed) + n;
    raise_peak(&global_peak[o->kind][c], now);
}

void mem_count_sub(mem_owner *o, mem_cat c, size_t n)
{
    atomic_fetch_sub_explicit(&o->live[c], n, memory_order_relaxed);
    atomic_fetch_sub_explicit(&global_live[o->kind][c], n,
                              memory_order_relaxed);
}

void mem_mapped_add(size_t n)
{
    atomic_fetch_add_explicit(&global_mapped, n, memory_order_relaxed);
}

void mem_mapped_sub(size_t n)
{
    atomic_fetch_sub_explicit(&global_mapped, n, memory_order_relaxed);
}

size_t mem_global_mapped(void)
{
    return atomic_load(&global_mapped);
}

size_t mem_owner_live(const mem_owner *o)
{
    size_t sum = 0;
    for (int c = 0; c < MEM_NCAT; c++)
        sum += atomic_load(&o->live[c]);
    return sum;
}

void mem_owner_stats(const mem_owner *o, mem_stats *out)
{
    for (int c = 0; c < MEM_NCAT; c++) {
        out->live[c] = atomic_load(&o->live[c]);
        out->peak[c] = atomic_load(&o->peak[c]);
    }
}

size_t mem_owner_mapped(const mem_owner *o)
{
    return o->arena ? arena_mapped(o->arena) : 0;
}

void mem_owner_expect(mem_owner *o, size_t bytes)
{
    if (o->use_arena && !o->hook.fn)
        arena_expect(o, bytes);
}

void mem_global_stats(mem_owner_kind kind, mem_stats *out)
{
    for (int c = 0; c < MEM_NCAT; c++) {
        out->live[c] = atomic_load(&global_live[kind][c]);
        out->peak[c] = atomic_load(&global_peak[kind][c]);
    }
}

size_t mem_global_live(void)
{
    size_t sum = 0;
    for (int k = 0; k < MEM_NOWNER; k++)
        for (int c = 0; c < MEM_NCAT; c++)
            sum += atomic_load(&global_live[k][c]);
    return sum;
}

/* ---- failure injection ------------------------------------------------------ */

static _Atomic long fail_left = -1;
static _Atomic long requests;

long mem_fail_at(long n)
{
    atomic_store(&fail_left, n < 0 ? -1 : n);
    return atomic_exchange(&requests, 0);
}

bool mem_fail_now(void)
{
    atomic_fetch_add_explicit(&requests, 1, memory_order_relaxed);
    if (atomic_load_explicit(&fail_left, memory_order_relaxed) < 0)
        return false;
    return atomic_fetch_sub(&fail_left, 1) == 0;
}

/* ---- blocks ------------------------------------------------------------------- */

/* A block of n payload bytes from wherever o takes them; the header is
 * filled in, the block is not counted yet. */
static block_header *take(mem_owner *o, mem_cat c, size_t n, bool zero)
{
    if (n > SIZE_MAX / 2)
        return NULL;
    size_t total = sizeof(block_header) + n;
    block_header *h;
    bool zeroed = false;
    if (o->hook.fn) {
        h = o->hook.fn(o->hook.ud, NULL, 0, total, (int)c);
        if (h)
            h->origin = MEM_ORIGIN(MEM_FROM_HOOK, 0);
    } else if (o->use_arena) {
        h = arena_alloc(o, total, &zeroed);
    } else {
        h = zero ? calloc(1, total) : malloc(total);
        zeroed = zero;
        if (h)
            h->origin = MEM_ORIGIN(MEM_FROM_MALLOC, 0);
    }
    if (!h)
        return NULL;
    if (zero && !zeroed)
        memset(h + 1, 0, n);
    h->size = n;
    return h;
}

/* Returns a block to where it came from (not uncounted here). */
static void give_back(mem_owner *o, block_header *h)
{
    switch (MEM_TAG(h->origin)) {
    case MEM_FROM_HOOK:
        o->hook.fn(o->hook.ud, h, sizeof *h + h->size, 0, 0);
        break;
    case MEM_FROM_ARENA:
    case MEM_FROM_MAP:
        arena_free(o, h);
        break;
    default:
        free(h);
        break;
    }
}

void *mem_alloc(mem_owner *o, mem_cat c, size_t n)
{
    if (mem_fail_now())
        return NULL;
    block_header *h = take(o, c, n, false);
    if (!h)
        return NULL;
    mem_count_add(o, c, n);
    return h + 1;
}

void *mem_calloc(mem_owner *o, mem_cat c, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    if (mem_fail_now())
        return NULL;
    block_header *h = take(o, c, count * size, true);
    if (!h)
        return NULL;
    mem_count_add(o, c, count * size);
    return h + 1;
}

/* Resizes h in place or where it lives (C realloc, hook, arena remap);
 * NULL when that is not possible. */
static block_header *resize(mem_owner *o, mem_cat c, block_header *h,
                            size_t n)
{
    size_t total = sizeof *h + n;
    switch (MEM_TAG(h->origin)) {
    case MEM_FROM_HOOK:
        return o->hook.fn(o->hook.ud, h, sizeof *h + h->size, total, (int)c);
    case MEM_FROM_ARENA:
    case MEM_FROM_MAP:
        return arena_resize(o, h, total);
    default:
        return realloc(h, total);
    }
}

void *mem_realloc(mem_owner *o, mem_cat c, void *p, size_t n)
{
    if (!p)
        return mem_calloc(o, c, 1, n);
    if (n > SIZE_MAX / 2 || mem_fail_now())
        return NULL;
    block_header *h = (block_header *)p - 1;
    size_t old = h->size;
    block_header *nh = resize(o, c, h, n);
    if (!nh) {
        /* Moving is the arena's last resort: new block, copy, free. */
        if (MEM_TAG(h->origin) != MEM_FROM_ARENA &&
            MEM_TAG(h->origin) != MEM_FROM_MAP)
            return NULL;
        nh = take(o, c, n, false);
        if (!nh)
            return NULL;
        memcpy(nh + 1, h + 1, old < n ? old : n);
        give_back(o, h);
    }
    if (n > old)
        memset((char *)(nh + 1) + old, 0, n - old);
    nh->size = n;
    if (n > old)
        mem_count_add(o, c, n - old);
    else
        mem_count_sub(o, c, old - n);
    return nh + 1;
}

void mem_free(mem_owner *o, mem_cat c, void *p)
{
    if (!p)
        return;
    block_header *h = (block_header *)p - 1;
    mem_count_sub(o, c, h->size);
    give_back(o, h);
}

size_t mem_size(const void *p)
{
    return p ? ((const block_header *)p - 1)->size : 0;
}

char *mem_strndup(mem_owner *o, mem_cat c, const char *s, size_t n)
{
    char *d = mem_alloc(o, c, n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

bool mem_grow_array(mem_owner *o, mem_cat c, void **arr, size_t *cap,
                    size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    size_t ncap = *cap ? *cap : 8;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return false;
        ncap *= 2;
    }
    if (elem && ncap > SIZE_MAX / elem)
        return false;
    void *n = mem_realloc(o, c, *arr, ncap * elem);
    if (!n)
        return false;
    *arr = n;
    *cap = ncap;
    return true;
}
