/* The fd_* functions on files, directories, stdio and preopens, with their
 * error paths. The runner preopens an empty host directory as "sandbox"
 * and feeds "stdin line\n" on standard input. */
#include "guest.h"

static int dir = -1;

static __wasi_fd_t create(const char *name)
{
    __wasi_fd_t fd = 0;
    CHECK_OK(guest_open(dir, name, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                        0, &fd));
    return fd;
}

static void test_stdio(void)
{
    char buf[64];
    CHECK_OK(guest_read(0, buf, sizeof buf));
    CHECK(!strcmp(buf, "stdin line\n"));
    CHECK_OK(guest_read(0, buf, sizeof buf)); /* end of input: 0 bytes */
    CHECK(buf[0] == 0);
    /* stdin is a pipe (the runner's): no seeking, whether the host says
     * so with ESPIPE or by leaving the seek right off the descriptor. */
    __wasi_filesize_t pos;
    __wasi_errno_t e = __wasi_fd_seek(0, 0, __WASI_WHENCE_CUR, &pos);
    CHECK(e == __WASI_ERRNO_SPIPE || e == __WASI_ERRNO_NOTCAPABLE);
    e = __wasi_fd_tell(0, &pos);
    CHECK(e == __WASI_ERRNO_SPIPE || e == __WASI_ERRNO_NOTCAPABLE);
    /* Two iovecs gathered into one write. */
    __wasi_ciovec_t iov[2] = {{(const uint8_t *)"gath", 4},
                              {(const uint8_t *)"ered\n", 5}};
    __wasi_size_t n = 0;
    CHECK_OK(__wasi_fd_write(1, iov, 2, &n));
    CHECK(n == 9);
    CHECK_OK(__wasi_fd_write(1, iov, 0, &n)); /* nothing to write */
    CHECK(n == 0);
    __wasi_fdstat_t st;
    CHECK_OK(__wasi_fd_fdstat_get(0, &st));
    CHECK(st.fs_rights_base & __WASI_RIGHTS_FD_READ);
    CHECK_OK(__wasi_fd_fdstat_get(2, &st));
    CHECK(st.fs_rights_base & __WASI_RIGHTS_FD_WRITE);
    /* iovecs or results outside linear memory. */
    CHECK_ERRNO(raw_fd_write(1, FAR_ADDR, 1, ADDR(&n)), __WASI_ERRNO_FAULT);
    CHECK_ERRNO(raw_fd_write(1, ADDR(iov), 2, FAR_ADDR), __WASI_ERRNO_FAULT);
    __wasi_ciovec_t bad = {(const uint8_t *)(uintptr_t)0xfffff000u, 64};
    CHECK_ERRNO(__wasi_fd_write(1, &bad, 1, &n), __WASI_ERRNO_FAULT);
    CHECK_ERRNO(raw_fd_read(0, FAR_ADDR, 1, ADDR(&n)), __WASI_ERRNO_FAULT);
    /* Counts far beyond memory: refused before anything is allocated. */
    CHECK_ERRNO(raw_fd_write(1, ADDR(iov), 0x10000000, ADDR(&n)),
                __WASI_ERRNO_FAULT);
    CHECK_ERRNO(raw_fd_read(0, ADDR(iov), 0x7fffffff, ADDR(&n)),
                __WASI_ERRNO_FAULT);
    /* Many small iovecs are all written, in order. */
    static __wasi_ciovec_t many[1000];
    for (int i = 0; i < 1000; i++) {
        many[i].buf = (const uint8_t *)(i == 999 ? "\n" : "");
        many[i].buf_len = i == 999 ? 1 : 0;
    }
    many[0].buf = (const uint8_t *)"many";
    many[0].buf_len = 4;
    CHECK_OK(__wasi_fd_write(1, many, 1000, &n));
    CHECK(n == 5);
}

static void test_read_write_seek(void)
{
    __wasi_fd_t fd = create("rw.txt");
    char buf[64];
    __wasi_filesize_t pos = 99;
    CHECK_OK(guest_write(fd, "hello world"));
    CHECK_OK(__wasi_fd_tell(fd, &pos));
    CHECK(pos == 11);
    CHECK_OK(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
    CHECK(pos == 0);
    CHECK_OK(guest_read(fd, buf, sizeof buf));
    CHECK(!strcmp(buf, "hello world"));
    CHECK_OK(__wasi_fd_seek(fd, -5, __WASI_WHENCE_END, &pos));
    CHECK(pos == 6);
    CHECK_OK(guest_read(fd, buf, 3));
    CHECK(!strcmp(buf, "wo"));
    CHECK_OK(__wasi_fd_seek(fd, 1, __WASI_WHENCE_CUR, &pos));
    CHECK(pos == 9);
    CHECK_ERRNO(__wasi_fd_seek(fd, -100, __WASI_WHENCE_CUR, &pos),
                __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_fd_seek(fd, 0, 3, &pos), __WASI_ERRNO_INVAL);
    CHECK_OK(__wasi_fd_tell(fd, &pos));
    CHECK(pos == 9);

    /* pread/pwrite leave the position alone. */
    __wasi_iovec_t riov = {(uint8_t *)buf, 5};
    __wasi_size_t n = 0;
    CHECK_OK(__wasi_fd_pread(fd, &riov, 1, 6, &n));
    CHECK(n == 5 && !memcmp(buf, "world", 5));
    __wasi_ciovec_t wiov = {(const uint8_t *)"HELLO", 5};
    CHECK_OK(__wasi_fd_pwrite(fd, &wiov, 1, 0, &n));
    CHECK(n == 5);
    CHECK_OK(__wasi_fd_tell(fd, &pos));
    CHECK(pos == 9);
    CHECK_OK(__wasi_fd_pread(fd, &riov, 1, 0, &n));
    CHECK(n == 5 && !memcmp(buf, "HELLO", 5));
    CHECK_OK(__wasi_fd_pread(fd, &riov, 1, 100, &n)); /* past the end */
    CHECK(n == 0);
    /* Writing past the end leaves a hole of zeros. */
    CHECK_OK(__wasi_fd_pwrite(fd, &wiov, 1, 20, &n));
    __wasi_filestat_t fs;
    CHECK_OK(__wasi_fd_filestat_get(fd, &fs));
    CHECK(fs.size == 25);

    CHECK_OK(__wasi_fd_sync(fd));
    CHECK_OK(__wasi_fd_datasync(fd));
    for (__wasi_advice_t a = 0; a <= __WASI_ADVICE_NOREUSE; a++)
        CHECK_OK(__wasi_fd_advise(fd, 0, 100, a));
    CHECK_ERRNO(__wasi_fd_advise(fd, 0, 100, 6), __WASI_ERRNO_INVAL);
    CHECK_OK(__wasi_fd_allocate(fd, 0, 4096));
    CHECK_OK(__wasi_fd_filestat_get(fd, &fs));
    CHECK(fs.size == 4096);
    CHECK_OK(__wasi_fd_close(fd));
    CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_BADF);
}

static void test_bad_fds(void)
{
    char buf[8];
    __wasi_filesize_t pos;
    __wasi_fdstat_t st;
    __wasi_filestat_t fs;
    __wasi_size_t n;
    __wasi_ciovec_t wiov = {(const uint8_t *)"x", 1};
    __wasi_iovec_t riov = {(uint8_t *)buf, 1};
    const __wasi_fd_t fds[] = {99, 0x7fffffff, 0xffffffffu};
    for (size_t i = 0; i < 3; i++) {
        __wasi_fd_t fd = fds[i];
        CHECK_ERRNO(__wasi_fd_read(fd, &riov, 1, &n), __WASI_ERRNO_BADF);
        CHECK_ERRNO(__wasi_fd_write(fd, &wiov, 1, &n), __WASI_ERRNO_BADF);
        CHECK_ERRNO(__wasi_fd_pread(fd, &riov, 1, 0, &n), __WASI_ERRNO_BADF);
        CHECK_ERRNO(__wasi_fd_pwrite(fd, &wiov, 1, 0, &n), __WASI_ERRNO_BADF);
        CHECK_ERRNO(__wasi_fd_seek(fd, 0, 0, &pos), __WASI_ERRNO_BADF);
        CHECK_ERRNO(__wasi_fd_tell(fd, &pos), __WASI_ERRNO_BADF);
        CHECK_ERRNO(__wasi_fd_fdstat_get(fd, &st), __WASI_ERRNO_BADF);
        CHECK_ERRNO(__wasi_fd_fdstat_set_flags(fd, 0), __WASI_ERRNO_BADF);
        CHECK_ERRNO(__wasi_fd_filestat_get(fd, &fs), __WASI_ERRNO_BADF);
        CHECK_ERRNO(__wasi_fd_filestat_set_size(fd, 0), __WASI_ERRNO_BADF);
        CHECK_ERRNO(__wasi_fd_filestat_set_times(fd, 0, 0, 0),
                    __WASI_ERRNO_BADF);
        CHECK_ERRNO(__wasi_fd_sync(fd), __WASI_ERRNO_BADF);
        CHECK_ERRNO(__wasi_fd_datasync(fd), __WASI_ERRNO_BADF);
        CHECK_ERRNO(__wasi_fd_advise(fd, 0, 0, 0), __WASI_ERRNO_BADF);
        CHECK_ERRNO(__wasi_fd_allocate(fd, 0, 1), __WASI_ERRNO_BADF);
        CHECK_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_BADF);
        CHECK_ERRNO(__wasi_fd_readdir(fd, (uint8_t *)buf, 8, 0, &n),
                    __WASI_ERRNO_BADF);
        CHECK_ERRNO(__wasi_fd_renumber(fd, 1), __WASI_ERRNO_BADF);
        __wasi_prestat_t ps;
        CHECK_ERRNO(__wasi_fd_prestat_get(fd, &ps), __WASI_ERRNO_BADF);
        CHECK_ERRNO(__wasi_fd_prestat_dir_name(fd, (uint8_t *)buf, 8),
                    __WASI_ERRNO_BADF);
    }
}

static void test_stat_and_flags(void)
{
    __wasi_fd_t fd = create("st.txt");
    CHECK_OK(guest_write(fd, "0123456789"));
    __wasi_fdstat_t st;
    CHECK_OK(__wasi_fd_fdstat_get(fd, &st));
    CHECK(st.fs_filetype == __WASI_FILETYPE_REGULAR_FILE);
    CHECK(st.fs_flags == 0);
    CHECK((st.fs_rights_base & (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE))
          == (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE));

    /* Append mode: writes go to the end whatever the position. */
    CHECK_OK(__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND));
    CHECK_OK(__wasi_fd_fdstat_get(fd, &st));
    CHECK(st.fs_flags & __WASI_FDFLAGS_APPEND);
    __wasi_filesize_t pos;
    CHECK_OK(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
    CHECK_OK(guest_write(fd, "ab"));
    __wasi_filestat_t fs;
    CHECK_OK(__wasi_fd_filestat_get(fd, &fs));
    CHECK(fs.size == 12);
    CHECK_OK(__wasi_fd_fdstat_set_flags(fd, 0));
    CHECK_OK(__wasi_fd_fdstat_get(fd, &st));
    CHECK(!(st.fs_flags & __WASI_FDFLAGS_APPEND));
    CHECK_ERRNO(__wasi_fd_fdstat_set_flags(fd, 0x20), __WASI_ERRNO_INVAL);

    CHECK(fs.filetype == __WASI_FILETYPE_REGULAR_FILE);
    CHECK(fs.nlink == 1);
    CHECK_OK(__wasi_fd_filestat_set_size(fd, 3));
    CHECK_OK(__wasi_fd_filestat_get(fd, &fs));
    CHECK(fs.size == 3);
    CHECK_OK(__wasi_fd_filestat_set_size(fd, 100));
    CHECK_OK(__wasi_fd_filestat_get(fd, &fs));
    CHECK(fs.size == 100);

    const __wasi_timestamp_t at = 1000000000ull * 1500000000ull + 123;
    const __wasi_timestamp_t mt = 1000000000ull * 1600000000ull + 456000;
    CHECK_OK(__wasi_fd_filestat_set_times(
        fd, at, mt, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    CHECK_OK(__wasi_fd_filestat_get(fd, &fs));
    CHECK(fs.atim == at);
    CHECK(fs.mtim == mt);
    /* Only the access time; the modification time stays. */
    CHECK_OK(__wasi_fd_filestat_set_times(fd, at + 1000, 0,
                                          __WASI_FSTFLAGS_ATIM));
    CHECK_OK(__wasi_fd_filestat_get(fd, &fs));
    CHECK(fs.atim == at + 1000 && fs.mtim == mt);
    CHECK_OK(__wasi_fd_filestat_set_times(fd, 0, 0,
                                          __WASI_FSTFLAGS_MTIM_NOW));
    CHECK_OK(__wasi_fd_filestat_get(fd, &fs));
    CHECK(fs.mtim > mt);
    CHECK_ERRNO(__wasi_fd_filestat_set_times(
                    fd, at, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW),
                __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_fd_filestat_set_times(
                    fd, 0, mt, __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW),
                __WASI_ERRNO_INVAL);

    /* Rights only shrink; an fd without FD_WRITE cannot write. */
    CHECK_OK(__wasi_fd_fdstat_set_rights(
        fd, st.fs_rights_base & ~(__wasi_rights_t)__WASI_RIGHTS_FD_WRITE,
        st.fs_rights_inheriting));
    __wasi_fdstat_t st2;
    CHECK_OK(__wasi_fd_fdstat_get(fd, &st2));
    CHECK(!(st2.fs_rights_base & __WASI_RIGHTS_FD_WRITE));
    CHECK_ERRNO(guest_write(fd, "no"), __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_fd_fdstat_set_rights(fd, st.fs_rights_base,
                                            st.fs_rights_inheriting),
                __WASI_ERRNO_NOTCAPABLE);
    CHECK_OK(__wasi_fd_close(fd));

    /* A file opened read-only cannot be written. */
    CHECK_OK(__wasi_path_open((__wasi_fd_t)dir, 0, "st.txt", 0,
                              __WASI_RIGHTS_FD_READ, 0, 0, &fd));
    CHECK_FAILS(guest_write(fd, "no"));
    CHECK_FAILS(__wasi_fd_filestat_set_size(fd, 0));
    CHECK_OK(__wasi_fd_close(fd));
}

static void test_renumber(void)
{
    __wasi_fd_t a = create("ren_a.txt");
    __wasi_fd_t b = create("ren_b.txt");
    CHECK_OK(guest_write(a, "AAAA"));
    CHECK_OK(guest_write(b, "B"));
    CHECK_OK(__wasi_fd_renumber(a, b));
    /* b now is ren_a.txt (its old file closed); a is closed. */
    __wasi_filestat_t fs;
    CHECK_OK(__wasi_fd_filestat_get(b, &fs));
    CHECK(fs.size == 4);
    CHECK_ERRNO(__wasi_fd_filestat_get(a, &fs), __WASI_ERRNO_BADF);
    CHECK_ERRNO(__wasi_fd_renumber(b, 77), __WASI_ERRNO_BADF);
    CHECK_OK(__wasi_fd_renumber(b, b));
    CHECK_OK(__wasi_fd_close(b));
}

static void test_prestat(void)
{
    __wasi_prestat_t ps;
    CHECK_OK(__wasi_fd_prestat_get((__wasi_fd_t)dir, &ps));
    CHECK(ps.tag == __WASI_PREOPENTYPE_DIR);
    CHECK(ps.u.dir.pr_name_len == 7);
    char name[16];
    memset(name, '#', sizeof name);
    CHECK_OK(__wasi_fd_prestat_dir_name((__wasi_fd_t)dir, (uint8_t *)name, 7));
    CHECK(!memcmp(name, "sandbox#", 8));
    CHECK_ERRNO(__wasi_fd_prestat_dir_name((__wasi_fd_t)dir, (uint8_t *)name,
                                           3),
                __WASI_ERRNO_NAMETOOLONG);
    /* stdio and ordinary files are not preopens. */
    CHECK_ERRNO(__wasi_fd_prestat_get(1, &ps), __WASI_ERRNO_BADF);
    __wasi_fd_t fd = create("pre.txt");
    CHECK_ERRNO(__wasi_fd_prestat_get(fd, &ps), __WASI_ERRNO_BADF);
    CHECK_OK(__wasi_fd_close(fd));
}

struct seen {
    int dot, dotdot, a, bb, ccc, sub;
    int count;
};

/* Walks a readdir buffer, recording names; returns the cookie of the last
 * whole entry, and sets *complete when the buffer was not full. */
static void walk(const uint8_t *buf, size_t used, struct seen *s,
                 __wasi_dircookie_t *last)
{
    size_t off = 0;
    while (off + sizeof(__wasi_dirent_t) <= used) {
        __wasi_dirent_t d;
        memcpy(&d, buf + off, sizeof d);
        off += sizeof d;
        if (off + d.d_namlen > used)
            break;
        const char *name = (const char *)buf + off;
        off += d.d_namlen;
        *last = d.d_next;
        s->count++;
        if (d.d_namlen == 1 && !memcmp(name, ".", 1))
            s->dot += d.d_type == __WASI_FILETYPE_DIRECTORY;
        else if (d.d_namlen == 2 && !memcmp(name, "..", 2))
            s->dotdot += d.d_type == __WASI_FILETYPE_DIRECTORY;
        else if (d.d_namlen == 1 && !memcmp(name, "a", 1))
            s->a += d.d_type == __WASI_FILETYPE_REGULAR_FILE;
        else if (d.d_namlen == 2 && !memcmp(name, "bb", 2))
            s->bb += d.d_type == __WASI_FILETYPE_REGULAR_FILE;
        else if (d.d_namlen == 3 && !memcmp(name, "ccc", 3))
            s->ccc += d.d_type == __WASI_FILETYPE_REGULAR_FILE;
        else if (d.d_namlen == 3 && !memcmp(name, "sub", 3))
            s->sub += d.d_type == __WASI_FILETYPE_DIRECTORY;
    }
}

static void test_readdir(void)
{
    CHECK_OK(__wasi_path_create_directory((__wasi_fd_t)dir, "rd"));
    __wasi_fd_t d;
    CHECK_OK(guest_open(dir, "rd", __WASI_OFLAGS_DIRECTORY, 0, &d));
    const char *files[] = {"a", "bb", "ccc"};
    for (int i = 0; i < 3; i++) {
        __wasi_fd_t f;
        CHECK_OK(guest_open((int)d, files[i], __WASI_OFLAGS_CREAT, 0, &f));
        CHECK_OK(__wasi_fd_close(f));
    }
    CHECK_OK(__wasi_path_create_directory(d, "sub"));

    /* All at once. */
    uint8_t buf[1024];
    __wasi_size_t used = 0;
    __wasi_dircookie_t last = 0;
    struct seen s = {0};
    CHECK_OK(__wasi_fd_readdir(d, buf, sizeof buf, 0, &used));
    CHECK(used < sizeof buf);
    walk(buf, used, &s, &last);
    CHECK(s.count == 6);
    CHECK(s.dot == 1 && s.dotdot == 1 && s.a == 1 && s.bb == 1 &&
          s.ccc == 1 && s.sub == 1);

    /* A buffer too small for everything is filled completely (the last
     * entry cut short), and reading on from the last whole entry's cookie
     * gives the rest, each entry exactly once. */
    struct seen s2 = {0};
    __wasi_dircookie_t cookie = 0;
    int rounds = 0;
    for (;;) {
        __wasi_size_t n = 0;
        CHECK_OK(__wasi_fd_readdir(d, buf, 40, cookie, &n));
        __wasi_dircookie_t next = cookie;
        walk(buf, n, &s2, &next);
        if (++rounds > 20 || n < 40)
            break;
        CHECK(n == 40);
        cookie = next;
    }
    CHECK(s2.count == 6);
    CHECK(s2.dot == 1 && s2.dotdot == 1 && s2.a == 1 && s2.bb == 1 &&
          s2.ccc == 1 && s2.sub == 1);

    /* Past the end: nothing. */
    CHECK_OK(__wasi_fd_readdir(d, buf, sizeof buf, last, &used));
    CHECK(used == 0);
    /* A buffer running past the end of memory. */
    CHECK_ERRNO(__wasi_fd_readdir(d, buf, 0x7fffffff, 0, &used),
                __WASI_ERRNO_FAULT);
    /* Not a directory. */
    __wasi_fd_t f;
    CHECK_OK(guest_open((int)d, "a", 0, 0, &f));
    CHECK_ERRNO(__wasi_fd_readdir(f, buf, sizeof buf, 0, &used),
                __WASI_ERRNO_NOTDIR);
    CHECK_OK(__wasi_fd_close(f));
    CHECK_OK(__wasi_fd_close(d));
}

int main(void)
{
    dir = guest_preopen("sandbox");
    CHECK(dir >= 3);
    if (dir < 0)
        return guest_finish();
    test_stdio();
    test_read_write_seek();
    test_bad_fds();
    test_stat_and_flags();
    test_renumber();
    test_prestat();
    test_readdir();
    return guest_finish();
}
