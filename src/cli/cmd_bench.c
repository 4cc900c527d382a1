/* `ebb bench [--runs N] PROGRAM.wasm...`: runs sightglass-style benchmark
 * programs the way their suite does, and times them.
 *
 * Each program is a WASI command importing bench.start and bench.end
 * ([] -> []), which it calls once each around the measured work. It runs
 * with its own folder as working directory and as the preopened directory
 * ".", stdin empty, stdout and stderr captured and compared with
 * <name>.stdout.expected / <name>.stderr.expected where those exist (else
 * default.*.expected), <name> being "benchmark" for benchmark.wasm and the
 * file's stem otherwise.
 *
 * Every run compiles the module afresh, so the three phases timed are
 * compile (decode + validate + translate), instantiate (WASI context, link,
 * instantiate) and start->end (bench.start to bench.end).
 *
 * A component (a WASI 0.2 command, its bench {start, end} an instance
 * import) runs the same way through run_component.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "component/component.h"
#include "wasi/wasi.h"

/* start->end is timed twice: wall-clock, and the process's CPU time,
 * which a loaded machine disturbs less. */
enum { PHASE_COMPILE, PHASE_INSTANTIATE, PHASE_RUN, PHASE_RUN_CPU, NPHASES };
static const char *const phase_names[NPHASES] = {"compile", "instantiate",
                                                 "start->end", "  (cpu)"};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- bench.start / bench.end -------------------------------------------- */

struct bench_marks {
    double start, end;          /* wall clock, ms */
    double cpu_start, cpu_end;  /* process CPU time, ms */
    int nstart, nend;
};

static rt_trap *bench_start(void *env, rt_store *s, const uint64_t *args,
                            uint64_t *results)
{
    (void)s, (void)args, (void)results;
    bench_marks *m = env;
    if (m) {
        m->nstart++;
        m->cpu_start = cpu_ms();
        m->start = now_ms();
    }
    return NULL;
}

static rt_trap *bench_end(void *env, rt_store *s, const uint64_t *args,
                          uint64_t *results)
{
    (void)s, (void)args, (void)results;
    bench_marks *m = env;
    if (m) {
        m->end = now_ms();
        m->cpu_end = cpu_ms();
        m->nend++;
    }
    return NULL;
}

bool cli_bench_import(void *env, rt_store *s, const import_desc *im,
                      rt_extern *out)
{
    if (im->kind != EXTERN_FUNC || im->module_len != 5 ||
        memcmp(im->module, "bench", 5))
        return false;
    rt_host_fn fn;
    if (im->name_len == 5 && !memcmp(im->name, "start", 5))
        fn = bench_start;
    else if (im->name_len == 3 && !memcmp(im->name, "end", 3))
        fn = bench_end;
    else
        return false;
    functype ft = {.nparams = 0, .nresults = 0, .types = NULL};
    rt_func *f = rt_func_new_host(s, &ft, fn, env, NULL);
    if (!f)
        return false;
    out->kind = EXTERN_FUNC;
    out->u.func = f;
    return true;
}

/* ---- one program ------------------------------------------------------- */

typedef struct program {
    const char *path;          /* as given */
    char *dir, *file;          /* its folder and file name (MEM_HOST) */
    char *name;                /* "benchmark" or the stem (MEM_HOST) */
    uint8_t *bytes;
    size_t len;
    uint8_t *want[2];          /* expected stdout, stderr; NULL: none */
    size_t want_len[2];
} program;

/* Reads an expected-output file of the program's folder: NAME.KIND.expected,
 * else default.KIND.expected; false when neither exists. */
static bool read_expected(mem_owner *o, program *p, const char *kind,
                          uint8_t **out, size_t *len)
{
    const char *stems[2] = {p->name, "default"};
    for (int i = 0; i < 2; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.%s.expected", p->dir, stems[i],
                 kind);
        if (access(path, F_OK) != 0)
            continue;
        err_t err;
        err_clear(&err);
        if (cli_read_file(o, path, out, len, &err))
            return true;
    }
    *out = NULL;
    *len = 0;
    return false;
}

static bool program_load(mem_owner *o, program *p, const char *path,
                         err_t *err)
{
    memset(p, 0, sizeof *p);
    p->path = path;
    const char *slash = strrchr(path, '/');
    const char *file = slash ? slash + 1 : path;
    p->dir = slash ? mem_strndup(o, MEM_HOST, path, (size_t)(slash - path))
                   : mem_strndup(o, MEM_HOST, ".", 1);
    if (p->dir && !*p->dir) { /* "/x.wasm" */
        mem_free(o, MEM_HOST, p->dir);
        p->dir = mem_strndup(o, MEM_HOST, "/", 1);
    }
    p->file = mem_strndup(o, MEM_HOST, file, strlen(file));
    const char *dot = strrchr(file, '.');
    size_t stem = dot && dot != file ? (size_t)(dot - file) : strlen(file);
    p->name = mem_strndup(o, MEM_HOST, file, stem);
    if (!p->dir || !p->file || !p->name)
        return err_set(err, "out of memory");
    if (!cli_load_binary(o, path, &p->bytes, &p->len, err))
        return false;
    read_expected(o, p, "stdout", &p->want[0], &p->want_len[0]);
    read_expected(o, p, "stderr", &p->want[1], &p->want_len[1]);
    return true;
}

static void program_free(mem_owner *o, program *p)
{
    mem_free(o, MEM_HOST, p->dir);
    mem_free(o, MEM_HOST, p->file);
    mem_free(o, MEM_HOST, p->name);
    mem_free(o, MEM_HOST, p->bytes);
    mem_free(o, MEM_HOST, p->want[0]);
    mem_free(o, MEM_HOST, p->want[1]);
}

/* true when what was written to fd is exactly want (want NULL: anything
 * goes). */
static bool output_matches(int fd, const uint8_t *want, size_t want_len)
{
    if (!want)
        return true;
    struct stat st;
    if (fstat(fd, &st) != 0 || (size_t)st.st_size != want_len)
        return false;
    uint8_t buf[65536];
    size_t off = 0;
    while (off < want_len) {
        size_t n = want_len - off < sizeof buf ? want_len - off : sizeof buf;
        ssize_t got = pread(fd, buf, n, (off_t)off);
        if (got <= 0 || memcmp(buf, want + off, (size_t)got))
            return false;
        off += (size_t)got;
    }
    return true;
}

/* The program's WASI context: argv[0] its file name, its folder preopened
 * as ".", the given standard streams. */
static wasi_ctx *bench_wasi(rt_engine *e, const program *p,
                            const int stdio[3], err_t *err)
{
    const char *argv[1] = {p->file};
    wasi_preopen pre = {.host_path = ".", .guest_path = "."};
    wasi_config cfg;
    wasi_config_default(&cfg);
    cfg.argc = 1;
    cfg.argv = argv;
    cfg.npreopens = 1;
    cfg.preopens = &pre;
    memcpy(cfg.stdio, stdio, sizeof cfg.stdio);
    return wasi_ctx_new(&e->mem, &cfg, err);
}

/* The start->end times, once bench.start and bench.end came once each. */
static bool bench_marks_take(const bench_marks *m, double t[NPHASES],
                             err_t *err)
{
    if (m->nstart != 1 || m->nend != 1)
        return err_set(err, "bench.start called %d times, bench.end %d times",
                       m->nstart, m->nend);
    t[PHASE_RUN] = m->end - m->start;
    t[PHASE_RUN_CPU] = m->cpu_end - m->cpu_start;
    return true;
}

/* Instantiates the module in a fresh store with WASI and the bench
 * functions, runs _start; times instantiate and start->end. Returns false
 * (after saying why on stderr) when the program fails. */
static bool run_instance(rt_engine *e, rt_module *m, const program *p,
                         const int stdio[3], double t[NPHASES])
{
    err_t err;
    err_clear(&err);
    double t0 = now_ms();
    bench_marks marks = {0};
    bool ok = false;
    rt_extern *imports = NULL;
    rt_store *store = NULL;
    wasi_ctx *w = bench_wasi(e, p, stdio, &err);
    if (!w)
        goto fail;
    store = rt_store_new(e);
    if (!store) {
        err_set(&err, "out of memory");
        goto fail;
    }
    if (!wasi_link(w, store, m, cli_bench_import, &marks, &imports, &err))
        goto fail;
    rt_trap *trap = NULL;
    rt_instance *inst =
        rt_instance_new(store, m, imports, m->desc.nimports, &trap, &err);
    wasi_imports_free(store, imports);
    rt_extern start;
    if (inst && (!rt_instance_export(inst, "_start", 6, &start) ||
                 start.kind != EXTERN_FUNC || start.u.func->type->nparams ||
                 start.u.func->type->nresults)) {
        err_set(&err, "no exported function '_start' of type [] -> []");
        goto fail;
    }
    t[PHASE_INSTANTIATE] = now_ms() - t0;
    uint64_t cells[1] = {0}; /* _start takes and returns nothing */
    if (inst)
        trap = rt_call(store, start.u.func, cells, cells);
    if (trap) {
        uint32_t status;
        if (!wasi_trap_is_exit(trap, &status))
            err_set(&err, "trap: %s", trap->message);
        else if (status != 0)
            err_set(&err, "exit status %u", status);
        rt_trap_free(trap);
        if (err.msg[0])
            goto fail;
    } else if (!inst) {
        goto fail;
    }
    if (!bench_marks_take(&marks, t, &err))
        goto fail;
    ok = true;
fail:
    if (!ok)
        fprintf(stderr, "ebb bench: %s: %s\n", p->path, err.msg);
    if (store)
        rt_store_free(store);
    wasi_ctx_free(w);
    return ok;
}

/* The same for a component (compiled here too): WASI 0.2 on the same
 * context, bench.start and bench.end as its instance import "bench". */
static bool run_component(rt_engine *e, const program *p, const int stdio[3],
                          double t[NPHASES])
{
    err_t err;
    err_clear(&err);
    bench_marks marks = {0};
    cli_bench_hooks hooks = {bench_start, bench_end, &marks};
    double t0 = now_ms(); /* the WASI context counts as instantiation */
    wasi_ctx *w = bench_wasi(e, p, stdio, &err);
    double ctx_ms = now_ms() - t0;
    bool ok = w && cli_bench_component(e, p->bytes, p->len, w, &hooks,
                                       &t[PHASE_COMPILE],
                                       &t[PHASE_INSTANTIATE], &err);
    wasi_ctx_free(w);
    t[PHASE_INSTANTIATE] += ctx_ms;
    if (ok)
        ok = bench_marks_take(&marks, t, &err);
    if (!ok)
        fprintf(stderr, "ebb bench: %s: %s\n", p->path, err.msg);
    return ok;
}

/* A temporary file (in $TMPDIR, else /tmp) for a captured stream, already
 * unlinked; -1 on failure. */
static int capture_fd(void)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/ebb-bench-XXXXXX",
             dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd >= 0)
        unlink(path);
    return fd;
}

/* One run: compile, instantiate, run; *matched tells whether stdout and
 * stderr were as expected. */
static bool run_once(rt_engine *e, const program *p, double t[NPHASES],
                     bool *matched)
{
    int stdio[3] = {open("/dev/null", O_RDONLY | O_CLOEXEC), capture_fd(),
                    capture_fd()};
    bool ok = false;
    if (stdio[0] < 0 || stdio[1] < 0 || stdio[2] < 0) {
        fprintf(stderr, "ebb bench: cannot create capture files: %s\n",
                strerror(errno));
        goto out;
    }
    err_t err;
    err_clear(&err);
    bool component = cm_is_component(p->bytes, p->len);
    double t0 = now_ms();
    rt_module *m = component ? NULL : rt_module_new(e, p->bytes, p->len, &err);
    t[PHASE_COMPILE] = now_ms() - t0;
    if (!m && !component) {
        fprintf(stderr, "ebb bench: %s: %s\n", p->path, err.msg);
        goto out;
    }
    ok = component ? run_component(e, p, stdio, t)
                   : run_instance(e, m, p, stdio, t);
    if (m)
        rt_module_release(m);
    static const char *const streams[2] = {"stdout", "stderr"};
    *matched = true;
    for (int i = 0; i < 2; i++) {
        if (output_matches(stdio[i + 1], p->want[i], p->want_len[i]))
            continue;
        *matched = false;
        fprintf(stderr, "ebb bench: %s: %s differs from the expected file\n",
                p->path, streams[i]);
    }
out:
    for (int i = 0; i < 3; i++)
        if (stdio[i] >= 0)
            close(stdio[i]);
    return ok;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void print_phase(const char *name, double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    double median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    printf("  %-12s %12.3f %12.3f %12.3f\n", name, median, v[0], v[n - 1]);
}

/* Runs one program `runs` times from inside its folder; prints its table.
 * true when every run succeeded with the expected output. */
static bool bench_program(const char *path, int runs)
{
    rt_engine *e = rt_engine_new(NULL);
    if (!e) {
        fprintf(stderr, "ebb bench: out of memory\n");
        return false;
    }
    err_t err;
    err_clear(&err);
    program p;
    bool ok = false, matched = true;
    int done = 0;
    double *t = NULL;
    int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (!program_load(&e->mem, &p, path, &err)) {
        fprintf(stderr, "ebb bench: %s\n", err.msg);
        goto out;
    }
    t = mem_calloc(&e->mem, MEM_HOST, (size_t)runs * NPHASES, sizeof *t);
    if (!t || cwd < 0 || chdir(p.dir) != 0) {
        fprintf(stderr, "ebb bench: %s: cannot enter '%s': %s\n", path,
                p.dir, t ? strerror(errno) : "out of memory");
        goto out;
    }
    for (; done < runs; done++) {
        double phase[NPHASES] = {0};
        bool m = false;
        if (!run_once(e, &p, phase, &m))
            break;
        matched = matched && m;
        for (int k = 0; k < NPHASES; k++)
            t[k * runs + done] = phase[k];
    }
    ok = done == runs && matched;
    printf("%s\n", path);
    printf("  output: %s; %d run%s\n",
           done < runs ? "FAILED (the program did not run to its end)"
           : !matched ? "MISMATCH"
           : p.want[0] || p.want[1] ? "matches the expected files"
                                    : "no expected files",
           done, done == 1 ? "" : "s");
    if (done == runs) {
        printf("  %-12s %12s %12s %12s\n", "ms", "median", "min", "max");
        for (int k = 0; k < NPHASES; k++)
            print_phase(phase_names[k], t + k * runs, runs);
    }
    fflush(stdout);
out:
    if (cwd >= 0) {
        if (fchdir(cwd) != 0)
            ok = false;
        close(cwd);
    }
    mem_free(&e->mem, MEM_HOST, t);
    program_free(&e->mem, &p);
    rt_engine_free(e);
    return ok;
}

static int bench_usage(void)
{
    fputs("usage: ebb bench [--runs N] PROGRAM.wasm...\n", stderr);
    return EXIT_USAGE;
}

int cmd_bench(int argc, char **argv)
{
    int runs = 1, i = 0;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *v = NULL;
        if (!strcmp(argv[i], "--")) {
            i++;
            break;
        } else if (!strcmp(argv[i], "--runs") && i + 1 < argc) {
            v = argv[++i];
        } else if (!strncmp(argv[i], "--runs=", 7)) {
            v = argv[i] + 7;
        } else {
            fprintf(stderr, "ebb bench: unknown option '%s'\n", argv[i]);
            return bench_usage();
        }
        char *end;
        long n = strtol(v, &end, 10);
        if (*v == 0 || *end || n < 1 || n > 100000)
            return bench_usage();
        runs = (int)n;
    }
    if (i >= argc)
        return bench_usage();
    int passed = 0, failed = 0;
    for (; i < argc; i++) {
        if (bench_program(argv[i], runs))
            passed++;
        else
            failed++;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
