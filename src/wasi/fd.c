/* WASI: the fd_* functions. Each checks the descriptor's rights first,
 * then every guest pointer it will touch, then acts. */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "wasi_internal.h"

/* At most this many buffers per read or write: more is a short transfer,
 * which WASI, like POSIX, allows. */
#define WASI_IOV_MAX 1024

/* ---- shared with path.c ------------------------------------------------ */

void wasi_put_filestat(uint8_t *p, const struct stat *st)
{
    memset(p, 0, WASI_FILESTAT_SIZE);
    wasi_put64(p + 0, (uint64_t)st->st_dev);
    wasi_put64(p + 8, (uint64_t)st->st_ino);
    p[16] = wasi_filetype(st->st_mode);
    wasi_put64(p + 24, (uint64_t)st->st_nlink);
    wasi_put64(p + 32, (uint64_t)st->st_size);
    wasi_put64(p + 40, (uint64_t)st->st_atim.tv_sec * 1000000000u +
                           (uint64_t)st->st_atim.tv_nsec);
    wasi_put64(p + 48, (uint64_t)st->st_mtim.tv_sec * 1000000000u +
                           (uint64_t)st->st_mtim.tv_nsec);
    wasi_put64(p + 56, (uint64_t)st->st_ctim.tv_sec * 1000000000u +
                           (uint64_t)st->st_ctim.tv_nsec);
}

uint32_t wasi_times(uint64_t atim, uint64_t mtim, uint32_t fst,
                    struct timespec ts[2])
{
    if (fst & ~15u ||
        (fst & WASI_FST_ATIM && fst & WASI_FST_ATIM_NOW) ||
        (fst & WASI_FST_MTIM && fst & WASI_FST_MTIM_NOW))
        return WASI_EINVAL;
    uint64_t t[2] = {atim, mtim};
    uint32_t set[2] = {WASI_FST_ATIM, WASI_FST_MTIM};
    uint32_t now[2] = {WASI_FST_ATIM_NOW, WASI_FST_MTIM_NOW};
    for (int i = 0; i < 2; i++) {
        if (fst & now[i]) {
            ts[i] = (struct timespec){.tv_nsec = UTIME_NOW};
        } else if (fst & set[i]) {
            ts[i].tv_sec = (time_t)(t[i] / 1000000000u);
            ts[i].tv_nsec = (long)(t[i] % 1000000000u);
        } else {
            ts[i] = (struct timespec){.tv_nsec = UTIME_OMIT};
        }
    }
    return WASI_ESUCCESS;
}

/* ---- reading and writing ---------------------------------------------- */

/* The guest's iovec array as host iovecs; every buffer checked. */
static uint32_t gather(wasi_call *c, uint32_t ptr, uint32_t n,
                       struct iovec *out, int *count)
{
    if (n > WASI_IOV_MAX)
        n = WASI_IOV_MAX;
    const uint8_t *v = wasi_mem(c, ptr, (uint64_t)n * WASI_IOVEC_SIZE);
    if (!v)
        return WASI_EFAULT;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t buf = wasi_get32(v + i * WASI_IOVEC_SIZE);
        uint32_t len = wasi_get32(v + i * WASI_IOVEC_SIZE + 4);
        uint8_t *p = wasi_mem(c, buf, len);
        if (!p)
            return WASI_EFAULT;
        out[i] = (struct iovec){.iov_base = p, .iov_len = len};
    }
    *count = (int)n;
    return WASI_ESUCCESS;
}

enum io_kind { IO_READ, IO_WRITE, IO_PREAD, IO_PWRITE };

static uint32_t do_io(wasi_call *c, enum io_kind kind, uint32_t fd,
                      uint32_t iovs, uint32_t niovs, uint64_t offset,
                      uint32_t out_ptr)
{
    static const uint64_t need[] = {
        [IO_READ] = WASI_RIGHT_FD_READ,
        [IO_WRITE] = WASI_RIGHT_FD_WRITE,
        [IO_PREAD] = WASI_RIGHT_FD_READ | WASI_RIGHT_FD_SEEK,
        [IO_PWRITE] = WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_SEEK,
    };
    uint32_t e;
    wasi_fd *f = wasi_fd_get(c->ctx, fd, need[kind], &e);
    if (!f)
        return e;
    struct iovec v[WASI_IOV_MAX];
    int n = 0;
    if ((e = gather(c, iovs, niovs, v, &n)) != 0)
        return e;
    if (!wasi_mem(c, out_ptr, 4))
        return WASI_EFAULT;
    if ((kind == IO_PREAD || kind == IO_PWRITE) && offset > INT64_MAX)
        return WASI_EINVAL;
    ssize_t r;
    do {
        switch (kind) {
        case IO_READ: r = readv(f->host, v, n); break;
        case IO_WRITE: r = writev(f->host, v, n); break;
        case IO_PREAD: r = preadv(f->host, v, n, (off_t)offset); break;
        default: r = pwritev(f->host, v, n, (off_t)offset); break;
        }
    } while (r < 0 && errno == EINTR);
    if (r < 0)
        return wasi_errno_now();
    return wasi_out32(c, out_ptr, (uint32_t)r);
}

uint32_t wasi_fn_fd_read(wasi_call *c, const uint64_t *args)
{
    return do_io(c, IO_READ, ARG32(0), ARG32(1), ARG32(2), 0, ARG32(3));
}

uint32_t wasi_fn_fd_write(wasi_call *c, const uint64_t *args)
{
    return do_io(c, IO_WRITE, ARG32(0), ARG32(1), ARG32(2), 0, ARG32(3));
}

uint32_t wasi_fn_fd_pread(wasi_call *c, const uint64_t *args)
{
    return do_io(c, IO_PREAD, ARG32(0), ARG32(1), ARG32(2), ARG64(3),
                 ARG32(4));
}

uint32_t wasi_fn_fd_pwrite(wasi_call *c, const uint64_t *args)
{
    return do_io(c, IO_PWRITE, ARG32(0), ARG32(1), ARG32(2), ARG64(3),
                 ARG32(4));
}

/* ---- position ---------------------------------------------------------- */

uint32_t wasi_fn_fd_seek(wasi_call *c, const uint64_t *args)
{
    int64_t off = (int64_t)ARG64(1);
    uint32_t whence = ARG32(2), e;
    /* A seek that only asks where we are needs just the right to tell. */
    uint64_t need = whence == WASI_WHENCE_CUR && off == 0
                        ? WASI_RIGHT_FD_TELL : WASI_RIGHT_FD_SEEK;
    wasi_fd *f = wasi_fd_get(c->ctx, ARG32(0), 0, &e);
    if (!f)
        return e;
    if (!(f->rights & need) && !(f->rights & WASI_RIGHT_FD_SEEK))
        return WASI_ENOTCAPABLE;
    static const int host_whence[] = {SEEK_SET, SEEK_CUR, SEEK_END};
    if (whence > WASI_WHENCE_END)
        return WASI_EINVAL;
    if (!wasi_mem(c, ARG32(3), 8))
        return WASI_EFAULT;
    off_t r = lseek(f->host, (off_t)off, host_whence[whence]);
    if (r < 0)
        return wasi_errno_now();
    return wasi_out64(c, ARG32(3), (uint64_t)r);
}

uint32_t wasi_fn_fd_tell(wasi_call *c, const uint64_t *args)
{
    uint32_t e;
    wasi_fd *f = wasi_fd_get(c->ctx, ARG32(0), WASI_RIGHT_FD_TELL, &e);
    if (!f)
        return e;
    if (!wasi_mem(c, ARG32(1), 8))
        return WASI_EFAULT;
    off_t r = lseek(f->host, 0, SEEK_CUR);
    if (r < 0)
        return wasi_errno_now();
    return wasi_out64(c, ARG32(1), (uint64_t)r);
}

/* ---- descriptor state -------------------------------------------------- */

uint32_t wasi_fn_fd_close(wasi_call *c, const uint64_t *args)
{
    uint32_t e;
    wasi_fd *f = wasi_fd_get(c->ctx, ARG32(0), 0, &e);
    if (!f)
        return e;
    wasi_fd_release(c->ctx, f);
    return WASI_ESUCCESS;
}

uint32_t wasi_fn_fd_renumber(wasi_call *c, const uint64_t *args)
{
    wasi_ctx *w = c->ctx;
    uint32_t from = ARG32(0), to = ARG32(1), e;
    if (!wasi_fd_get(w, from, 0, &e) || !wasi_fd_get(w, to, 0, &e))
        return e;
    if (from == to)
        return WASI_ESUCCESS;
    wasi_fd moved = w->fds[from];
    w->fds[from] = (wasi_fd){.host = -1};
    /* Release `to` after `from` is moved out, so the table cannot shrink
     * below it; then put the moved descriptor in its place. */
    wasi_fd *t = &w->fds[to];
    if (t->own)
        close(t->host);
    mem_free(w->owner, MEM_HOST, t->preopen);
    *t = moved;
    while (w->nfds && w->fds[w->nfds - 1].host < 0)
        w->nfds--;
    return WASI_ESUCCESS;
}

static uint16_t host_fdflags(int fl)
{
    uint16_t r = 0;
    if (fl & O_APPEND)
        r |= WASI_FDFLAG_APPEND;
    if (fl & O_NONBLOCK)
        r |= WASI_FDFLAG_NONBLOCK;
    if ((fl & O_SYNC) == O_SYNC)
        r |= WASI_FDFLAG_SYNC;
    else if (fl & O_DSYNC)
        r |= WASI_FDFLAG_DSYNC;
    return r;
}

uint32_t wasi_fn_fd_fdstat_get(wasi_call *c, const uint64_t *args)
{
    uint32_t e;
    wasi_fd *f = wasi_fd_get(c->ctx, ARG32(0), 0, &e);
    if (!f)
        return e;
    uint8_t *p = wasi_mem(c, ARG32(1), WASI_FDSTAT_SIZE);
    if (!p)
        return WASI_EFAULT;
    int fl = fcntl(f->host, F_GETFL);
    if (fl < 0)
        return wasi_errno_now();
    memset(p, 0, WASI_FDSTAT_SIZE);
    p[0] = f->filetype;
    wasi_put16(p + 2, host_fdflags(fl));
    wasi_put64(p + 8, f->rights);
    wasi_put64(p + 16, f->inheriting);
    return WASI_ESUCCESS;
}

uint32_t wasi_fn_fd_fdstat_set_flags(wasi_call *c, const uint64_t *args)
{
    uint32_t e, flags = ARG32(1);
    wasi_fd *f = wasi_fd_get(c->ctx, ARG32(0), WASI_RIGHT_FD_FDSTAT_SET_FLAGS,
                             &e);
    if (!f)
        return e;
    if (flags & ~31u)
        return WASI_EINVAL;
    /* Linux cannot change the synchronisation flags of an open file. */
    if (flags & (WASI_FDFLAG_DSYNC | WASI_FDFLAG_RSYNC | WASI_FDFLAG_SYNC))
        return WASI_ENOTSUP;
    int fl = fcntl(f->host, F_GETFL);
    if (fl < 0)
        return wasi_errno_now();
    fl &= ~(O_APPEND | O_NONBLOCK);
    if (flags & WASI_FDFLAG_APPEND)
        fl |= O_APPEND;
    if (flags & WASI_FDFLAG_NONBLOCK)
        fl |= O_NONBLOCK;
    return fcntl(f->host, F_SETFL, fl) < 0 ? wasi_errno_now() : WASI_ESUCCESS;
}

uint32_t wasi_fn_fd_fdstat_set_rights(wasi_call *c, const uint64_t *args)
{
    uint32_t e;
    wasi_fd *f = wasi_fd_get(c->ctx, ARG32(0), 0, &e);
    if (!f)
        return e;
    uint64_t base = ARG64(1), inh = ARG64(2);
    /* Rights can only be dropped, never gained. */
    if ((base & ~f->rights) || (inh & ~f->inheriting))
        return WASI_ENOTCAPABLE;
    f->rights = base;
    f->inheriting = inh;
    return WASI_ESUCCESS;
}

uint32_t wasi_fn_fd_prestat_get(wasi_call *c, const uint64_t *args)
{
    uint32_t e;
    wasi_fd *f = wasi_fd_get(c->ctx, ARG32(0), 0, &e);
    if (!f)
        return e;
    if (!f->preopen)
        return WASI_EBADF;
    uint8_t *p = wasi_mem(c, ARG32(1), WASI_PRESTAT_SIZE);
    if (!p)
        return WASI_EFAULT;
    memset(p, 0, WASI_PRESTAT_SIZE);
    p[0] = WASI_PREOPEN_DIR;
    wasi_put32(p + 4, f->preopen_len);
    return WASI_ESUCCESS;
}

uint32_t wasi_fn_fd_prestat_dir_name(wasi_call *c, const uint64_t *args)
{
    uint32_t e;
    wasi_fd *f = wasi_fd_get(c->ctx, ARG32(0), 0, &e);
    if (!f)
        return e;
    if (!f->preopen)
        return WASI_EBADF;
    uint8_t *p = wasi_mem(c, ARG32(1), ARG32(2));
    if (!p)
        return WASI_EFAULT;
    if (ARG32(2) < f->preopen_len)
        return WASI_ENAMETOOLONG;
    memcpy(p, f->preopen, f->preopen_len);
    return WASI_ESUCCESS;
}

/* ---- the file behind the descriptor ------------------------------------ */

uint32_t wasi_fn_fd_filestat_get(wasi_call *c, const uint64_t *args)
{
    uint32_t e;
    wasi_fd *f = wasi_fd_get(c->ctx, ARG32(0), WASI_RIGHT_FD_FILESTAT_GET, &e);
    if (!f)
        return e;
    uint8_t *p = wasi_mem(c, ARG32(1), WASI_FILESTAT_SIZE);
    if (!p)
        return WASI_EFAULT;
    struct stat st;
    if (fstat(f->host, &st) != 0)
        return wasi_errno_now();
    wasi_put_filestat(p, &st);
    return WASI_ESUCCESS;
}

uint32_t wasi_fn_fd_filestat_set_size(wasi_call *c, const uint64_t *args)
{
    uint32_t e;
    wasi_fd *f = wasi_fd_get(c->ctx, ARG32(0), WASI_RIGHT_FD_FILESTAT_SET_SIZE,
                             &e);
    if (!f)
        return e;
    if (ARG64(1) > INT64_MAX)
        return WASI_EINVAL;
    return ftruncate(f->host, (off_t)ARG64(1)) ? wasi_errno_now()
                                               : WASI_ESUCCESS;
}

uint32_t wasi_fn_fd_filestat_set_times(wasi_call *c, const uint64_t *args)
{
    uint32_t e;
    wasi_fd *f = wasi_fd_get(c->ctx, ARG32(0),
                             WASI_RIGHT_FD_FILESTAT_SET_TIMES, &e);
    if (!f)
        return e;
    struct timespec ts[2];
    if ((e = wasi_times(ARG64(1), ARG64(2), ARG32(3), ts)) != 0)
        return e;
    return futimens(f->host, ts) ? wasi_errno_now() : WASI_ESUCCESS;
}

uint32_t wasi_fn_fd_advise(wasi_call *c, const uint64_t *args)
{
    uint32_t e;
    wasi_fd *f = wasi_fd_get(c->ctx, ARG32(0), WASI_RIGHT_FD_ADVISE, &e);
    if (!f)
        return e;
    static const int advice[] = {
        [WASI_ADVICE_NORMAL] = POSIX_FADV_NORMAL,
        [WASI_ADVICE_SEQUENTIAL] = POSIX_FADV_SEQUENTIAL,
        [WASI_ADVICE_RANDOM] = POSIX_FADV_RANDOM,
        [WASI_ADVICE_WILLNEED] = POSIX_FADV_WILLNEED,
        [WASI_ADVICE_DONTNEED] = POSIX_FADV_DONTNEED,
        [WASI_ADVICE_NOREUSE] = POSIX_FADV_NOREUSE,
    };
    if (ARG32(3) > WASI_ADVICE_NOREUSE || ARG64(1) > INT64_MAX ||
        ARG64(2) > INT64_MAX)
        return WASI_EINVAL;
    int r = posix_fadvise(f->host, (off_t)ARG64(1), (off_t)ARG64(2),
                          advice[ARG32(3)]);
    return wasi_errno(r);
}

uint32_t wasi_fn_fd_allocate(wasi_call *c, const uint64_t *args)
{
    uint32_t e;
    wasi_fd *f = wasi_fd_get(c->ctx, ARG32(0), WASI_RIGHT_FD_ALLOCATE, &e);
    if (!f)
        return e;
    if (ARG64(1) > INT64_MAX || ARG64(2) > INT64_MAX || ARG64(2) == 0)
        return WASI_EINVAL;
    return wasi_errno(posix_fallocate(f->host, (off_t)ARG64(1),
                                      (off_t)ARG64(2)));
}

uint32_t wasi_fn_fd_datasync(wasi_call *c, const uint64_t *args)
{
    uint32_t e;
    wasi_fd *f = wasi_fd_get(c->ctx, ARG32(0), WASI_RIGHT_FD_DATASYNC, &e);
    if (!f)
        return e;
    return fdatasync(f->host) ? wasi_errno_now() : WASI_ESUCCESS;
}

uint32_t wasi_fn_fd_sync(wasi_call *c, const uint64_t *args)
{
    uint32_t e;
    wasi_fd *f = wasi_fd_get(c->ctx, ARG32(0), WASI_RIGHT_FD_SYNC, &e);
    if (!f)
        return e;
    return fsync(f->host) ? wasi_errno_now() : WASI_ESUCCESS;
}

/* ---- directories ------------------------------------------------------- */

static uint8_t dirent_type(int dir, const struct dirent64 *d)
{
    switch (d->d_type) {
    case DT_REG: return WASI_FILETYPE_REGULAR_FILE;
    case DT_DIR: return WASI_FILETYPE_DIRECTORY;
    case DT_LNK: return WASI_FILETYPE_SYMBOLIC_LINK;
    case DT_CHR: return WASI_FILETYPE_CHARACTER_DEVICE;
    case DT_BLK: return WASI_FILETYPE_BLOCK_DEVICE;
    case DT_SOCK: return WASI_FILETYPE_SOCKET_STREAM;
    case DT_UNKNOWN: {
        struct stat st;
        if (fstatat(dir, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
            return wasi_filetype(st.st_mode);
        return WASI_FILETYPE_UNKNOWN;
    }
    default: return WASI_FILETYPE_UNKNOWN;
    }
}

/* The cookie of an entry is the host's directory offset just after it
 * (d_off), so a later call resumes with one lseek. Entries that do not fit
 * are cut at the end of the buffer, as WASI specifies: a full buffer tells
 * the guest to call again. */
uint32_t wasi_fn_fd_readdir(wasi_call *c, const uint64_t *args)
{
    uint32_t e, len = ARG32(2);
    wasi_fd *f = wasi_fd_get(c->ctx, ARG32(0), 0, &e);
    if (!f)
        return e;
    if (f->filetype != WASI_FILETYPE_DIRECTORY)
        return WASI_ENOTDIR;
    if (!(f->rights & WASI_RIGHT_FD_READDIR))
        return WASI_ENOTCAPABLE;
    uint8_t *buf = wasi_mem(c, ARG32(1), len);
    if (!buf || !wasi_mem(c, ARG32(4), 4))
        return WASI_EFAULT;
    if (ARG64(3) > INT64_MAX || lseek(f->host, (off_t)ARG64(3), SEEK_SET) < 0)
        return ARG64(3) > INT64_MAX ? WASI_EINVAL : wasi_errno_now();
    _Alignas(struct dirent64) char hbuf[4096];
    uint32_t used = 0;
    while (used < len) {
        ssize_t n = getdents64(f->host, hbuf, sizeof hbuf);
        if (n < 0)
            return wasi_errno_now();
        if (n == 0)
            break;
        for (ssize_t at = 0; at < n && used < len;) {
            struct dirent64 *d = (struct dirent64 *)(hbuf + at);
            at += d->d_reclen;
            uint32_t namlen = (uint32_t)strlen(d->d_name);
            uint8_t head[WASI_DIRENT_SIZE] = {0};
            wasi_put64(head, (uint64_t)d->d_off);
            wasi_put64(head + 8, (uint64_t)d->d_ino);
            wasi_put32(head + 16, namlen);
            head[20] = dirent_type(f->host, d);
            uint32_t k = len - used < WASI_DIRENT_SIZE ? len - used
                                                       : WASI_DIRENT_SIZE;
            memcpy(buf + used, head, k);
            used += k;
            k = len - used < namlen ? len - used : namlen;
            memcpy(buf + used, d->d_name, k);
            used += k;
        }
    }
    return wasi_out32(c, ARG32(4), used);
}
