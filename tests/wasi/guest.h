/* Shared helpers of the WASI test guests (C compiled for wasm32-wasi).
 *
 * Each guest calls wasi_snapshot_preview1 functions directly (through
 * wasi-libc's <wasi/api.h>, or through raw imports for calls the wrappers
 * cannot express, such as out-of-bounds pointers), checks every result,
 * and ends with the line "N passed, N failed" that tests/run.sh totals.
 * A failed check prints "file:line: ..." to stdout. */
#ifndef EBB_WASI_GUEST_H
#define EBB_WASI_GUEST_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

static int g_passed, g_failed;

static inline void guest_check(int ok, const char *file, int line,
                               const char *what)
{
    if (ok) {
        g_passed++;
        return;
    }
    g_failed++;
    printf("%s:%d: check failed: %s\n", file, line, what);
}

/* CHECK(cond): a boolean check. */
#define CHECK(cond) guest_check(!!(cond), __FILE__, __LINE__, #cond)

/* CHECK_ERRNO(call, want): the call returns exactly errno `want`. */
#define CHECK_ERRNO(call, want)                                            \
    do {                                                                   \
        int got_ = (int)(call);                                            \
        int want_ = (int)(want);                                           \
        if (got_ == want_) {                                               \
            g_passed++;                                                    \
        } else {                                                           \
            g_failed++;                                                    \
            printf("%s:%d: %s: errno %d, want %d\n", __FILE__, __LINE__,   \
                   #call, got_, want_);                                    \
        }                                                                  \
    } while (0)

#define CHECK_OK(call) CHECK_ERRNO(call, __WASI_ERRNO_SUCCESS)

/* CHECK_FAILS(call): any errno but success (for escapes, where the point
 * is that nothing happens, whichever errno the sandbox picks). */
#define CHECK_FAILS(call)                                                  \
    do {                                                                   \
        int got_ = (int)(call);                                            \
        if (got_ != 0) {                                                   \
            g_passed++;                                                    \
        } else {                                                           \
            g_failed++;                                                    \
            printf("%s:%d: %s: succeeded, want an errno\n", __FILE__,     \
                   __LINE__, #call);                                       \
        }                                                                  \
    } while (0)

static inline int guest_finish(void)
{
    printf("%d passed, %d failed\n", g_passed, g_failed);
    fflush(stdout);
    return g_failed != 0;
}

/* Raw imports: these take guest addresses as plain integers, so a test
 * can hand the host a pointer past the end of linear memory. */
#define RAW_IMPORT(name)                                                   \
    __attribute__((import_module("wasi_snapshot_preview1"),                \
                   import_name(#name)))

RAW_IMPORT(args_get) int32_t raw_args_get(int32_t argv, int32_t buf);
RAW_IMPORT(args_sizes_get) int32_t raw_args_sizes_get(int32_t n, int32_t sz);
RAW_IMPORT(environ_get) int32_t raw_environ_get(int32_t env, int32_t buf);
RAW_IMPORT(environ_sizes_get)
int32_t raw_environ_sizes_get(int32_t n, int32_t sz);
RAW_IMPORT(clock_res_get) int32_t raw_clock_res_get(int32_t id, int32_t out);
RAW_IMPORT(clock_time_get)
int32_t raw_clock_time_get(int32_t id, int64_t precision, int32_t out);
RAW_IMPORT(random_get) int32_t raw_random_get(int32_t buf, int32_t len);
RAW_IMPORT(fd_write)
int32_t raw_fd_write(int32_t fd, int32_t iovs, int32_t n, int32_t nwritten);
RAW_IMPORT(fd_read)
int32_t raw_fd_read(int32_t fd, int32_t iovs, int32_t n, int32_t nread);
RAW_IMPORT(path_open)
int32_t raw_path_open(int32_t fd, int32_t dirflags, int32_t path,
                      int32_t path_len, int32_t oflags, int64_t rights,
                      int64_t inheriting, int32_t fdflags, int32_t out_fd);
RAW_IMPORT(proc_raise) int32_t raw_proc_raise(int32_t sig);

/* Guest address of a pointer, and an address past every memory. */
#define ADDR(p) ((int32_t)(uintptr_t)(p))
#define FAR_ADDR ((int32_t)0xfffffff0)

/* Every right, for path_open calls that want whatever the parent allows. */
#define ALL_RIGHTS ((__wasi_rights_t)0x3fffffff)

/* Finds the preopened directory named `name` (fds 3 and up). */
static inline int guest_preopen(const char *name)
{
    for (__wasi_fd_t fd = 3; fd < 64; fd++) {
        __wasi_prestat_t ps;
        if (__wasi_fd_prestat_get(fd, &ps) != 0)
            continue;
        char buf[256];
        size_t n = ps.u.dir.pr_name_len;
        if (n >= sizeof buf ||
            __wasi_fd_prestat_dir_name(fd, (uint8_t *)buf, n) != 0)
            continue;
        buf[n] = 0;
        if (!strcmp(buf, name))
            return (int)fd;
    }
    return -1;
}

/* Opens `path` under dir fd with the given oflags; returns the errno and
 * the new fd in *out. */
static inline __wasi_errno_t guest_open(int dir, const char *path,
                                 __wasi_oflags_t oflags,
                                 __wasi_fdflags_t fdflags, __wasi_fd_t *out)
{
    /* Ask for what the directory passes on: hosts that enforce rights
     * refuse more. */
    __wasi_fdstat_t st;
    __wasi_rights_t r = ALL_RIGHTS;
    if (__wasi_fd_fdstat_get((__wasi_fd_t)dir, &st) == 0)
        r = st.fs_rights_inheriting;
    return __wasi_path_open((__wasi_fd_t)dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW,
                            path, oflags, r, r, fdflags, out);
}

/* Writes a whole string to an open fd; the errno. */
static inline __wasi_errno_t guest_write(__wasi_fd_t fd, const char *s)
{
    __wasi_ciovec_t iov = {(const uint8_t *)s, strlen(s)};
    __wasi_size_t n = 0;
    __wasi_errno_t e = __wasi_fd_write(fd, &iov, 1, &n);
    if (e == 0 && n != strlen(s))
        return __WASI_ERRNO_IO;
    return e;
}

/* Reads up to cap-1 bytes at the fd's position into buf, NUL-terminated;
 * the errno. */
static inline __wasi_errno_t guest_read(__wasi_fd_t fd, char *buf,
                                        size_t cap)
{
    __wasi_iovec_t iov = {(uint8_t *)buf, cap - 1};
    __wasi_size_t n = 0;
    __wasi_errno_t e = __wasi_fd_read(fd, &iov, 1, &n);
    buf[e == 0 ? n : 0] = 0;
    return e;
}

#endif
