/* The sandbox: every guest path is resolved beneath a directory the guest
 * holds, and nothing it names can lead outside.
 *
 * A path is split into a directory part and a last component. The
 * directory part is opened beneath the starting directory by the kernel
 * (openat2 with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS: "..", absolute
 * symlinks and links that climb out all fail with EXDEV) or, where the
 * kernel lacks openat2, by walking it one component at a time with
 * O_NOFOLLOW, keeping the chain of directories walked so that ".." pops
 * one and can never climb above the start, and splicing in the targets of
 * relative symlinks (absolute targets are refused).
 *
 * The last component is then acted on with *at() calls relative to that
 * directory and never followed by the kernel: operations that follow
 * links get the link's target spliced in here and resolved again through
 * the same path, and a link swapped in meanwhile is refused by
 * O_NOFOLLOW / AT_SYMLINK_NOFOLLOW. So the security of every path_*
 * function rests on one function, open_dir below. */
#include <fcntl.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>

#include "wasi_internal.h"
#include "../decode/reader.h"

/* Symbolic links followed in one resolution, as Linux's MAXSYMLINKS. */
#define WASI_MAX_LINKS 40
/* Directories a fallback walk may be inside at once. */
#define WASI_MAX_DEPTH 512

uint32_t wasi_copy_string(wasi_call *c, uint32_t ptr, uint32_t len,
                          char *buf, size_t cap)
{
    const uint8_t *p = wasi_mem(c, ptr, len);
    if (!p)
        return WASI_EFAULT;
    if (len >= cap)
        return WASI_ENAMETOOLONG;
    if (memchr(p, 0, len))
        return WASI_EINVAL;
    /* WASI strings are UTF-8. */
    if (!utf8_valid(p, len))
        return WASI_EILSEQ;
    memcpy(buf, p, len);
    buf[len] = 0;
    return WASI_ESUCCESS;
}

/* ---- the kernel's way -------------------------------------------------- */

static int openat2_dir(int dir, const char *path)
{
    struct open_how how = {
        .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
    };
    /* EAGAIN: a rename raced with a ".." lookup; the kernel asks us to
     * try again rather than risk an escape. */
    for (int tries = 0; tries < 16; tries++) {
        long r = syscall(SYS_openat2, dir, path, &how, sizeof how);
        if (r >= 0)
            return (int)r;
        if (errno != EAGAIN && errno != EINTR)
            return -errno;
    }
    return -EAGAIN;
}

/* 1 when openat2 works here, -1 when not, 0 before the first probe. */
static _Atomic int have_openat2;

static bool openat2_works(void)
{
    int s = atomic_load(&have_openat2);
    if (s == 0) {
        /* Only "no such call" (or a filter forbidding it) means absent: a
         * working directory we may not open says nothing about openat2. */
        int fd = openat2_dir(AT_FDCWD, ".");
        s = fd == -ENOSYS || fd == -EPERM ? -1 : 1;
        if (fd >= 0)
            close(fd);
        atomic_store(&have_openat2, s);
    }
    return s > 0;
}

/* ---- the portable way -------------------------------------------------- */

/* Replaces the consumed part of work (up to `rest`) with `target`: the
 * walk continues inside the link's target. */
static int path_splice(char *work, size_t cap, const char *rest,
                  const char *target)
{
    size_t tl = strlen(target), rl = strlen(rest);
    if (tl + 1 + rl + 1 > cap)
        return -ENAMETOOLONG;
    memmove(work + tl + 1, rest, rl + 1);
    memcpy(work, target, tl);
    work[tl] = '/';
    return 0;
}

static void close_all(int *stack, int depth)
{
    while (depth > 0)
        close(stack[--depth]);
}

/* One component `name` of the walk, opened beneath `top`. Returns 0 and
 * pushes it (a directory), 1 after splicing a relative link into work,
 * or -errno. */
static int walk_step(int top, const char *name, char *work, size_t cap,
                     const char *rest, int *stack, int *depth, int *links)
{
    int fd = openat(top, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = -errno;
        close(fd);
        return e;
    }
    if (S_ISLNK(st.st_mode)) {
        char target[PATH_MAX];
        ssize_t n = readlinkat(fd, "", target, sizeof target - 1);
        close(fd);
        if (n < 0)
            return -errno;
        target[n] = 0;
        if (++*links > WASI_MAX_LINKS)
            return -ELOOP;
        if (target[0] == '/')
            return -EXDEV;
        int r = path_splice(work, cap, rest, target);
        return r ? r : 1;
    }
    if (!S_ISDIR(st.st_mode)) {
        close(fd);
        return -ENOTDIR;
    }
    if (*depth == WASI_MAX_DEPTH) {
        close(fd);
        return -ENAMETOOLONG;
    }
    stack[(*depth)++] = fd;
    return 0;
}

static int walk_dir(int dir, const char *path)
{
    char work[PATH_MAX + 2];
    if (strlen(path) >= sizeof work)
        return -ENAMETOOLONG;
    strcpy(work, path);
    int stack[WASI_MAX_DEPTH], depth = 0, links = 0;
    char *p = work;
    for (;;) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char name[NAME_MAX + 1];
        if (n > NAME_MAX) {
            close_all(stack, depth);
            return -ENAMETOOLONG;
        }
        memcpy(name, p, n);
        name[n] = 0;
        p += n;
        if (!strcmp(name, "."))
            continue;
        if (!strcmp(name, "..")) {
            if (depth == 0)
                return -EXDEV; /* would climb above the start */
            close(stack[--depth]);
            continue;
        }
        int r = walk_step(depth ? stack[depth - 1] : dir, name, work,
                          sizeof work, p, stack, &depth, &links);
        if (r < 0) {
            close_all(stack, depth);
            return r;
        }
        if (r == 1)
            p = work;
    }
    if (depth == 0) {
        int fd = openat(dir, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
    }
    int fd = stack[--depth];
    close_all(stack, depth);
    return fd;
}

/* A fresh O_PATH descriptor of directory `path` beneath dir, or -errno
 * (-EXDEV: the path leads outside). */
static int open_dir(const wasi_ctx *w, int dir, const char *path)
{
    if (!*path)
        path = ".";
    if (!w->no_openat2 && openat2_works())
        return openat2_dir(dir, path);
    return walk_dir(dir, path);
}

/* ---- resolution -------------------------------------------------------- */

static uint32_t resolve_errno(int neg)
{
    return neg == -EXDEV ? WASI_ENOTCAPABLE : wasi_errno(-neg);
}

/* Resolves host string `path` (relative, at most PATH_MAX bytes). */
static uint32_t resolve(const wasi_ctx *w, int dir, char *path, bool follow,
                        wasi_path *out)
{
    for (int links = 0;;) {
        size_t len = strlen(path);
        bool trailing = false;
        while (len > 1 && path[len - 1] == '/') {
            path[--len] = 0;
            trailing = true;
        }
        char *slash = strrchr(path, '/');
        const char *last = slash ? slash + 1 : path;
        bool dot = !strcmp(last, ".") || !strcmp(last, "..");
        if (strlen(last) > NAME_MAX)
            return WASI_ENAMETOOLONG;
        int parent;
        if (dot) {
            /* "x/.." names a directory: open it whole, act on ".". */
            parent = open_dir(w, dir, path);
            last = ".";
        } else {
            char save = 0;
            if (slash)
                save = slash[1], slash[1] = 0;
            parent = open_dir(w, dir, slash ? path : ".");
            if (slash)
                slash[1] = save;
        }
        if (parent < 0)
            return resolve_errno(parent);
        char target[PATH_MAX];
        /* "name/" means the directory name leads to: follow it too. */
        ssize_t n = (follow || trailing) && !dot
                        ? readlinkat(parent, last, target, sizeof target - 1)
                        : -1;
        if (n < 0) {
            out->parent = parent;
            strcpy(out->last, last);
            out->trailing_slash = trailing;
            return WASI_ESUCCESS;
        }
        /* The last component is a link: resolve its target instead. */
        close(parent);
        target[n] = 0;
        if (++links > WASI_MAX_LINKS)
            return WASI_ELOOP;
        if (target[0] == '/')
            return WASI_ENOTCAPABLE;
        size_t keep = slash ? (size_t)(slash - path) + 1 : 0;
        if (keep + (size_t)n + 2 > PATH_MAX)
            return WASI_ENAMETOOLONG;
        memcpy(path + keep, target, (size_t)n + 1);
        if (trailing)
            strcat(path, "/");
    }
}

uint32_t wasi_path_resolve(wasi_call *c, int dir, uint32_t ptr, uint32_t len,
                           bool follow, wasi_path *out)
{
    char path[PATH_MAX];
    uint32_t e = wasi_copy_string(c, ptr, len, path, sizeof path);
    if (e)
        return e;
    if (len == 0)
        return WASI_ENOENT;
    if (path[0] == '/')
        return WASI_ENOTCAPABLE;
    out->parent = -1;
    return resolve(c->ctx, dir, path, follow, out);
}

void wasi_path_done(wasi_path *p)
{
    if (p->parent >= 0)
        close(p->parent);
    p->parent = -1;
}
