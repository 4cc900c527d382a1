/* The only place ebb talks to the operating system: pages of virtual
 * memory, the fault handler that turns guard-page hits into Wasm traps, and
 * threads with small explicit stacks. Everything above calls these.
 *
 * Page functions take page-aligned addresses and lengths (os_page_size). */
#ifndef EBB_OS_H
#define EBB_OS_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- pages ---------------------------------------------------------------- */

size_t os_page_size(void);
/* Rounds n up to a whole number of pages (0 on overflow). */
size_t os_page_round(size_t n);

/* Address space only: no access, no memory behind it, nothing counted by
 * the kernel against overcommit. Sparse reservations (dense = false) are
 * kept out of transparent huge pages, so one touched byte costs one page,
 * not 2 MiB. NULL on failure. */
void *os_reserve(size_t len, bool dense);
/* Makes reserved pages readable and writable. They read as zero until
 * written and become resident only when touched. */
bool os_commit(void *p, size_t len);
/* Gives pages back to the OS and makes them inaccessible again. */
bool os_decommit(void *p, size_t len);
/* Gives pages back to the OS; they stay accessible and read as zero
 * (MADV_DONTNEED, which shows in RSS at once, unlike MADV_FREE). */
bool os_discard(void *p, size_t len);
/* Unmaps a reservation or mapping. */
void os_release(void *p, size_t len);
/* Readable, writable, zeroed pages (a reservation committed at once). */
void *os_map(size_t len);
/* Grows or shrinks a mapping, moving it if needed; NULL on failure (the
 * old mapping stays). */
void *os_remap(void *p, size_t old_len, size_t new_len);
/* Makes the pages of a mapped, writable range resident now, in one call,
 * for memory about to be written: cheaper than a fault per page. Only
 * advice (false where the system cannot; the pages then come as they
 * are touched). p need not be page-aligned: the pages holding
 * [p, p+len) are meant. */
bool os_populate(void *p, size_t len);
/* The size of a huge page where the system has them (2 MiB on the
 * systems ebb runs on); mappings aligned to it can be backed by one. */
#define OS_HUGE_PAGE ((size_t)2 << 20)
/* Like os_map, for len a multiple of OS_HUGE_PAGE: the mapping is aligned
 * to it and advised to take huge pages, so a large block written at once
 * costs a fault per huge page instead of one per page. Only a mapping
 * that will mostly be written should ask: a huge page is resident whole. */
void *os_map_huge(size_t len);
/* Maps a regular, non-empty file read-only and private (*len: its size);
 * NULL with errno set otherwise (callers then read it the ordinary way).
 * Pages are read in as they are touched; os_release unmaps it. A file
 * truncated by someone else while mapped raises SIGBUS on the lost
 * pages, so callers copy what they keep and unmap at once. */
const void *os_map_file(const char *path, size_t *len);

/* ---- faults as traps -------------------------------------------------------- */

/* A thread running Wasm code whose memory accesses rely on guard pages
 * sets a scope: when the thread faults at an address `contains` accepts,
 * the handler jumps back to `jb` (sigsetjmp'd by the caller, without
 * saving the signal mask: the handler runs with SA_NODEFER, so the mask
 * needs no restoring). Faults anywhere else go to the handler that was
 * installed before ebb's (or the default action). */
/* Registers, then the words at the stack pointer (where a compiler keeps
 * what did not fit in registers). */
#define OS_TRAP_NREGS 128
#define OS_TRAP_NSTACK 96
typedef struct os_trap_scope {
    sigjmp_buf jb;
    bool (*contains)(void *arg, uintptr_t addr);
    void *arg;
    struct os_trap_scope *prev;
    /* Filled in by the handler before the jump: the general registers at
     * the fault and the first OS_TRAP_NSTACK words of its stack (0 where
     * the platform is not known), so the owner can find where its
     * interpreter stopped. */
    uintptr_t regs[OS_TRAP_NREGS];
} os_trap_scope;

/* Installs the SIGSEGV/SIGBUS handler once per process. false if the OS
 * refused (the caller then uses bounds-checked code). */
bool os_trap_install(void);
/* Enter/leave a scope (they nest, innermost first). Entering also gives
 * the thread an alternate signal stack if it has none. */
void os_trap_enter(os_trap_scope *s);
void os_trap_leave(os_trap_scope *s);
/* While host code runs inside Wasm, its faults are not Wasm traps:
 * suspend returns the current scope and clears it; resume restores it. */
os_trap_scope *os_trap_suspend(void);
void os_trap_resume(os_trap_scope *s);

/* ---- threads ------------------------------------------------------------------ */

/* Number of online processors (at least 1). */
unsigned os_cpu_count(void);
/* Starts a detached thread running fn(arg) on a stack of stack_size bytes
 * (rounded to pages). Detached: when it returns, the C library gives its
 * stack pages back at once, and nobody has to join it. */
bool os_thread_start(void (*fn)(void *), void *arg, size_t stack_size);
/* Threads of this process right now (entries of /proc/self/task), or -1. */
int os_thread_count(void);
/* Monotonic clock in nanoseconds. */
uint64_t os_now_ns(void);
/* Bytes of native stack left below the caller on this thread; SIZE_MAX
 * when the system does not say. For code that recurses on its input. */
size_t os_stack_room(void);

#endif
