/* The path_* functions inside the preopened directory "sandbox" (empty when
 * the guest starts), with their error paths. */
#include "guest.h"

static __wasi_fd_t dir;

static __wasi_errno_t stat_of(const char *path, int follow,
                              __wasi_filestat_t *fs)
{
    return __wasi_path_filestat_get(
        dir, follow ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0, path, fs);
}

static void make_file(const char *path, const char *content)
{
    __wasi_fd_t fd;
    CHECK_OK(guest_open((int)dir, path,
                        __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, 0, &fd));
    CHECK_OK(guest_write(fd, content));
    CHECK_OK(__wasi_fd_close(fd));
}

static void test_open(void)
{
    __wasi_fd_t fd;
    __wasi_filestat_t fs;
    make_file("f.txt", "0123456789");
    CHECK_ERRNO(guest_open((int)dir, "f.txt",
                           __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, 0, &fd),
                __WASI_ERRNO_EXIST);
    CHECK_ERRNO(guest_open((int)dir, "missing", 0, 0, &fd),
                __WASI_ERRNO_NOENT);
    CHECK_ERRNO(guest_open((int)dir, "f.txt", __WASI_OFLAGS_DIRECTORY, 0, &fd),
                __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO(guest_open((int)dir, "f.txt/", 0, 0, &fd),
                __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO(guest_open((int)dir, "no/such/dir/file",
                           __WASI_OFLAGS_CREAT, 0, &fd),
                __WASI_ERRNO_NOENT);
    CHECK_ERRNO(guest_open((int)dir, "", 0, 0, &fd), __WASI_ERRNO_NOENT);
    /* O_TRUNC empties an existing file. */
    CHECK_OK(guest_open((int)dir, "f.txt", __WASI_OFLAGS_TRUNC, 0, &fd));
    CHECK_OK(__wasi_fd_filestat_get(fd, &fs));
    CHECK(fs.size == 0);
    CHECK_OK(__wasi_fd_close(fd));
    /* Opening the directory itself, and "." inside paths. */
    CHECK_OK(guest_open((int)dir, ".", __WASI_OFLAGS_DIRECTORY, 0, &fd));
    __wasi_fdstat_t st;
    CHECK_OK(__wasi_fd_fdstat_get(fd, &st));
    CHECK(st.fs_filetype == __WASI_FILETYPE_DIRECTORY);
    CHECK_OK(__wasi_fd_close(fd));
    CHECK_OK(guest_open((int)dir, "./f.txt", 0, 0, &fd));
    CHECK_OK(__wasi_fd_close(fd));
    /* A path outside linear memory. */
    CHECK_ERRNO(raw_path_open((int32_t)dir, 0, FAR_ADDR, 8, 0, 0, 0, 0,
                              ADDR(&fd)),
                __WASI_ERRNO_FAULT);
    /* A result pointer outside linear memory creates nothing. */
    CHECK_ERRNO(raw_path_open((int32_t)dir, 0, ADDR("never"), 5,
                              __WASI_OFLAGS_CREAT, (int64_t)ALL_RIGHTS, 0, 0,
                              FAR_ADDR),
                __WASI_ERRNO_FAULT);
    CHECK_ERRNO(stat_of("never", 0, &fs), __WASI_ERRNO_NOENT);
    /* Not valid UTF-8. */
    CHECK_ERRNO(guest_open((int)dir, "bad\xff\xfe", __WASI_OFLAGS_CREAT, 0,
                           &fd),
                __WASI_ERRNO_ILSEQ);
    /* path_open on a file, not a directory. */
    CHECK_OK(guest_open((int)dir, "f.txt", 0, 0, &fd));
    __wasi_fd_t fd2;
    CHECK_ERRNO(guest_open((int)fd, "x", 0, 0, &fd2), __WASI_ERRNO_NOTDIR);
    CHECK_OK(__wasi_fd_close(fd));
}

static void test_directories(void)
{
    __wasi_filestat_t fs;
    CHECK_OK(__wasi_path_create_directory(dir, "d"));
    CHECK_ERRNO(__wasi_path_create_directory(dir, "d"), __WASI_ERRNO_EXIST);
    CHECK_ERRNO(__wasi_path_create_directory(dir, "f.txt"),
                __WASI_ERRNO_EXIST);
    CHECK_ERRNO(__wasi_path_create_directory(dir, "nope/d"),
                __WASI_ERRNO_NOENT);
    CHECK_OK(__wasi_path_create_directory(dir, "d/inner"));
    CHECK_OK(stat_of("d", 1, &fs));
    CHECK(fs.filetype == __WASI_FILETYPE_DIRECTORY);
    CHECK_ERRNO(__wasi_path_remove_directory(dir, "d"),
                __WASI_ERRNO_NOTEMPTY);
    CHECK_ERRNO(__wasi_path_remove_directory(dir, "f.txt"),
                __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO(__wasi_path_remove_directory(dir, "missing"),
                __WASI_ERRNO_NOENT);
    CHECK_OK(__wasi_path_remove_directory(dir, "d/inner"));
    CHECK_ERRNO(stat_of("d/inner", 1, &fs), __WASI_ERRNO_NOENT);
    CHECK_ERRNO(__wasi_path_unlink_file(dir, "d"), __WASI_ERRNO_ISDIR);
    CHECK_ERRNO(__wasi_path_unlink_file(dir, "missing"), __WASI_ERRNO_NOENT);
    CHECK_ERRNO(__wasi_path_unlink_file(dir, "f.txt/"), __WASI_ERRNO_NOTDIR);
}

static void test_stat_times(void)
{
    __wasi_filestat_t fs;
    make_file("t.txt", "abc");
    CHECK_OK(stat_of("t.txt", 1, &fs));
    CHECK(fs.filetype == __WASI_FILETYPE_REGULAR_FILE);
    CHECK(fs.size == 3);
    CHECK(fs.nlink == 1);
    CHECK_ERRNO(stat_of("missing", 1, &fs), __WASI_ERRNO_NOENT);
    CHECK_ERRNO(stat_of("t.txt/x", 1, &fs), __WASI_ERRNO_NOTDIR);
    const __wasi_timestamp_t at = 1000000000ull * 1400000000ull + 7;
    const __wasi_timestamp_t mt = 1000000000ull * 1450000000ull + 9000;
    CHECK_OK(__wasi_path_filestat_set_times(
        dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "t.txt", at, mt,
        __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    CHECK_OK(stat_of("t.txt", 1, &fs));
    CHECK(fs.atim == at && fs.mtim == mt);
    CHECK_OK(__wasi_path_filestat_set_times(dir, 0, "t.txt", 0, 0,
                                            __WASI_FSTFLAGS_ATIM_NOW));
    CHECK_OK(stat_of("t.txt", 1, &fs));
    CHECK(fs.atim > at && fs.mtim == mt);
    CHECK_ERRNO(__wasi_path_filestat_set_times(
                    dir, 0, "t.txt", at, 0,
                    __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW),
                __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_path_filestat_set_times(dir, 0, "missing", 0, 0,
                                               __WASI_FSTFLAGS_MTIM_NOW),
                __WASI_ERRNO_NOENT);
}

static void test_links(void)
{
    __wasi_filestat_t fs;
    char buf[64];
    __wasi_size_t n = 0;
    make_file("target.txt", "target");
    CHECK_OK(__wasi_path_symlink("target.txt", dir, "sym"));
    CHECK_ERRNO(__wasi_path_symlink("target.txt", dir, "sym"),
                __WASI_ERRNO_EXIST);
    CHECK_OK(__wasi_path_readlink(dir, "sym", (uint8_t *)buf, sizeof buf, &n));
    CHECK(n == 10 && !memcmp(buf, "target.txt", 10));
    CHECK_ERRNO(__wasi_path_readlink(dir, "target.txt", (uint8_t *)buf,
                                     sizeof buf, &n),
                __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_path_readlink(dir, "missing", (uint8_t *)buf,
                                     sizeof buf, &n),
                __WASI_ERRNO_NOENT);
    CHECK_OK(stat_of("sym", 0, &fs));
    CHECK(fs.filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
    CHECK_OK(stat_of("sym", 1, &fs));
    CHECK(fs.filetype == __WASI_FILETYPE_REGULAR_FILE && fs.size == 6);
    /* Following the link reads the target; not following refuses. */
    __wasi_fd_t fd;
    CHECK_OK(guest_open((int)dir, "sym", 0, 0, &fd));
    CHECK_OK(guest_read(fd, buf, sizeof buf));
    CHECK(!strcmp(buf, "target"));
    CHECK_OK(__wasi_fd_close(fd));
    CHECK_ERRNO(__wasi_path_open(dir, 0, "sym", 0, __WASI_RIGHTS_FD_READ, 0,
                                 0, &fd),
                __WASI_ERRNO_LOOP);
    /* A dangling link, then one into a subdirectory. */
    CHECK_OK(__wasi_path_symlink("nowhere", dir, "dangling"));
    CHECK_ERRNO(guest_open((int)dir, "dangling", 0, 0, &fd),
                __WASI_ERRNO_NOENT);
    CHECK_OK(__wasi_path_create_directory(dir, "sd"));
    make_file("sd/in.txt", "in");
    CHECK_OK(__wasi_path_symlink("sd", dir, "sdlink"));
    CHECK_OK(stat_of("sdlink/in.txt", 1, &fs));
    CHECK(fs.size == 2);
    CHECK_OK(__wasi_path_unlink_file(dir, "sdlink"));
    CHECK_OK(stat_of("sd/in.txt", 1, &fs));

    /* Hard links share the file. */
    CHECK_OK(__wasi_path_link(dir, 0, "target.txt", dir, "hard"));
    CHECK_OK(stat_of("hard", 0, &fs));
    CHECK(fs.nlink == 2 && fs.size == 6);
    CHECK_ERRNO(__wasi_path_link(dir, 0, "target.txt", dir, "hard"),
                __WASI_ERRNO_EXIST);
    CHECK_ERRNO(__wasi_path_link(dir, 0, "missing", dir, "hard2"),
                __WASI_ERRNO_NOENT);
    CHECK_ERRNO(__wasi_path_link(dir, 0, "sd", dir, "sdhard"),
                __WASI_ERRNO_PERM);
    CHECK_OK(__wasi_path_unlink_file(dir, "hard"));
    CHECK_OK(stat_of("target.txt", 0, &fs));
    CHECK(fs.nlink == 1);
    CHECK_OK(__wasi_path_unlink_file(dir, "sym"));
    CHECK_OK(__wasi_path_unlink_file(dir, "dangling"));
}

static void test_rename(void)
{
    __wasi_filestat_t fs;
    make_file("r1.txt", "one");
    CHECK_OK(__wasi_path_rename(dir, "r1.txt", dir, "r2.txt"));
    CHECK_ERRNO(stat_of("r1.txt", 0, &fs), __WASI_ERRNO_NOENT);
    CHECK_OK(stat_of("r2.txt", 0, &fs));
    CHECK(fs.size == 3);
    CHECK_ERRNO(__wasi_path_rename(dir, "r1.txt", dir, "r3.txt"),
                __WASI_ERRNO_NOENT);
    /* Onto an existing file: replaces it. */
    make_file("r3.txt", "three");
    CHECK_OK(__wasi_path_rename(dir, "r2.txt", dir, "r3.txt"));
    CHECK_OK(stat_of("r3.txt", 0, &fs));
    CHECK(fs.size == 3);
    /* Directories. */
    CHECK_OK(__wasi_path_create_directory(dir, "rd1"));
    CHECK_OK(__wasi_path_create_directory(dir, "rd2"));
    make_file("rd2/x", "x");
    CHECK_ERRNO(__wasi_path_rename(dir, "rd1", dir, "r3.txt"),
                __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO(__wasi_path_rename(dir, "r3.txt", dir, "rd1"),
                __WASI_ERRNO_ISDIR);
    CHECK_ERRNO(__wasi_path_rename(dir, "rd1", dir, "rd2"),
                __WASI_ERRNO_NOTEMPTY);
    CHECK_ERRNO(__wasi_path_rename(dir, "rd1", dir, "rd1/sub"),
                __WASI_ERRNO_INVAL);
    CHECK_OK(__wasi_path_rename(dir, "rd1", dir, "rd2/moved"));
    CHECK_OK(stat_of("rd2/moved", 0, &fs));
    CHECK(fs.filetype == __WASI_FILETYPE_DIRECTORY);
    /* Between two directory fds. */
    __wasi_fd_t sub;
    CHECK_OK(guest_open((int)dir, "rd2", __WASI_OFLAGS_DIRECTORY, 0, &sub));
    CHECK_OK(__wasi_path_rename(dir, "r3.txt", sub, "r4.txt"));
    CHECK_OK(stat_of("rd2/r4.txt", 0, &fs));
    CHECK_OK(__wasi_fd_close(sub));
}

int main(void)
{
    int d = guest_preopen("sandbox");
    CHECK(d >= 3);
    if (d < 0)
        return guest_finish();
    dir = (__wasi_fd_t)d;
    test_open();
    test_directories();
    test_stat_times();
    test_links();
    test_rename();
    return guest_finish();
}
