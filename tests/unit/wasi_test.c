/* WASI's sandbox from the host side: calls the path functions directly
 * (with a bound memory) on a directory tree full of escape routes, with
 * the kernel's resolver and with the portable one, and checks both the
 * errno and the host file system afterwards. Also EFAULT and proc_exit. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "wasi/wasi.h"
#include "wasi/wasi_abi.h"

enum { PATH_AT = 1024, OUT_AT = 2048 };

static char root[200];
static rt_store *store;
static rt_memory *memory;
static wasi_ctx *ctx;

static void sh(const char *fmt, const char *arg)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, fmt, arg, arg, arg, arg);
    if (system(cmd) != 0)
        printf("setup failed: %s\n", cmd);
}

static bool exists(const char *rel)
{
    char p[600];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", root, rel);
    return lstat(p, &st) == 0;
}

/* Calls WASI function `name` with n argument cells; its errno. */
static uint32_t call(const char *name, const uint64_t *args)
{
    rt_extern ex;
    if (!wasi_ctx_resolve(ctx, store, WASI_MODULE_NAME,
                          strlen(WASI_MODULE_NAME), name, strlen(name), &ex))
        return 0xffff;
    uint64_t res[16] = {0}, in[16];
    memcpy(in, args, sizeof in);
    rt_trap *t = rt_call(store, ex.u.func, in, res);
    if (t) {
        rt_trap_free(t);
        return 0xfffe;
    }
    return (uint32_t)res[0];
}

static uint32_t put(const char *s)
{
    memcpy(memory->base + PATH_AT, s, strlen(s));
    return (uint32_t)strlen(s);
}

static uint32_t open_at(const char *path, bool follow, uint32_t oflags,
                        uint64_t rights)
{
    uint32_t n = put(path);
    uint64_t a[16] = {3, follow, PATH_AT, n, oflags, rights, 0, 0, OUT_AT};
    return call("path_open", a);
}

static uint32_t path1(const char *fn, const char *path)
{
    uint32_t n = put(path);
    uint64_t a[16] = {3, PATH_AT, n};
    return call(fn, a);
}

static uint32_t rename_to(const char *from, const char *to)
{
    uint32_t n1 = put(from);
    memcpy(memory->base + PATH_AT + 512, to, strlen(to));
    uint64_t a[16] = {3, PATH_AT, n1, 3, PATH_AT + 512, strlen(to)};
    return call("path_rename", a);
}

static void make_tree(void)
{
    sh("rm -rf '%s' && mkdir -p '%s/outside' '%s/sb/sub' '%s/gone'", root);
    sh("echo secret > '%s/outside/secret' && echo hi > '%s/sb/file'", root);
    sh("cd '%s/sb' && ln -s \"$(dirname \"$PWD\")/outside/secret\" abs && "
       "ln -s ../outside/secret rel_out && ln -s file in && "
       "ln -s loop2 loop1 && ln -s loop1 loop2 && ln -s ../outside dirout && "
       "ln -s ../outside/made_by_link dangling && cd sub && ln -s .. up", root);
}

static void escapes(bool portable)
{
    const uint64_t R = WASI_RIGHT_FD_READ, W = WASI_RIGHT_FD_WRITE;
    const char *how = portable ? "portable" : "openat2";
    struct {
        const char *path;
        bool follow;
        uint32_t oflags;
        uint32_t want;
    } opens[] = {
        {"file", true, 0, 0},
        {"../outside/secret", true, 0, WASI_ENOTCAPABLE},
        {"sub/../../outside/secret", true, 0, WASI_ENOTCAPABLE},
        {"sub/../file", true, 0, 0},
        {"sub//..//file", true, 0, 0},
        {"/etc/passwd", true, 0, WASI_ENOTCAPABLE},
        {"//etc/passwd", true, 0, WASI_ENOTCAPABLE},
        {"abs", true, 0, WASI_ENOTCAPABLE},
        {"abs", false, 0, WASI_ELOOP},
        {"rel_out", true, 0, WASI_ENOTCAPABLE},
        {"in", true, 0, 0},
        {"loop1", true, 0, WASI_ELOOP},
        {"dirout/secret", true, 0, WASI_ENOTCAPABLE},
        {"sub/up/file", true, 0, 0},
        {"sub/up/../outside/secret", true, 0, WASI_ENOTCAPABLE},
        {"..", true, WASI_OFLAG_DIRECTORY, WASI_ENOTCAPABLE},
        {"dirout/new", true, WASI_OFLAG_CREAT, WASI_ENOTCAPABLE},
        {"dangling", true, WASI_OFLAG_CREAT, WASI_ENOTCAPABLE},
        {"dangling", false, WASI_OFLAG_CREAT, WASI_ELOOP},
    };
    for (size_t i = 0; i < sizeof opens / sizeof *opens; i++) {
        uint32_t e = open_at(opens[i].path, opens[i].follow, opens[i].oflags,
                             opens[i].oflags ? W : R);
        CHECK(e == opens[i].want, "%s: open %s: errno %u, want %u", how,
              opens[i].path, e, opens[i].want);
    }
    CHECK(path1("path_create_directory", "../evil") == WASI_ENOTCAPABLE,
          "%s: mkdir ../evil", how);
    CHECK(path1("path_create_directory", "dirout/evil") == WASI_ENOTCAPABLE,
          "%s: mkdir dirout/evil", how);
    CHECK(path1("path_unlink_file", "dirout/secret") == WASI_ENOTCAPABLE,
          "%s: unlink dirout/secret", how);
    CHECK(path1("path_unlink_file", "../outside/secret") == WASI_ENOTCAPABLE,
          "%s: unlink ../outside/secret", how);
    CHECK(path1("path_remove_directory", "sub/../..") == WASI_ENOTCAPABLE,
          "%s: rmdir sub/../..", how);
    CHECK(rename_to("file", "../stolen") == WASI_ENOTCAPABLE,
          "%s: rename out", how);
    CHECK(rename_to("dirout/secret", "here") == WASI_ENOTCAPABLE,
          "%s: rename in", how);
    CHECK(rename_to(".", "x") != 0, "%s: rename the preopen", how);
    uint32_t n = put("abs");
    uint64_t st[16] = {3, 1, PATH_AT, n, 0, 0, WASI_FST_MTIM_NOW};
    CHECK(call("path_filestat_set_times", st) == WASI_ENOTCAPABLE,
          "%s: set_times through abs", how);
    uint64_t fs[16] = {3, 1, PATH_AT, n, OUT_AT};
    CHECK(call("path_filestat_get", fs) == WASI_ENOTCAPABLE,
          "%s: stat through abs", how);
    fs[1] = 0;
    CHECK(call("path_filestat_get", fs) == 0, "%s: lstat abs", how);
    /* Nothing outside changed. */
    EXPECT(exists("outside/secret"));
    EXPECT(!exists("outside/new") && !exists("outside/made_by_link"));
    EXPECT(!exists("evil") && !exists("outside/evil") && !exists("stolen"));
    EXPECT(exists("sb/file") && !exists("sb/here"));
}

/* Guest pointers out of range are EFAULT, whatever the call. */
static void faults(void)
{
    uint64_t a[16] = {3, 1, RT_PAGE_SIZE - 2, 100, 0, 2, 0, 0, OUT_AT};
    EXPECT(call("path_open", a) == WASI_EFAULT);
    put("file");
    uint64_t b[16] = {3, 1, PATH_AT, 4, 0, 2, 0, 0, RT_PAGE_SIZE - 2};
    EXPECT(call("path_open", b) == WASI_EFAULT);
    uint64_t c[16] = {0xfffffff0u, 16};
    EXPECT(call("random_get", c) == WASI_EFAULT);
    uint64_t d[16] = {1, RT_PAGE_SIZE, 1, OUT_AT};
    EXPECT(call("fd_write", d) == WASI_EFAULT);
    uint64_t e[16] = {WASI_CLOCK_MONOTONIC, 0, RT_PAGE_SIZE - 4};
    EXPECT(call("clock_time_get", e) == WASI_EFAULT);
    uint64_t f[16] = {99, OUT_AT};
    EXPECT(call("fd_fdstat_get", f) == WASI_EBADF);
}

static void proc_exit_traps(void)
{
    rt_extern ex;
    EXPECT(wasi_ctx_resolve(ctx, store, WASI_MODULE_NAME,
                            strlen(WASI_MODULE_NAME), "proc_exit", 9, &ex));
    EXPECT(!wasi_ctx_resolve(ctx, store, WASI_MODULE_NAME,
                             strlen(WASI_MODULE_NAME), "no_such", 7, &ex));
    EXPECT(!wasi_ctx_resolve(ctx, store, "bench", 5, "start", 5, &ex));
    uint64_t arg = 7;
    rt_trap *t = rt_call(store, ex.u.func, &arg, NULL);
    uint32_t status = 0;
    EXPECT(wasi_trap_is_exit(t, &status) && status == 7);
    rt_trap_free(t);
}

/* The host removes the preopened directory: calls fail, nothing appears. */
static void removed_preopen(mem_owner *owner, bool portable)
{
    char gone[300];
    snprintf(gone, sizeof gone, "%s/gone", root);
    wasi_config cfg;
    wasi_config_default(&cfg);
    wasi_preopen po = {gone, "."};
    cfg.npreopens = 1;
    cfg.preopens = &po;
    cfg.no_openat2 = portable;
    err_t err;
    wasi_ctx *saved = ctx;
    ctx = wasi_ctx_new(owner, &cfg, &err);
    EXPECT(ctx != NULL);
    if (!ctx) {
        ctx = saved;
        return;
    }
    wasi_ctx_bind_memory(ctx, memory);
    EXPECT(rmdir(gone) == 0);
    EXPECT(open_at("x", true, WASI_OFLAG_CREAT, WASI_RIGHT_FD_WRITE) ==
           WASI_ENOENT);
    EXPECT(path1("path_create_directory", "d") == WASI_ENOENT);
    EXPECT(!exists("gone") && !exists("x") && !exists("d"));
    wasi_ctx_free(ctx);
    ctx = saved;
    sh("mkdir -p '%s/gone'", root);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/ebb-wasi-XXXXXX", tmp ? tmp : "/tmp");
    if (!mkdtemp(root)) {
        printf("cannot make a temporary directory\n");
        return 1;
    }
    rt_engine *engine = rt_engine_new(NULL);
    store = rt_store_new(engine);
    memtype mt = {.lim = {.min = 1, .max = 1, .has_max = true}};
    memory = rt_memory_new(store, &mt);
    for (int portable = 0; portable < 2; portable++) {
        make_tree();
        char sb[300];
        snprintf(sb, sizeof sb, "%s/sb", root);
        wasi_config cfg;
        wasi_config_default(&cfg);
        wasi_preopen po = {sb, "."};
        cfg.npreopens = 1;
        cfg.preopens = &po;
        cfg.no_openat2 = portable;
        err_t err;
        ctx = wasi_ctx_new(&engine->mem, &cfg, &err);
        EXPECT(ctx != NULL);
        if (!ctx)
            break;
        wasi_ctx_bind_memory(ctx, memory);
        escapes(portable);
        faults();
        proc_exit_traps();
        removed_preopen(&engine->mem, portable);
        wasi_ctx_free(ctx);
    }
    rt_store_free(store);
    rt_engine_free(engine);
    EXPECT(mem_global_live() == 0);
    sh("rm -rf '%s'", root);
    return check_summary();
}
