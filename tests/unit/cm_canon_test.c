/* The canonical ABI without the linker: small core modules (from WAT)
 * exporting memory and realloc, hand-built component types and instances.
 * Values of every kind go through linear memory and flat core values and
 * back; calls go host -> lifted core function, core -> lowered host
 * function, and core -> lowered function lifted from another instance
 * (with parameters spilled to memory and results through a return
 * pointer); handles move between tables; bad input traps. Every byte the
 * values took comes back. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "component/cm_canon.h"
#include "text/text.h"

static const char wat[] =
    "(module\n"
    "  (import \"env\" \"greet\" (func $greet (param i32 i32 i32)))\n"
    "  (import \"env\" \"sum17\" (func $sum17 (param i32) (result i32)))\n"
    "  (import \"env\" \"echo\" (func $echo (param i32 i32 i32)))\n"
    "  (import \"env\" \"res_new\" (func $res_new (param i32) (result i32)))\n"
    "  (import \"env\" \"res_drop\" (func $res_drop (param i32)))\n"
    "  (import \"env\" \"make\" (func $make (param i32) (result i32)))\n"
    "  (import \"env\" \"rep_of\" (func $rep_of (param i32) (result i32)))\n"
    "  (import \"env\" \"names\" (func $names (param i32)))\n"
    "  (import \"env\" \"stream\" (func $stream (result i32)))\n"
    "  (import \"env\" \"stream_drop\" (func $stream_drop (param i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (global $bump (mut i32) (i32.const 4096))\n"
    "  (global $dtors (export \"dtors\") (mut i32) (i32.const 0))\n"
    "  (global $posts (export \"posts\") (mut i32) (i32.const 0))\n"
    "  (func (export \"realloc\") (param i32 i32 i32 i32) (result i32)\n"
    "    (local i32)\n"
    "    global.get $bump local.get 2 i32.add i32.const 1 i32.sub\n"
    "    i32.const 0 local.get 2 i32.sub i32.and local.tee 4\n"
    "    local.get 3 i32.add global.set $bump local.get 4)\n"
    "  (func (export \"bad_realloc\") (param i32 i32 i32 i32) (result i32)\n"
    "    i32.const 65535)\n"
    "  (func (export \"echo_string\") (param i32 i32) (result i32)\n"
    "    i32.const 16 local.get 0 i32.store\n"
    "    i32.const 20 local.get 1 i32.store\n"
    "    i32.const 16)\n"
    "  (func (export \"post\") (param i32)\n"
    "    global.get $posts i32.const 1 i32.add global.set $posts)\n"
    "  (func (export \"sum17\") (param i32) (result i32) (local i32 i32)\n"
    "    (loop $l\n"
    "      local.get 2 local.get 0 local.get 1 i32.const 4 i32.mul i32.add\n"
    "      i32.load i32.add local.set 2\n"
    "      local.get 1 i32.const 1 i32.add local.tee 1\n"
    "      i32.const 17 i32.lt_u br_if $l)\n"
    "    local.get 2)\n"
    "  (func (export \"dtor\") (param i32)\n"
    "    global.get $dtors local.get 0 i32.add global.set $dtors)\n"
    "  (func (export \"call_greet\") (param i32 i32)\n"
    "    (call $greet (local.get 0) (local.get 1) (i32.const 32)))\n"
    "  (func (export \"make\") (param i32) (result i32)\n"
    "    (call $res_new (local.get 0)))\n"
    "  (func (export \"rep_of\") (param i32) (result i32) local.get 0)\n"
    "  (func (export \"call_make\") (param i32) (result i32)\n"
    "    (call $make (local.get 0)))\n"
    "  (func (export \"call_rep_of\") (param i32) (result i32)\n"
    "    (call $rep_of (local.get 0)))\n"
    "  (func (export \"drop\") (param i32) (call $res_drop (local.get 0)))\n"
    "  (func (export \"call_names\") (call $names (i32.const 56)))\n"
    "  (func (export \"call_stream\") (result i32) (call $stream))\n"
    "  (func (export \"drop_stream\") (param i32)\n"
    "    (call $stream_drop (local.get 0)))\n"
    "  (func (export \"call_sum17\") (param i32) (result i32)\n"
    "    (call $sum17 (local.get 0)))\n"
    "  (func (export \"call_echo\") (param i32 i32)\n"
    "    (call $echo (local.get 0) (local.get 1) (i32.const 40))))\n";

static rt_engine *eng;
static rt_store *st;

/* ---- types ---- */

#define T(k) {.kind = k}
static const cm_valtype t_bool = T(CM_BOOL), t_s8 = T(CM_S8), t_u8 = T(CM_U8),
    t_s16 = T(CM_S16), t_u16 = T(CM_U16), t_s32 = T(CM_S32),
    t_u32 = T(CM_U32), t_s64 = T(CM_S64), t_u64 = T(CM_U64),
    t_f32 = T(CM_F32), t_f64 = T(CM_F64), t_char = T(CM_CHAR),
    t_string = T(CM_STRING);
static const cm_valtype t_list_string = {.kind = CM_LIST, .elem = &t_string};
static const cm_valtype t_list_u16 = {.kind = CM_LIST, .elem = &t_u16};
static const cm_valtype t_list_u32 = {.kind = CM_LIST, .elem = &t_u32};
static const cm_valtype t_list_list = {.kind = CM_LIST, .elem = &t_list_u16};
static const cm_field rec_fields[] = {
    {"a", &t_u8}, {"b", &t_string}, {"c", &t_f64}, {"d", &t_list_u32}};
static const cm_valtype t_record = {.kind = CM_RECORD, .n = 4,
                                    .fields = rec_fields};
static const cm_field tup_fields[] = {{NULL, &t_s16}, {NULL, &t_char}};
static const cm_valtype t_tuple = {.kind = CM_TUPLE, .n = 2,
                                   .fields = tup_fields};
static const cm_field var_cases[] = {
    {"none", NULL}, {"i", &t_s32}, {"f", &t_f32}, {"d", &t_f64},
    {"s", &t_string}, {"t", &t_tuple}};
static const cm_valtype t_variant = {.kind = CM_VARIANT, .n = 6,
                                     .fields = var_cases};
static const cm_valtype t_option = {.kind = CM_OPTION, .elem = &t_u64};
static const cm_valtype t_result = {.kind = CM_RESULT, .ok = &t_string,
                                    .err = &t_u8};
static const cm_valtype t_result_unit = {.kind = CM_RESULT};
static const cm_valtype t_enum = {.kind = CM_ENUM, .n = 3};
static const cm_valtype t_flags5 = {.kind = CM_FLAGS, .n = 5};
static const cm_valtype t_flags40 = {.kind = CM_FLAGS, .n = 40};
static const cm_field big_cases_dummy[300];
static const cm_valtype t_enum300 = {.kind = CM_ENUM, .n = 300,
                                     .fields = big_cases_dummy};
static const cm_valtype t_list_variant = {.kind = CM_LIST,
                                          .elem = &t_variant};

static cm_resource res_thing = {.name = "thing"};
static unsigned host_drops;
static void host_drop(void *env, uint32_t rep)
{
    (void)env;
    host_drops += rep;
}
static cm_resource res_host = {.name = "stream", .host_drop = host_drop};
static const cm_valtype t_own = {.kind = CM_OWN, .res = &res_thing};
static const cm_valtype t_borrow = {.kind = CM_BORROW, .res = &res_thing};
static const cm_valtype t_own_host = {.kind = CM_OWN, .res = &res_host};

/* ---- values ---- */

static cm_val vu(cm_kind k, uint64_t u) { cm_val v = {.kind = k}; v.u.u = u; return v; }
static cm_val vs(cm_kind k, int64_t s) { cm_val v = {.kind = k}; v.u.s = s; return v; }
static cm_val vstr(const char *s)
{
    cm_val v = {.kind = CM_STRING};
    v.u.str.ptr = (char *)s;
    v.u.str.len = (uint32_t)strlen(s);
    return v;
}
static cm_val vlist(cm_kind k, cm_val *items, uint32_t n)
{
    cm_val v = {.kind = k};
    v.u.list.items = items;
    v.u.list.n = n;
    return v;
}
static cm_val vvar(cm_kind k, uint32_t tag, cm_val *payload)
{
    cm_val v = {.kind = k};
    v.u.var.tag = tag;
    v.u.var.payload = payload;
    return v;
}

static bool val_eq(const cm_val *a, const cm_val *b)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case CM_BOOL: return a->u.b == b->u.b;
    case CM_F32: return memcmp(&a->u.f32, &b->u.f32, 4) == 0;
    case CM_F64: return memcmp(&a->u.f64, &b->u.f64, 8) == 0;
    case CM_CHAR: return a->u.ch == b->u.ch;
    case CM_STRING:
        return a->u.str.len == b->u.str.len &&
               memcmp(a->u.str.ptr, b->u.str.ptr, a->u.str.len) == 0;
    case CM_LIST: case CM_RECORD: case CM_TUPLE:
        if (a->u.list.n != b->u.list.n)
            return false;
        for (uint32_t i = 0; i < a->u.list.n; i++)
            if (!val_eq(&a->u.list.items[i], &b->u.list.items[i]))
                return false;
        return true;
    case CM_VARIANT: case CM_ENUM: case CM_OPTION: case CM_RESULT:
        if (a->u.var.tag != b->u.var.tag ||
            !a->u.var.payload != !b->u.var.payload)
            return false;
        return !a->u.var.payload || val_eq(a->u.var.payload, b->u.var.payload);
    case CM_FLAGS: return a->u.flags == b->u.flags;
    case CM_OWN: case CM_BORROW:
        return a->u.handle.res == b->u.handle.res &&
               a->u.handle.rep == b->u.handle.rep;
    default: return a->u.u == b->u.u;
    }
}

/* ---- instances ---- */

typedef struct side {
    rt_instance *core;
    cm_instance ci;
    cm_canon_opts opts;
} side;
static side A, B;

static rt_func *export_func(side *sd, const char *name)
{
    rt_extern ex;
    if (!rt_instance_export(sd->core, name, strlen(name), &ex) ||
        ex.kind != EXTERN_FUNC)
        return NULL;
    return ex.u.func;
}

static uint32_t export_global(side *sd, const char *name)
{
    rt_extern ex;
    if (!rt_instance_export(sd->core, name, strlen(name), &ex))
        return 0xdeadbeef;
    return (uint32_t)ex.u.global->value;
}

/* The host's greet(name: string) -> string: "hello, " + name, or a
 * wrong-kinded result when env says so. */
static bool greet_lies;
static rt_trap *greet(void *env, cm_host_call *cx, const cm_val *args,
                      uint32_t nargs, cm_val *results, uint32_t nresults)
{
    (void)env;
    if (nargs != 1 || nresults != 1 || args[0].kind != CM_STRING)
        return rt_trap_new(cx->store, TRAP_HOST, "greet: bad arguments");
    if (greet_lies) {
        results[0] = vu(CM_U32, 7);
        return NULL;
    }
    uint32_t n = 7 + args[0].u.str.len;
    char *p = mem_alloc(cx->owner, MEM_HOST, n);
    memcpy(p, "hello, ", 7);
    memcpy(p + 7, args[0].u.str.ptr, args[0].u.str.len);
    results[0] = (cm_val){.kind = CM_STRING};
    results[0].u.str.ptr = p;
    results[0].u.str.len = n;
    return NULL;
}

/* names() -> list<string>: ["a", "bc"]; stream() -> own<stream>. */
static rt_trap *names(void *env, cm_host_call *cx, const cm_val *args,
                      uint32_t nargs, cm_val *results, uint32_t nresults)
{
    (void)env; (void)args; (void)nargs; (void)nresults;
    cm_val *items = mem_calloc(cx->owner, MEM_HOST, 2, sizeof *items);
    const char *src[2] = {"a", "bc"};
    for (int i = 0; i < 2; i++) {
        items[i].kind = CM_STRING;
        items[i].u.str.len = (uint32_t)strlen(src[i]);
        items[i].u.str.ptr = mem_strndup(cx->owner, MEM_HOST, src[i],
                                         items[i].u.str.len);
    }
    results[0] = (cm_val){.kind = CM_LIST};
    results[0].u.list.items = items;
    results[0].u.list.n = 2;
    return NULL;
}

static rt_trap *stream(void *env, cm_host_call *cx, const cm_val *args,
                       uint32_t nargs, cm_val *results, uint32_t nresults)
{
    (void)env; (void)cx; (void)args; (void)nargs; (void)nresults;
    results[0] = (cm_val){.kind = CM_OWN};
    results[0].u.handle.res = &res_host;
    results[0].u.handle.rep = 1000;
    return NULL;
}

static const cm_functype names_type = {0, NULL, 1, &t_list_string};
static const cm_functype stream_type = {0, NULL, 1, &t_own_host};
static cm_func fn_names = {.type = &names_type, .host = names};
static cm_func fn_stream = {.type = &stream_type, .host = stream};

static const cm_field greet_params[] = {{"name", &t_string}};
static const cm_functype greet_type = {1, greet_params, 1, &t_string};
static const cm_field echo_params[] = {{"s", &t_string}};
static const cm_functype echo_type = {1, echo_params, 1, &t_string};
static cm_field sum_params[17];
static const cm_functype sum_type = {17, sum_params, 1, &t_u32};

static cm_func fn_greet = {.type = &greet_type, .host = greet};
static const cm_field make_params[] = {{"rep", &t_u32}};
static const cm_functype make_type = {1, make_params, 1, &t_own};
static const cm_field rep_params[] = {{"h", &t_borrow}};
static const cm_functype rep_type = {1, rep_params, 1, &t_u32};
static cm_func fn_echo, fn_sum, fn_make, fn_rep_of, fn_b_rep_of;

static bool make_side(side *sd, const uint8_t *bin, size_t len)
{
    err_t err = {{0}};
    sd->ci = (cm_instance){.store = st, .owner = &st->mem, .may_enter = true,
                           .may_leave = true};
    /* The memory comes with the instance the lowered functions are
     * imported into: a stand-in until then (a linker uses the shim and
     * fixup modules components are made of). */
    static rt_memory *standin;
    static rt_func *standin_realloc;
    static uint8_t rtypes[5] = {VT_I32, VT_I32, VT_I32, VT_I32, VT_I32};
    if (!standin) {
        standin = rt_memory_new(st, &(memtype){.lim = {0, 0, false}});
        standin_realloc = rt_func_new_host(st, &(functype){4, 1, rtypes},
                                           NULL, NULL, NULL);
    }
    sd->opts = (cm_canon_opts){standin, standin_realloc, NULL};
    enum { NIMP = 10 };
    rt_extern imp[NIMP];
    for (int i = 0; i < NIMP; i++)
        imp[i].kind = EXTERN_FUNC;
    imp[0].u.func = cm_canon_lower(&sd->ci, &fn_greet, &sd->opts, &err);
    imp[1].u.func = cm_canon_lower(&sd->ci, &fn_sum, &sd->opts, &err);
    imp[2].u.func = cm_canon_lower(&sd->ci, &fn_echo, &sd->opts, &err);
    imp[3].u.func = cm_canon_resource_new(&sd->ci, &res_thing, &err);
    imp[4].u.func = cm_canon_resource_drop(&sd->ci, &res_thing, &err);
    imp[5].u.func = cm_canon_lower(&sd->ci, &fn_make, &sd->opts, &err);
    imp[6].u.func = cm_canon_lower(&sd->ci, &fn_rep_of, &sd->opts, &err);
    imp[7].u.func = cm_canon_lower(&sd->ci, &fn_names, &sd->opts, &err);
    imp[8].u.func = cm_canon_lower(&sd->ci, &fn_stream, &sd->opts, &err);
    imp[9].u.func = cm_canon_resource_drop(&sd->ci, &res_host, &err);
    for (int i = 0; i < NIMP; i++)
        CHECK(imp[i].u.func, "import %d: %s", i, err.msg);
    for (int i = 0; i < NIMP; i++)
        if (!imp[i].u.func)
            return false;
    EXPECT(imp[1].u.func->type->nparams == 1);  /* spilled params */
    EXPECT(imp[0].u.func->type->nparams == 3 &&  /* return pointer */
           imp[0].u.func->type->nresults == 0);
    rt_module *m = rt_module_new(eng, bin, len, &err);
    CHECK(m != NULL, "module: %s", err.msg);
    if (!m)
        return false;
    rt_trap *trap = NULL;
    sd->core = rt_instance_new(st, m, imp, NIMP, &trap, &err);
    rt_module_release(m);
    CHECK(sd->core != NULL, "instance: %s", err.msg);
    if (!sd->core)
        return false;
    rt_extern ex;
    rt_instance_export(sd->core, "memory", 6, &ex);
    sd->opts.memory = ex.u.memory;
    sd->opts.realloc = export_func(sd, "realloc");
    return true;
}

static cm_callctx call;

static cm_cx cx_on(side *sd)
{
    return (cm_cx){.s = st, .o = &st->mem, .inst = &sd->ci,
                   .opts = &sd->opts, .call = &call};
}

static size_t host_live(void)
{
    mem_stats ms;
    mem_owner_stats(&st->mem, &ms);
    return ms.live[MEM_HOST];
}

/* Expects cx to hold a trap whose message contains `want`; frees it. */
static void expect_trap(rt_trap *t, const char *want, int line)
{
    CHECK(t && strstr(t->message, want), "line %d: trap \"%s\", got \"%s\"",
          line, want, t ? t->message : "(none)");
    if (t)
        rt_trap_free(t);
}
#define EXPECT_TRAP(t, want) expect_trap(t, want, __LINE__)

/* ---- round trips ---- */

static void roundtrip(const cm_valtype *t, const cm_val *v, const char *what)
{
    cm_cx cx = cx_on(&A);
    uint32_t ptr = 0;
    cm_val out = {0};
    bool ok = cm_alloc(&cx, cm_align(t), cm_size(t), &ptr) &&
              cm_store(&cx, t, v, ptr) && cm_load(&cx, t, ptr, &out);
    CHECK(ok && val_eq(v, &out), "%s through memory%s%s", what,
          cx.trap ? ": " : "", cx.trap ? cx.trap->message : "");
    cm_val_free(&st->mem, &out);

    uint64_t cells[64];
    uint32_t pos = 0, pos2 = 0;
    out = (cm_val){0};
    ok = cm_lower_flat(&cx, t, v, cells, &pos) &&
         cm_lift_flat(&cx, t, cells, &pos2, &out);
    CHECK(ok && val_eq(v, &out) && pos == pos2 &&
              pos == cm_flat_count(t, 63),
          "%s through flat values%s%s", what, cx.trap ? ": " : "",
          cx.trap ? cx.trap->message : "");
    cm_val_free(&st->mem, &out);
    if (cx.trap)
        rt_trap_free(cx.trap);
}

static void test_roundtrips(void)
{
    size_t before = host_live();
    cm_val v;
    v = (cm_val){.kind = CM_BOOL, .u.b = true};
    roundtrip(&t_bool, &v, "bool");
    v = vs(CM_S8, -5); roundtrip(&t_s8, &v, "s8");
    v = vu(CM_U8, 250); roundtrip(&t_u8, &v, "u8");
    v = vs(CM_S16, -30000); roundtrip(&t_s16, &v, "s16");
    v = vu(CM_U16, 65535); roundtrip(&t_u16, &v, "u16");
    v = vs(CM_S32, -2000000000); roundtrip(&t_s32, &v, "s32");
    v = vu(CM_U32, 4000000000u); roundtrip(&t_u32, &v, "u32");
    v = vs(CM_S64, INT64_MIN + 3); roundtrip(&t_s64, &v, "s64");
    v = vu(CM_U64, UINT64_MAX - 1); roundtrip(&t_u64, &v, "u64");
    v = (cm_val){.kind = CM_F32, .u.f32 = -1.5f}; roundtrip(&t_f32, &v, "f32");
    v = (cm_val){.kind = CM_F32, .u.f32 = NAN}; roundtrip(&t_f32, &v, "f32 nan");
    v = (cm_val){.kind = CM_F64, .u.f64 = 3.141592653589793};
    roundtrip(&t_f64, &v, "f64");
    v = (cm_val){.kind = CM_CHAR, .u.ch = 0x1F600}; roundtrip(&t_char, &v, "char");
    v = vstr("h\xc3\xa9llo, w\xe2\x82\xacrld"); roundtrip(&t_string, &v, "string");
    v = vstr(""); roundtrip(&t_string, &v, "empty string");

    cm_val strs[3] = {vstr("one"), vstr(""), vstr("three")};
    v = vlist(CM_LIST, strs, 3); roundtrip(&t_list_string, &v, "list<string>");
    cm_val a16[2] = {vu(CM_U16, 1), vu(CM_U16, 2)}, b16[1] = {vu(CM_U16, 9)};
    cm_val inner[3] = {vlist(CM_LIST, a16, 2), vlist(CM_LIST, NULL, 0),
                       vlist(CM_LIST, b16, 1)};
    v = vlist(CM_LIST, inner, 3); roundtrip(&t_list_list, &v, "list<list<u16>>");
    cm_val u32s[2] = {vu(CM_U32, 7), vu(CM_U32, 8)};
    cm_val rec[4] = {vu(CM_U8, 3), vstr("field"),
                     {.kind = CM_F64, .u.f64 = -0.25}, vlist(CM_LIST, u32s, 2)};
    v = vlist(CM_RECORD, rec, 4); roundtrip(&t_record, &v, "record");
    cm_val tup[2] = {vs(CM_S16, -2), {.kind = CM_CHAR, .u.ch = 'x'}};
    v = vlist(CM_TUPLE, tup, 2); roundtrip(&t_tuple, &v, "tuple");

    cm_val p_i = vs(CM_S32, -7), p_f = {.kind = CM_F32, .u.f32 = 2.5f},
           p_d = {.kind = CM_F64, .u.f64 = 1e300}, p_s = vstr("payload"),
           p_t = vlist(CM_TUPLE, tup, 2);
    cm_val vars[6] = {vvar(CM_VARIANT, 0, NULL), vvar(CM_VARIANT, 1, &p_i),
                      vvar(CM_VARIANT, 2, &p_f), vvar(CM_VARIANT, 3, &p_d),
                      vvar(CM_VARIANT, 4, &p_s), vvar(CM_VARIANT, 5, &p_t)};
    for (int i = 0; i < 6; i++)
        roundtrip(&t_variant, &vars[i], "variant case");
    v = vlist(CM_LIST, vars, 6); roundtrip(&t_list_variant, &v, "list<variant>");
    cm_val p_u64 = vu(CM_U64, 1ull << 40);
    v = vvar(CM_OPTION, 0, NULL); roundtrip(&t_option, &v, "option none");
    v = vvar(CM_OPTION, 1, &p_u64); roundtrip(&t_option, &v, "option some");
    cm_val p_err = vu(CM_U8, 200);
    v = vvar(CM_RESULT, 0, &p_s); roundtrip(&t_result, &v, "result ok");
    v = vvar(CM_RESULT, 1, &p_err); roundtrip(&t_result, &v, "result err");
    v = vvar(CM_RESULT, 1, NULL); roundtrip(&t_result_unit, &v, "result unit");
    v = vvar(CM_ENUM, 2, NULL); roundtrip(&t_enum, &v, "enum");
    v = vvar(CM_ENUM, 299, NULL); roundtrip(&t_enum300, &v, "enum of 300");
    v = (cm_val){.kind = CM_FLAGS, .u.flags = 0x15}; roundtrip(&t_flags5, &v, "flags");
    v = (cm_val){.kind = CM_OWN};
    v.u.handle.res = &res_thing;
    v.u.handle.rep = 99;
    roundtrip(&t_own, &v, "own");
    v = (cm_val){.kind = CM_FLAGS, .u.flags = 0x8000000001ull};
    roundtrip(&t_flags40, &v, "flags of 40");
    CHECK(host_live() == before, "host bytes back: %zu vs %zu", host_live(),
          before);
}

static void test_layout(void)
{
    EXPECT(cm_size(&t_record) == 32 && cm_align(&t_record) == 8);
    EXPECT(cm_size(&t_variant) == 16 && cm_align(&t_variant) == 8);
    EXPECT(cm_size(&t_option) == 16);
    EXPECT(cm_size(&t_result) == 12 && cm_align(&t_result) == 4);
    EXPECT(cm_size(&t_enum300) == 2);
    EXPECT(cm_size(&t_flags5) == 1 && cm_size(&t_flags40) == 8);
    EXPECT(cm_size(&t_tuple) == 8);
    EXPECT(cm_flat_count(&t_variant, 16) == 3); /* i32, i64, i32 */
    EXPECT(cm_flat_count(&t_record, 16) == 6);

    err_t err = {{0}};
    functype ft;
    static const cm_field vp[] = {{"v", &t_variant}, {"f", &t_f32}};
    cm_functype t = {2, vp, 1, &t_variant};
    EXPECT(cm_flatten(&st->mem, &t, true, &ft, &err));
    static const uint8_t want_lift[] = {VT_I32, VT_I64, VT_I32, VT_F32,
                                        VT_I32};
    EXPECT(ft.nparams == 4 && ft.nresults == 1 &&
           memcmp(ft.types, want_lift, 5) == 0);
    mem_free(&st->mem, MEM_INSTANCE, ft.types);
    EXPECT(cm_flatten(&st->mem, &t, false, &ft, &err));
    EXPECT(ft.nparams == 5 && ft.nresults == 0 && ft.types[4] == VT_I32);
    mem_free(&st->mem, MEM_INSTANCE, ft.types);
    /* An option of f32 joins with nothing: (i32, f32). A result of f32
     * and u32 joins to i32; of f32 and u64 to i64. */
    static const cm_valtype o_f32 = {.kind = CM_OPTION, .elem = &t_f32};
    static const cm_valtype r_fu = {.kind = CM_RESULT, .ok = &t_f32,
                                    .err = &t_u32};
    static const cm_valtype r_f64 = {.kind = CM_RESULT, .ok = &t_f32,
                                     .err = &t_u64};
    static const cm_field jp[] = {{"a", &o_f32}, {"b", &r_fu}, {"c", &r_f64}};
    cm_functype jt = {3, jp, 0, NULL};
    EXPECT(cm_flatten(&st->mem, &jt, true, &ft, &err));
    static const uint8_t want_join[] = {VT_I32, VT_F32, VT_I32, VT_I32,
                                        VT_I32, VT_I64};
    EXPECT(ft.nparams == 6 && memcmp(ft.types, want_join, 6) == 0);
    mem_free(&st->mem, MEM_INSTANCE, ft.types);
    static const cm_valtype bad_flags = {.kind = CM_FLAGS, .n = 65};
    static const cm_field bp[] = {{"f", &bad_flags}};
    cm_functype bt = {1, bp, 0, NULL};
    EXPECT(!cm_flatten(&st->mem, &bt, true, &ft, &err) &&
           strstr(err.msg, "flags"));
}

/* Types laid out once (as a linker does) give the same answers, and a
 * type sharing one subtree 2^40 times is handled in linear time. */
static void test_layout_memo(void)
{
    err_t err = {{0}};
    const cm_valtype *plain[] = {&t_record, &t_variant, &t_option, &t_result,
                                 &t_list_list, &t_enum300, &t_flags40};
    for (size_t i = 0; i < sizeof plain / sizeof *plain; i++) {
        cm_valtype c = *plain[i];
        EXPECT(cm_valtype_layout(&c, &err));
        CHECK(cm_size(&c) == cm_size(plain[i]) &&
                  cm_align(&c) == cm_align(plain[i]) &&
                  cm_flat_count(&c, 16) == cm_flat_count(plain[i], 16),
              "laid out type %zu", i);
    }
    enum { LEVELS = 41 };
    static cm_valtype tup[LEVELS];
    static cm_field f[LEVELS][2];
    const cm_valtype *prev = &t_u8;
    for (int i = 0; i < LEVELS; i++) {
        f[i][0] = (cm_field){NULL, prev};
        f[i][1] = (cm_field){NULL, prev};
        tup[i] = (cm_valtype){.kind = CM_TUPLE, .n = 2, .fields = f[i]};
        CHECK(cm_valtype_layout(&tup[i], &err), "level %d: %s", i, err.msg);
        prev = &tup[i];
    }
    EXPECT(cm_size(&tup[3]) == 16 && cm_flat_count(&tup[3], 16) == 16);
    EXPECT(cm_size(&tup[LEVELS - 1]) == UINT32_MAX);
    EXPECT(cm_flat_count(&tup[LEVELS - 1], 16) == 17);
    cm_field p[1] = {{"big", &tup[LEVELS - 1]}};
    cm_functype ft = {1, p, 1, &tup[LEVELS - 1]};
    functype core;
    EXPECT(cm_flatten(&st->mem, &ft, false, &core, &err));
    EXPECT(core.nparams == 2 && core.nresults == 0);
    mem_free(&st->mem, MEM_INSTANCE, core.types);
    /* The same shape not laid out: refused as too large, quickly. */
    static cm_valtype raw[LEVELS];
    static cm_field rf[LEVELS][2];
    prev = &t_u8;
    for (int i = 0; i < LEVELS; i++) {
        rf[i][0] = (cm_field){NULL, prev};
        rf[i][1] = (cm_field){NULL, prev};
        raw[i] = (cm_valtype){.kind = CM_TUPLE, .n = 2, .fields = rf[i]};
        prev = &raw[i];
    }
    cm_field rp[1] = {{"big", &raw[LEVELS - 1]}};
    cm_functype rft = {1, rp, 0, NULL};
    EXPECT(!cm_flatten(&st->mem, &rft, true, &core, &err) &&
           strstr(err.msg, "value type too large"));
    rp[0].type = &raw[10];
    EXPECT(cm_flatten(&st->mem, &rft, true, &core, &err) &&
           core.nparams == 1);
    mem_free(&st->mem, MEM_INSTANCE, core.types);
    /* Too deep: refused, not recursed into. */
    static cm_valtype deep[70];
    static cm_field df[70];
    prev = &t_u8;
    bool all = true;
    for (int i = 0; i < 70; i++) {
        df[i] = (cm_field){NULL, prev};
        deep[i] = (cm_valtype){.kind = CM_TUPLE, .n = 1, .fields = &df[i]};
        all = all && cm_valtype_layout(&deep[i], &err);
        prev = &deep[i];
    }
    EXPECT(!all && strstr(err.msg, "nested too deeply"));
}

static void test_bad_input(void)
{
    size_t before = host_live();
    cm_cx cx = cx_on(&A);
    cm_val out = {0};
    uint8_t *mem = A.opts.memory->base;
    uint64_t cells[8];
    uint32_t pos;

    pos = 0; cells[0] = 65530; cells[1] = 100;
    EXPECT(!cm_lift_flat(&cx, &t_string, cells, &pos, &out));
    EXPECT_TRAP(cx.trap, "string out of bounds"); cx.trap = NULL;
    cm_val_free(&st->mem, &out);

    memcpy(mem + 300, "ok\xff", 3);
    pos = 0; cells[0] = 300; cells[1] = 3;
    EXPECT(!cm_lift_flat(&cx, &t_string, cells, &pos, &out));
    EXPECT_TRAP(cx.trap, "invalid UTF-8"); cx.trap = NULL;
    memcpy(mem + 300, "\xed\xa0\x80", 3); /* a surrogate */
    pos = 0;
    EXPECT(!cm_lift_flat(&cx, &t_string, cells, &pos, &out));
    EXPECT_TRAP(cx.trap, "invalid UTF-8"); cx.trap = NULL;
    memcpy(mem + 300, "\xc0\x80", 2); /* overlong */
    pos = 0; cells[1] = 2;
    EXPECT(!cm_lift_flat(&cx, &t_string, cells, &pos, &out));
    EXPECT_TRAP(cx.trap, "invalid UTF-8"); cx.trap = NULL;

    pos = 0; cells[0] = 9; cells[1] = 0; cells[2] = 0;
    EXPECT(!cm_lift_flat(&cx, &t_variant, cells, &pos, &out));
    EXPECT_TRAP(cx.trap, "invalid discriminant 9"); cx.trap = NULL;
    cm_val_free(&st->mem, &out);
    mem[400] = 2;
    EXPECT(!cm_load(&cx, &t_option, 400, &out));
    EXPECT_TRAP(cx.trap, "invalid discriminant 2"); cx.trap = NULL;
    cm_val_free(&st->mem, &out);

    pos = 0; cells[0] = 0xD800;
    EXPECT(!cm_lift_flat(&cx, &t_char, cells, &pos, &out));
    EXPECT_TRAP(cx.trap, "invalid char"); cx.trap = NULL;
    pos = 0; cells[0] = 0x110000;
    EXPECT(!cm_lift_flat(&cx, &t_char, cells, &pos, &out));
    EXPECT_TRAP(cx.trap, "invalid char"); cx.trap = NULL;

    pos = 0; cells[0] = 2; cells[1] = 1;
    EXPECT(!cm_lift_flat(&cx, &t_list_u32, cells, &pos, &out));
    EXPECT_TRAP(cx.trap, "not aligned"); cx.trap = NULL;
    pos = 0; cells[0] = 65532; cells[1] = 2;
    EXPECT(!cm_lift_flat(&cx, &t_list_u32, cells, &pos, &out));
    EXPECT_TRAP(cx.trap, "list out of bounds"); cx.trap = NULL;
    pos = 0; cells[0] = 0; cells[1] = 0x40000000;
    EXPECT(!cm_lift_flat(&cx, &t_list_u32, cells, &pos, &out));
    EXPECT_TRAP(cx.trap, "out of bounds"); cx.trap = NULL;
    /* A list whose third string is out of bounds: the first two are
     * freed with the rest. */
    uint32_t *w = (uint32_t *)(mem + 512);
    w[0] = 300; w[1] = 1; w[2] = 300; w[3] = 1; w[4] = 70000; w[5] = 1;
    memcpy(mem + 300, "a", 1);
    pos = 0; cells[0] = 512; cells[1] = 3;
    EXPECT(!cm_lift_flat(&cx, &t_list_string, cells, &pos, &out));
    EXPECT_TRAP(cx.trap, "out of bounds"); cx.trap = NULL;
    cm_val_free(&st->mem, &out);
    EXPECT(!cm_load(&cx, &t_u64, 65530, &out));
    EXPECT_TRAP(cx.trap, "out of bounds"); cx.trap = NULL;

    /* A realloc that returns an out-of-bounds pointer. */
    cm_canon_opts bad = A.opts;
    bad.realloc = export_func(&A, "bad_realloc");
    cx.opts = &bad;
    cm_val s = vstr("xyz");
    pos = 0;
    EXPECT(!cm_lower_flat(&cx, &t_string, &s, cells, &pos));
    EXPECT_TRAP(cx.trap, "realloc result out of bounds"); cx.trap = NULL;
    bad.realloc = NULL;
    pos = 0;
    EXPECT(!cm_lower_flat(&cx, &t_string, &s, cells, &pos));
    EXPECT_TRAP(cx.trap, "`realloc` is required"); cx.trap = NULL;
    bad.memory = NULL;
    pos = 0; cells[0] = 0; cells[1] = 0;
    EXPECT(!cm_lift_flat(&cx, &t_string, cells, &pos, &out));
    EXPECT_TRAP(cx.trap, "`memory` is required"); cx.trap = NULL;
    CHECK(host_live() == before, "host bytes back: %zu vs %zu", host_live(),
          before);
}

/* Random bytes at random places, lifted as every type: each ends in a
 * value or a trap, never a read outside the memory (ASan watches), and
 * everything lifted is freed. Memory is restored afterwards. */
static void test_random_lifts(void)
{
    size_t before = host_live();
    cm_cx cx = cx_on(&A);
    uint8_t *mem = A.opts.memory->base;
    static uint8_t saved[8192];
    memcpy(saved, mem, sizeof saved);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    const cm_valtype *types[] = {
        &t_string, &t_list_string, &t_list_list, &t_record, &t_tuple,
        &t_variant, &t_list_variant, &t_option, &t_result, &t_enum,
        &t_enum300, &t_flags40, &t_char, &t_list_u32};
    unsigned values = 0, traps = 0;
    for (int round = 0; round < 3000; round++) {
        for (size_t i = 0; i < sizeof saved; i++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            /* Small numbers make pointers and lengths that often fit. */
            mem[i] = (uint8_t)(i % 4 == 0 ? x % 64 : i % 4 == 1 ? x % 3 : 0);
        }
        for (size_t k = 0; k < sizeof types / sizeof *types; k++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            cm_val out = {0};
            uint32_t ptr = (uint32_t)(x % 256) & ~(cm_align(types[k]) - 1);
            if (cm_load(&cx, types[k], ptr, &out)) {
                values++;
            } else {
                traps++;
                rt_trap_free(cx.trap);
                cx.trap = NULL;
            }
            cm_val_free(&st->mem, &out);
        }
    }
    memcpy(mem, saved, sizeof saved);
    CHECK(values > 1000 && traps > 1000, "random lifts: %u values, %u traps",
          values, traps);
    CHECK(host_live() == before, "host bytes back: %zu vs %zu", host_live(),
          before);
}

/* ---- calls ---- */

static rt_trap *core_call(side *sd, const char *name, const uint64_t *args,
                          uint64_t *res)
{
    return rt_call(st, export_func(sd, name), args, res);
}

static bool read_string(side *sd, uint32_t at, const char *want)
{
    uint8_t *m = sd->opts.memory->base;
    uint32_t p, n;
    memcpy(&p, m + at, 4);
    memcpy(&n, m + at + 4, 4);
    return n == strlen(want) && p + n <= sd->opts.memory->size &&
           memcmp(m + p, want, n) == 0;
}

static void test_calls(void)
{
    size_t before = host_live();
    err_t err = {{0}};
    cm_val arg = vstr("h\xc3\xa9llo"), res = {0};
    rt_trap *t = cm_call(st, &fn_echo, &arg, 1, &res, 1, &err);
    CHECK(!t && !err.msg[0] && val_eq(&arg, &res), "echo: %s %s",
          t ? t->message : "", err.msg);
    if (t)
        rt_trap_free(t);
    cm_val_free(&st->mem, &res);
    EXPECT(export_global(&A, "posts") == 1);

    cm_val nums[17];
    for (int i = 0; i < 17; i++)
        nums[i] = vu(CM_U32, (uint64_t)i + 1);
    t = cm_call(st, &fn_sum, nums, 17, &res, 1, &err);
    CHECK(!t && res.kind == CM_U32 && res.u.u == 153, "sum17 %llu",
          (unsigned long long)res.u.u);
    if (t)
        rt_trap_free(t);

    /* Arguments that do not fit: an error, not a trap. */
    cm_val wrong = vu(CM_U32, 1);
    t = cm_call(st, &fn_echo, &wrong, 1, &res, 1, &err);
    EXPECT(!t && strstr(err.msg, "does not match"));
    err_clear(&err);
    cm_val bad_utf8 = vstr("\xc3(");
    t = cm_call(st, &fn_echo, &bad_utf8, 1, &res, 1, &err);
    EXPECT(!t && strstr(err.msg, "does not match"));
    err_clear(&err);
    t = cm_call(st, &fn_echo, &arg, 0, &res, 1, &err);
    EXPECT(!t && strstr(err.msg, "takes 1 arguments"));
    err_clear(&err);

    /* Core B -> lowered host function, result through a return pointer. */
    uint8_t *mb = B.opts.memory->base;
    memcpy(mb + 200, "world", 5);
    uint64_t a2[2] = {200, 5}, r1[1] = {0};
    t = core_call(&B, "call_greet", a2, r1);
    CHECK(!t && read_string(&B, 32, "hello, world"), "greet %s",
          t ? t->message : "");
    if (t)
        rt_trap_free(t);
    /* Core B -> lifted function of A: params spilled in B's memory,
     * lowered into A's (A's realloc), result lifted back. */
    for (uint32_t i = 0; i < 17; i++)
        memcpy(mb + 1024 + 4 * i, &(uint32_t){i * 10}, 4);
    uint64_t a1[1] = {1024};
    t = core_call(&B, "call_sum17", a1, r1);
    CHECK(!t && r1[0] == 1360, "call_sum17 %llu %s",
          (unsigned long long)r1[0], t ? t->message : "");
    if (t)
        rt_trap_free(t);
    memcpy(mb + 200, "\xe2\x82\xac uro", 7);
    a2[1] = 7;
    t = core_call(&B, "call_echo", a2, r1);
    CHECK(!t && read_string(&B, 40, "\xe2\x82\xac uro"), "call_echo %s",
          t ? t->message : "");
    if (t)
        rt_trap_free(t);
    EXPECT(export_global(&A, "posts") == 2);

    /* Traps on the way. */
    a2[0] = 65530; a2[1] = 100;
    EXPECT_TRAP(core_call(&B, "call_greet", a2, r1), "string out of bounds");
    memcpy(mb + 200, "\xff", 1);
    a2[0] = 200; a2[1] = 1;
    EXPECT_TRAP(core_call(&B, "call_echo", a2, r1), "invalid UTF-8");
    a1[0] = 1026;
    EXPECT_TRAP(core_call(&B, "call_sum17", a1, r1), "not aligned");
    a2[1] = 0;
    greet_lies = true;
    EXPECT_TRAP(core_call(&B, "call_greet", a2, r1),
                "host result does not match its type");
    greet_lies = false;
    B.ci.may_leave = false;
    EXPECT_TRAP(core_call(&B, "call_greet", a2, r1),
                "cannot leave component instance");
    B.ci.may_leave = true;
    A.ci.may_enter = false;
    EXPECT_TRAP(core_call(&B, "call_echo", a2, r1),
                "cannot enter component instance");
    EXPECT_TRAP(cm_call(st, &fn_echo, &arg, 1, &res, 1, &err),
                "cannot enter component instance");
    A.ci.may_enter = true;
    EXPECT(B.ci.may_enter && B.ci.may_leave && A.ci.may_leave);
    t = core_call(&B, "call_greet", a2, r1);
    EXPECT(!t && read_string(&B, 32, "hello, "));
    /* A host's list of strings, laid out by B's realloc. */
    t = core_call(&B, "call_names", NULL, r1);
    uint32_t lp, ln;
    memcpy(&lp, mb + 56, 4);
    memcpy(&ln, mb + 60, 4);
    CHECK(!t && ln == 2 && lp % 4 == 0 && read_string(&B, lp, "a") &&
              read_string(&B, lp + 8, "bc"),
          "names: %s", t ? t->message : "");
    /* A host resource handed over and dropped by the guest. */
    unsigned drops = host_drops;
    t = core_call(&B, "call_stream", NULL, r1);
    CHECK(!t && r1[0] >= 1, "stream: %s", t ? t->message : "");
    uint64_t sa[1] = {r1[0]};
    EXPECT(!core_call(&B, "drop_stream", sa, r1) &&
           host_drops == drops + 1000);
    CHECK(host_live() == before, "host bytes back: %zu vs %zu", host_live(),
          before);
}

/* ---- handles ---- */

static void test_handles(void)
{
    err_t err = {{0}};
    res_thing.impl = &A.ci;
    res_thing.dtor = export_func(&A, "dtor");
    rt_func *a_new = cm_canon_resource_new(&A.ci, &res_thing, &err);
    rt_func *a_rep = cm_canon_resource_rep(&A.ci, &res_thing, &err);
    rt_func *a_drop = cm_canon_resource_drop(&A.ci, &res_thing, &err);
    rt_func *b_drop = cm_canon_resource_drop(&B.ci, &res_thing, &err);
    rt_func *b_rep = cm_canon_resource_rep(&B.ci, &res_thing, &err);
    EXPECT(a_new && a_rep && a_drop && b_drop && b_rep);
    if (!a_new || !a_rep || !a_drop || !b_drop || !b_rep)
        return;
    size_t before = host_live(); /* the functions are the store's */
    uint64_t a[1] = {42}, r[1] = {0};
    EXPECT(!rt_call(st, a_new, a, r) && r[0] == 1);
    a[0] = 43;
    EXPECT(!rt_call(st, a_new, a, r) && r[0] == 2);
    a[0] = 2;
    EXPECT(!rt_call(st, a_rep, a, r) && r[0] == 43);
    a[0] = 7;
    EXPECT_TRAP(rt_call(st, a_rep, a, r), "unknown handle index 7");
    EXPECT_TRAP(rt_call(st, a_drop, a, r), "unknown handle index 7");
    a[0] = 0;
    EXPECT_TRAP(rt_call(st, a_drop, a, r), "unknown handle index 0");
    a[0] = 1;
    EXPECT_TRAP(rt_call(st, b_rep, a, r), "does not define");

    /* own 1 (rep 42) out of A, into B. */
    cm_callctx_init(&call);
    cm_cx ca = cx_on(&A), cb = cx_on(&B);
    cm_val h = {0};
    uint32_t idx = 0;
    EXPECT(cm_lift_own(&ca, &t_own, 1, &h) && h.u.handle.rep == 42);
    a[0] = 1;
    EXPECT_TRAP(rt_call(st, a_rep, a, r), "unknown handle index 1");
    EXPECT(cm_lower_own(&cb, &t_own, &h, &idx) && idx == 1);
    /* Lend it for a call: it cannot move or go away until the call ends. */
    EXPECT(cm_lift_borrow(&cb, &t_borrow, idx, &h) && h.u.handle.rep == 42);
    cm_val h2 = {0};
    EXPECT(!cm_lift_own(&cb, &t_own, idx, &h2));
    EXPECT_TRAP(cb.trap, "outstanding borrows"); cb.trap = NULL;
    a[0] = idx;
    EXPECT_TRAP(rt_call(st, b_drop, a, r), "outstanding borrows");
    for (int i = 0; i < 6; i++)
        EXPECT(cm_lift_borrow(&cb, &t_borrow, idx, &h2));
    EXPECT(B.ci.handles.slots[idx].lends == 7 && call.nlends == 7);
    /* Borrowed into A (which implements it): the rep itself. */
    uint32_t b_idx = 0;
    EXPECT(cm_lower_borrow(&ca, &t_borrow, &h, &b_idx) && b_idx == 42);
    /* Borrowed into B (which does not): a handle scoped to the call that
     * must be dropped before it returns. */
    EXPECT(cm_lower_borrow(&cb, &t_borrow, &h, &b_idx) && b_idx == 2);
    EXPECT(!cm_call_end(&cb, &call, &B.ci));
    EXPECT_TRAP(cb.trap, "borrow handles still remain"); cb.trap = NULL;
    a[0] = b_idx;
    EXPECT(!rt_call(st, b_drop, a, r));
    EXPECT(cm_call_end(&cb, &call, &B.ci));
    cm_callctx_free(st, &call);
    EXPECT(B.ci.handles.slots[idx].lends == 0);
    /* Now the own can go: A's destructor runs with the rep. */
    a[0] = idx;
    EXPECT(!rt_call(st, b_drop, a, r));
    EXPECT(export_global(&A, "dtors") == 42);
    EXPECT_TRAP(rt_call(st, b_drop, a, r), "unknown handle index 1");
    /* Wrong resource type. */
    cm_val hh = {.kind = CM_OWN};
    hh.u.handle.res = &res_host;
    hh.u.handle.rep = 5;
    EXPECT(cm_lower_own(&cb, &t_own_host, &hh, &idx) && idx == 1);
    a[0] = idx;
    EXPECT_TRAP(rt_call(st, b_drop, a, r), "not a thing");
    EXPECT(!cm_lift_own(&cb, &t_own, idx, &h));
    EXPECT_TRAP(cb.trap, "not a thing"); cb.trap = NULL;
    /* A host resource left in B's table is dropped with the table; A's
     * leftover own (rep 43) is not the host's to drop. */
    unsigned drops = host_drops;
    cm_handles_free(&B.ci);
    EXPECT(host_drops == drops + 5);
    EXPECT(B.ci.handles.n == 0 && !B.ci.handles.slots);
    CHECK(host_live() == before, "host bytes back: %zu vs %zu", host_live(),
          before);
}

/* Handles through calls: an own made by A for B, a borrow of it back
 * into A (the rep) and into B from the host (a scoped handle). */
static void test_handle_calls(void)
{
    size_t before = host_live();
    err_t err = {{0}};
    uint64_t a[1] = {77}, r[1] = {0};
    rt_trap *t = rt_call(st, export_func(&B, "call_make"), a, r);
    CHECK(!t, "call_make: %s", t ? t->message : "");
    uint32_t idx = (uint32_t)r[0];
    EXPECT(idx >= 1 && B.ci.handles.slots[idx].own &&
           B.ci.handles.slots[idx].rep == 77);
    /* A's table gave its handle up. */
    uint32_t left = 0;
    for (uint32_t i = 1; i < A.ci.handles.n; i++)
        left += A.ci.handles.slots[i].res && A.ci.handles.slots[i].rep == 77;
    EXPECT(left == 0);
    a[0] = idx;
    t = core_call(&B, "call_rep_of", a, r);
    CHECK(!t && r[0] == 77, "rep_of: %llu %s", (unsigned long long)r[0],
          t ? t->message : "");
    EXPECT(B.ci.handles.slots[idx].lends == 0);
    uint32_t dtors = export_global(&A, "dtors");
    EXPECT(!core_call(&B, "drop", a, r));
    EXPECT(export_global(&A, "dtors") == dtors + 77);
    EXPECT_TRAP(core_call(&B, "drop", a, r), "unknown handle index");
    EXPECT_TRAP(core_call(&B, "call_rep_of", a, r), "unknown handle index");

    /* From the host. */
    cm_val arg = vu(CM_U32, 5), res = {0};
    t = cm_call(st, &fn_make, &arg, 1, &res, 1, &err);
    EXPECT(!t && res.kind == CM_OWN && res.u.handle.rep == 5 &&
           res.u.handle.res == &res_thing);
    cm_val b = {.kind = CM_BORROW};
    b.u.handle.res = &res_thing;
    b.u.handle.rep = 5;
    t = cm_call(st, &fn_rep_of, &b, 1, &res, 1, &err);
    EXPECT(!t && res.kind == CM_U32 && res.u.u == 5);
    EXPECT_TRAP(cm_call(st, &fn_b_rep_of, &b, 1, &res, 1, &err),
                "borrow handles still remain at the end of the call");
    CHECK(host_live() == before, "host bytes back: %zu vs %zu", host_live(),
          before);
}

int main(void)
{
    mem_owner host;
    mem_owner_init(&host, MEM_OWNER_ENGINE);
    uint8_t *bin = NULL;
    size_t len = 0;
    err_t err = {{0}};
    CHECK(text_wat_to_binary(&host, wat, sizeof wat - 1, &bin, &len, &err),
          "wat: %s", err.msg);
    for (int i = 0; i < 17; i++)
        sum_params[i] = (cm_field){"n", &t_u32};
    fn_echo.type = &echo_type;
    fn_sum.type = &sum_type;
    fn_make.type = &make_type;
    fn_rep_of.type = &rep_type;
    res_thing.impl = &A.ci;
    eng = rt_engine_new(NULL);
    st = rt_store_new(eng);
    if (bin && make_side(&A, bin, len) && make_side(&B, bin, len)) {
        cm_canon_opts lift_opts = A.opts;
        lift_opts.post_return = export_func(&A, "post");
        A.opts.post_return = NULL;
        static cm_canon_opts echo_opts, sum_opts;
        echo_opts = lift_opts;
        sum_opts = A.opts;
        CHECK(cm_canon_lift(&A.ci, export_func(&A, "echo_string"),
                            &echo_type, &echo_opts, &fn_echo, &err),
              "lift echo: %s", err.msg);
        CHECK(cm_canon_lift(&A.ci, export_func(&A, "sum17"), &sum_type,
                            &sum_opts, &fn_sum, &err),
              "lift sum: %s", err.msg);
        EXPECT(cm_canon_lift(&A.ci, export_func(&A, "make"), &make_type,
                             &sum_opts, &fn_make, &err));
        EXPECT(cm_canon_lift(&A.ci, export_func(&A, "rep_of"), &rep_type,
                             &sum_opts, &fn_rep_of, &err));
        EXPECT(cm_canon_lift(&B.ci, export_func(&B, "rep_of"), &rep_type,
                             &B.opts, &fn_b_rep_of, &err));
        cm_func dummy;
        EXPECT(!cm_canon_lift(&A.ci, export_func(&A, "sum17"), &echo_type,
                              &echo_opts, &dummy, &err) &&
               strstr(err.msg, "does not match"));
        cm_canon_opts no_mem = {0};
        EXPECT(!cm_canon_lift(&A.ci, export_func(&A, "echo_string"),
                              &echo_type, &no_mem, &dummy, &err) &&
               strstr(err.msg, "`memory` is required"));
        cm_callctx_init(&call);
        test_layout();
        test_roundtrips();
        test_layout_memo();
        test_bad_input();
        test_random_lifts();
        test_calls();
        test_handles();
        test_handle_calls();
        cm_handles_free(&A.ci);
        cm_handles_free(&B.ci);
    }
    rt_store_free(st);
    rt_engine_free(eng);
    if (bin)
        mem_free(&host, MEM_HOST, bin);
    char what[200];
    CHECK(rt_stats_all_zero(what, sizeof what), "live: %s", what);
    CHECK(mem_owner_live(&host) == 0, "host owner live");
    return check_summary();
}
