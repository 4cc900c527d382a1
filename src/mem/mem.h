/* The one door for memory. Every byte ebb takes comes through here, named
 * by a category (what it is for) and an owner (who frees it). Counters of
 * live and peak bytes are kept per owner and process-wide, so a test can
 * assert that everything an owner took came back.
 *
 * Blocks carry a small header holding their size, so callers free without
 * remembering sizes; the page layer and lifetime arenas (for module- and
 * store-lifetime data) sit behind the same door. */
#ifndef EBB_MEM_H
#define EBB_MEM_H

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

/* Counters of one owner. Atomic because a module's parts are compiled on
 * several threads at once. */
typedef struct mem_owner {
    mem_owner_kind kind;
    _Atomic size_t live[MEM_NCAT];
    _Atomic size_t peak[MEM_NCAT];
} mem_owner;

typedef struct mem_stats {
    size_t live[MEM_NCAT];
    size_t peak[MEM_NCAT];
} mem_stats;

void mem_owner_init(mem_owner *o, mem_owner_kind kind);
/* Bytes the owner still holds, summed over categories (0 when all freed). */
size_t mem_owner_live(const mem_owner *o);
void mem_owner_stats(const mem_owner *o, mem_stats *out);

/* Process-wide counters, per owner kind. */
void mem_global_stats(mem_owner_kind kind, mem_stats *out);
size_t mem_global_live(void);
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
#include <stdbool.h>
bool mem_grow_array(mem_owner *o, mem_cat c, void **arr, size_t *cap,
                    size_t need, size_t elem);

#endif
