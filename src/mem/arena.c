/* Lifetime arenas: an owner's blocks carved from whole pages of its own.
 *
 * Small blocks (up to 32 KiB with their header) are cut from chunks of
 * pages by bumping a pointer; a freed small block goes on the arena's free
 * list for its size class and is reused by the same owner. Larger blocks
 * get a mapping each, returned to the OS as soon as they are freed (but
 * for those cut from a chunk of huge pages, see huge_carve). When
 * the owner dies, every chunk and mapping is unmapped: no free list
 * outlives its owner, and no freed memory waits inside the C library.
 *
 * A mutex guards each arena: a module's arena receives the code of
 * functions compiled on several threads at once. */
#include "mem_internal.h"

#include <pthread.h>
#include <string.h>

#include "../os/os.h"

/* Size classes of total block sizes: 16-byte steps up to 512, then four
 * steps per doubling up to 32 KiB (waste stays under a quarter). */
#define SMALL_STEP 16u
#define SMALL_LIMIT 512u
#define MAX_CLASS_SIZE (32u * 1024u)
#define NCLASSES (SMALL_LIMIT / SMALL_STEP + 6 * 4)
#define FIRST_CHUNK (16u * 1024u)
#define MAX_CHUNK (256u * 1024u)
/* Pages of a chunk are made resident this many bytes ahead of the bump
 * pointer, in one call each time (os_populate): an arena filled in bulk,
 * such as a module's compiled code, then takes a few calls instead of a
 * fault per page, and an idle arena holds at most this much untouched. */
#define POPULATE_AHEAD (64u * 1024u)
/* The largest announced bulk taken as one chunk (arena_expect). */
#define MAX_EXPECT ((size_t)64 << 20)

typedef struct chunk {
    struct chunk *next;
    size_t len;
} chunk;

/* In front of a large block's header: its place in the arena's list. */
typedef struct big {
    struct big *next, *prev;
    size_t len;             /* of the whole mapping */
    size_t pad;
} big;

typedef struct free_block {
    struct free_block *next;
} free_block;

struct mem_arena {
    pthread_mutex_t lock;
    chunk *chunks;          /* the first holds this struct */
    char *bump, *end;       /* free space of the newest chunk */
    char *populated;        /* bump..populated: pages already resident */
    size_t ahead;           /* bytes populated at a time in this chunk */
    bool huge_chunk;        /* the newest chunk is of huge pages */
    size_t next_chunk;      /* size of the next chunk to map */
    size_t expect;          /* bytes announced by arena_expect, or 0 */
    big *bigs;
    size_t mapped;          /* bytes of all chunks and big mappings */
    free_block *free[NCLASSES];
};

/* The arena's and the process's count of mapped bytes. The arena's is
 * read without its lock (mem_owner_mapped), hence atomic. */
static void mapped_add(struct mem_arena *a, size_t n)
{
    __atomic_fetch_add(&a->mapped, n, __ATOMIC_RELAXED);
    mem_mapped_add(n);
}

static void mapped_sub(struct mem_arena *a, size_t n)
{
    __atomic_fetch_sub(&a->mapped, n, __ATOMIC_RELAXED);
    mem_mapped_sub(n);
}

/* Class index and rounded size of a total size <= MAX_CLASS_SIZE. */
static unsigned size_class(size_t total, size_t *rounded)
{
    if (total <= SMALL_LIMIT) {
        size_t r = (total + SMALL_STEP - 1) & ~(size_t)(SMALL_STEP - 1);
        if (r < 32)
            r = 32; /* room for the free-list link after the header */
        *rounded = r;
        return (unsigned)(r / SMALL_STEP - 1);
    }
    /* Doubling d (512 << d < total <= 1024 << d), then its quarter. */
    unsigned d = 0;
    while ((size_t)(SMALL_LIMIT << (d + 1)) < total)
        d++;
    size_t base = (size_t)SMALL_LIMIT << d, step = base / 4;
    size_t q = (total - base + step - 1) / step; /* 1..4 */
    *rounded = base + q * step;
    return (unsigned)(SMALL_LIMIT / SMALL_STEP + d * 4 + (q - 1));
}

static struct mem_arena *arena_new(void)
{
    chunk *ch = os_map(FIRST_CHUNK);
    if (!ch)
        return NULL;
    ch->next = NULL;
    ch->len = FIRST_CHUNK;
    struct mem_arena *a = (struct mem_arena *)(ch + 1);
    memset(a, 0, sizeof *a);
    if (pthread_mutex_init(&a->lock, NULL) != 0) {
        os_release(ch, FIRST_CHUNK);
        return NULL;
    }
    a->chunks = ch;
    a->bump = (char *)(a + 1);
    a->bump += (16 - (uintptr_t)a->bump % 16) % 16;
    a->end = (char *)ch + FIRST_CHUNK;
    a->populated = a->end; /* small; touched as it is used */
    a->ahead = POPULATE_AHEAD;
    a->next_chunk = FIRST_CHUNK * 2;
    mapped_add(a, FIRST_CHUNK);
    return a;
}

/* The owner's arena; made by the first allocation (several threads may
 * race to make it: one wins, the others give theirs back). */
static struct mem_arena *arena_of(mem_owner *o)
{
    struct mem_arena *a = __atomic_load_n(&o->arena, __ATOMIC_ACQUIRE);
    if (a)
        return a;
    a = arena_new();
    if (!a)
        return NULL;
    struct mem_arena *expected = NULL;
    if (!__atomic_compare_exchange_n(&o->arena, &expected, a, false,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        arena_destroy(a);
        return expected;
    }
    return a;
}

static bool add_chunk(struct mem_arena *a, size_t need)
{
    size_t len = a->next_chunk;
    while (len < need + sizeof(chunk) + 16)
        len *= 2;
    chunk *ch = NULL;
    if (a->expect >= OS_HUGE_PAGE / 2) {
        /* Announced bulk: one chunk of huge pages for all of it, at most
         * half of the last huge page left unused. */
        size_t want = a->expect > len ? a->expect : len;
        size_t huge = (want + OS_HUGE_PAGE - 1) & ~(OS_HUGE_PAGE - 1);
        ch = os_map_huge(huge);
        if (ch)
            len = huge;
    }
    /* In huge pages, a huge page at a time: one fault each. */
    a->huge_chunk = ch != NULL;
    a->ahead = ch ? OS_HUGE_PAGE : POPULATE_AHEAD;
    a->expect = 0;
    if (!ch)
        ch = os_map(len);
    if (!ch)
        return false;
    ch->next = a->chunks;
    ch->len = len;
    a->chunks = ch;
    a->bump = (char *)ch + 16; /* sizeof(chunk) rounded to 16 */
    a->end = (char *)ch + len;
    a->populated = a->bump;
    if (a->next_chunk < MAX_CHUNK)
        a->next_chunk *= 2;
    mapped_add(a, len);
    return true;
}

/* Called when the bump pointer has passed the resident pages: makes the
 * next POPULATE_AHEAD bytes of the chunk resident. */
static void populate_ahead(struct mem_arena *a)
{
    char *to = a->bump + a->ahead;
    if (to > a->end || to < a->bump)
        to = a->end;
    (void)os_populate(a->populated, (size_t)(to - a->populated));
    a->populated = to;
}

void arena_expect(mem_owner *o, size_t bytes)
{
    struct mem_arena *a = arena_of(o);
    if (!a)
        return;
    if (bytes > MAX_EXPECT)
        bytes = MAX_EXPECT;
    pthread_mutex_lock(&a->lock);
    a->expect = bytes;
    pthread_mutex_unlock(&a->lock);
}

/* A large block cut from a chunk of huge pages, which an announced bulk
 * starts (arena_expect) if it has not yet: a module's copy of its bytes
 * then shares the huge pages of its code. Such a block is never reused
 * once freed (the bump pointer only moves on, so fresh space stays
 * zero): it waits in the chunk until the owner dies. NULL when no such
 * chunk has room. */
static block_header *huge_carve(struct mem_arena *a, size_t total)
{
    size_t r = (total + 15) & ~(size_t)15;
    if (r < total)
        return NULL;
    if (!a->huge_chunk && a->expect >= OS_HUGE_PAGE / 2 &&
        a->expect >= r && !add_chunk(a, r))
        return NULL;
    if (!a->huge_chunk || (size_t)(a->end - a->bump) < r)
        return NULL;
    block_header *h = (block_header *)a->bump;
    a->bump += r;
    if (a->bump > a->populated)
        populate_ahead(a);
    h->origin = MEM_ORIGIN(MEM_FROM_ARENA, r);
    return h;
}

static block_header *big_alloc(struct mem_arena *a, size_t total)
{
    size_t len = os_page_round(total + sizeof(big));
    if (!len)
        return NULL;
    big *b = os_map(len);
    if (!b)
        return NULL;
    b->len = len;
    b->prev = NULL;
    b->next = a->bigs;
    if (a->bigs)
        a->bigs->prev = b;
    a->bigs = b;
    mapped_add(a, len);
    block_header *h = (block_header *)(b + 1);
    h->origin = MEM_ORIGIN(MEM_FROM_MAP, len - sizeof(big));
    return h;
}

static void big_unlink(struct mem_arena *a, big *b)
{
    if (b->prev)
        b->prev->next = b->next;
    else
        a->bigs = b->next;
    if (b->next)
        b->next->prev = b->prev;
}

block_header *arena_alloc(mem_owner *o, size_t total, bool *zeroed)
{
    struct mem_arena *a = arena_of(o);
    if (!a)
        return NULL;
    block_header *h = NULL;
    pthread_mutex_lock(&a->lock);
    if (total > MAX_CLASS_SIZE) {
        h = huge_carve(a, total);
        if (!h)
            h = big_alloc(a, total);
        *zeroed = true; /* fresh pages */
    } else {
        size_t rounded;
        unsigned k = size_class(total, &rounded);
        if (a->free[k]) {
            h = (block_header *)a->free[k];
            a->free[k] = a->free[k]->next;
            *zeroed = false;
        } else if ((size_t)(a->end - a->bump) >= rounded ||
                   add_chunk(a, rounded)) {
            h = (block_header *)a->bump;
            a->bump += rounded;
            if (a->bump > a->populated)
                populate_ahead(a);
            *zeroed = true; /* never used since the chunk was mapped */
        }
        if (h)
            h->origin = MEM_ORIGIN(MEM_FROM_ARENA, rounded);
    }
    pthread_mutex_unlock(&a->lock);
    return h;
}

void arena_free(mem_owner *o, block_header *h)
{
    struct mem_arena *a = o->arena;
    size_t cap = MEM_CAP(h->origin);
    pthread_mutex_lock(&a->lock);
    if (MEM_TAG(h->origin) == MEM_FROM_MAP) {
        big *b = (big *)h - 1;
        big_unlink(a, b);
        mapped_sub(a, b->len);
        os_release(b, b->len);
    } else if (cap > MAX_CLASS_SIZE) {
        /* cut from huge pages (huge_carve): stays till the owner dies */
    } else {
        size_t rounded;
        unsigned k = size_class(cap, &rounded);
        free_block *f = (free_block *)h;
        f->next = a->free[k];
        a->free[k] = f;
    }
    pthread_mutex_unlock(&a->lock);
}

block_header *arena_resize(mem_owner *o, block_header *h, size_t total)
{
    size_t cap = MEM_CAP(h->origin);
    if (MEM_TAG(h->origin) == MEM_FROM_ARENA)
        return total <= cap ? h : NULL;
    if (total <= MAX_CLASS_SIZE)
        return NULL; /* shrunk small: move it into a class */
    /* A large block: remap its pages (the kernel moves them, no copy). */
    struct mem_arena *a = o->arena;
    size_t len = os_page_round(total + sizeof(big));
    if (!len)
        return NULL;
    pthread_mutex_lock(&a->lock);
    big *b = (big *)h - 1;
    size_t old_len = b->len;
    big_unlink(a, b);
    big *nb = os_remap(b, old_len, len);
    bool moved = nb != NULL;
    if (moved) {
        nb->len = len;
        if (len > old_len) /* mem_realloc zeroes the new tail at once */
            (void)os_populate((char *)nb + old_len, len - old_len);
    } else {
        nb = b; /* the old mapping stays; relink it */
    }
    nb->prev = NULL;
    nb->next = a->bigs;
    if (a->bigs)
        a->bigs->prev = nb;
    a->bigs = nb;
    block_header *nh = NULL;
    if (moved) {
        if (len > old_len)
            mapped_add(a, len - old_len);
        else
            mapped_sub(a, old_len - len);
        nh = (block_header *)(nb + 1);
        nh->origin = MEM_ORIGIN(MEM_FROM_MAP, len - sizeof(big));
    }
    pthread_mutex_unlock(&a->lock);
    return nh;
}

void arena_destroy(struct mem_arena *a)
{
    while (a->bigs) {
        big *b = a->bigs;
        a->bigs = b->next;
        mem_mapped_sub(b->len);
        os_release(b, b->len);
    }
    pthread_mutex_destroy(&a->lock);
    /* The first chunk holds the arena itself: it goes last. */
    chunk *ch = a->chunks;
    while (ch) {
        chunk *next = ch->next;
        mem_mapped_sub(ch->len);
        os_release(ch, ch->len);
        ch = next;
    }
}

size_t arena_mapped(const struct mem_arena *a)
{
    return __atomic_load_n(&a->mapped, __ATOMIC_RELAXED);
}
