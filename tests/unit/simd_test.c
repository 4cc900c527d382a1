/* v128 values at the runtime's edges, which the spec scripts do not reach:
 * host functions taking and returning v128 (two cells each, low half
 * first, mixed with scalars), v128 arguments and results of rt_call, and
 * v128 globals (value and value_hi). */
#include <string.h>

#include "runtime/runtime.h"
#include "text/text.h"

#include "check.h"

static const char wat[] =
    "(module\n"
    "  (import \"host\" \"bump\" (func $bump (param i32 v128 i64)"
    "                                        (result v128 i32)))\n"
    "  (global $g (export \"g\") (mut v128) (v128.const i64x2 1 2))\n"
    "  (func (export \"f\") (param $v v128) (result i64 v128)\n"
    "    (local $t v128)\n"
    "    (i64.const 77)\n"
    "    (call $bump (i32.const 5) (local.get $v) (i64.const 9))\n"
    "    (drop)\n"
    "    (local.tee $t)\n"
    "    (global.set $g (i8x16.add (local.get $t) (global.get $g))))\n"
    ")\n";

static int host_calls;

/* (i32 a, v128 v, i64 b) -> (v128 v + a in lane 0 + b in lane 1, i32 a):
 * cells a, v.lo, v.hi, b in; v'.lo, v'.hi, a out. */
static rt_trap *bump(void *env, rt_store *s, const uint64_t *args,
                     uint64_t *results)
{
    (void)env;
    (void)s;
    host_calls++;
    uint64_t a = args[0], lo = args[1], hi = args[2], b = args[3];
    results[0] = lo + a;
    results[1] = hi + b;
    results[2] = a;
    return NULL;
}

static void test_host_and_globals(void)
{
    rt_engine *e = rt_engine_new(NULL);
    rt_store *s = e ? rt_store_new(e) : NULL;
    mem_owner *o = &e->mem;
    uint8_t *bin = NULL;
    size_t len = 0;
    err_t err;
    err_clear(&err);
    EXPECT(s && text_wat_to_binary(o, wat, strlen(wat), &bin, &len, &err));
    rt_module *m = bin ? rt_module_new(e, bin, len, &err) : NULL;
    CHECK(m != NULL, "module: %s", err.msg);
    if (!m)
        goto out;
    uint8_t types[] = {VT_I32, VT_V128, VT_I64, VT_V128, VT_I32};
    functype ft = {3, 2, types};
    rt_extern imp = {.kind = EXTERN_FUNC};
    imp.u.func = rt_func_new_host(s, &ft, bump, NULL, NULL);
    rt_trap *trap = NULL;
    rt_instance *inst = rt_instance_new(s, m, &imp, 1, &trap, &err);
    CHECK(inst != NULL, "instantiate: %s", err.msg);
    rt_extern f, g;
    if (!inst || !rt_instance_export(inst, "f", 1, &f) ||
        !rt_instance_export(inst, "g", 1, &g)) {
        EXPECT(0);
        goto out;
    }
    EXPECT(g.u.global->value == 1 && g.u.global->value_hi == 2);
    /* f(v) = 77, v + (5, 9); g = g + that, bytewise */
    uint64_t args[2] = {0x0101010101010101u, 0x10u};
    uint64_t res[3] = {0, 0, 0};
    trap = rt_call(s, f.u.func, args, res);
    EXPECT(trap == NULL);
    if (trap)
        rt_trap_free(trap);
    EXPECT(host_calls == 1);
    EXPECT(res[0] == 77);
    EXPECT(res[1] == 0x0101010101010106u && res[2] == 0x19u);
    EXPECT(g.u.global->value == 0x0101010101010107u);
    EXPECT(g.u.global->value_hi == 0x1bu);
out:
    if (m)
        rt_module_release(m);
    mem_free(o, MEM_HOST, bin);
    if (s)
        rt_store_free(s);
    rt_engine_free(e);
    EXPECT(mem_global_live() == 0);
}

int main(void)
{
    test_host_and_globals();
    return check_summary();
}
