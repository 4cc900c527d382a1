/* The one door for memory. Every byte ebb takes comes through here, named
 * by a category (what it is for) and an owner (who frees it). Counters of
 * live and peak bytes are kept per owner and process-wide, so a test can
 * assert that everything an owner took came back.
 *
 * Where the bytes come from is the owner's choice, made once at init:
 * - a lifetime arena (mem_owner_init_arena): blocks carved from whole pages
 *   taken with mmap, all unmapped by mem_owner_destroy, so nothing the
 *   owner took outlives it, not even as a free list in the C library.
 *   Engines, modules, stores and compile workers use these;
 * - an embedder's allocator hook (mem_hook, like Lua's lua_Alloc);
 * - the C allocator (mem_owner_init): small, short-lived bookkeeping.
 * Blocks carry a 16-byte header with their size and origin, so callers
 * free without remembering sizes, and a block is always returned to where
 * it came from. Linear memory uses the page functions at the end. */
#ifndef EBB_MEM_H
#define EBB_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdatomic.h>

#define MEM_CATEGORIES(X) \
    X(CODE, "code")           \
    X(MODULE, "module")       \
    X(LINEAR, "linear")       \
    X(TABLE, "table")         \
    X(INSTANCE, "instance")   \
    X(STACK, "stack")         \
    X(COMPILE, "compile")     \
    X(HOST, "host")

typedef enum mem_cat {
#define X(id, name) MEM_##id,
    MEM_CATEGORIES(X)
#undef X
    MEM_NCAT
} mem_cat;

typedef enum mem_owner_kind {
    MEM_OWNER_ENGINE,
    MEM_OWNER_MODULE,
    MEM_OWNER_STORE,
    MEM_NOWNER
} mem_owner_kind;

/* The embedder's allocator, in the spirit of Lua's lua_Alloc: ptr == NULL
 * allocates nsize bytes; nsize == 0 frees ptr (osize bytes) and returns
 * NULL; otherwise resizes ptr from osize to nsize bytes, returning NULL
 * (ptr untouched) on failure. Blocks must be 16-byte aligned. `cat` says
 * what the bytes are for (mem_cat). Called from compile workers too, so it
 * must be thread-safe. */
typedef void *(*mem_alloc_fn)(void *ud, void *ptr, size_t osize,
                              size_t nsize, int cat);
typedef struct mem_hook {
    mem_alloc_fn fn;          /* NULL: ebb's own page arenas */
    void *ud;
} mem_hook;

struct mem_arena;

/* Counters of one owner. Atomic because a module's parts are compiled on
 * several threads at once. */
typedef struct mem_owner {
    mem_owner_kind kind;
    _Atomic size_t live[MEM_NCAT];
    _Atomic size_t peak[MEM_NCAT];
    mem_hook hook;            /* fn set: every block comes from it */
    bool use_arena;           /* else blocks come from the C allocator */
    struct mem_arena *arena;  /* made on the first block */
} mem_owner;

typedef struct mem_stats {
    size_t live[MEM_NCAT];
    size_t peak[MEM_NCAT];
} mem_stats;

/* An owner whose blocks come from the C allocator (no destroy needed). */
void mem_owner_init(mem_owner *o, mem_owner_kind kind);
/* An owner with a lifetime arena, or with the embedder's hook if hook and
 * hook->fn are set. Must be ended with mem_owner_destroy. */
void mem_owner_init_arena(mem_owner *o, mem_owner_kind kind,
                          const mem_hook *hook);
/* Unmaps the owner's arena. Blocks not freed by then are gone with it
 * (and still show in the counters: a leak stays visible). */
void mem_owner_destroy(mem_owner *o);
/* Bytes the owner still holds, summed over categories (0 when all freed). */
size_t mem_owner_live(const mem_owner *o);
void mem_owner_stats(const mem_owner *o, mem_stats *out);
/* Bytes of pages the owner's arena has mapped right now (blocks, free
 * space and headers together): what the owner costs the process. */
size_t mem_owner_mapped(const mem_owner *o);
/* Advice: about `bytes` of blocks are coming soon (a module's bytes,
 * description and compiled code). From half a huge page up, the arena's
 * next chunk is made of huge pages and holds them all, large blocks
 * included: a few faults instead of one per page. Nothing for owners
 * without an arena. */
void mem_owner_expect(mem_owner *o, size_t bytes);

/* Process-wide counters, per owner kind. */
void mem_global_stats(mem_owner_kind kind, mem_stats *out);
size_t mem_global_live(void);
/* Bytes of pages mapped by all arenas and page reservations' committed
 * parts of the process right now. */
size_t mem_global_mapped(void);
const char *mem_cat_name(mem_cat c);

/* NULL on failure (or for n == 0 never: a 0-byte request gives a valid
 * block). Zeroed memory from mem_calloc. */
void *mem_alloc(mem_owner *o, mem_cat c, size_t n);
void *mem_calloc(mem_owner *o, mem_cat c, size_t count, size_t size);
/* Like realloc: p may be NULL; on failure returns NULL and p stays valid.
 * New bytes beyond the old size are zeroed. */
void *mem_realloc(mem_owner *o, mem_cat c, void *p, size_t n);
void mem_free(mem_owner *o, mem_cat c, void *p);
/* Size of a live block from mem_alloc. */
size_t mem_size(const void *p);
char *mem_strndup(mem_owner *o, mem_cat c, const char *s, size_t n);

/* Growable array helper: makes room for `need` elements of `elem` bytes in
 * *arr (capacity *cap, grown geometrically). false on overflow/OOM. */
bool mem_grow_array(mem_owner *o, mem_cat c, void **arr, size_t *cap,
                    size_t need, size_t elem);

/* ---- pages (linear memories) ---------------------------------------------- */

/* Address space without memory (see os_reserve); NULL on failure. */
void *mem_pages_reserve(size_t len, bool dense);
/* Commits [p, p+len) of a reservation, counted as category c of o. */
bool mem_pages_commit(mem_owner *o, mem_cat c, void *p, size_t len);
/* Gives committed pages back and uncounts them. */
void mem_pages_decommit(mem_owner *o, mem_cat c, void *p, size_t len);
/* Unmaps a reservation (its committed part must be decommitted or
 * uncounted with mem_pages_uncount first). */
void mem_pages_release(void *p, size_t len);
void mem_pages_uncount(mem_owner *o, mem_cat c, size_t len);

/* ---- failure injection (tests) --------------------------------------------- */

/* Makes the n-th request for memory from now on fail (0: the next one),
 * then every later one succeed again; n < 0 turns this off. Counts, for
 * the whole process, every call of mem_alloc, mem_calloc, mem_realloc and
 * of the page reserve and commit functions. Returns how many requests
 * were made since the previous call (so a test learns how many a run
 * takes). */
long mem_fail_at(long n);

#endif
