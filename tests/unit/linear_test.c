/* Linear memory as virtual memory, and the fault handler, in both modes:
 * only touched pages become resident, out-of-bounds accesses trap (by
 * signal or by check), discard gives pages back and reads as zeros, a
 * fault outside ebb's memories goes to the handler that was there before,
 * and everything is unmapped on drop. */
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "os/os.h"
#include "runtime/runtime.h"
#include "text/text.h"

/* 256 pages declared (16 MiB); `touch` writes one i32 at an address. */
static const char wat[] =
    "(module (memory (export \"mem\") 256)"
    " (func (export \"touch\") (param i32) (i32.store (local.get 0) (i32.const 7)))"
    " (func (export \"peek\") (param i32) (result i32) (i32.load (local.get 0)))"
    " (func (export \"far\") (param i32) (result i32)"
    "   (i32.load offset=0x10000000 (local.get 0)))"
    " (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0)))"
    " (func (export \"outer\") (param i32) (result i32)"
    "   (i32.add (i32.const 1) (call 5 (local.get 0))))"
    " (func (param i32) (result i32) (nop) (i32.load offset=8 (local.get 0))))";

/* A process figure from /proc/self/status, in KiB (-1 if missing). */
static long status_kib(const char *key)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    char line[256];
    long v = -1;
    size_t k = strlen(key);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, k) && line[k] == ':')
            v = atol(line + k + 1);
    fclose(f);
    return v;
}

typedef struct world {
    rt_engine *e;
    rt_store *s;
    rt_module *m;
    rt_instance *inst;
} world;

static rt_func *export_func(const world *w, const char *name)
{
    rt_extern x;
    if (!rt_instance_export(w->inst, name, strlen(name), &x))
        return NULL;
    return x.u.func;
}

static bool world_new(world *w, const rt_config *cfg, const uint8_t *bin,
                      size_t len)
{
    memset(w, 0, sizeof *w);
    err_t err;
    err_clear(&err);
    rt_trap *trap = NULL;
    w->e = rt_engine_new(cfg);
    w->s = w->e ? rt_store_new(w->e) : NULL;
    w->m = w->s ? rt_module_new(w->e, bin, len, &err) : NULL;
    w->inst = w->m ? rt_instance_new(w->s, w->m, NULL, 0, &trap, &err) : NULL;
    if (trap)
        rt_trap_free(trap);
    return w->inst != NULL;
}

static void world_free(world *w)
{
    rt_store_free(w->s);
    rt_module_release(w->m);
    rt_engine_free(w->e);
}

/* Calls name(arg); returns the trap message ("" on success). */
static const char *call1(world *w, const char *name, uint64_t arg,
                         uint64_t *result, char *msg, size_t n)
{
    rt_func *f = export_func(w, name);
    msg[0] = 0;
    if (!f) {
        snprintf(msg, n, "no export %s", name);
        return msg;
    }
    uint64_t res[1] = {0};
    rt_trap *t = rt_call(w->s, f, &arg, res);
    if (t) {
        snprintf(msg, n, "%s", t->message);
        rt_trap_free(t);
    }
    if (result)
        *result = res[0];
    return msg;
}

static void test_mode(const uint8_t *bin, size_t len, bool signals)
{
    const char *mode = signals ? "signals" : "bounds checks";
    rt_config cfg;
    rt_config_default(&cfg);
    cfg.signals_based_traps = signals;
    size_t live0 = mem_global_live(); /* the module's bytes */
    long before = status_kib("RssAnon");
    world w;
    bool ok = world_new(&w, &cfg, bin, len);
    CHECK(ok, "%s: cannot instantiate", mode);
    if (!ok) {
        world_free(&w);
        return;
    }
    CHECK((w.e->unchecked_offsets != 0) == signals, "%s: unchecked %llu",
          mode, (unsigned long long)w.e->unchecked_offsets);
    char msg[ERR_MSG_MAX];
    uint64_t r;
    /* One page touched of 16 MiB declared. */
    call1(&w, "touch", 5 * 65536 + 12, NULL, msg, sizeof msg);
    EXPECT(msg[0] == 0);
    long after = status_kib("RssAnon");
    printf("%s: 16 MiB memory, one page touched: RssAnon +%ld KiB\n", mode,
           after - before);
    CHECK(after - before < 256, "%s: RssAnon grew by %ld KiB", mode,
          after - before);
    call1(&w, "peek", 5 * 65536 + 12, &r, msg, sizeof msg);
    CHECK(msg[0] == 0 && (uint32_t)r == 7, "%s: peek %s %llu", mode, msg,
          (unsigned long long)r);

    /* Out of bounds: at the end, straddling it, far beyond it, and with a
     * static offset larger than the guard (always checked). */
    const uint64_t end = 256u * 65536u;
    const uint64_t addrs[] = {end, end - 2, 0xfffffffc, 0xfffffff0};
    for (size_t i = 0; i < sizeof addrs / sizeof *addrs; i++) {
        call1(&w, "peek", addrs[i], NULL, msg, sizeof msg);
        CHECK(strstr(msg, "out of bounds memory access"),
              "%s: peek %llx: '%s'", mode, (unsigned long long)addrs[i], msg);
        call1(&w, "touch", addrs[i], NULL, msg, sizeof msg);
        CHECK(strstr(msg, "out of bounds memory access"),
              "%s: touch %llx: '%s'", mode, (unsigned long long)addrs[i],
              msg);
    }
    call1(&w, "peek", end - 4, &r, msg, sizeof msg);
    CHECK(msg[0] == 0 && r == 0, "%s: last word: %s", mode, msg);
    call1(&w, "far", 0xf0000000u, NULL, msg, sizeof msg);
    CHECK(strstr(msg, "out of bounds memory access"), "%s: far: '%s'", mode,
          msg);
    /* The straddling store wrote nothing. */
    call1(&w, "peek", end - 4, &r, msg, sizeof msg);
    CHECK(msg[0] == 0 && r == 0, "%s: straddling store wrote %llx", mode,
          (unsigned long long)r);

    /* The trap's backtrace: the faulting function (5), at its load, then
     * its caller (6) at the call. */
    rt_func *outer = export_func(&w, "outer");
    uint64_t arg = 0xfffffff0u, res = 0;
    rt_trap *t = outer ? rt_call(w.s, outer, &arg, &res) : NULL;
    CHECK(t && t->nframes == 2 && t->frames[0].func_index == 5 &&
              t->frames[1].func_index == 4 && t->frames[0].code_offset &&
              t->frames[1].code_offset &&
              t->frames[0].code_offset > t->frames[1].code_offset,
          "%s: backtrace of %u frames: %u@%u %u@%u", mode,
          t ? t->nframes : 0, t && t->nframes ? t->frames[0].func_index : 0,
          t && t->nframes ? t->frames[0].code_offset : 0,
          t && t->nframes > 1 ? t->frames[1].func_index : 0,
          t && t->nframes > 1 ? t->frames[1].code_offset : 0);
    if (t)
        rt_trap_free(t);

    /* Growth commits in place: the base does not move. */
    rt_extern mx;
    EXPECT(rt_instance_export(w.inst, "mem", 3, &mx));
    rt_memory *mem = mx.u.memory;
    uint8_t *base = mem->base;
    call1(&w, "grow", 16, &r, msg, sizeof msg);
    CHECK(msg[0] == 0 && r == 256, "%s: grow gave %llu", mode,
          (unsigned long long)r);
    EXPECT(mem->base == base);
    call1(&w, "touch", end, NULL, msg, sizeof msg);
    CHECK(msg[0] == 0, "%s: store after grow: %s", mode, msg);

    /* Discard: zeros afterwards, and the pages leave RSS. */
    memset(mem->base + 65536, 0xab, 64 * 65536);
    long full = status_kib("RssAnon");
    EXPECT(rt_memory_discard(mem, 65536 - 3, 64 * 65536 + 7));
    long discarded = status_kib("RssAnon");
    CHECK(full - discarded >= 4 * 1024 - 64, "%s: discard freed %ld KiB",
          mode, full - discarded);
    bool zero = true;
    for (uint64_t i = 65536 - 3; i < 65 * 65536 + 4; i++)
        zero = zero && mem->base[i] == 0;
    EXPECT(zero);
    EXPECT(!rt_memory_discard(mem, mem->size - 1, 2));
    world_free(&w);
    CHECK(mem_global_live() == live0, "%s: %zu bytes live", mode,
          mem_global_live() - live0);
    CHECK(mem_global_mapped() == 0, "%s: %zu bytes mapped", mode,
          mem_global_mapped());
}

/* A fault that is not ebb's reaches the handler installed before. */
static sigjmp_buf prev_jb;
static volatile sig_atomic_t prev_called;

static void prev_handler(int sig, siginfo_t *info, void *uc)
{
    (void)sig;
    (void)info;
    (void)uc;
    prev_called = 1;
    siglongjmp(prev_jb, 1);
}

static void test_chaining(void)
{
    /* The handler before ebb's must be in place before ebb installs its
     * own, which happens once per process: this runs first. */
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = prev_handler;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &old);
    EXPECT(os_trap_install());
    uint8_t *p = os_reserve(1 << 20, false);
    EXPECT(p != NULL);
    if (sigsetjmp(prev_jb, 0) == 0) {
        volatile uint8_t *q = p;
        (void)q[4096]; /* not inside any Wasm scope: not ebb's */
    }
    EXPECT(prev_called == 1);
    os_release(p, 1 << 20);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    test_chaining();
    mem_owner o;
    mem_owner_init(&o, MEM_OWNER_ENGINE);
    uint8_t *bin = NULL;
    size_t len = 0;
    err_t err;
    err_clear(&err);
    EXPECT(text_wat_to_binary(&o, wat, sizeof wat - 1, &bin, &len, &err));
    if (bin) {
        test_mode(bin, len, true);
        test_mode(bin, len, false);
    }
    mem_free(&o, MEM_HOST, bin);
    return check_summary();
}
