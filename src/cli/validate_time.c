/* `ebb validate --time N FILE`: the translator's throughput. The module
 * is decoded, validated and translated N times in this process on one
 * thread (parallel compilation off), after one untimed warm-up, and the
 * median and fastest times are printed with the rate in MB/s of the code
 * section. Each time is the whole of rt_module_new (copy of the bytes,
 * decoding of every section, validation and translation of every body),
 * so the rate is a little below that of the code section alone. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "decode/module.h"
#include "os/os.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

int cli_validate_time(const char *path, long runs)
{
    rt_config cfg;
    rt_config_default(&cfg);
    cfg.parallel_compilation = false;
    rt_engine *e = rt_engine_new(&cfg);
    if (!e) {
        fprintf(stderr, "ebb: out of memory\n");
        return 1;
    }
    err_t err;
    err_clear(&err);
    uint8_t *bytes = NULL;
    size_t len = 0;
    uint64_t *ns = NULL;
    int status = 1;
    if (!cli_load_module(&e->mem, path, &bytes, &len, &err)) {
        fprintf(stderr, "ebb: %s\n", err.msg);
        goto out;
    }
    ns = mem_calloc(&e->mem, MEM_HOST, (size_t)runs, sizeof *ns);
    if (!ns) {
        fprintf(stderr, "ebb: out of memory\n");
        goto out;
    }
    for (long i = -1; i < runs; i++) {
        uint64_t t0 = os_now_ns();
        rt_module *m = rt_module_new(e, bytes, len, &err);
        uint64_t t1 = os_now_ns();
        if (!m) {
            fprintf(stderr, "ebb: %s: invalid module: %s\n", path, err.msg);
            goto out;
        }
        rt_module_release(m);
        if (i >= 0)
            ns[i] = t1 - t0;
    }
    qsort(ns, (size_t)runs, sizeof *ns, cmp_u64);
    size_t code = decode_section_len(bytes, len, 10);
    double med = (double)ns[runs / 2] / 1e6, best = (double)ns[0] / 1e6;
    printf("%s: code section %zu bytes; decode+validate+translate, "
           "1 thread, %ld runs: median %.3f ms (%.1f MB/s), "
           "min %.3f ms (%.1f MB/s)\n",
           path, code, runs, med, (double)code / 1e3 / med, best,
           (double)code / 1e3 / best);
    status = 0;
out:
    mem_free(&e->mem, MEM_HOST, ns);
    mem_free(&e->mem, MEM_HOST, bytes);
    rt_engine_free(e);
    return status;
}
