/* The memory door: lifetime arenas give every page back, the embedder's
 * hook sees every block with its sizes, counters stay exact, and the
 * failure injection point makes exactly the n-th request fail. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "runtime/runtime.h"
#include "text/text.h"

static void test_arena(void)
{
    mem_owner o;
    mem_owner_init_arena(&o, MEM_OWNER_MODULE, NULL);
    enum { N = 300 };
    void *p[N];
    bool ok = true;
    /* Sizes from 0 bytes to ~90 KiB: classes and own mappings. */
    for (int i = 0; i < N; i++) {
        size_t n = (size_t)i * i;
        p[i] = mem_alloc(&o, MEM_CODE, n);
        ok = ok && p[i] && ((uintptr_t)p[i] & 15) == 0 && mem_size(p[i]) == n;
        if (p[i])
            memset(p[i], i, n);
    }
    EXPECT(ok);
    EXPECT(mem_owner_mapped(&o) > 0);
    /* Grow and shrink across the class/mapping boundary, keeping bytes. */
    for (int i = 0; i < N; i += 7) {
        size_t old = (size_t)i * i, n = old * 3 + 100000 * (i % 2);
        uint8_t *q = mem_realloc(&o, MEM_CODE, p[i], n);
        ok = ok && q;
        if (!q)
            continue;
        for (size_t k = 0; k < old; k++)
            ok = ok && q[k] == (uint8_t)i;
        for (size_t k = old; k < n; k++)
            ok = ok && q[k] == 0;
        q = mem_realloc(&o, MEM_CODE, q, old / 2);
        ok = ok && q;
        for (size_t k = 0; q && k < old / 2; k++)
            ok = ok && q[k] == (uint8_t)i;
        p[i] = q;
    }
    EXPECT(ok);
    for (int i = 0; i < N; i += 2)
        mem_free(&o, MEM_CODE, p[i]);
    /* Freed blocks are reused by the same owner, zeroed by calloc. */
    for (int i = 0; i < N; i += 2) {
        size_t n = (size_t)i * i;
        p[i] = mem_calloc(&o, MEM_CODE, 1, n);
        for (size_t k = 0; p[i] && k < n; k++)
            ok = ok && ((uint8_t *)p[i])[k] == 0;
    }
    EXPECT(ok);
    for (int i = 0; i < N; i++)
        mem_free(&o, MEM_CODE, p[i]);
    EXPECT(mem_owner_live(&o) == 0);
    mem_owner_destroy(&o);
    CHECK(mem_global_mapped() == 0, "%zu bytes still mapped",
          mem_global_mapped());
}

/* A hook that counts what it hands out (thread-safe: compile workers). */
typedef struct counting {
    _Atomic long blocks;
    _Atomic size_t bytes;
    _Atomic long calls;
    _Atomic int bad_cat;
} counting;

static void *hook(void *ud, void *ptr, size_t osize, size_t nsize, int cat)
{
    counting *c = ud;
    atomic_fetch_add(&c->calls, 1);
    if (cat < 0 || cat >= MEM_NCAT)
        atomic_store(&c->bad_cat, 1);
    if (nsize == 0) {
        atomic_fetch_sub(&c->blocks, 1);
        atomic_fetch_sub(&c->bytes, osize);
        free(ptr);
        return NULL;
    }
    void *q = realloc(ptr, nsize);
    if (!q)
        return NULL;
    if (!ptr)
        atomic_fetch_add(&c->blocks, 1);
    atomic_fetch_add(&c->bytes, nsize);
    atomic_fetch_sub(&c->bytes, osize);
    return q;
}

static const char wat[] =
    "(module (memory 1) (table 2 funcref) (global (mut i32) (i32.const 1))"
    " (func $f (export \"f\") (param i32) (result i32)"
    "   (i32.store (i32.const 8) (local.get 0))"
    "   (drop (memory.grow (i32.const 1)))"
    "   (i32.add (i32.load (i32.const 8)) (global.get 0))))";

/* Engine, module, store, instance, one call, then everything dropped.
 * Returns 0 on success, 1 on a clean failure; the message in msg. */
static int cycle(const rt_config *cfg, const uint8_t *bin, size_t len,
                 char *msg, size_t n)
{
    err_t err;
    err_clear(&err);
    rt_trap *trap = NULL;
    int rc = 1;
    snprintf(msg, n, "out of memory");
    rt_engine *e = rt_engine_new(cfg);
    rt_store *s = e ? rt_store_new(e) : NULL;
    rt_module *m = s ? rt_module_new(e, bin, len, &err) : NULL;
    rt_instance *inst = m ? rt_instance_new(s, m, NULL, 0, &trap, &err)
                          : NULL;
    if (err_failed(&err))
        snprintf(msg, n, "%s", err.msg);
    rt_extern x;
    if (inst && rt_instance_export(inst, "f", 1, &x)) {
        uint64_t arg = 41, res = 0;
        rt_trap *t = rt_call(s, x.u.func, &arg, &res);
        if (t) {
            snprintf(msg, n, "%s", t->message);
            rt_trap_free(t);
        } else if (res == 42) {
            rc = 0;
        }
    }
    if (trap)
        rt_trap_free(trap);
    rt_store_free(s);
    rt_module_release(m);
    rt_engine_free(e);
    return rc;
}

static void test_hook(const uint8_t *bin, size_t len)
{
    counting c = {0};
    rt_config cfg;
    rt_config_default(&cfg);
    cfg.alloc.fn = hook;
    cfg.alloc.ud = &c;
    char msg[ERR_MSG_MAX];
    EXPECT(cycle(&cfg, bin, len, msg, sizeof msg) == 0);
    CHECK(atomic_load(&c.calls) > 10, "hook called %ld times",
          atomic_load(&c.calls));
    CHECK(atomic_load(&c.blocks) == 0 && atomic_load(&c.bytes) == 0,
          "hook: %ld blocks, %zu bytes outstanding", atomic_load(&c.blocks),
          atomic_load(&c.bytes));
    EXPECT(!atomic_load(&c.bad_cat));
    EXPECT(mem_global_live() == 0);
}

/* Allocation n fails, for every n until the cycle succeeds: each failure
 * is clean and leaves nothing behind. */
static void test_fail_every(const uint8_t *bin, size_t len, bool signals)
{
    rt_config cfg;
    rt_config_default(&cfg);
    cfg.signals_based_traps = signals;
    char msg[ERR_MSG_MAX];
    mem_fail_at(-1);
    EXPECT(cycle(&cfg, bin, len, msg, sizeof msg) == 0);
    long total = mem_fail_at(-1); /* requests of a whole cycle */
    unsigned dirty = 0, failed_clean = 0;
    long n = 0;
    for (; n < total; n++) {
        mem_fail_at(n);
        int rc = cycle(&cfg, bin, len, msg, sizeof msg);
        mem_fail_at(-1);
        if (mem_global_live() != 0 || mem_global_mapped() != 0) {
            if (dirty++ < 5)
                printf("fail at %ld: %zu live, %zu mapped after '%s'\n", n,
                       mem_global_live(), mem_global_mapped(), msg);
        } else if (rc != 0) {
            failed_clean++;
        }
    }
    /* A failure may also be absorbed with a correct result: memory.grow
     * returning -1, a smaller reservation in bounds-checked mode. */
    CHECK(dirty == 0 && total > 10, "%s: %u of %ld failures left memory",
          signals ? "signals" : "checks", dirty, total);
    printf("failure injection (%s): %ld failure points, %u clean errors, "
           "%ld absorbed, leaks: %u\n", signals ? "signals" : "checks", total,
           failed_clean, total - failed_clean - dirty, dirty);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    test_arena();
    mem_owner o;
    mem_owner_init(&o, MEM_OWNER_ENGINE);
    uint8_t *bin = NULL;
    size_t len = 0;
    err_t err;
    err_clear(&err);
    EXPECT(text_wat_to_binary(&o, wat, sizeof wat - 1, &bin, &len, &err));
    /* The module's bytes are the test's own, kept out of the counters
     * that the cycles must bring back to zero. */
    uint8_t *copy = bin ? malloc(len) : NULL;
    if (copy)
        memcpy(copy, bin, len);
    mem_free(&o, MEM_HOST, bin);
    if (copy) {
        test_hook(copy, len);
        test_fail_every(copy, len, true);
        test_fail_every(copy, len, false);
    }
    free(copy);
    return check_summary();
}
