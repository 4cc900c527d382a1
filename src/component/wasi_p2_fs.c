/* WASI 0.2 file system: wasi:filesystem/preopens and the descriptor
 * resource of wasi:filesystem/types, on the preview1 context.
 *
 * A descriptor's rep is a preview1 descriptor number, and whatever takes
 * a path is done by the preview1 function itself (path_open,
 * path_filestat_get, ...), called with a small scratch memory that holds
 * the path and receives the outputs: the sandbox, the rights and the
 * error codes are exactly preview1's. */
#include <fcntl.h>
#include <unistd.h>

#include "wasi_p2_internal.h"

/* The most one descriptor.read returns. */
#define P2_MAX_READ 65536u
/* Room for the outputs of most preview1 calls (a filestat, a number). */
#define P2_OUT 64u

typedef uint32_t (*p1_fn)(wasi_call *, const uint64_t *);

/* A preview1 call's scratch memory: `out` bytes of outputs at 0, then
 * the paths, whose places and lengths go to args[at] and args[at + 1]. */
typedef struct p1_args {
    uint64_t *args;
    const cm_val *path[2];
    int at[2];
    uint32_t out;
} p1_args;

/* Calls preview1's fn; returns its errno. *mem (when asked) is the
 * scratch memory, outputs at 0 (free it with mem_free MEM_HOST); *oom is
 * set when it could not be made. */
static uint32_t p1_call(wasi_p2 *p, cm_host_call *cx, p1_fn fn,
                        const p1_args *a, uint8_t **mem_out, bool *oom)
{
    uint64_t size = a->out;
    for (int i = 0; i < 2; i++) {
        if (a->path[i]) /* too long a path: preview1 says so */
            size += a->path[i]->u.str.len;
    }
    uint8_t *mem = mem_calloc(cx->owner, MEM_HOST, (size_t)size + 1, 1);
    if (!mem) {
        *oom = true;
        return WASI_ENOMEM;
    }
    for (uint32_t i = 0, at = a->out; i < 2; i++) {
        if (!a->path[i])
            continue;
        uint32_t len = a->path[i]->u.str.len;
        if (len)
            memcpy(mem + at, a->path[i]->u.str.ptr, len);
        a->args[a->at[i]] = at;
        a->args[a->at[i] + 1] = len;
        at += len;
    }
    wasi_call c = {.ctx = p->ctx, .store = cx->store, .mem = mem,
                   .mem_size = size};
    uint32_t e = fn(&c, a->args);
    if (mem_out)
        *mem_out = mem;
    else
        mem_free(cx->owner, MEM_HOST, mem);
    return e;
}

/* result<_, error-code> and friends: ok with v (NULL: none), or the
 * error-code of preview1 errno e. */
static rt_trap *fs_result(cm_host_call *cx, uint32_t e, const cm_val *v,
                          cm_val *r)
{
    cm_val code = {.kind = CM_ENUM, .u.var = {p2_error_code(e), NULL}};
    return p2_result(cx, e ? 1 : 0, e ? &code : v, r) ? NULL : p2_oom(cx);
}

/* The descriptor a borrow names, with rights `need`; NULL with *e. */
static wasi_fd *desc(wasi_p2 *p, const cm_val *self, uint64_t need,
                     uint32_t *e)
{
    return wasi_fd_get(p->ctx, self->u.handle.rep, need, e);
}

void p2_descriptor_drop(void *env, uint32_t rep)
{
    wasi_p2 *p = env;
    uint32_t e;
    wasi_fd *f = wasi_fd_get(p->ctx, rep, 0, &e);
    if (f)
        wasi_fd_release(p->ctx, f);
}

/* ---- wasi:filesystem/preopens -------------------------------------------- */

/* One preopen as tuple<own<descriptor>, string>: a fresh preview1
 * descriptor of the same directory, so that dropping it leaves the
 * preopen itself open for the next get-directories. */
static bool preopen_pair(wasi_p2 *p, cm_host_call *cx, const wasi_fd *f,
                         cm_val *out)
{
    cm_val *pair = mem_calloc(cx->owner, MEM_HOST, 2, sizeof *pair);
    if (!pair)
        return false;
    int h = fcntl(f->host, F_DUPFD_CLOEXEC, 0);
    uint32_t fd;
    if (h < 0 || !p2_string(cx, f->preopen, f->preopen_len, &pair[1])) {
        if (h >= 0)
            close(h);
        mem_free(cx->owner, MEM_HOST, pair);
        return false;
    }
    if (!wasi_fd_add(p->ctx, h, f->filetype, f->rights, f->inheriting, &fd)) {
        close(h);
        mem_free(cx->owner, MEM_HOST, pair[1].u.str.ptr);
        mem_free(cx->owner, MEM_HOST, pair);
        return false;
    }
    pair[0] = p2_own(p, P2_DESCRIPTOR, fd);
    *out = (cm_val){.kind = CM_TUPLE, .u.list = {pair, 2}};
    return true;
}

static rt_trap *get_directories(wasi_p2 *p, cm_host_call *cx,
                                const cm_val *a, cm_val *r)
{
    (void)a;
    wasi_ctx *w = p->ctx;
    uint32_t n = 0;
    for (size_t i = 0; i < w->nfds; i++)
        n += w->fds[i].host >= 0 && w->fds[i].preopen;
    cm_val *items = n ? mem_calloc(cx->owner, MEM_HOST, n, sizeof *items)
                      : NULL;
    if (n && !items)
        return p2_oom(cx);
    *r = (cm_val){.kind = CM_LIST, .u.list = {items, 0}};
    /* wasi_fd_add may move the table: index it afresh each time. */
    for (size_t i = 0; r->u.list.n < n && i < w->nfds; i++) {
        if (w->fds[i].host < 0 || !w->fds[i].preopen)
            continue;
        wasi_fd f = w->fds[i];
        if (!preopen_pair(p, cx, &f, &items[r->u.list.n]))
            return p2_undo(cx, r);
        r->u.list.n++;
    }
    return NULL;
}

/* ---- opening ------------------------------------------------------------- */

/* descriptor-flags */
enum {
    DF_READ = 1, DF_WRITE = 2, DF_FILE_SYNC = 4, DF_DATA_SYNC = 8,
    DF_REQUESTED_SYNC = 16, DF_MUTATE_DIR = 32,
};

static const uint64_t read_rights = WASI_RIGHT_FD_READ | WASI_RIGHT_FD_READDIR;
static const uint64_t write_rights =
    WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_FD_ALLOCATE |
    WASI_RIGHT_FD_FILESTAT_SET_SIZE;

/* open-at(path-flags, path, open-flags, descriptor-flags)
 *   -> result<own<descriptor>, error-code>
 * open-flags are preview1's oflags bit for bit; the descriptor gets what
 * the directory passes down, less reading or writing when not asked. */
static rt_trap *open_at(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                        cm_val *r)
{
    uint32_t e;
    wasi_fd *dir = desc(p, &a[0], 0, &e);
    if (!dir)
        return fs_result(cx, e, NULL, r);
    uint64_t flags = a[4].u.flags, oflags = a[3].u.flags;
    uint64_t base = dir->inheriting;
    if (!(flags & DF_READ))
        base &= ~read_rights;
    if (!(flags & DF_WRITE))
        base &= ~write_rights;
    uint32_t fdflags = (flags & DF_FILE_SYNC ? WASI_FDFLAG_SYNC : 0) |
                       (flags & DF_DATA_SYNC ? WASI_FDFLAG_DSYNC : 0) |
                       (flags & DF_REQUESTED_SYNC ? WASI_FDFLAG_RSYNC : 0);
    if (oflags & ~15u || a[1].u.flags & ~1u)
        return fs_result(cx, WASI_EINVAL, NULL, r);
    /* Truncating needs write permission (preview1 would allow it). */
    if (oflags & WASI_OFLAG_TRUNC && !(flags & DF_WRITE))
        return fs_result(cx, WASI_EPERM, NULL, r);
    uint64_t args[9] = {a[0].u.handle.rep, a[1].u.flags, 0, 0, oflags, base,
                        dir->inheriting, fdflags, 0};
    uint8_t *out = NULL;
    bool oom = false;
    e = p1_call(p, cx, wasi_fn_path_open,
                &(p1_args){args, {&a[2]}, {2}, P2_OUT}, &out, &oom);
    if (oom)
        return p2_oom(cx);
    uint32_t fd = wasi_get32(out);
    mem_free(cx->owner, MEM_HOST, out);
    cm_val own = p2_own(p, P2_DESCRIPTOR, e ? 0 : fd);
    rt_trap *t = fs_result(cx, e, &own, r);
    if (t && !e)
        p2_descriptor_drop(p, own.u.handle.rep);
    return t;
}

/* ---- reading and writing ------------------------------------------------- */

/* read(length, offset) -> result<tuple<list<u8>, bool>, error-code>; the
 * bool says the end of the file was reached. */
static rt_trap *desc_read(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                          cm_val *r)
{
    uint32_t e;
    wasi_fd *f = desc(p, &a[0], WASI_RIGHT_FD_READ, &e);
    if (!f)
        return fs_result(cx, e, NULL, r);
    if (a[2].u.u > INT64_MAX)
        return fs_result(cx, WASI_EINVAL, NULL, r);
    size_t want = a[1].u.u < P2_MAX_READ ? (size_t)a[1].u.u : P2_MAX_READ;
    uint8_t *buf = want ? mem_alloc(cx->owner, MEM_HOST, want) : NULL;
    if (want && !buf)
        return p2_oom(cx);
    ssize_t got = 0;
    if (want) {
        do {
            got = pread(f->host, buf, want, (off_t)a[2].u.u);
        } while (got < 0 && errno == EINTR);
    }
    if (got < 0) {
        e = wasi_errno_now();
        mem_free(cx->owner, MEM_HOST, buf);
        return fs_result(cx, e, NULL, r);
    }
    cm_val *pair = mem_calloc(cx->owner, MEM_HOST, 2, sizeof *pair);
    if (!pair || !p2_bytes(cx, buf, (size_t)got, &pair[0])) {
        mem_free(cx->owner, MEM_HOST, pair);
        mem_free(cx->owner, MEM_HOST, buf);
        return p2_oom(cx);
    }
    mem_free(cx->owner, MEM_HOST, buf);
    pair[1] = (cm_val){.kind = CM_BOOL, .u.b = (size_t)got < want};
    cm_val tuple = {.kind = CM_TUPLE, .u.list = {pair, 2}};
    rt_trap *t = fs_result(cx, 0, &tuple, r);
    if (t)
        cm_val_free(cx->owner, &tuple);
    return t;
}

/* write(buffer, offset) -> result<filesize, error-code> */
static rt_trap *desc_write(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                           cm_val *r)
{
    uint8_t *b;
    size_t n;
    rt_trap *t = NULL;
    if (!p2_list_bytes(cx, &a[1], &b, &n, &t))
        return t;
    uint32_t e;
    wasi_fd *f = desc(p, &a[0], WASI_RIGHT_FD_WRITE, &e);
    ssize_t k = -1;
    if (f && a[2].u.u > INT64_MAX)
        e = WASI_EINVAL;
    else if (f) {
        do {
            k = pwrite(f->host, b, n, (off_t)a[2].u.u);
        } while (k < 0 && errno == EINTR);
        e = k < 0 ? wasi_errno_now() : 0;
    }
    mem_free(cx->owner, MEM_HOST, b);
    cm_val size = p2_u64(k < 0 ? 0 : (uint64_t)k);
    return fs_result(cx, e, &size, r);
}

/* A stream over descriptor a[0]: its own duplicate of the host
 * descriptor, so that it outlives nothing it depends on. */
static rt_trap *desc_stream(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                            uint64_t right, int res, p2_stream s, cm_val *r)
{
    uint32_t e, rep;
    wasi_fd *f = desc(p, &a[0], right, &e);
    if (!f)
        return fs_result(cx, e, NULL, r);
    if (f->filetype == WASI_FILETYPE_DIRECTORY)
        return fs_result(cx, WASI_EISDIR, NULL, r);
    s.fd = fcntl(f->host, F_DUPFD_CLOEXEC, 0);
    if (s.fd < 0)
        return fs_result(cx, wasi_errno_now(), NULL, r);
    if (!p2_stream_new(p, s, &rep)) {
        close(s.fd);
        return p2_oom(cx);
    }
    cm_val own = p2_own(p, res, rep);
    rt_trap *t = fs_result(cx, 0, &own, r);
    if (t)
        p2_stream_drop(p, rep);
    return t;
}

static rt_trap *read_via_stream(wasi_p2 *p, cm_host_call *cx,
                                const cm_val *a, cm_val *r)
{
    return desc_stream(p, cx, a, WASI_RIGHT_FD_READ, P2_INPUT,
                       (p2_stream){.offset = a[1].u.u}, r);
}

static rt_trap *write_via_stream(wasi_p2 *p, cm_host_call *cx,
                                 const cm_val *a, cm_val *r)
{
    return desc_stream(p, cx, a, WASI_RIGHT_FD_WRITE, P2_OUTPUT,
                       (p2_stream){.offset = a[1].u.u}, r);
}

static rt_trap *append_via_stream(wasi_p2 *p, cm_host_call *cx,
                                  const cm_val *a, cm_val *r)
{
    return desc_stream(p, cx, a, WASI_RIGHT_FD_WRITE, P2_OUTPUT,
                       (p2_stream){.append = true}, r);
}

/* ---- metadata ------------------------------------------------------------ */

/* The enum descriptor-type from a preview1 filetype. */
static uint32_t desc_type(uint8_t filetype)
{
    switch (filetype) {
    case WASI_FILETYPE_BLOCK_DEVICE: return 1;
    case WASI_FILETYPE_CHARACTER_DEVICE: return 2;
    case WASI_FILETYPE_DIRECTORY: return 3;
    case WASI_FILETYPE_SYMBOLIC_LINK: return 5;
    case WASI_FILETYPE_REGULAR_FILE: return 6;
    case WASI_FILETYPE_SOCKET_DGRAM:
    case WASI_FILETYPE_SOCKET_STREAM: return 7;
    default: return 0; /* unknown (pipes among them) */
    }
}

static rt_trap *get_type(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                         cm_val *r)
{
    uint32_t e;
    wasi_fd *f = desc(p, &a[0], 0, &e);
    cm_val v = {.kind = CM_ENUM, .u.var = {f ? desc_type(f->filetype) : 0, NULL}};
    return fs_result(cx, f ? 0 : e, &v, r);
}

static rt_trap *get_flags(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                          cm_val *r)
{
    uint32_t e;
    wasi_fd *f = desc(p, &a[0], 0, &e);
    uint64_t fl = 0;
    if (f) {
        fl |= f->rights & read_rights ? DF_READ : 0;
        fl |= f->rights & WASI_RIGHT_FD_WRITE ? DF_WRITE : 0;
        if (f->filetype == WASI_FILETYPE_DIRECTORY)
            fl |= DF_MUTATE_DIR;
    }
    cm_val v = {.kind = CM_FLAGS, .u.flags = fl};
    return fs_result(cx, f ? 0 : e, &v, r);
}

/* option<datetime> of a preview1 timestamp (ns). */
static bool timestamp(cm_host_call *cx, uint64_t ns, cm_val *out)
{
    cm_val *f = mem_calloc(cx->owner, MEM_HOST, 2, sizeof *f);
    if (!f)
        return false;
    f[0] = p2_u64(ns / 1000000000u);
    f[1] = (cm_val){.kind = CM_U32, .u.u = ns % 1000000000u};
    cm_val *rec = p2_box(cx, (cm_val){.kind = CM_RECORD,
                                      .u.list = {f, 2}});
    if (!rec) {
        mem_free(cx->owner, MEM_HOST, f);
        return false;
    }
    *out = (cm_val){.kind = CM_OPTION, .u.var = {1, rec}};
    return true;
}

/* The record descriptor-stat from a preview1 filestat (64 bytes): type,
 * link-count, size, and the access, modification and status-change
 * times. */
static rt_trap *stat_result(cm_host_call *cx, uint32_t e, const uint8_t *fs,
                            cm_val *r)
{
    if (e)
        return fs_result(cx, e, NULL, r);
    cm_val *f = mem_calloc(cx->owner, MEM_HOST, 6, sizeof *f);
    if (!f)
        return p2_oom(cx);
    cm_val rec = {.kind = CM_RECORD, .u.list = {f, 6}};
    f[0] = (cm_val){.kind = CM_ENUM, .u.var = {desc_type(fs[16]), NULL}};
    f[1] = p2_u64(wasi_get64(fs + 24));
    f[2] = p2_u64(wasi_get64(fs + 32));
    for (int i = 0; i < 3; i++) {
        if (!timestamp(cx, wasi_get64(fs + 40 + 8 * i), &f[3 + i])) {
            cm_val_free(cx->owner, &rec);
            return p2_oom(cx);
        }
    }
    rt_trap *t = fs_result(cx, 0, &rec, r);
    if (t)
        cm_val_free(cx->owner, &rec);
    return t;
}

/* The preview1 filestat of a[0] (at path a[2], flags a[1] when `at`);
 * NULL when out of memory, else the scratch memory (free it). */
static uint8_t *filestat(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                         bool at, uint32_t *e)
{
    uint64_t args[5] = {a[0].u.handle.rep, 0, 0, 0, 0};
    uint8_t *out = NULL;
    bool oom = false;
    if (at) {
        args[1] = a[1].u.flags & 1;
        *e = p1_call(p, cx, wasi_fn_path_filestat_get,
                     &(p1_args){args, {&a[2]}, {2}, P2_OUT}, &out, &oom);
    } else {
        *e = p1_call(p, cx, wasi_fn_fd_filestat_get,
                     &(p1_args){args, {NULL}, {0}, P2_OUT}, &out, &oom);
    }
    return out;
}

static rt_trap *stat_of(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                        bool at, cm_val *r)
{
    uint32_t e;
    uint8_t *fs = filestat(p, cx, a, at, &e);
    if (!fs)
        return p2_oom(cx);
    rt_trap *t = stat_result(cx, e, fs, r);
    mem_free(cx->owner, MEM_HOST, fs);
    return t;
}

static rt_trap *desc_stat(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                          cm_val *r)
{
    return stat_of(p, cx, a, false, r);
}

static rt_trap *stat_at(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                        cm_val *r)
{
    return stat_of(p, cx, a, true, r);
}

/* metadata-hash: record {lower, upper} from the inode and the device. */
static rt_trap *hash_of(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                        bool at, cm_val *r)
{
    uint32_t e;
    uint8_t *fs = filestat(p, cx, a, at, &e);
    if (!fs)
        return p2_oom(cx);
    cm_val *f = e ? NULL : mem_calloc(cx->owner, MEM_HOST, 2, sizeof *f);
    if (!e && f) {
        f[0] = p2_u64(wasi_get64(fs + 8));
        f[1] = p2_u64(wasi_get64(fs));
    }
    mem_free(cx->owner, MEM_HOST, fs);
    if (!e && !f)
        return p2_oom(cx);
    cm_val rec = {.kind = CM_RECORD, .u.list = {f, 2}};
    rt_trap *t = fs_result(cx, e, &rec, r);
    if (t)
        mem_free(cx->owner, MEM_HOST, f);
    return t;
}

static rt_trap *metadata_hash(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                              cm_val *r)
{
    return hash_of(p, cx, a, false, r);
}

static rt_trap *metadata_hash_at(wasi_p2 *p, cm_host_call *cx,
                                 const cm_val *a, cm_val *r)
{
    return hash_of(p, cx, a, true, r);
}

/* ---- the rest: one preview1 call each ------------------------------------ */

static rt_trap *path_op(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                        p1_fn fn, cm_val *r)
{
    uint64_t args[3] = {a[0].u.handle.rep, 0, 0};
    bool oom = false;
    uint32_t e = p1_call(p, cx, fn, &(p1_args){args, {&a[1]}, {1}, 0}, NULL,
                         &oom);
    return oom ? p2_oom(cx) : fs_result(cx, e, NULL, r);
}

static rt_trap *create_directory_at(wasi_p2 *p, cm_host_call *cx,
                                    const cm_val *a, cm_val *r)
{
    return path_op(p, cx, a, wasi_fn_path_create_directory, r);
}

static rt_trap *unlink_file_at(wasi_p2 *p, cm_host_call *cx,
                               const cm_val *a, cm_val *r)
{
    return path_op(p, cx, a, wasi_fn_path_unlink_file, r);
}

static rt_trap *remove_directory_at(wasi_p2 *p, cm_host_call *cx,
                                    const cm_val *a, cm_val *r)
{
    return path_op(p, cx, a, wasi_fn_path_remove_directory, r);
}

/* readlink-at(path) -> result<string, error-code> */
static rt_trap *readlink_at(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                            cm_val *r)
{
    /* nread at 0, the target from 8 */
    uint64_t args[6] = {a[0].u.handle.rep, 0, 0, 8, PATH_MAX, 0};
    uint8_t *out = NULL;
    bool oom = false;
    uint32_t e = p1_call(p, cx, wasi_fn_path_readlink,
                         &(p1_args){args, {&a[1]}, {1}, 8 + PATH_MAX}, &out,
                         &oom);
    if (oom)
        return p2_oom(cx);
    cm_val target = {.kind = CM_BOOL};
    uint32_t n = wasi_get32(out);
    bool made = e || p2_string(cx, (const char *)out + 8,
                               n < PATH_MAX ? n : PATH_MAX, &target);
    mem_free(cx->owner, MEM_HOST, out);
    if (!made)
        return p2_oom(cx);
    rt_trap *t = fs_result(cx, e, &target, r);
    if (t)
        cm_val_free(cx->owner, &target);
    return t;
}

/* rename-at(old-path, new-descriptor, new-path) -> result<_, error-code> */
static rt_trap *rename_at(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                          cm_val *r)
{
    uint64_t args[6] = {a[0].u.handle.rep, 0, 0, a[2].u.handle.rep, 0, 0};
    bool oom = false;
    uint32_t e = p1_call(p, cx, wasi_fn_path_rename,
                         &(p1_args){args, {&a[1], &a[3]}, {1, 4}, 0}, NULL,
                         &oom);
    return oom ? p2_oom(cx) : fs_result(cx, e, NULL, r);
}

/* symlink-at(old-path, new-path) -> result<_, error-code>: a link at
 * new-path (beneath the descriptor) whose target is old-path. */
static rt_trap *symlink_at(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                           cm_val *r)
{
    uint64_t args[5] = {0, 0, a[0].u.handle.rep, 0, 0};
    bool oom = false;
    uint32_t e = p1_call(p, cx, wasi_fn_path_symlink,
                         &(p1_args){args, {&a[1], &a[2]}, {0, 3}, 0}, NULL,
                         &oom);
    return oom ? p2_oom(cx) : fs_result(cx, e, NULL, r);
}

/* link-at(old-path-flags, old-path, new-descriptor, new-path) */
static rt_trap *link_at(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                        cm_val *r)
{
    uint64_t args[7] = {a[0].u.handle.rep, a[1].u.flags & 1, 0, 0,
                        a[3].u.handle.rep, 0, 0};
    bool oom = false;
    uint32_t e = p1_call(p, cx, wasi_fn_path_link,
                         &(p1_args){args, {&a[2], &a[4]}, {2, 5}, 0}, NULL,
                         &oom);
    return oom ? p2_oom(cx) : fs_result(cx, e, NULL, r);
}

/* advise(offset, length, advice): the enum advice has preview1's order. */
static rt_trap *advise(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                       cm_val *r)
{
    uint64_t args[4] = {a[0].u.handle.rep, a[1].u.u, a[2].u.u,
                        a[3].u.var.tag};
    bool oom = false;
    uint32_t e = p1_call(p, cx, wasi_fn_fd_advise,
                         &(p1_args){args, {NULL}, {0}, 0}, NULL, &oom);
    return oom ? p2_oom(cx) : fs_result(cx, e, NULL, r);
}

/* A new-timestamp variant { no-change, now, timestamp(datetime) } as a
 * preview1 time and fstflags (`now`, `set` the bits for this time).
 * false when its payload is not a datetime. */
static bool new_timestamp(const cm_val *v, uint32_t now, uint32_t set,
                          uint64_t *ns, uint32_t *fst)
{
    *ns = 0;
    if (v->u.var.tag == 0)
        return v->u.var.payload == NULL;
    if (v->u.var.tag == 1) {
        *fst |= now;
        return v->u.var.payload == NULL;
    }
    const cm_val *dt = v->u.var.payload;
    if (v->u.var.tag != 2 || !dt || dt->kind != CM_RECORD ||
        dt->u.list.n != 2 || dt->u.list.items[0].kind != CM_U64 ||
        dt->u.list.items[1].kind != CM_U32)
        return false;
    uint64_t sec = dt->u.list.items[0].u.u, sub = dt->u.list.items[1].u.u;
    /* Out of preview1's range: the latest time it can say. */
    *ns = sec > (UINT64_MAX - sub) / 1000000000u ? UINT64_MAX
                                                 : sec * 1000000000u + sub;
    *fst |= set;
    return true;
}

/* set-times / set-times-at: the two new-timestamps are a[k], a[k + 1]. */
static rt_trap *set_times_of(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                             bool at, cm_val *r)
{
    int k = at ? 3 : 1;
    uint64_t atim, mtim;
    uint32_t fst = 0;
    if (!new_timestamp(&a[k], WASI_FST_ATIM_NOW, WASI_FST_ATIM, &atim, &fst) ||
        !new_timestamp(&a[k + 1], WASI_FST_MTIM_NOW, WASI_FST_MTIM, &mtim,
                       &fst))
        return p2_trap(cx, "wasi: set-times: a new-timestamp is malformed");
    bool oom = false;
    uint32_t e;
    if (at) {
        uint64_t args[7] = {a[0].u.handle.rep, a[1].u.flags & 1, 0, 0, atim,
                            mtim, fst};
        e = p1_call(p, cx, wasi_fn_path_filestat_set_times,
                    &(p1_args){args, {&a[2]}, {2}, 0}, NULL, &oom);
    } else {
        uint64_t args[4] = {a[0].u.handle.rep, atim, mtim, fst};
        e = p1_call(p, cx, wasi_fn_fd_filestat_set_times,
                    &(p1_args){args, {NULL}, {0}, 0}, NULL, &oom);
    }
    return oom ? p2_oom(cx) : fs_result(cx, e, NULL, r);
}

static rt_trap *set_times(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                          cm_val *r)
{
    return set_times_of(p, cx, a, false, r);
}

static rt_trap *set_times_at(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                             cm_val *r)
{
    return set_times_of(p, cx, a, true, r);
}

/* ---- directory listings --------------------------------------------------- */

/* read-directory() -> result<own<directory-entry-stream>, error-code>: a
 * listing with a preview1 descriptor of its own (a duplicate), read with
 * fd_readdir one entry at a time. */
static rt_trap *read_directory(wasi_p2 *p, cm_host_call *cx,
                               const cm_val *a, cm_val *r)
{
    uint32_t e, fd, rep;
    wasi_fd *f = desc(p, &a[0], WASI_RIGHT_FD_READDIR, &e);
    if (f && f->filetype != WASI_FILETYPE_DIRECTORY)
        f = NULL, e = WASI_ENOTDIR;
    if (!f)
        return fs_result(cx, e, NULL, r);
    int h = fcntl(f->host, F_DUPFD_CLOEXEC, 0);
    if (h < 0)
        return fs_result(cx, wasi_errno_now(), NULL, r);
    if (!wasi_fd_add(p->ctx, h, WASI_FILETYPE_DIRECTORY, WASI_RIGHT_FD_READDIR,
                     0, &fd)) {
        close(h);
        return p2_oom(cx);
    }
    if (!p2_stream_new(p, (p2_stream){.dir = true, .fd = (int)fd}, &rep)) {
        if ((f = wasi_fd_get(p->ctx, fd, 0, &e)))
            wasi_fd_release(p->ctx, f);
        return p2_oom(cx);
    }
    cm_val own = p2_own(p, P2_DIRSTREAM, rep);
    rt_trap *t = fs_result(cx, 0, &own, r);
    if (t)
        p2_stream_drop(p, rep);
    return t;
}

/* record directory-entry { type: descriptor-type, name: string } */
static bool dir_entry(cm_host_call *cx, uint8_t type, const char *name,
                      uint32_t len, cm_val *out)
{
    cm_val *f = mem_calloc(cx->owner, MEM_HOST, 2, sizeof *f);
    if (!f || !p2_string(cx, name, len, &f[1])) {
        mem_free(cx->owner, MEM_HOST, f);
        return false;
    }
    f[0] = (cm_val){.kind = CM_ENUM, .u.var = {desc_type(type), NULL}};
    cm_val *rec = p2_box(cx, (cm_val){.kind = CM_RECORD, .u.list = {f, 2}});
    if (!rec) {
        mem_free(cx->owner, MEM_HOST, f[1].u.str.ptr);
        mem_free(cx->owner, MEM_HOST, f);
        return false;
    }
    *out = (cm_val){.kind = CM_OPTION, .u.var = {1, rec}};
    return true;
}

/* read-directory-entry() -> result<option<directory-entry>, error-code>;
 * "." and ".." are not entries in WASI 0.2. */
static rt_trap *read_directory_entry(wasi_p2 *p, cm_host_call *cx,
                                     const cm_val *a, cm_val *r)
{
    uint32_t rep = a[0].u.handle.rep;
    if (rep >= p->nstreams || !p->streams[rep].used || !p->streams[rep].dir)
        return p2_trap(cx, "wasi: unknown directory-entry-stream");
    p2_stream *s = &p->streams[rep];
    /* used at 0, one entry from 8: its header, then its name */
    const uint32_t room = WASI_DIRENT_SIZE + NAME_MAX + 1;
    for (;;) {
        uint64_t args[5] = {(uint32_t)s->fd, 8, room, s->offset, 0};
        uint8_t *out = NULL;
        bool oom = false;
        uint32_t e = p1_call(p, cx, wasi_fn_fd_readdir,
                             &(p1_args){args, {NULL}, {0}, 8 + room}, &out,
                             &oom);
        if (oom)
            return p2_oom(cx);
        uint32_t used = wasi_get32(out);
        const uint8_t *d = out + 8;
        uint32_t namlen = wasi_get32(d + 16);
        if (e || used < WASI_DIRENT_SIZE) { /* an error, or the end */
            mem_free(cx->owner, MEM_HOST, out);
            cm_val none = {.kind = CM_OPTION, .u.var = {0, NULL}};
            return fs_result(cx, e, &none, r);
        }
        if (namlen > NAME_MAX || used < WASI_DIRENT_SIZE + namlen) {
            mem_free(cx->owner, MEM_HOST, out);
            return fs_result(cx, WASI_EIO, NULL, r);
        }
        s->offset = wasi_get64(d);
        const char *name = (const char *)d + WASI_DIRENT_SIZE;
        if ((namlen == 1 && name[0] == '.') ||
            (namlen == 2 && name[0] == '.' && name[1] == '.')) {
            mem_free(cx->owner, MEM_HOST, out);
            continue;
        }
        cm_val ent;
        bool made = dir_entry(cx, d[20], name, namlen, &ent);
        mem_free(cx->owner, MEM_HOST, out);
        if (!made)
            return p2_oom(cx);
        rt_trap *t = fs_result(cx, 0, &ent, r);
        if (t)
            cm_val_free(cx->owner, &ent);
        return t;
    }
}

static rt_trap *fd_op(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                      p1_fn fn, uint64_t arg1, cm_val *r)
{
    uint64_t args[2] = {a[0].u.handle.rep, arg1};
    bool oom = false;
    uint32_t e = p1_call(p, cx, fn, &(p1_args){args, {NULL}, {0}, 0}, NULL,
                         &oom);
    return oom ? p2_oom(cx) : fs_result(cx, e, NULL, r);
}

static rt_trap *desc_sync(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                          cm_val *r)
{
    return fd_op(p, cx, a, wasi_fn_fd_sync, 0, r);
}

static rt_trap *desc_sync_data(wasi_p2 *p, cm_host_call *cx,
                               const cm_val *a, cm_val *r)
{
    return fd_op(p, cx, a, wasi_fn_fd_datasync, 0, r);
}

static rt_trap *set_size(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                         cm_val *r)
{
    return fd_op(p, cx, a, wasi_fn_fd_filestat_set_size, a[1].u.u, r);
}

/* filesystem-error-code(borrow<error>) -> option<error-code> */
static rt_trap *error_code(wasi_p2 *p, cm_host_call *cx, const cm_val *a,
                           cm_val *r)
{
    (void)p;
    cm_val *code = p2_box(cx, (cm_val){.kind = CM_ENUM, .u.var = {
                                  p2_error_code(a[0].u.handle.rep), NULL}});
    if (!code)
        return p2_oom(cx);
    *r = (cm_val){.kind = CM_OPTION, .u.var = {1, code}};
    return NULL;
}

#define D "[method]descriptor."
#define TYPES "wasi:filesystem/types"
const p2_fn p2_fs_fns[] = {
    {"wasi:filesystem/preopens", "get-directories", "", 1, get_directories},
    {TYPES, D "open-at", "DFsFF", 1, open_at},
    {TYPES, D "read", "Dww", 1, desc_read},
    {TYPES, D "write", "DLw", 1, desc_write},
    {TYPES, D "read-via-stream", "Dw", 1, read_via_stream},
    {TYPES, D "write-via-stream", "Dw", 1, write_via_stream},
    {TYPES, D "append-via-stream", "D", 1, append_via_stream},
    {TYPES, D "get-type", "D", 1, get_type},
    {TYPES, D "get-flags", "D", 1, get_flags},
    {TYPES, D "stat", "D", 1, desc_stat},
    {TYPES, D "stat-at", "DFs", 1, stat_at},
    {TYPES, D "create-directory-at", "Ds", 1, create_directory_at},
    {TYPES, D "unlink-file-at", "Ds", 1, unlink_file_at},
    {TYPES, D "remove-directory-at", "Ds", 1, remove_directory_at},
    {TYPES, D "sync", "D", 1, desc_sync},
    {TYPES, D "sync-data", "D", 1, desc_sync_data},
    {TYPES, D "set-size", "Dw", 1, set_size},
    {TYPES, D "readlink-at", "Ds", 1, readlink_at},
    {TYPES, D "link-at", "DFsDs", 1, link_at},
    {TYPES, D "advise", "DwwN", 1, advise},
    {TYPES, D "set-times", "DVV", 1, set_times},
    {TYPES, D "set-times-at", "DFsVV", 1, set_times_at},
    {TYPES, D "rename-at", "DsDs", 1, rename_at},
    {TYPES, D "symlink-at", "Dss", 1, symlink_at},
    {TYPES, D "metadata-hash", "D", 1, metadata_hash},
    {TYPES, D "metadata-hash-at", "DFs", 1, metadata_hash_at},
    {TYPES, D "read-directory", "D", 1, read_directory},
    {TYPES, "[method]directory-entry-stream.read-directory-entry", "S", 1,
     read_directory_entry},
    {TYPES, "filesystem-error-code", "E", 1, error_code},
};
const size_t p2_fs_nfns = sizeof p2_fs_fns / sizeof *p2_fs_fns;
