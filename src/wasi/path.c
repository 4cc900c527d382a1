/* WASI: the path_* functions. Each resolves its path(s) through the
 * sandbox (sandbox.c), which yields a directory and a last component, and
 * then acts on that pair with a *at() call that does not follow links. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_internal.h"

/* Resolves a path argument relative to directory descriptor fd, which
 * must hold `right`. */
static uint32_t at(wasi_call *c, uint32_t fd, uint64_t right, uint32_t ptr,
                   uint32_t len, bool follow, wasi_path *p)
{
    uint32_t e;
    p->parent = -1;
    wasi_fd *f = wasi_fd_get(c->ctx, fd, 0, &e);
    if (!f)
        return e;
    if (f->filetype != WASI_FILETYPE_DIRECTORY)
        return WASI_ENOTDIR;
    if ((f->rights & right) != right)
        return WASI_ENOTCAPABLE;
    return wasi_path_resolve(c, f->host, ptr, len, follow, p);
}

/* "name/" names a directory: what a non-directory answers to that. */
static uint32_t trailing_check(const wasi_path *p)
{
    struct stat st;
    if (!p->trailing_slash)
        return WASI_ESUCCESS;
    if (fstatat(p->parent, p->last, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return wasi_errno_now();
    return S_ISDIR(st.st_mode) ? WASI_ESUCCESS : WASI_ENOTDIR;
}

static uint32_t done(wasi_path *p, uint32_t e)
{
    wasi_path_done(p);
    return e;
}

static uint32_t done_host(wasi_path *p, int r)
{
    return done(p, r < 0 ? wasi_errno_now() : WASI_ESUCCESS);
}

/* ---- open -------------------------------------------------------------- */

static int open_flags(uint32_t oflags, uint32_t fdflags, uint64_t base,
                      bool trailing)
{
    const uint64_t rd = WASI_RIGHT_FD_READ | WASI_RIGHT_FD_READDIR;
    const uint64_t wr = WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_DATASYNC |
                        WASI_RIGHT_FD_ALLOCATE |
                        WASI_RIGHT_FD_FILESTAT_SET_SIZE;
    int fl = O_CLOEXEC | O_NOFOLLOW | O_NOCTTY;
    /* A directory is opened for reading whatever rights come with it
     * (guests ask for everything the parent passes on). */
    if (oflags & WASI_OFLAG_DIRECTORY)
        base &= ~wr;
    fl |= (base & wr) ? ((base & rd) ? O_RDWR : O_WRONLY) : O_RDONLY;
    if (oflags & WASI_OFLAG_CREAT)
        fl |= O_CREAT;
    if (oflags & WASI_OFLAG_DIRECTORY || trailing)
        fl |= O_DIRECTORY;
    if (oflags & WASI_OFLAG_EXCL)
        fl |= O_EXCL;
    if (oflags & WASI_OFLAG_TRUNC)
        fl |= O_TRUNC;
    if (fdflags & WASI_FDFLAG_APPEND)
        fl |= O_APPEND;
    if (fdflags & WASI_FDFLAG_NONBLOCK)
        fl |= O_NONBLOCK;
    if (fdflags & WASI_FDFLAG_SYNC)
        fl |= O_SYNC;
    else if (fdflags & WASI_FDFLAG_RSYNC)
        fl |= O_RSYNC;
    else if (fdflags & WASI_FDFLAG_DSYNC)
        fl |= O_DSYNC;
    return fl;
}

uint32_t wasi_fn_path_open(wasi_call *c, const uint64_t *args)
{
    uint32_t dirflags = ARG32(1), oflags = ARG32(4), fdflags = ARG32(7);
    uint64_t base = ARG64(5) & WASI_RIGHTS_ALL;
    uint64_t inh = ARG64(6) & WASI_RIGHTS_ALL;
    uint64_t need = WASI_RIGHT_PATH_OPEN;
    if (oflags & WASI_OFLAG_CREAT)
        need |= WASI_RIGHT_PATH_CREATE_FILE;
    if (oflags & WASI_OFLAG_TRUNC)
        need |= WASI_RIGHT_PATH_FILESTAT_SET_SIZE;
    uint32_t e;
    wasi_fd *dir = wasi_fd_get(c->ctx, ARG32(0), 0, &e);
    if (!dir)
        return e;
    if (dir->filetype != WASI_FILETYPE_DIRECTORY)
        return WASI_ENOTDIR;
    if ((dir->rights & need) != need)
        return WASI_ENOTCAPABLE;
    if (oflags & ~15u || fdflags & ~31u)
        return WASI_EINVAL;
    if (!wasi_mem(c, ARG32(8), 4))
        return WASI_EFAULT;
    /* What is opened gets at most what the directory passes down. */
    if ((base | inh) & ~dir->inheriting)
        return WASI_ENOTCAPABLE;
    wasi_path p;
    e = at(c, ARG32(0), need, ARG32(2), ARG32(3),
           dirflags & WASI_LOOKUP_SYMLINK_FOLLOW, &p);
    if (e)
        return done(&p, e);
    int h = openat(p.parent, p.last,
                   open_flags(oflags, fdflags, base, p.trailing_slash), 0666);
    if (h < 0)
        return done_host(&p, -1);
    wasi_path_done(&p);
    struct stat st;
    if (fstat(h, &st) != 0) {
        e = wasi_errno_now();
        close(h);
        return e;
    }
    uint8_t type = wasi_filetype(st.st_mode);
    uint64_t mask = type == WASI_FILETYPE_DIRECTORY ? WASI_RIGHTS_DIR
                    : type == WASI_FILETYPE_REGULAR_FILE ? WASI_RIGHTS_FILE
                                                         : WASI_RIGHTS_STREAM;
    uint32_t fd;
    if (!wasi_fd_add(c->ctx, h, type, base & mask,
                     type == WASI_FILETYPE_DIRECTORY ? inh : 0, &fd)) {
        close(h);
        return WASI_ENOMEM;
    }
    return wasi_out32(c, ARG32(8), fd);
}

/* ---- metadata ---------------------------------------------------------- */

uint32_t wasi_fn_path_filestat_get(wasi_call *c, const uint64_t *args)
{
    wasi_path p;
    uint8_t *out = wasi_mem(c, ARG32(4), WASI_FILESTAT_SIZE);
    uint32_t e = at(c, ARG32(0), WASI_RIGHT_PATH_FILESTAT_GET, ARG32(2),
                    ARG32(3), ARG32(1) & WASI_LOOKUP_SYMLINK_FOLLOW, &p);
    if (e)
        return done(&p, e);
    if (!out)
        return done(&p, WASI_EFAULT);
    struct stat st;
    if (fstatat(p.parent, p.last, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return done_host(&p, -1);
    if (p.trailing_slash && !S_ISDIR(st.st_mode))
        return done(&p, WASI_ENOTDIR);
    wasi_put_filestat(out, &st);
    return done(&p, WASI_ESUCCESS);
}

uint32_t wasi_fn_path_filestat_set_times(wasi_call *c, const uint64_t *args)
{
    struct timespec ts[2];
    uint32_t e = wasi_times(ARG64(4), ARG64(5), ARG32(6), ts);
    wasi_path p = {.parent = -1};
    if (!e)
        e = at(c, ARG32(0), WASI_RIGHT_PATH_FILESTAT_SET_TIMES, ARG32(2),
               ARG32(3), ARG32(1) & WASI_LOOKUP_SYMLINK_FOLLOW, &p);
    if (!e)
        e = trailing_check(&p);
    if (e)
        return done(&p, e);
    return done_host(&p, utimensat(p.parent, p.last, ts,
                                   AT_SYMLINK_NOFOLLOW));
}

uint32_t wasi_fn_path_readlink(wasi_call *c, const uint64_t *args)
{
    wasi_path p;
    uint8_t *buf = wasi_mem(c, ARG32(3), ARG32(4));
    uint32_t e = at(c, ARG32(0), WASI_RIGHT_PATH_READLINK, ARG32(1),
                    ARG32(2), false, &p);
    if (e)
        return done(&p, e);
    if (!buf || !wasi_mem(c, ARG32(5), 4))
        return done(&p, WASI_EFAULT);
    ssize_t n = readlinkat(p.parent, p.last, (char *)buf, ARG32(4));
    if (n < 0)
        return done_host(&p, -1);
    return done(&p, wasi_out32(c, ARG32(5), (uint32_t)n));
}

/* ---- creating and removing -------------------------------------------- */

uint32_t wasi_fn_path_create_directory(wasi_call *c, const uint64_t *args)
{
    wasi_path p;
    uint32_t e = at(c, ARG32(0), WASI_RIGHT_PATH_CREATE_DIRECTORY, ARG32(1),
                    ARG32(2), false, &p);
    if (e)
        return done(&p, e);
    return done_host(&p, mkdirat(p.parent, p.last, 0777));
}

uint32_t wasi_fn_path_remove_directory(wasi_call *c, const uint64_t *args)
{
    wasi_path p;
    uint32_t e = at(c, ARG32(0), WASI_RIGHT_PATH_REMOVE_DIRECTORY, ARG32(1),
                    ARG32(2), false, &p);
    if (e)
        return done(&p, e);
    return done_host(&p, unlinkat(p.parent, p.last, AT_REMOVEDIR));
}

uint32_t wasi_fn_path_unlink_file(wasi_call *c, const uint64_t *args)
{
    wasi_path p;
    uint32_t e = at(c, ARG32(0), WASI_RIGHT_PATH_UNLINK_FILE, ARG32(1),
                    ARG32(2), false, &p);
    if (e)
        return done(&p, e);
    if (p.trailing_slash) {
        /* "x/": a directory is not a file; anything else is not a dir. */
        e = trailing_check(&p);
        return done(&p, e ? e : WASI_EISDIR);
    }
    return done_host(&p, unlinkat(p.parent, p.last, 0));
}

uint32_t wasi_fn_path_symlink(wasi_call *c, const uint64_t *args)
{
    char target[PATH_MAX];
    uint32_t e = wasi_copy_string(c, ARG32(0), ARG32(1), target,
                                  sizeof target);
    wasi_path p = {.parent = -1};
    if (!e)
        e = at(c, ARG32(2), WASI_RIGHT_PATH_SYMLINK, ARG32(3), ARG32(4),
               false, &p);
    if (e)
        return done(&p, e);
    if (p.trailing_slash) {
        struct stat st;
        return done(&p, fstatat(p.parent, p.last, &st, AT_SYMLINK_NOFOLLOW)
                            ? WASI_ENOENT : WASI_EEXIST);
    }
    return done_host(&p, symlinkat(target, p.parent, p.last));
}

/* ---- two paths --------------------------------------------------------- */

uint32_t wasi_fn_path_link(wasi_call *c, const uint64_t *args)
{
    wasi_path from, to = {.parent = -1};
    uint32_t e = at(c, ARG32(0), WASI_RIGHT_PATH_LINK_SOURCE, ARG32(2),
                    ARG32(3), ARG32(1) & WASI_LOOKUP_SYMLINK_FOLLOW, &from);
    if (!e)
        e = at(c, ARG32(4), WASI_RIGHT_PATH_LINK_TARGET, ARG32(5), ARG32(6),
               false, &to);
    if (!e && (from.trailing_slash || to.trailing_slash)) {
        /* Directories cannot be hard-linked; "file/" is not a dir. */
        from.trailing_slash = true;
        e = trailing_check(&from);
        if (!e)
            e = WASI_EPERM;
    }
    if (!e && linkat(from.parent, from.last, to.parent, to.last, 0) != 0)
        e = wasi_errno_now();
    wasi_path_done(&to);
    return done(&from, e);
}

uint32_t wasi_fn_path_rename(wasi_call *c, const uint64_t *args)
{
    wasi_path from, to = {.parent = -1};
    uint32_t e = at(c, ARG32(0), WASI_RIGHT_PATH_RENAME_SOURCE, ARG32(1),
                    ARG32(2), false, &from);
    if (!e)
        e = at(c, ARG32(3), WASI_RIGHT_PATH_RENAME_TARGET, ARG32(4),
               ARG32(5), false, &to);
    if (!e && (from.trailing_slash || to.trailing_slash)) {
        from.trailing_slash = true; /* only a directory may be "x/" */
        e = trailing_check(&from);
    }
    if (!e && renameat(from.parent, from.last, to.parent, to.last) != 0)
        e = wasi_errno_now();
    wasi_path_done(&to);
    return done(&from, e);
}
