/* A hostile guest: tries every way out of its preopened directory. Each
 * attempt must fail with an errno; the runner (tests/wasi/run.sh) checks
 * afterwards that nothing outside the preopen was changed or created.
 *
 * The runner lays out, in a fresh temporary directory T:
 *   T/canary/secret.txt, T/canary/dir/inner.txt   (outside: never touched)
 *   T/sandbox/                                    (preopened as "sandbox")
 *     sub/file.txt             "inside"
 *     ok_link -> sub/file.txt  (inside: must work)
 *     abs_link -> T/canary/secret.txt, rel_link -> ../canary/secret.txt,
 *     dir_link -> ../canary, etc_link -> /etc, sub/deep_link ->
 *     ../../canary/secret.txt, chain1 -> sub/chain2, sub/chain2 ->
 *     ../../canary, loop1 <-> loop2, self -> self, victim/ (removed by the
 *     host mid-run and replaced by a link to T/canary)
 * and passes T/canary as argv[1]. On "READY" (stdout) the host removes
 * victim and answers "GO" on stdin. */
#include "guest.h"

static __wasi_fd_t dir;
static char canary[512];

static char *join(char *buf, size_t cap, const char *a, const char *b)
{
    snprintf(buf, cap, "%s%s", a, b);
    return buf;
}

/* Every open of a path that leads outside must fail; should one succeed,
 * say what it could read. */
static void no_open(__wasi_fd_t base, const char *path,
                    __wasi_lookupflags_t lf, __wasi_oflags_t of, int line)
{
    __wasi_fd_t fd;
    __wasi_errno_t e = __wasi_path_open(
        base, lf, path, of,
        __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE |
            __WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_PATH_OPEN,
        ALL_RIGHTS, 0, &fd);
    if (e != 0) {
        g_passed++;
        return;
    }
    g_failed++;
    char buf[64];
    guest_read(fd, buf, sizeof buf);
    printf("hostile.c:%d: path_open(\"%s\") escaped; read \"%s\"\n", line,
           path, buf);
    (void)__wasi_fd_close(fd);
}

#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW
#define NO_OPEN(path) no_open(dir, path, FOLLOW, 0, __LINE__)
#define NO_CREATE(path)                                                    \
    no_open(dir, path, FOLLOW, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,   \
            __LINE__)

static void dotdot_and_absolute(void)
{
    char p[600];
    static const char *const paths[] = {
        "..", "../", "../canary", "../canary/secret.txt",
        "sub/../../canary/secret.txt", "sub/../sub/../../canary/secret.txt",
        "./../canary/secret.txt", "sub/./../..", "a/../../canary",
        "../../../../../../../../etc/passwd", "sub/..//..//canary/secret.txt",
        ".//..//canary/secret.txt", "sub//../../canary", "/", "/etc/passwd",
        "//etc/passwd", "///etc//passwd", "/..", "sub/../..",
        "../sandbox/sub/file.txt"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        NO_OPEN(paths[i]);
        no_open(dir, paths[i], FOLLOW, __WASI_OFLAGS_DIRECTORY, __LINE__);
    }
    NO_OPEN(join(p, sizeof p, canary, "/secret.txt"));
    NO_OPEN(join(p, sizeof p, "/", canary));
    NO_OPEN(canary);
    NO_CREATE(join(p, sizeof p, canary, "/created.txt"));
    NO_CREATE("../created.txt");
    NO_CREATE("sub/../../created.txt");
    NO_CREATE("/tmp/ebb-hostile-created.txt");
    NO_CREATE("//tmp//ebb-hostile-created.txt");
    NO_CREATE("../canary/secret.txt");
    /* Nothing outside can even be looked at. */
    static const char *const stats[] = {"..", "../canary", "/", "/etc",
                                        "sub/../..", "//etc/passwd"};
    __wasi_filestat_t fs;
    for (size_t i = 0; i < sizeof stats / sizeof stats[0]; i++) {
        CHECK_FAILS(__wasi_path_filestat_get(dir, 0, stats[i], &fs));
        CHECK_FAILS(__wasi_path_filestat_get(dir, FOLLOW, stats[i], &fs));
    }
    CHECK_FAILS(__wasi_path_filestat_get(dir, 0,
                                         join(p, sizeof p, canary, ""), &fs));
    /* From a directory below the preopen, ".." may not climb out either. */
    __wasi_fd_t sub;
    CHECK_OK(__wasi_path_open(dir, 0, "sub", __WASI_OFLAGS_DIRECTORY,
                              ALL_RIGHTS, ALL_RIGHTS, 0, &sub));
    no_open(sub, "../../canary/secret.txt", FOLLOW, 0, __LINE__);
    no_open(sub, "../..", FOLLOW, __WASI_OFLAGS_DIRECTORY, __LINE__);
    no_open(sub, "deep_link", FOLLOW, 0, __LINE__);
    CHECK_OK(__wasi_fd_close(sub));
}

static void host_symlinks(void)
{
    NO_OPEN("abs_link");
    NO_OPEN("rel_link");
    NO_OPEN("dir_link/secret.txt");
    NO_OPEN("dir_link/dir/inner.txt");
    no_open(dir, "dir_link", FOLLOW, __WASI_OFLAGS_DIRECTORY, __LINE__);
    NO_OPEN("sub/deep_link");
    NO_OPEN("chain1/secret.txt");
    NO_OPEN("etc_link/passwd");
    /* Not following the last component: intermediate links still are. */
    no_open(dir, "dir_link/secret.txt", 0, 0, __LINE__);
    /* Creating or truncating through them. */
    NO_CREATE("rel_link");
    NO_CREATE("abs_link");
    NO_CREATE("dir_link/created.txt");
    NO_CREATE("chain1/created.txt");
    /* Loops. */
    CHECK_ERRNO(__wasi_path_open(dir, FOLLOW, "loop1", 0, ALL_RIGHTS, 0, 0,
                                 &(__wasi_fd_t){0}),
                __WASI_ERRNO_LOOP);
    CHECK_ERRNO(__wasi_path_open(dir, FOLLOW, "self", 0, ALL_RIGHTS, 0, 0,
                                 &(__wasi_fd_t){0}),
                __WASI_ERRNO_LOOP);
    NO_OPEN("loop1/x");
    NO_CREATE("loop2/x");
    /* A link inside the preopen works. */
    __wasi_fd_t fd;
    CHECK_OK(guest_open((int)dir, "ok_link", 0, 0, &fd));
    char buf[32];
    CHECK_OK(guest_read(fd, buf, sizeof buf));
    CHECK(!strcmp(buf, "inside"));
    CHECK_OK(__wasi_fd_close(fd));
    /* Stat and times through links that lead outside. */
    __wasi_filestat_t fs;
    CHECK_FAILS(__wasi_path_filestat_get(dir, FOLLOW, "rel_link", &fs));
    CHECK_FAILS(__wasi_path_filestat_get(dir, FOLLOW, "abs_link", &fs));
    CHECK_FAILS(__wasi_path_filestat_get(dir, FOLLOW, "dir_link/secret.txt",
                                         &fs));
    CHECK_FAILS(__wasi_path_filestat_get(dir, FOLLOW, "../canary", &fs));
    CHECK_FAILS(__wasi_path_filestat_set_times(dir, FOLLOW, "rel_link", 1, 1,
                                               __WASI_FSTFLAGS_ATIM |
                                                   __WASI_FSTFLAGS_MTIM));
    CHECK_FAILS(__wasi_path_filestat_set_times(
        dir, 0, "dir_link/secret.txt", 1, 1,
        __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    CHECK_FAILS(__wasi_path_filestat_set_times(
        dir, 0, "../canary/secret.txt", 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    __wasi_size_t n;
    CHECK_FAILS(__wasi_path_readlink(dir, "../canary/secret.txt",
                                     (uint8_t *)buf, sizeof buf, &n));
    CHECK_FAILS(__wasi_path_readlink(dir, "dir_link/secret.txt",
                                     (uint8_t *)buf, sizeof buf, &n));
}

static void guest_symlinks(void)
{
    char p[600];
    /* Making the link may be refused or allowed; following it never is. */
    (void)__wasi_path_symlink("../canary", dir, "g_up");
    (void)__wasi_path_symlink("/etc", dir, "g_abs");
    (void)__wasi_path_symlink(join(p, sizeof p, canary, "/secret.txt"), dir,
                              "g_abs2");
    (void)__wasi_path_symlink("sub/../..", dir, "g_dots");
    (void)__wasi_path_symlink("g_hop2/../..", dir, "g_hop1");
    (void)__wasi_path_symlink("sub", dir, "g_hop2");
    NO_OPEN("g_up/secret.txt");
    NO_CREATE("g_up/created.txt");
    NO_OPEN("g_abs/passwd");
    NO_OPEN("g_abs2");
    NO_CREATE("g_abs2");
    NO_OPEN("g_dots/canary/secret.txt");
    NO_OPEN("g_hop1/canary/secret.txt");
    no_open(dir, "g_up", FOLLOW, __WASI_OFLAGS_DIRECTORY, __LINE__);
    CHECK_FAILS(__wasi_path_create_directory(dir, "g_up/newdir"));
    /* A link may not be made outside. */
    CHECK_FAILS(__wasi_path_symlink("sub", dir, "../evil_link"));
    CHECK_FAILS(__wasi_path_symlink("sub", dir, "dir_link/evil_link"));
    CHECK_FAILS(__wasi_path_symlink("sub",  dir,
                                    join(p, sizeof p, canary, "/evil_link")));
    /* Guest-made loops. */
    (void)__wasi_path_symlink("g_loop_b", dir, "g_loop_a");
    (void)__wasi_path_symlink("g_loop_a", dir, "g_loop_b");
    CHECK_FAILS(__wasi_path_open(dir, FOLLOW, "g_loop_a", 0, ALL_RIGHTS, 0, 0,
                                 &(__wasi_fd_t){0}));
}

static void tree_changes(void)
{
    char p[600];
    CHECK_FAILS(__wasi_path_create_directory(dir, "../newdir"));
    CHECK_FAILS(__wasi_path_create_directory(dir, "dir_link/newdir"));
    CHECK_FAILS(__wasi_path_create_directory(
        dir, join(p, sizeof p, canary, "/newdir")));
    CHECK_FAILS(__wasi_path_create_directory(dir, "/tmp/ebb-hostile-dir"));
    CHECK_FAILS(__wasi_path_remove_directory(dir, "../canary/dir"));
    CHECK_FAILS(__wasi_path_remove_directory(dir, "dir_link/dir"));
    CHECK_FAILS(__wasi_path_remove_directory(dir, "."));
    CHECK_FAILS(__wasi_path_remove_directory(dir, ".."));
    CHECK_FAILS(__wasi_path_unlink_file(dir, "../canary/secret.txt"));
    CHECK_FAILS(__wasi_path_unlink_file(dir, "dir_link/secret.txt"));
    CHECK_FAILS(__wasi_path_unlink_file(
        dir, join(p, sizeof p, canary, "/secret.txt")));
    /* Rename out, in, and through links. */
    CHECK_FAILS(__wasi_path_rename(dir, "sub/file.txt", dir, "../stolen.txt"));
    CHECK_FAILS(__wasi_path_rename(dir, "sub/file.txt", dir,
                                   "dir_link/stolen.txt"));
    CHECK_FAILS(__wasi_path_rename(dir, "sub/file.txt", dir,
                                   join(p, sizeof p, canary, "/stolen.txt")));
    CHECK_FAILS(__wasi_path_rename(dir, "../canary/secret.txt", dir,
                                   "got.txt"));
    CHECK_FAILS(__wasi_path_rename(dir, "dir_link/secret.txt", dir,
                                   "got.txt"));
    CHECK_FAILS(__wasi_path_rename(dir, "../canary", dir, "got_dir"));
    /* Renaming the preopen itself, or onto it. */
    CHECK_FAILS(__wasi_path_rename(dir, ".", dir, "renamed"));
    CHECK_FAILS(__wasi_path_rename(dir, "", dir, "renamed"));
    CHECK_FAILS(__wasi_path_rename(dir, "..", dir, "renamed"));
    CHECK_FAILS(__wasi_path_rename(dir, "../sandbox", dir, "renamed"));
    CHECK_FAILS(__wasi_path_rename(dir, "sub", dir, ".."));
    CHECK_FAILS(__wasi_path_rename(dir, "sub", dir, "../sub"));
    /* Hard links out or in. */
    CHECK_FAILS(__wasi_path_link(dir, 0, "../canary/secret.txt", dir, "hl"));
    CHECK_FAILS(__wasi_path_link(dir, 0, "dir_link/secret.txt", dir, "hl"));
    CHECK_FAILS(__wasi_path_link(dir, FOLLOW, "rel_link", dir, "hl"));
    CHECK_FAILS(__wasi_path_link(dir, FOLLOW, "abs_link", dir, "hl"));
    CHECK_FAILS(__wasi_path_link(dir, 0, "sub/file.txt", dir, "../hl_out"));
    CHECK_FAILS(__wasi_path_link(dir, 0, "sub/file.txt", dir,
                                 "dir_link/hl_out"));
    CHECK_FAILS(__wasi_path_link(dir, 0, "sub/file.txt", dir,
                                 join(p, sizeof p, canary, "/hl_out")));
    /* Whatever linking was refused left nothing named "hl" behind. */
    __wasi_filestat_t fs;
    CHECK_ERRNO(__wasi_path_filestat_get(dir, 0, "hl", &fs),
                __WASI_ERRNO_NOENT);
}

static int contains(const uint8_t *buf, size_t n, const char *word)
{
    size_t w = strlen(word);
    for (size_t i = 0; i + w <= n; i++)
        if (!memcmp(buf + i, word, w))
            return 1;
    return 0;
}

/* Oversized inputs: long paths, long link targets, long link chains, a
 * NUL inside a path. Errors, never a crash. */
static void oversized(void)
{
    static char longpath[12000];
    for (size_t i = 0; i + 3 < sizeof longpath; i += 3)
        memcpy(longpath + i, "../", 3);
    NO_OPEN(longpath);
    NO_CREATE(longpath);
    for (size_t i = 0; i + 2 < sizeof longpath; i += 2)
        memcpy(longpath + i, "a/", 2);
    NO_OPEN(longpath);
    CHECK_FAILS(__wasi_path_create_directory(dir, longpath));
    memset(longpath, 'x', sizeof longpath - 1);
    CHECK_FAILS(__wasi_path_symlink(longpath, dir, "g_long"));
    NO_OPEN("g_long");
    /* 50 links, each to the next: past the limit of links followed. */
    char name[16], target[16];
    for (int i = 0; i < 50; i++) {
        snprintf(name, sizeof name, "g_c%d", i);
        snprintf(target, sizeof target, "g_c%d", i + 1);
        CHECK_OK(__wasi_path_symlink(target, dir, name));
    }
    __wasi_fd_t fd;
    CHECK_OK(guest_open((int)dir, "g_c50", __WASI_OFLAGS_CREAT, 0, &fd));
    CHECK_OK(__wasi_fd_close(fd));
    CHECK_ERRNO(__wasi_path_open(dir, FOLLOW, "g_c0", 0, ALL_RIGHTS, 0, 0,
                                 &fd),
                __WASI_ERRNO_LOOP);
    /* A NUL inside the path is not the end of it. */
    static const char nul[] = "../canary/secret.txt\0";
    CHECK_FAILS(raw_path_open((int32_t)dir, FOLLOW, ADDR(nul),
                              (int32_t)sizeof nul - 1, 0, (int64_t)ALL_RIGHTS,
                              0, 0, ADDR(&fd)));
    static const char nul2[] = "sub/file.txt\0/../../../canary/secret.txt";
    if (raw_path_open((int32_t)dir, FOLLOW, ADDR(nul2),
                      (int32_t)sizeof nul2 - 1, 0, (int64_t)ALL_RIGHTS, 0, 0,
                      ADDR(&fd)) == 0) {
        char buf[32];
        CHECK_OK(guest_read(fd, buf, sizeof buf));
        CHECK(!strcmp(buf, "inside"));
        CHECK_OK(__wasi_fd_close(fd));
    } else {
        CHECK(1);
    }
}

/* The host removes a directory the guest holds open, and puts a link to
 * the outside in its place. */
static void removed_directory(void)
{
    __wasi_fd_t v;
    CHECK_OK(__wasi_path_open(dir, 0, "victim", __WASI_OFLAGS_DIRECTORY,
                              ALL_RIGHTS, ALL_RIGHTS, 0, &v));
    CHECK_OK(guest_write(1, "READY\n"));
    char buf[64];
    CHECK_OK(guest_read(0, buf, sizeof buf));
    CHECK(!strcmp(buf, "GO\n"));
    no_open(v, "created.txt", FOLLOW, __WASI_OFLAGS_CREAT, __LINE__);
    no_open(v, "..", FOLLOW, __WASI_OFLAGS_DIRECTORY, __LINE__);
    no_open(v, "../canary/secret.txt", FOLLOW, 0, __LINE__);
    no_open(v, "secret.txt", FOLLOW, 0, __LINE__);
    CHECK_FAILS(__wasi_path_create_directory(v, "newdir"));
    CHECK_FAILS(__wasi_path_symlink("x", v, "newlink"));
    /* Its listing is empty (or refused), never the canary's. */
    uint8_t list[1024];
    __wasi_size_t used = 0;
    if (__wasi_fd_readdir(v, list, sizeof list, 0, &used) == 0)
        CHECK(!contains(list, used, "secret"));
    else
        CHECK(1);
    /* The name now leads outside. */
    NO_OPEN("victim/secret.txt");
    NO_CREATE("victim/created.txt");
    CHECK_OK(__wasi_fd_close(v));
}

int main(int argc, char **argv)
{
    int d = guest_preopen("sandbox");
    CHECK(d >= 3 && argc == 2);
    if (d < 0 || argc != 2)
        return guest_finish();
    dir = (__wasi_fd_t)d;
    snprintf(canary, sizeof canary, "%s", argv[1]);
    dotdot_and_absolute();
    host_symlinks();
    guest_symlinks();
    tree_changes();
    oversized();
    removed_directory();
    /* After all that, the preopen itself still works. */
    __wasi_fd_t fd;
    CHECK_OK(guest_open(d, "sub/file.txt", 0, 0, &fd));
    CHECK_OK(__wasi_fd_close(fd));
    return guest_finish();
}
