/* Helpers of the memory tests: reading the process's resident memory
 * without disturbing it, loading modules into pages of the test's own
 * (outside ebb's counters), running one case in a fresh process, and
 * satisfying imports with stubs.
 *
 * A case that measures RSS must run in a process that has done nothing
 * else: each test's main re-executes itself (/proc/self/exe CASE ...) and
 * counts the child's exit status as one check. A child prints what went
 * wrong and exits 1; it never prints the "N passed" line. */
#ifndef EBB_TESTS_MEMTEST_H
#define EBB_TESTS_MEMTEST_H

#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mem/mem.h"
#include "runtime/runtime.h"
#include "text/text.h"

extern char **environ;

/* A field ("VmRSS", "RssAnon", "Threads") of /proc/self/status, read into
 * a stack buffer (stdio would allocate); -1 when absent. */
static inline long mt_status(const char *field)
{
    char buf[8192];
    size_t len = 0;
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t got;
    while (len < sizeof buf - 1 &&
           (got = read(fd, buf + len, sizeof buf - 1 - len)) > 0)
        len += (size_t)got;
    close(fd);
    buf[len] = 0;
    size_t n = strlen(field);
    for (char *p = buf; p; p = strchr(p, '\n')) {
        if (*p == '\n')
            p++;
        if (!strncmp(p, field, n) && p[n] == ':')
            return strtol(p + n + 1, NULL, 10);
    }
    return -1;
}

static inline long mt_rss_anon(void) { return mt_status("RssAnon"); }
static inline long mt_vmrss(void) { return mt_status("VmRSS"); }

/* Entries of /proc/self/task, read with getdents-free plain opendir
 * (allowed here: only called where RSS is not being compared). */
static inline int mt_task_count(void)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

static inline void mt_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* A module's binary in pages of the test's own (text converted first);
 * NULL with a message on failure. Free with mt_unload. */
static inline uint8_t *mt_load(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size == 0) {
        printf("cannot read %s\n", path);
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    size_t n = (size_t)st.st_size;
    uint8_t *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        return NULL;
    *len = n;
    return p;
}

static inline uint8_t *mt_wat(const char *src, size_t *len)
{
    mem_owner tmp;
    mem_owner_init(&tmp, MEM_OWNER_ENGINE);
    uint8_t *bin;
    err_t err;
    err_clear(&err);
    if (!text_wat_to_binary(&tmp, src, strlen(src), &bin, len, &err)) {
        printf("wat: %s\n", err.msg);
        return NULL;
    }
    uint8_t *p = mmap(NULL, *len, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED)
        memcpy(p, bin, *len);
    mem_free(&tmp, MEM_HOST, bin);
    return p == MAP_FAILED ? NULL : p;
}

static inline void mt_unload(uint8_t *p, size_t len)
{
    if (p)
        munmap(p, len);
}

/* Runs this program again as `exe args...` and waits: true when the child
 * exited 0. */
static inline bool mt_spawn(const char *const *args)
{
    char *argv[16];
    int n = 0;
    argv[n++] = (char *)"/proc/self/exe";
    for (; args[n - 1] && n < 15; n++)
        argv[n] = (char *)args[n - 1];
    argv[n] = NULL;
    fflush(stdout);
    pid_t pid;
    if (posix_spawn(&pid, "/proc/self/exe", NULL, NULL, argv, environ) != 0)
        return false;
    int st;
    if (waitpid(pid, &st, 0) != pid)
        return false;
    if (WIFSIGNALED(st))
        printf("  case '%s' died of signal %d\n", args[0], WTERMSIG(st));
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* ---- imports --------------------------------------------------------------- */

static inline rt_trap *mt_stub_fn(void *env, rt_store *s, const uint64_t *a,
                                  uint64_t *r)
{
    (void)env, (void)a, (void)r;
    return rt_trap_new(s, TRAP_HOST, "stub import called");
}

static inline rt_trap *mt_noop_fn(void *env, rt_store *s, const uint64_t *a,
                                  uint64_t *r)
{
    (void)env, (void)s, (void)a, (void)r;
    return NULL;
}

/* Every imported function becomes a stub of the right type (a no-op for
 * the benchmarks' bench.start/bench.end, a trap for anything else): enough
 * to instantiate any module whose imports are functions. The array is on
 * the store (MEM_HOST); false when an import is not a function. */
static inline bool mt_stub_imports(rt_store *s, const rt_module *m,
                                   rt_extern **out)
{
    uint32_t n = m->desc.nimports;
    rt_extern *im = mem_calloc(&s->mem, MEM_HOST, n + 1, sizeof *im);
    if (!im)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        const import_desc *d = &m->desc.imports[i];
        if (d->kind != EXTERN_FUNC) {
            mem_free(&s->mem, MEM_HOST, im);
            return false;
        }
        bool bench = d->module_len == 5 && !memcmp(d->module, "bench", 5);
        im[i].kind = EXTERN_FUNC;
        im[i].u.func = rt_func_new_host(s, &m->desc.types[d->u.func_type],
                                        bench ? mt_noop_fn : mt_stub_fn,
                                        NULL, NULL);
        if (!im[i].u.func) {
            mem_free(&s->mem, MEM_HOST, im);
            return false;
        }
    }
    *out = im;
    return true;
}

/* The compile mode of the tests that measure both. */
static inline void mt_config(rt_config *c, bool serial)
{
    rt_config_default(c);
    c->parallel_compilation = !serial;
}

/* One engine -> module -> store -> instance -> run -> drop pass with stub
 * imports, on configuration cfg (NULL: defaults). Runs `invoke` (no
 * arguments) when not NULL and stores its first result in *result. false,
 * with the reason in why, on any failure; the pass still drops everything
 * it made. */
static inline bool mt_pass_cfg(const rt_config *cfg, const uint8_t *bytes,
                               size_t len, const char *invoke,
                               uint64_t *result, char *why, size_t why_len)
{
    rt_engine *e = rt_engine_new(cfg);
    if (!e) {
        snprintf(why, why_len, "engine: out of memory");
        return false;
    }
    err_t err;
    err_clear(&err);
    bool ok = false;
    rt_store *s = NULL;
    rt_extern *im = NULL;
    rt_module *m = rt_module_new(e, bytes, len, &err);
    if (!m) {
        snprintf(why, why_len, "module: %s", err.msg);
        goto out;
    }
    s = rt_store_new(e);
    if (!s || !mt_stub_imports(s, m, &im)) {
        snprintf(why, why_len, "store or imports: out of memory");
        goto out;
    }
    rt_trap *trap = NULL;
    rt_instance *inst = rt_instance_new(s, m, im, m->desc.nimports, &trap,
                                        &err);
    if (!inst) {
        snprintf(why, why_len, "instance: %s", trap ? trap->message : err.msg);
        rt_trap_free(trap);
        goto out;
    }
    ok = true;
    if (invoke) {
        rt_extern ex;
        uint64_t res[4] = {0};
        if (!rt_instance_export(inst, invoke, strlen(invoke), &ex) ||
            ex.kind != EXTERN_FUNC) {
            snprintf(why, why_len, "no export %s", invoke);
            ok = false;
        } else if ((trap = rt_call(s, ex.u.func, NULL, res))) {
            snprintf(why, why_len, "%s: trap: %s", invoke, trap->message);
            rt_trap_free(trap);
            ok = false;
        } else if (result) {
            *result = res[0];
        }
    }
out:
    if (s)
        mem_free(&s->mem, MEM_HOST, im);
    rt_store_free(s);
    if (m)
        rt_module_release(m);
    rt_engine_free(e);
    return ok;
}

/* The same in serial or parallel compile mode, printing why it failed. */
static inline bool mt_one_pass(const uint8_t *bytes, size_t len, bool serial,
                               const char *invoke, uint64_t *result)
{
    rt_config cfg;
    mt_config(&cfg, serial);
    char why[ERR_MSG_MAX + 64];
    if (mt_pass_cfg(&cfg, bytes, len, invoke, result, why, sizeof why))
        return true;
    printf("  %s\n", why);
    return false;
}

/* Every process-wide counter of ebb is zero; prints which is not. */
static inline bool mt_counters_zero(const char *when)
{
    char what[128];
    if (rt_stats_all_zero(what, sizeof what))
        return true;
    printf("  %s: %s\n", when, what);
    return false;
}

#endif
