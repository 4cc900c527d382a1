/* `ebb memstat`: the experiment behind ebb's memory promise, as a command.
 * One pass creates an engine, compiles the module, makes a store and an
 * instance, runs it and drops everything, sampling the process's resident
 * memory (from /proc/self/status) and ebb's own counters after each step;
 * then N more passes show whether anything accumulates.
 *
 * The tool keeps its own footprint out of the figures: the module's bytes
 * and the sample arrays are mapped before the first sample, nothing is
 * printed until the end, and the guest's output is discarded while it
 * runs (a pipe or terminal buffer would otherwise count as the guest's). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "memstat.h"
#include "text/text.h"
#include "wasi/wasi.h"

/* What every pass works from, prepared before the first sample. */
typedef struct memstat_input {
    uint8_t *bytes;
    size_t len;
    bool file_backed;     /* bytes are the file's own pages, mapped */
    int null_fd;          /* /dev/null, for the guest's streams */
} memstat_input;

typedef struct memstat_opts {
    const char *invoke;
    unsigned cycles;
    bool serial, json;
    const char *svg;
    const char *path;
} memstat_opts;

static int memstat_usage(void)
{
    fputs("usage: ebb memstat [--invoke NAME] [--cycles N] [--serial] "
          "[--json] [--svg OUT] FILE\n",
          stderr);
    return EXIT_USAGE;
}

/* ---- sampling ----------------------------------------------------------- */

/* The value of a "Name:   123 kB" line of /proc/self/status, or -1. */
static long status_field(const char *buf, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = buf; p && *p; p = strchr(p, '\n')) {
        if (*p == '\n')
            p++;
        if (!strncmp(p, name, n) && p[n] == ':')
            return strtol(p + n + 1, NULL, 10);
    }
    return -1;
}

/* Reads with open/read into a stack buffer: stdio would allocate, and the
 * sample must not disturb what it measures. */
static void sample_process(memstat_sample *s)
{
    char buf[8192];
    size_t len = 0;
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t got;
        while (len < sizeof buf - 1 &&
               (got = read(fd, buf + len, sizeof buf - 1 - len)) > 0)
            len += (size_t)got;
        close(fd);
    }
    buf[len] = 0;
    s->vmrss_kib = status_field(buf, "VmRSS");
    s->rssanon_kib = status_field(buf, "RssAnon");
    s->rssfile_kib = status_field(buf, "RssFile");
    s->threads = status_field(buf, "Threads");
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Fills s (when not NULL) with the process's and ebb's figures now; the
 * engine gives object counts and compile threads while it exists. */
static void take(memstat_sample *s, rt_engine *e, double since)
{
    if (!s)
        return;
    memset(s, 0, sizeof *s);
    s->taken = true;
    s->ms = now_ms() - since;
    sample_process(s);
    for (int k = 0; k < MEM_NOWNER; k++) {
        mem_stats st;
        mem_global_stats((mem_owner_kind)k, &st);
        for (int c = 0; c < MEM_NCAT; c++) {
            s->live[c] += st.live[c];
            s->live_total += st.live[c];
        }
    }
    if (e) {
        rt_engine_stats es;
        rt_engine_stats_get(e, &es);
        memcpy(s->objects, es.objects, sizeof s->objects);
        s->compile_threads = es.compile_threads;
        s->pool_bytes = es.compile_pool_bytes;
    }
}

/* ---- imports ------------------------------------------------------------ */

/* The guest's WASI view: its own name as argv[0], the module's directory
 * preopened as "." (where the benchmarks read their inputs), and its
 * standard streams on /dev/null (the guest's output is not what is
 * measured, and must stay out of the report). */
static wasi_ctx *make_wasi(mem_owner *owner, const char *path, int null_fd,
                           err_t *err)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    else
        snprintf(dir, sizeof dir, ".");
    if (!dir[0])
        snprintf(dir, sizeof dir, "/");
    const char *argv[] = {slash ? slash + 1 : path};
    wasi_preopen pre = {.host_path = dir, .guest_path = "."};
    wasi_config cfg;
    wasi_config_default(&cfg);
    cfg.argc = 1;
    cfg.argv = argv;
    cfg.npreopens = 1;
    cfg.preopens = &pre;
    for (int i = 0; i < 3; i++)
        cfg.stdio[i] = null_fd;
    return wasi_ctx_new(owner, &cfg, err);
}

static rt_instance *instantiate(rt_store *s, rt_module *m, wasi_ctx *w,
                                char *note, size_t note_len, err_t *err)
{
    rt_extern *imports = NULL;
    if (!wasi_link(w, s, m, cli_bench_import, NULL, &imports, err))
        return NULL;
    rt_trap *trap = NULL;
    rt_instance *inst = rt_instance_new(s, m, imports, m->desc.nimports,
                                        &trap, err);
    if (trap) {
        snprintf(note, note_len, "trap while instantiating: %.120s",
                 trap->message);
        err_set(err, "%s", note);
        rt_trap_free(trap);
    }
    wasi_imports_free(s, imports);
    return inst;
}

/* ---- one pass ----------------------------------------------------------- */

/* Runs the export `name` with no arguments. A trap is reported in note
 * and the pass goes on: dropping after a trap must give memory back too. */
static bool run_export(rt_store *s, rt_instance *inst, const char *name,
                       char *note, size_t note_len, err_t *err)
{
    rt_extern ex;
    if (!rt_instance_export(inst, name, strlen(name), &ex) ||
        ex.kind != EXTERN_FUNC)
        return err_set(err, "no exported function '%s'", name);
    const functype *ft = ex.u.func->type;
    if (ft->nparams)
        return err_set(err, "'%s' takes %u argument(s); memstat calls "
                       "functions without arguments", name, ft->nparams);
    /* in cells: a v128 result takes two */
    uint64_t *results = mem_calloc(
        &s->mem, MEM_HOST,
        valtypes_cells(functype_results(ft), ft->nresults) + 1, 8);
    if (!results)
        return err_set(err, "out of memory");
    rt_trap *trap = rt_call(s, ex.u.func, NULL, results);
    uint32_t status;
    if (trap && wasi_trap_is_exit(trap, &status)) {
        if (status)
            snprintf(note, note_len, "exit status %u", status);
    } else if (trap) {
        snprintf(note, note_len, "trap: %.140s", trap->message);
    }
    rt_trap_free(trap);
    mem_free(&s->mem, MEM_HOST, results);
    return true;
}

/* One engine -> module -> store+instance -> run -> drop pass. at[step]
 * receives the sample after that step (NULL: not sampled). */
static bool one_pass(const memstat_opts *o, const memstat_input *in,
                     memstat_sample *at[MS_NSTEPS], char *note,
                     size_t note_len, err_t *err)
{
    double t = now_ms();
    take(at[MS_START], NULL, t);
    rt_config cfg;
    rt_config_default(&cfg);
    cfg.parallel_compilation = !o->serial;
    t = now_ms();
    rt_engine *e = rt_engine_new(&cfg);
    if (!e)
        return err_set(err, "out of memory");
    take(at[MS_ENGINE], e, t);
    t = now_ms();
    rt_store *s = NULL;
    wasi_ctx *w = NULL;
    rt_module *m = rt_module_new(e, in->bytes, in->len, err);
    /* The module has its own copy now: the file's pages we read are the
     * tool's, not ebb's, so they leave the process's RSS again. */
    if (in->file_backed)
        madvise(in->bytes, in->len, MADV_DONTNEED);
    bool ok = m != NULL;
    if (ok) {
        take(at[MS_MODULE], e, t);
        t = now_ms();
        s = rt_store_new(e);
        if (!s)
            err_set(err, "out of memory");
        else
            w = make_wasi(&e->mem, o->path, in->null_fd, err);
        rt_instance *inst = w ? instantiate(s, m, w, note, note_len, err)
                              : NULL;
        ok = inst != NULL;
        if (ok) {
            take(at[MS_INSTANCE], e, t);
            t = now_ms();
            if (o->invoke)
                ok = run_export(s, inst, o->invoke, note, note_len, err);
            else if (rt_instance_export(inst, "_start", 6, &(rt_extern){0}))
                ok = run_export(s, inst, "_start", note, note_len, err);
            take(at[MS_RUN], e, t);
        }
    }
    t = now_ms();
    rt_store_free(s);
    if (w)
        wasi_ctx_free(w);
    if (m)
        rt_module_release(m);
    rt_engine_free(e);
    take(at[MS_DROP], NULL, t);
    return ok;
}

/* ---- the command -------------------------------------------------------- */

/* Anonymous zeroed pages that are the tool's own, outside ebb's counters. */
static void *map_pages(size_t n)
{
    void *p = mmap(NULL, n ? n : 1, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* The module's binary bytes in pages of their own. A binary file is
 * mapped as it is; text is converted first (its scratch is given back
 * before the first sample). */
static bool load_module(const char *path, memstat_input *in, err_t *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set(err, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size == 0) {
        close(fd);
        return err_set(err, "cannot read %s", path);
    }
    size_t n = (size_t)st.st_size;
    uint8_t *file = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (file == MAP_FAILED)
        return err_set(err, "cannot read %s: %s", path, strerror(errno));
    if (file[0] == 0) {
        in->bytes = file;
        in->len = n;
        in->file_backed = true;
        return true;
    }
    mem_owner tmp;
    mem_owner_init(&tmp, MEM_OWNER_ENGINE);
    uint8_t *bin;
    size_t bin_len;
    err_t terr;
    err_clear(&terr);
    bool ok = text_wat_to_binary(&tmp, (const char *)file, n, &bin, &bin_len,
                                 &terr);
    munmap(file, n);
    if (!ok)
        return err_set(err, "%s:%s", path, terr.msg);
    in->bytes = map_pages(bin_len);
    if (in->bytes)
        memcpy(in->bytes, bin, bin_len);
    mem_free(&tmp, MEM_HOST, bin);
    in->len = bin_len;
    return in->bytes ? true : err_set(err, "out of memory");
}

static bool parse_opts(int argc, char **argv, memstat_opts *o)
{
    memset(o, 0, sizeof *o);
    o->cycles = 10;
    int i = 0;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            i++;
            break;
        } else if (!strcmp(a, "--invoke") && i + 1 < argc) {
            o->invoke = argv[++i];
        } else if (!strcmp(a, "--cycles") && i + 1 < argc) {
            char *end;
            unsigned long n = strtoul(argv[++i], &end, 10);
            if (*end || n > 1000000) {
                fprintf(stderr, "ebb memstat: bad cycle count '%s'\n", argv[i]);
                return false;
            }
            o->cycles = (unsigned)n;
        } else if (!strcmp(a, "--serial")) {
            o->serial = true;
        } else if (!strcmp(a, "--json")) {
            o->json = true;
        } else if (!strcmp(a, "--svg") && i + 1 < argc) {
            o->svg = argv[++i];
        } else {
            fprintf(stderr, "ebb memstat: unknown option '%s'\n", a);
            return false;
        }
    }
    if (i + 1 != argc)
        return false;
    o->path = argv[i];
    return true;
}

static int report(const memstat_opts *o, const memstat_result *r)
{
    if (o->json)
        memstat_print_json(stdout, r);
    else
        memstat_print_text(stdout, r);
    if (o->svg && !memstat_write_svg(o->svg, r)) {
        fprintf(stderr, "ebb memstat: cannot write %s: %s\n", o->svg,
                strerror(errno));
        return 1;
    }
    return 0;
}

int cmd_memstat(int argc, char **argv)
{
    memstat_opts o;
    if (!parse_opts(argc, argv, &o))
        return memstat_usage();
    err_t err;
    err_clear(&err);
    memstat_result r;
    memset(&r, 0, sizeof r);
    r.path = o.path;
    r.serial = o.serial;
    r.run_name = o.invoke ? o.invoke : "_start";
    memstat_input in = {NULL, 0, false, -1};
    size_t cyc_bytes = ((size_t)o.cycles + 1) * sizeof(memstat_sample);
    r.cycle_run = map_pages(cyc_bytes);
    r.cycle_drop = map_pages(cyc_bytes);
    if (!r.cycle_run || !r.cycle_drop) {
        fprintf(stderr, "ebb memstat: out of memory\n");
        return 1;
    }
    int status = 1;
    if (!load_module(o.path, &in, &err)) {
        fprintf(stderr, "ebb memstat: %s\n", err.msg);
        goto out;
    }
    r.module_bytes = in.len;
    memstat_sample *at[MS_NSTEPS];
    for (int i = 0; i < MS_NSTEPS; i++)
        at[i] = &r.steps[i];
    /* Opened before the first sample, like everything else the tool
     * needs. */
    in.null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (!one_pass(&o, &in, at, r.run_note, sizeof r.run_note, &err)) {
        /* The steps reached still tell something (what compiling cost). */
        snprintf(r.error, sizeof r.error, "%s", err.msg);
        for (int k = 0; k < MEM_NOWNER; k++)
            mem_global_stats((mem_owner_kind)k, &r.peak[k]);
        report(&o, &r);
        fprintf(stderr, "ebb memstat: %s: %s\n", o.path, err.msg);
        goto out;
    }
    for (unsigned c = 0; c < o.cycles; c++) {
        memstat_sample *cat[MS_NSTEPS] = {0};
        cat[MS_RUN] = &r.cycle_run[c];
        cat[MS_DROP] = &r.cycle_drop[c];
        char note[160];
        if (!one_pass(&o, &in, cat, note, sizeof note, &err)) {
            fprintf(stderr, "ebb memstat: cycle %u: %s\n", c + 1, err.msg);
            break;
        }
        r.cycles = c + 1;
    }
    for (int k = 0; k < MEM_NOWNER; k++)
        mem_global_stats((mem_owner_kind)k, &r.peak[k]);
    status = report(&o, &r);
    if (r.cycles < o.cycles)
        status = 1;
out:
    if (in.null_fd >= 0)
        close(in.null_fd);
    if (in.bytes)
        munmap(in.bytes, in.len);
    munmap(r.cycle_run, cyc_bytes);
    munmap(r.cycle_drop, cyc_bytes);
    return status;
}
