/* Shared by the files of src/wasi/: the context, its descriptor table,
 * guest-memory access and the sandbox's path resolution. */
#ifndef EBB_WASI_INTERNAL_H
#define EBB_WASI_INTERNAL_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "wasi.h"
#include "wasi_abi.h"

/* One guest descriptor. */
typedef struct wasi_fd {
    int host;                  /* host descriptor; -1: the slot is free */
    bool own;                  /* close `host` when the slot is freed */
    uint8_t filetype;          /* WASI_FILETYPE_* */
    uint64_t rights;           /* rights of this descriptor */
    uint64_t inheriting;       /* rights of what path_open opens from it */
    char *preopen;             /* guest name of a preopened directory */
    uint32_t preopen_len;
} wasi_fd;

struct wasi_ctx {
    mem_owner *owner;
    char **argv;  uint32_t argc;  uint32_t argv_bytes; /* bytes with NULs */
    char **env;   uint32_t envc;  uint32_t env_bytes;
    wasi_fd *fds; size_t nfds, cap_fds;
    rt_memory *bound_memory;
    bool no_openat2;
};

/* The state of one WASI call: the context and the caller's memory. */
typedef struct wasi_call {
    wasi_ctx *ctx;
    rt_store *store;
    uint8_t *mem;
    uint64_t mem_size;
    uint32_t exit_status;      /* set by proc_exit */
} wasi_call;

/* Returned instead of an errno by proc_exit: unwind the guest. */
#define WASI_EXIT 0x10000u

#define WASI_FN(name, params, results) \
    uint32_t wasi_fn_##name(wasi_call *c, const uint64_t *args);
#include "wasi_funcs.def"
#undef WASI_FN

/* The i-th argument as a WASI i32 / i64. */
#define ARG32(i) ((uint32_t)args[i])
#define ARG64(i) (args[i])

/* Guest memory: a host pointer to [ptr, ptr+len), NULL when any byte of
 * it is outside the memory (the caller answers EFAULT). */
static inline uint8_t *wasi_mem(wasi_call *c, uint32_t ptr, uint64_t len)
{
    if ((uint64_t)ptr + len > c->mem_size)
        return NULL;
    return c->mem + ptr;
}

static inline void wasi_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
}
static inline void wasi_put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static inline void wasi_put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint16_t wasi_get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}
static inline uint32_t wasi_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}
static inline uint64_t wasi_get64(const uint8_t *p)
{
    return (uint64_t)wasi_get32(p) | (uint64_t)wasi_get32(p + 4) << 32;
}

/* Writes a u32 / u64 result to guest memory; EFAULT when out of range. */
uint32_t wasi_out32(wasi_call *c, uint32_t ptr, uint32_t v);
uint32_t wasi_out64(wasi_call *c, uint32_t ptr, uint64_t v);

/* The host errno as a WASI errno. */
uint32_t wasi_errno(int host_errno);
static inline uint32_t wasi_errno_now(void) { return wasi_errno(errno); }

/* Descriptor `fd` if it is open and has every right in `need`; else NULL
 * with *e = EBADF or ENOTCAPABLE. */
wasi_fd *wasi_fd_get(wasi_ctx *w, uint32_t fd, uint64_t need, uint32_t *e);
/* Installs host descriptor h in the lowest free guest slot. */
bool wasi_fd_add(wasi_ctx *w, int h, uint8_t filetype, uint64_t rights,
                 uint64_t inheriting, uint32_t *out);
/* Closes the slot's host descriptor (if owned) and frees the slot. */
void wasi_fd_release(wasi_ctx *w, wasi_fd *f);
/* A filestat (WASI_FILESTAT_SIZE bytes at p) from a host stat. */
void wasi_put_filestat(uint8_t *p, const struct stat *st);
/* Host timespecs for utimensat from WASI times and fstflags (EINVAL for
 * contradictory flags). */
uint32_t wasi_times(uint64_t atim, uint64_t mtim, uint32_t fst,
                    struct timespec ts[2]);
/* Now on WASI clock `id`, in ns: EINVAL for an unknown clock. */
uint32_t wasi_clock_now(uint32_t id, uint64_t *ns);
/* The WASI filetype of a host st_mode. */
uint8_t wasi_filetype(unsigned mode);

/* ---- sandbox (sandbox.c) ----
 * A guest path resolved beneath a directory: `parent` is a fresh host
 * descriptor (O_PATH) of the directory that holds the last component, and
 * `last` that component: never empty, never containing '/', "." for the
 * directory itself, and not a symbolic link when `follow` was asked (a
 * link swapped in later is refused by O_NOFOLLOW / AT_SYMLINK_NOFOLLOW,
 * which every operation on (parent, last) uses). */
typedef struct wasi_path {
    int parent;
    char last[NAME_MAX + 1];
    bool trailing_slash;       /* the guest wrote "name/" */
} wasi_path;

/* Reads the guest path [ptr, ptr+len) and resolves it beneath dir.
 * Returns an errno (then nothing is left open). */
uint32_t wasi_path_resolve(wasi_call *c, int dir, uint32_t ptr, uint32_t len,
                           bool follow, wasi_path *out);
void wasi_path_done(wasi_path *p);
/* Copies a guest string into a host NUL-terminated buffer of cap bytes:
 * EFAULT, ENAMETOOLONG, or EINVAL for an embedded NUL. */
uint32_t wasi_copy_string(wasi_call *c, uint32_t ptr, uint32_t len,
                          char *buf, size_t cap);

#endif
