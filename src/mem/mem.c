#include "mem.h"

#include <stdlib.h>
#include <string.h>

/* Header in front of every block: its size, padded so the payload keeps
 * malloc's 16-byte alignment. */
typedef struct block_header {
    size_t size;
    size_t pad;
} block_header;

static _Atomic size_t global_live[MEM_NOWNER][MEM_NCAT];
static _Atomic size_t global_peak[MEM_NOWNER][MEM_NCAT];

static const char *const cat_names[MEM_NCAT] = {
#define X(id, name) name,
    MEM_CATEGORIES(X)
#undef X
};

const char *mem_cat_name(mem_cat c)
{
    return c < MEM_NCAT ? cat_names[c] : "?";
}

void mem_owner_init(mem_owner *o, mem_owner_kind kind)
{
    o->kind = kind;
    for (int c = 0; c < MEM_NCAT; c++) {
        atomic_init(&o->live[c], 0);
        atomic_init(&o->peak[c], 0);
    }
}

static void raise_peak(_Atomic size_t *peak, size_t now)
{
    size_t old = atomic_load_explicit(peak, memory_order_relaxed);
    while (old < now && !atomic_compare_exchange_weak_explicit(
                            peak, &old, now, memory_order_relaxed,
                            memory_order_relaxed))
        ;
}

static void count_add(mem_owner *o, mem_cat c, size_t n)
{
    size_t now = atomic_fetch_add_explicit(&o->live[c], n,
                                           memory_order_relaxed) + n;
    raise_peak(&o->peak[c], now);
    now = atomic_fetch_add_explicit(&global_live[o->kind][c], n,
                                    memory_order_relaxed) + n;
    raise_peak(&global_peak[o->kind][c], now);
}

static void count_sub(mem_owner *o, mem_cat c, size_t n)
{
    atomic_fetch_sub_explicit(&o->live[c], n, memory_order_relaxed);
    atomic_fetch_sub_explicit(&global_live[o->kind][c], n,
                              memory_order_relaxed);
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

void *mem_alloc(mem_owner *o, mem_cat c, size_t n)
{
    if (n > SIZE_MAX - sizeof(block_header))
        return NULL;
    block_header *h = malloc(sizeof *h + n);
    if (!h)
        return NULL;
    h->size = n;
    count_add(o, c, n);
    return h + 1;
}

void *mem_calloc(mem_owner *o, mem_cat c, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    size_t n = count * size;
    if (n > SIZE_MAX - sizeof(block_header))
        return NULL;
    block_header *h = calloc(1, sizeof *h + n);
    if (!h)
        return NULL;
    h->size = n;
    count_add(o, c, n);
    return h + 1;
}

void *mem_realloc(mem_owner *o, mem_cat c, void *p, size_t n)
{
    if (!p)
        return mem_calloc(o, c, 1, n);
    if (n > SIZE_MAX - sizeof(block_header))
        return NULL;
    block_header *h = (block_header *)p - 1;
    size_t old = h->size;
    block_header *nh = realloc(h, sizeof *nh + n);
    if (!nh)
        return NULL;
    if (n > old)
        memset((char *)(nh + 1) + old, 0, n - old);
    nh->size = n;
    if (n > old)
        count_add(o, c, n - old);
    else
        count_sub(o, c, old - n);
    return nh + 1;
}

void mem_free(mem_owner *o, mem_cat c, void *p)
{
    if (!p)
        return;
    block_header *h = (block_header *)p - 1;
    count_sub(o, c, h->size);
    free(h);
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
