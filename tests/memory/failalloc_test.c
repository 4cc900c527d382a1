/* Every allocation may fail, and ebb survives it: for a module load +
 * instantiation + run, request N fails, for every N from 0 until the run
 * succeeds. Each failure must be a clean error (a message, no crash), and
 * afterwards every counter is 0 and no page stays mapped. Run under ASan
 * too, which adds: no invalid access, no leak.
 *
 * Two ways to fail: ebb's own failure injection (mem_fail_at: every
 * request, pages of linear memory included), and an embedder's allocator
 * hook that refuses its N-th request (the hook must also get back every
 * byte it gave). */
#include <stdatomic.h>

#include "../unit/check.h"
#include "memtest.h"
#include "guests.h"

enum { MAX_REQUESTS = 100000 };

/* Tries N = 0, 1, ... until a pass makes fewer than N + 1 requests (so
 * the failure was never hit) and succeeds. */
static void sweep_injection(const char *what, const uint8_t *bytes, size_t len,
                            bool serial, const char *invoke, uint64_t want)
{
    rt_config cfg;
    mt_config(&cfg, serial);
    unsigned failures = 0, unclean = 0, leaks = 0;
    long n = 0;
    for (; n < MAX_REQUESTS; n++) {
        char why[ERR_MSG_MAX + 64] = "";
        uint64_t r = 0;
        mem_fail_at(n);
        bool ok = mt_pass_cfg(&cfg, bytes, len, invoke, &r, why, sizeof why);
        long used = mem_fail_at(-1);
        char leak[128];
        if (!rt_stats_all_zero(leak, sizeof leak) || mem_global_mapped()) {
            if (leaks++ < 5)
                printf("  %s, request %ld failing: %s, %zu bytes mapped\n",
                       what, n, leak, mem_global_mapped());
        }
        if (used <= n) {
            CHECK(ok && r == want, "%s: the pass without failure: %s",
                  what, why);
            break;
        }
        if (!ok) {
            failures++;
            if (!why[0] && unclean++ < 5)
                printf("  %s, request %ld failing: no message\n", what, n);
        }
    }
    CHECK(n < MAX_REQUESTS, "%s: still failing after %d requests", what,
          MAX_REQUESTS);
    CHECK(leaks == 0, "%s: %u runs left counters or pages behind", what,
          leaks);
    CHECK(unclean == 0, "%s: %u failures without a message", what, unclean);
    printf("  %s (%s): %ld requests; each made to fail in turn: %u clean "
           "errors, the others absorbed\n", what,
           serial ? "serial" : "parallel", n, failures);
}

/* ---- an embedder's allocator that refuses its N-th request ------------------ */

typedef struct failing_alloc {
    _Atomic long calls;
    long fail_at;
    _Atomic long outstanding;    /* blocks given and not yet returned */
    _Atomic size_t bytes;        /* their bytes */
} failing_alloc;

static void *failing_fn(void *ud, void *ptr, size_t osize, size_t nsize,
                        int cat)
{
    failing_alloc *fa = ud;
    (void)cat;
    if (nsize == 0) {
        if (ptr) {
            atomic_fetch_sub(&fa->outstanding, 1);
            atomic_fetch_sub(&fa->bytes, osize);
            free(ptr);
        }
        return NULL;
    }
    if (atomic_fetch_add(&fa->calls, 1) == fa->fail_at)
        return NULL;
    void *p = realloc(ptr, nsize);
    if (!p)
        return NULL;
    if (!ptr)
        atomic_fetch_add(&fa->outstanding, 1);
    else
        atomic_fetch_sub(&fa->bytes, osize);
    atomic_fetch_add(&fa->bytes, nsize);
    return p;
}

static void sweep_hook(const uint8_t *bytes, size_t len)
{
    rt_config cfg;
    mt_config(&cfg, true);
    unsigned failures = 0, kept = 0, leaks = 0;
    long n = 0;
    for (; n < MAX_REQUESTS; n++) {
        failing_alloc fa = {0};
        fa.fail_at = n;
        cfg.alloc.fn = failing_fn;
        cfg.alloc.ud = &fa;
        char why[ERR_MSG_MAX + 64] = "";
        uint64_t r = 0;
        bool ok = mt_pass_cfg(&cfg, bytes, len, "run", &r, why, sizeof why);
        if (atomic_load(&fa.outstanding) || atomic_load(&fa.bytes))
            if (kept++ < 5)
                printf("  hook, request %ld failing: %ld blocks (%zu bytes) "
                       "not given back\n", n, atomic_load(&fa.outstanding),
                       atomic_load(&fa.bytes));
        if (!rt_stats_all_zero(NULL, 0))
            leaks++;
        if (atomic_load(&fa.calls) <= n) {
            CHECK(ok && r == 3628800, "hook: the pass without failure: %s",
                  why);
            break;
        }
        failures += !ok;
    }
    CHECK(n < MAX_REQUESTS, "hook: still failing after %d requests",
          MAX_REQUESTS);
    CHECK(kept == 0, "hook: %u runs kept blocks of the hook", kept);
    CHECK(leaks == 0, "hook: %u runs left counters behind", leaks);
    printf("  allocator hook: %ld requests; each made to fail in turn: %u "
           "clean errors\n", n, failures);
}

int main(void)
{
    size_t len;
    uint8_t *bytes = mt_wat(guest_mixed, &len);
    if (!bytes) {
        CHECK(0, "guest_mixed does not parse");
        return check_summary();
    }
    sweep_injection("mixed guest", bytes, len, true, "run", 3628800);
    sweep_hook(bytes, len);
    mt_unload(bytes, len);
    /* Big enough for the compile pool: failures on worker threads too. */
    size_t wlen;
    char *wat = guest_many_funcs(64, &wlen);
    bytes = wat ? mt_wat(wat, &len) : NULL;
    CHECK(bytes != NULL, "the generated module does not parse");
    if (bytes) {
        sweep_injection("64 functions", bytes, len, false, "f63",
                        40 * 63 + 780);
        mt_unload(bytes, len);
    }
    if (wat)
        munmap(wat, wlen);
    return check_summary();
}
