/* What the files of src/mem share: the block header, the counters and the
 * lifetime arena. */
#ifndef EBB_MEM_INTERNAL_H
#define EBB_MEM_INTERNAL_H

#include "mem.h"

/* In front of every block: the size asked for and where the block came
 * from (origin: a MEM_FROM_* tag in the low 4 bits, the block's capacity
 * in bytes, header included, in the rest; capacities are multiples of 16).
 * 16 bytes, so payloads keep 16-byte alignment. */
typedef struct block_header {
    size_t size;
    size_t origin;
} block_header;

enum {
    MEM_FROM_MALLOC = 1,  /* the C allocator */
    MEM_FROM_HOOK = 2,    /* the owner's hook */
    MEM_FROM_ARENA = 3,   /* a size class in the owner's arena chunks */
    MEM_FROM_MAP = 4,     /* its own mapping, listed in the owner's arena */
};
#define MEM_ORIGIN(tag, cap) ((size_t)(cap) | (size_t)(tag))
#define MEM_TAG(origin) ((int)((origin) & 15u))
#define MEM_CAP(origin) ((origin) & ~(size_t)15u)

void mem_count_add(mem_owner *o, mem_cat c, size_t n);
void mem_count_sub(mem_owner *o, mem_cat c, size_t n);
void mem_mapped_add(size_t n);
void mem_mapped_sub(size_t n);
/* Failure injection: true when this request must fail. */
bool mem_fail_now(void);

/* The arena of o (made on first use). A block of `total` bytes (header
 * included): returns its header, with origin filled in; *zeroed tells
 * whether the bytes are known to be zero. NULL when out of memory. */
block_header *arena_alloc(mem_owner *o, size_t total, bool *zeroed);
/* Gives a block back to o's arena. */
void arena_free(mem_owner *o, block_header *h);
/* Resizes a block in place if its capacity allows, or a mapped block by
 * remapping; NULL if neither works (the caller then copies). */
block_header *arena_resize(mem_owner *o, block_header *h, size_t total);
/* See mem_owner_expect. */
void arena_expect(mem_owner *o, size_t bytes);
void arena_destroy(struct mem_arena *a);
size_t arena_mapped(const struct mem_arena *a);

#endif
