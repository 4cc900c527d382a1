/* wasm.h with an engine and a store: modules (reflection, validation,
 * sharing, serialization), host functions, calls, globals, tables,
 * memories, externs, instances, traps with their frames, foreign objects,
 * references and host info; the error cases the standard lets ebb report;
 * and ownership: every handle deleted, finalizers run exactly once, and
 * every counter back to zero at the end. */
#include <stdio.h>
#include <stdlib.h>

#include "api_util.h"
#include "ebb.h"

/* Imports two host functions, a global, a table; defines the rest.
 * Function indices: 0 hello and 1 ht (imported), 2 call_hello, 3 add,
 * 4 multi, 5 get_g, 6 inc_g, 7 load, 8 boom, 9 deep, ... */
static const char *const main_wat =
    "(module\n"
    "  (import \"env\" \"hello\" (func $hello (param i32) (result i32)))\n"
    "  (import \"env\" \"g\" (global $g (mut i32)))\n"
    "  (import \"env\" \"t\" (table 2 funcref))\n"
    "  (import \"env\" \"ht\" (func $ht))\n"
    "  (func (export \"call_hello\") (param i32) (result i32)\n"
    "    local.get 0 call $hello)\n"
    "  (func $add (export \"add\") (param i32 i32) (result i32)\n"
    "    local.get 0 local.get 1 i32.add)\n"
    "  (func (export \"multi\") (param i64 f32 f64) (result f64 f32 i64)\n"
    "    local.get 2 local.get 1 local.get 0)\n"
    "  (func (export \"get_g\") (result i32) global.get $g)\n"
    "  (func (export \"inc_g\") global.get $g i32.const 1 i32.add global.set $g)\n"
    "  (func (export \"load\") (param i32) (result i32) local.get 0 i32.load8_u)\n"
    "  (func $boom (export \"boom\") nop unreachable)\n"
    "  (func (export \"deep\") call $boom)\n"
    "  (func (export \"div\") (param i32 i32) (result i32)\n"
    "    local.get 0 local.get 1 i32.div_s)\n"
    "  (func (export \"id_ext\") (param externref) (result externref) local.get 0)\n"
    "  (func (export \"id_func\") (param funcref) (result funcref) local.get 0)\n"
    "  (func (export \"call_ind\") (param i32) (result i32)\n"
    "    i32.const 7 local.get 0 call_indirect (param i32) (result i32))\n"
    "  (func (export \"host_trap_via\") call $ht)\n"
    "  (global (export \"gc\") i64 (i64.const 42))\n"
    "  (global (export \"gf\") (mut f32) (f32.const 1.5))\n"
    "  (table (export \"tab\") 3 externref)\n"
    "  (memory (export \"mem\") 1 2)\n"
    "  (data (i32.const 0) \"\\2a\\07\"))\n";

enum { X_CALL_HELLO, X_ADD, X_MULTI, X_GET_G, X_INC_G, X_LOAD, X_BOOM, X_DEEP,
       X_DIV, X_ID_EXT, X_ID_FUNC, X_CALL_IND, X_HOST_TRAP_VIA, X_GC, X_GF,
       X_TAB, X_MEM, X_COUNT };

static int finalized[8];

static void count_final(void *p)
{
    finalized[(int)(intptr_t)p]++;
}

/* hello: x * 2, the plain callback form. */
static wasm_trap_t *hello_cb(const wasm_val_vec_t *args, wasm_val_vec_t *res)
{
    res->data[0].kind = WASM_I32;
    res->data[0].of.i32 = args->data[0].of.i32 * 2;
    return NULL;
}

typedef struct host_env {
    wasm_store_t *store;
    int calls;
} host_env;

/* ht: traps with a message from the host. */
static wasm_trap_t *trap_cb(void *env, const wasm_val_vec_t *args,
                            wasm_val_vec_t *res)
{
    host_env *h = env;
    (void)args;
    (void)res;
    h->calls++;
    wasm_message_t msg;
    wasm_name_new_from_string_nt(&msg, "host says no");
    wasm_trap_t *t = wasm_trap_new(h->store, &msg);
    wasm_name_delete(&msg);
    return t;
}

static void free_env(void *env)
{
    ((host_env *)env)->calls = -1000; /* marks the finalizer's run */
}

static wasm_module_t *compile_main(wasm_store_t *store)
{
    return wat_module(store, main_wat);
}

static void test_module(wasm_engine_t *engine, wasm_store_t *store)
{
    wasm_byte_vec_t bin, junk;
    wat_bytes(&bin, main_wat);
    EXPECT(bin.size > 8);
    EXPECT(wasm_module_validate(store, &bin));
    wasm_byte_vec_new(&junk, 8, "\0asm\2\0\0\0");
    EXPECT(!wasm_module_validate(store, &junk));
    EXPECT(wasm_module_new(store, &junk) == NULL); /* invalid: NULL */
    EXPECT(wasm_module_new(NULL, &bin) == NULL);
    EXPECT(wasm_module_new(store, NULL) == NULL);
    wasm_byte_vec_delete(&junk);

    wasm_module_t *m = wasm_module_new(store, &bin);
    EXPECT(m != NULL);
    wasm_importtype_vec_t imps;
    wasm_module_imports(m, &imps);
    EXPECT(imps.size == 4);
    if (imps.size == 4) {
        EXPECT(wasm_importtype_module(imps.data[0])->size == 3 &&
               memcmp(wasm_importtype_name(imps.data[0])->data, "hello", 5) == 0);
        const wasm_functype_t *ft = wasm_externtype_as_functype_const(
            wasm_importtype_type(imps.data[0]));
        EXPECT(ft && wasm_functype_params(ft)->size == 1 &&
               wasm_valtype_kind(wasm_functype_results(ft)->data[0]) == WASM_I32);
        const wasm_globaltype_t *gt = wasm_externtype_as_globaltype_const(
            wasm_importtype_type(imps.data[1]));
        EXPECT(gt && wasm_globaltype_mutability(gt) == WASM_VAR);
        const wasm_tabletype_t *tt = wasm_externtype_as_tabletype_const(
            wasm_importtype_type(imps.data[2]));
        EXPECT(tt && wasm_tabletype_limits(tt)->min == 2 &&
               wasm_tabletype_limits(tt)->max == wasm_limits_max_default);
    }
    wasm_importtype_vec_delete(&imps);
    wasm_exporttype_vec_t exps;
    wasm_module_exports(m, &exps);
    EXPECT(exps.size == X_COUNT);
    if (exps.size == X_COUNT) {
        EXPECT(wasm_externtype_kind(wasm_exporttype_type(exps.data[X_MULTI])) ==
               WASM_EXTERN_FUNC);
        const wasm_functype_t *ft = wasm_externtype_as_functype_const(
            wasm_exporttype_type(exps.data[X_MULTI]));
        EXPECT(ft && wasm_functype_results(ft)->size == 3 &&
               wasm_valtype_kind(wasm_functype_results(ft)->data[2]) == WASM_I64);
        EXPECT(wasm_externtype_kind(wasm_exporttype_type(exps.data[X_GC])) ==
               WASM_EXTERN_GLOBAL);
        EXPECT(wasm_externtype_kind(wasm_exporttype_type(exps.data[X_TAB])) ==
               WASM_EXTERN_TABLE);
        const wasm_memorytype_t *mt = wasm_externtype_as_memorytype_const(
            wasm_exporttype_type(exps.data[X_MEM]));
        EXPECT(mt && wasm_memorytype_limits(mt)->min == 1 &&
               wasm_memorytype_limits(mt)->max == 2);
        EXPECT(wasm_exporttype_name(exps.data[X_MEM])->size == 3);
    }
    wasm_exporttype_vec_delete(&exps);

    /* Serialization round trip (empty output means unsupported). */
    wasm_byte_vec_t ser;
    wasm_module_serialize(m, &ser);
    EXPECT(ser.size > 0);
    wasm_module_t *d = wasm_module_deserialize(store, &ser);
    EXPECT(d != NULL);
    if (d) {
        wasm_exporttype_vec_t dx;
        wasm_module_exports(d, &dx);
        EXPECT(dx.size == X_COUNT);
        wasm_exporttype_vec_delete(&dx);
        wasm_module_delete(d);
    }
    if (ser.size)
        ser.data[ser.size / 2] ^= 0x55;
    wasm_module_t *bad = wasm_module_deserialize(store, &ser);
    EXPECT(bad == NULL || ser.size == 0);
    wasm_module_delete(bad);
    wasm_byte_vec_delete(&ser);
    EXPECT(wasm_module_deserialize(store, &bin) == NULL); /* not serialized */

    /* Share and obtain, in this store and in another of the engine. */
    wasm_shared_module_t *sh = wasm_module_share(m);
    EXPECT(sh != NULL);
    wasm_store_t *other = wasm_store_new(engine);
    wasm_module_t *o = wasm_module_obtain(other, sh);
    EXPECT(o != NULL && !wasm_module_same(o, m));
    wasm_exporttype_vec_t ox;
    wasm_module_exports(o, &ox);
    EXPECT(ox.size == X_COUNT);
    wasm_exporttype_vec_delete(&ox);
    wasm_engine_t *engine2 = wasm_engine_new();
    wasm_store_t *foreign_store = wasm_store_new(engine2);
    EXPECT(wasm_module_obtain(foreign_store, sh) == NULL); /* other engine */
    EXPECT(wasm_module_obtain(other, NULL) == NULL);
    wasm_shared_module_delete(sh);
    wasm_module_delete(o);
    wasm_store_delete(other);
    wasm_store_delete(foreign_store);
    wasm_engine_delete(engine2);

    /* Host info and finalizer: the module's record dies with its last
     * handle, and copies share it. */
    wasm_module_set_host_info_with_finalizer(m, (void *)(intptr_t)0,
                                             count_final);
    wasm_module_t *mc = wasm_module_copy(m);
    EXPECT(wasm_module_same(m, mc));
    EXPECT(wasm_module_get_host_info(mc) == (void *)(intptr_t)0);
    wasm_module_delete(m);
    EXPECT(finalized[0] == 0);
    wasm_module_delete(mc);
    EXPECT(finalized[0] == 1);
    wasm_byte_vec_delete(&bin);
}

/* Imports for main_wat. */
typedef struct world {
    wasm_store_t *store;
    wasm_func_t *hello, *ht;
    wasm_global_t *g;
    wasm_table_t *t;
    wasm_module_t *module;
    wasm_instance_t *inst;
    wasm_extern_vec_t exports;
    host_env env;
} world;

static void world_make(world *w, wasm_store_t *store)
{
    memset(w, 0, sizeof *w);
    w->store = store;
    w->env.store = store;
    wasm_functype_t *ft = wasm_functype_new_1_1(wasm_valtype_new_i32(),
                                                wasm_valtype_new_i32());
    w->hello = wasm_func_new(store, ft, hello_cb);
    wasm_functype_delete(ft);
    ft = wasm_functype_new_0_0();
    w->ht = wasm_func_new_with_env(store, ft, trap_cb, &w->env, free_env);
    wasm_functype_delete(ft);
    wasm_globaltype_t *gt = wasm_globaltype_new(wasm_valtype_new_i32(), WASM_VAR);
    wasm_val_t v = WASM_I32_VAL(10);
    w->g = wasm_global_new(store, gt, &v);
    wasm_globaltype_delete(gt);
    wasm_limits_t lim = {2, wasm_limits_max_default};
    wasm_tabletype_t *tt = wasm_tabletype_new(wasm_valtype_new_funcref(), &lim);
    w->t = wasm_table_new(store, tt, NULL);
    wasm_tabletype_delete(tt);
    w->module = compile_main(store);
    wasm_extern_t *imports[4] = {
        wasm_func_as_extern(w->hello), wasm_global_as_extern(w->g),
        wasm_table_as_extern(w->t), wasm_func_as_extern(w->ht)};
    wasm_extern_vec_t iv = WASM_ARRAY_VEC(imports);
    wasm_trap_t *trap = (wasm_trap_t *)1;
    w->inst = wasm_instance_new(store, w->module, &iv, &trap);
    EXPECT(w->inst != NULL && trap == NULL);
    wasm_instance_exports(w->inst, &w->exports);
    EXPECT(w->exports.size == X_COUNT);
}

static void world_free(world *w)
{
    wasm_extern_vec_delete(&w->exports);
    wasm_instance_delete(w->inst);
    wasm_module_delete(w->module);
    wasm_func_delete(w->hello);
    wasm_func_delete(w->ht);
    wasm_global_delete(w->g);
    wasm_table_delete(w->t);
}

static wasm_func_t *xfunc(world *w, int i)
{
    return w->exports.size == X_COUNT ? wasm_extern_as_func(w->exports.data[i])
                                      : NULL;
}

static void test_calls(world *w)
{
    wasm_val_t args[3], res[3];
    wasm_val_vec_t av = {2, args}, rv = {1, res};
    args[0] = (wasm_val_t)WASM_I32_VAL(40);
    args[1] = (wasm_val_t)WASM_I32_VAL(2);
    wasm_func_t *add = xfunc(w, X_ADD);
    EXPECT(wasm_func_call(add, &av, &rv) == NULL && res[0].kind == WASM_I32 &&
           res[0].of.i32 == 42);
    EXPECT(wasm_func_param_arity(add) == 2 && wasm_func_result_arity(add) == 1);
    wasm_functype_t *ft = wasm_func_type(add);
    EXPECT(ft && wasm_functype_params(ft)->size == 2);
    wasm_functype_delete(ft);

    /* Into the host and back. */
    av.size = 1;
    args[0].of.i32 = 21;
    EXPECT(wasm_func_call(xfunc(w, X_CALL_HELLO), &av, &rv) == NULL &&
           res[0].of.i32 == 42);
    /* A host function called directly. */
    EXPECT(wasm_func_call(w->hello, &av, &rv) == NULL && res[0].of.i32 == 42);

    /* Multiple values of every numeric type, bits intact. */
    args[0] = (wasm_val_t)WASM_I64_VAL(-(1LL << 50));
    args[1] = (wasm_val_t)WASM_F32_VAL(0.25f);
    args[2] = (wasm_val_t)WASM_F64_VAL(1e300);
    av.size = 3;
    rv.size = 3;
    EXPECT(wasm_func_call(xfunc(w, X_MULTI), &av, &rv) == NULL &&
           res[0].kind == WASM_F64 && res[0].of.f64 == 1e300 &&
           res[1].kind == WASM_F32 && res[1].of.f32 == 0.25f &&
           res[2].kind == WASM_I64 && res[2].of.i64 == -(1LL << 50));

    /* Mismatched arguments are reported as traps, not crashes. */
    wasm_trap_t *t = wasm_func_call(add, &av, &rv); /* 3 args for 2 */
    wasm_message_t msg;
    wasm_trap_message(t, &msg);
    EXPECT(t && msg_is(&msg, "wrong number of arguments"));
    wasm_name_delete(&msg);
    wasm_trap_delete(t);
    av.size = 2;
    args[0] = (wasm_val_t)WASM_F32_VAL(1.0f);
    args[1] = (wasm_val_t)WASM_I32_VAL(1);
    t = wasm_func_call(add, &av, &rv);
    wasm_trap_message(t, &msg);
    EXPECT(t && msg_is(&msg, "argument type mismatch"));
    wasm_name_delete(&msg);
    wasm_trap_delete(t);
    rv.size = 0;
    args[0] = (wasm_val_t)WASM_I32_VAL(1);
    t = wasm_func_call(add, &av, &rv);
    EXPECT(t != NULL); /* no room for the result */
    wasm_trap_delete(t);
    t = wasm_func_call(NULL, &av, &rv);
    EXPECT(t != NULL); /* "null function" */
    wasm_trap_delete(t);

    /* call_indirect through the imported table. */
    EXPECT(wasm_table_set(w->t, 1, wasm_func_as_ref(w->hello)));
    av.size = 1;
    rv.size = 1;
    args[0] = (wasm_val_t)WASM_I32_VAL(1);
    EXPECT(wasm_func_call(xfunc(w, X_CALL_IND), &av, &rv) == NULL &&
           res[0].of.i32 == 14);
    args[0].of.i32 = 0; /* null element */
    t = wasm_func_call(xfunc(w, X_CALL_IND), &av, &rv);
    wasm_trap_message(t, &msg);
    EXPECT(t && msg.size > 1 && strstr(msg.data, "uninitialized element"));
    wasm_name_delete(&msg);
    wasm_trap_delete(t);
}

static void test_traps(world *w)
{
    wasm_val_vec_t none = WASM_EMPTY_VEC;
    wasm_trap_t *t = wasm_func_call(xfunc(w, X_DEEP), &none, &none);
    EXPECT(t != NULL);
    wasm_message_t msg;
    wasm_trap_message(t, &msg);
    EXPECT(msg_is(&msg, "unreachable"));
    wasm_name_delete(&msg);
    wasm_frame_t *origin = wasm_trap_origin(t);
    EXPECT(origin && wasm_frame_func_index(origin) == 8);
    EXPECT(origin && wasm_frame_module_offset(origin) > 0 &&
           wasm_frame_func_offset(origin) > 0 &&
           wasm_frame_func_offset(origin) < wasm_frame_module_offset(origin));
    EXPECT(wasm_instance_same(wasm_frame_instance(origin), w->inst));
    wasm_frame_t *fc = wasm_frame_copy(origin);
    EXPECT(fc && fc != origin && wasm_frame_func_index(fc) == 8);
    wasm_frame_vec_t trace, tc;
    wasm_trap_trace(t, &trace);
    EXPECT(trace.size == 2 && wasm_frame_func_index(trace.data[1]) == 9);
    wasm_frame_vec_copy(&tc, &trace);
    EXPECT(tc.size == 2 && tc.data[0] != trace.data[0] &&
           wasm_frame_func_index(tc.data[0]) == 8);
    wasm_frame_t *fs[1] = {fc};
    wasm_frame_vec_t fv;
    wasm_frame_vec_new(&fv, 1, fs); /* takes fc */
    EXPECT(fv.size == 1);
    wasm_frame_vec_delete(&fv);
    wasm_frame_vec_delete(&trace);
    wasm_frame_vec_delete(&tc);
    wasm_frame_delete(origin);

    /* Trap refs: copy, same, host info, views. */
    wasm_trap_t *tcopy = wasm_trap_copy(t);
    EXPECT(wasm_trap_same(t, tcopy));
    wasm_trap_set_host_info_with_finalizer(t, (void *)(intptr_t)1, count_final);
    EXPECT(wasm_trap_get_host_info(tcopy) == (void *)(intptr_t)1);
    wasm_ref_t *r = wasm_trap_as_ref(t);
    EXPECT(wasm_ref_as_trap(r) == t && wasm_ref_as_func(r) == NULL);
    EXPECT(wasm_trap_as_ref_const(t) == r && wasm_ref_as_trap_const(r) == t);
    wasm_trap_delete(t);
    EXPECT(finalized[1] == 0);
    wasm_trap_delete(tcopy);
    EXPECT(finalized[1] == 1);

    /* Traps of the spec's kinds, and a host trap through Wasm. */
    wasm_val_t args[2] = {WASM_I32_VAL(1), WASM_I32_VAL(0)}, res[1];
    wasm_val_vec_t av = WASM_ARRAY_VEC(args), rv = WASM_ARRAY_VEC(res);
    t = wasm_func_call(xfunc(w, X_DIV), &av, &rv);
    wasm_trap_message(t, &msg);
    EXPECT(msg_is(&msg, "integer divide by zero"));
    wasm_name_delete(&msg);
    wasm_trap_delete(t);
    /* A trap needs no room for results: the real trap comes back. */
    t = wasm_func_call(xfunc(w, X_DIV), &av, &none);
    wasm_trap_message(t, &msg);
    EXPECT(msg_is(&msg, "integer divide by zero"));
    wasm_name_delete(&msg);
    wasm_trap_delete(t);
    int before = w->env.calls;
    t = wasm_func_call(xfunc(w, X_HOST_TRAP_VIA), &none, &none);
    wasm_trap_message(t, &msg);
    EXPECT(w->env.calls == before + 1 && msg_is(&msg, "host says no"));
    wasm_name_delete(&msg);
    wasm_trap_delete(t);
    /* A trap made by the embedder, without and with a message. */
    t = wasm_trap_new(w->store, NULL);
    wasm_trap_message(t, &msg);
    EXPECT(t && msg.size == 1 && msg.data[0] == 0);
    EXPECT(wasm_trap_origin(t) == NULL);
    wasm_frame_vec_t empty;
    wasm_trap_trace(t, &empty);
    EXPECT(empty.size == 0);
    wasm_name_delete(&msg);
    wasm_trap_delete(t);
    wasm_name_t text;
    wasm_name_new_from_string(&text, "no NUL here");
    t = wasm_trap_new(w->store, &text);
    wasm_trap_message(t, &msg);
    EXPECT(msg_is(&msg, "no NUL here"));
    wasm_name_delete(&msg);
    wasm_name_delete(&text);
    wasm_trap_delete(t);
    EXPECT(wasm_trap_new(NULL, NULL) == NULL);
}

static void test_globals(world *w)
{
    wasm_val_vec_t none = WASM_EMPTY_VEC;
    wasm_val_t res[1], v;
    wasm_val_vec_t rv = WASM_ARRAY_VEC(res);
    EXPECT(wasm_func_call(xfunc(w, X_INC_G), &none, &none) == NULL);
    wasm_global_get(w->g, &v);
    EXPECT(v.kind == WASM_I32 && v.of.i32 == 11);
    v.of.i32 = 100;
    wasm_global_set(w->g, &v);
    EXPECT(wasm_func_call(xfunc(w, X_GET_G), &none, &rv) == NULL &&
           res[0].of.i32 == 100);
    wasm_val_t wrong = WASM_I64_VAL(5);
    wasm_global_set(w->g, &wrong); /* wrong kind: unchanged */
    wasm_global_get(w->g, &v);
    EXPECT(v.of.i32 == 100);
    wasm_global_t *gc = wasm_extern_as_global(w->exports.data[X_GC]);
    wasm_global_get(gc, &v);
    EXPECT(v.kind == WASM_I64 && v.of.i64 == 42);
    wasm_global_set(gc, &wrong); /* immutable: unchanged */
    wasm_global_get(gc, &v);
    EXPECT(v.of.i64 == 42);
    wasm_globaltype_t *gt = wasm_global_type(gc);
    EXPECT(gt && wasm_globaltype_mutability(gt) == WASM_CONST &&
           wasm_valtype_kind(wasm_globaltype_content(gt)) == WASM_I64);
    wasm_globaltype_delete(gt);
    wasm_global_t *gf = wasm_extern_as_global(w->exports.data[X_GF]);
    wasm_val_t f = WASM_F32_VAL(-3.5f);
    wasm_global_set(gf, &f);
    wasm_global_get(gf, &v);
    EXPECT(v.kind == WASM_F32 && v.of.f32 == -3.5f);
    /* A global of the wrong value type is refused. */
    gt = wasm_globaltype_new(wasm_valtype_new_f64(), WASM_CONST);
    EXPECT(wasm_global_new(w->store, gt, &wrong) == NULL);
    wasm_val_t fr = {.kind = WASM_FUNCREF, .of = {.ref = NULL}};
    wasm_globaltype_delete(gt);
    gt = wasm_globaltype_new(wasm_valtype_new_funcref(), WASM_VAR);
    wasm_global_t *gref = wasm_global_new(w->store, gt, &fr);
    EXPECT(gref != NULL);
    fr.of.ref = wasm_func_as_ref(w->hello);
    wasm_global_set(gref, &fr);
    wasm_global_get(gref, &v);
    EXPECT(v.kind == WASM_FUNCREF && v.of.ref &&
           wasm_ref_same(v.of.ref, wasm_func_as_ref(w->hello)));
    wasm_val_t vc;
    wasm_val_copy(&vc, &v);
    EXPECT(vc.of.ref != v.of.ref && wasm_ref_same(vc.of.ref, v.of.ref));
    wasm_val_delete(&v);
    wasm_val_delete(&vc);
    wasm_globaltype_delete(gt);
    wasm_global_delete(gref);
}

static void test_tables(world *w)
{
    wasm_table_t *tab = wasm_extern_as_table(w->exports.data[X_TAB]);
    EXPECT(wasm_table_size(tab) == 3);
    wasm_foreign_t *fo = wasm_foreign_new(w->store);
    wasm_foreign_set_host_info(fo, (void *)(intptr_t)77);
    EXPECT(wasm_table_set(tab, 2, wasm_foreign_as_ref(fo)));
    EXPECT(!wasm_table_set(tab, 3, NULL)); /* out of bounds */
    wasm_ref_t *r = wasm_table_get(tab, 2);
    EXPECT(r && wasm_ref_same(r, wasm_foreign_as_ref(fo)));
    EXPECT(wasm_ref_get_host_info(r) == (void *)(intptr_t)77);
    EXPECT(wasm_foreign_same(wasm_ref_as_foreign(r), fo));
    EXPECT(wasm_ref_as_foreign_const(r) != NULL);
    wasm_ref_delete(r);
    EXPECT(wasm_table_get(tab, 0) == NULL); /* null */
    EXPECT(wasm_table_get(tab, 99) == NULL); /* out of bounds */
    EXPECT(wasm_table_grow(tab, 2, wasm_foreign_as_ref(fo)));
    EXPECT(wasm_table_size(tab) == 5);
    r = wasm_table_get(tab, 4);
    EXPECT(r && wasm_ref_same(r, wasm_foreign_as_ref(fo)));
    wasm_ref_delete(r);
    wasm_tabletype_t *tt = wasm_table_type(tab);
    EXPECT(tt && wasm_tabletype_limits(tt)->min == 5 &&
           wasm_valtype_kind(wasm_tabletype_element(tt)) == WASM_EXTERNREF);
    wasm_tabletype_delete(tt);
    /* A foreign object is no funcref. */
    EXPECT(!wasm_table_set(w->t, 0, wasm_foreign_as_ref(fo)));
    /* Funcref tables keep functions; a table made with a maximum stops. */
    wasm_limits_t lim = {1, 2};
    tt = wasm_tabletype_new(wasm_valtype_new_funcref(), &lim);
    wasm_table_t *small = wasm_table_new(w->store, tt, wasm_func_as_ref(w->hello));
    wasm_tabletype_delete(tt);
    EXPECT(small && wasm_table_size(small) == 1);
    r = wasm_table_get(small, 0);
    EXPECT(r && wasm_func_same(wasm_ref_as_func(r), w->hello) &&
           wasm_ref_as_func_const(r) != NULL);
    wasm_ref_delete(r);
    EXPECT(wasm_table_grow(small, 1, NULL));
    EXPECT(!wasm_table_grow(small, 1, NULL));
    EXPECT(wasm_table_size(small) == 2);
    wasm_table_delete(small);
    /* Externref through Wasm: the same object comes back. */
    wasm_val_t arg = {.kind = WASM_EXTERNREF, .of = {.ref = wasm_foreign_as_ref(fo)}};
    wasm_val_t res[1];
    wasm_val_vec_t av = {1, &arg}, rv = WASM_ARRAY_VEC(res);
    EXPECT(wasm_func_call(xfunc(w, X_ID_EXT), &av, &rv) == NULL &&
           res[0].kind == WASM_EXTERNREF && res[0].of.ref &&
           wasm_ref_same(res[0].of.ref, wasm_foreign_as_ref(fo)));
    wasm_val_delete(&res[0]);
    arg.kind = WASM_FUNCREF;
    arg.of.ref = wasm_func_as_ref(xfunc(w, X_ADD));
    EXPECT(wasm_func_call(xfunc(w, X_ID_FUNC), &av, &rv) == NULL &&
           res[0].kind == WASM_FUNCREF &&
           wasm_ref_same(res[0].of.ref, arg.of.ref));
    wasm_val_delete(&res[0]);
    wasm_foreign_delete(fo);
}

static void test_memory(world *w)
{
    wasm_memory_t *mem = wasm_extern_as_memory(w->exports.data[X_MEM]);
    EXPECT(wasm_memory_size(mem) == 1);
    EXPECT(wasm_memory_data_size(mem) == 65536);
    byte_t *data = wasm_memory_data(mem);
    EXPECT(data && data[0] == 0x2a && data[1] == 7);
    data[5] = 99;
    wasm_val_t args[1] = {WASM_I32_VAL(5)}, res[1];
    wasm_val_vec_t av = WASM_ARRAY_VEC(args), rv = WASM_ARRAY_VEC(res);
    EXPECT(wasm_func_call(xfunc(w, X_LOAD), &av, &rv) == NULL &&
           res[0].of.i32 == 99);
    EXPECT(wasm_memory_grow(mem, 1));
    EXPECT(!wasm_memory_grow(mem, 1)); /* maximum 2 */
    EXPECT(wasm_memory_size(mem) == 2 && wasm_memory_data_size(mem) == 131072);
    args[0].of.i32 = 70000;
    wasm_memory_data(mem)[70000] = 5;
    EXPECT(wasm_func_call(xfunc(w, X_LOAD), &av, &rv) == NULL &&
           res[0].of.i32 == 5);
    args[0].of.i32 = 131072;
    wasm_trap_t *t = wasm_func_call(xfunc(w, X_LOAD), &av, &rv);
    wasm_message_t msg;
    wasm_trap_message(t, &msg);
    EXPECT(msg_is(&msg, "out of bounds memory access"));
    wasm_name_delete(&msg);
    wasm_trap_delete(t);
    wasm_memorytype_t *mt = wasm_memory_type(mem);
    EXPECT(mt && wasm_memorytype_limits(mt)->min == 2 &&
           wasm_memorytype_limits(mt)->max == 2);
    wasm_memorytype_delete(mt);
    /* A memory of the embedder's. */
    wasm_limits_t lim = {0, wasm_limits_max_default};
    mt = wasm_memorytype_new(&lim);
    wasm_memory_t *own_mem = wasm_memory_new(w->store, mt);
    EXPECT(own_mem && wasm_memory_size(own_mem) == 0);
    EXPECT(wasm_memory_grow(own_mem, 3) && wasm_memory_size(own_mem) == 3);
    wasm_memorytype_delete(mt);
    wasm_limits_t bad = {3, 1};
    mt = wasm_memorytype_new(&bad);
    EXPECT(wasm_memory_new(w->store, mt) == NULL); /* max below min */
    wasm_memorytype_delete(mt);
    wasm_memory_delete(own_mem);
}

/* The views between externs and their kinds, and ref conversions. */
static void test_externs(world *w)
{
    wasm_extern_t *ef = w->exports.data[X_ADD];
    wasm_extern_t *eg = w->exports.data[X_GC];
    wasm_extern_t *et = w->exports.data[X_TAB];
    wasm_extern_t *em = w->exports.data[X_MEM];
    EXPECT(wasm_extern_kind(ef) == WASM_EXTERN_FUNC);
    EXPECT(wasm_extern_kind(eg) == WASM_EXTERN_GLOBAL);
    EXPECT(wasm_extern_kind(et) == WASM_EXTERN_TABLE);
    EXPECT(wasm_extern_kind(em) == WASM_EXTERN_MEMORY);
    EXPECT(wasm_extern_as_func(eg) == NULL && wasm_extern_as_global(ef) == NULL);
    EXPECT(wasm_extern_as_table(em) == NULL && wasm_extern_as_memory(et) == NULL);
    EXPECT(wasm_func_as_extern(wasm_extern_as_func(ef)) == ef);
    EXPECT(wasm_global_as_extern(wasm_extern_as_global(eg)) == eg);
    EXPECT(wasm_table_as_extern(wasm_extern_as_table(et)) == et);
    EXPECT(wasm_memory_as_extern(wasm_extern_as_memory(em)) == em);
    EXPECT(wasm_func_as_extern_const(wasm_extern_as_func_const(ef)) == ef);
    EXPECT(wasm_global_as_extern_const(wasm_extern_as_global_const(eg)) == eg);
    EXPECT(wasm_table_as_extern_const(wasm_extern_as_table_const(et)) == et);
    EXPECT(wasm_memory_as_extern_const(wasm_extern_as_memory_const(em)) == em);
    EXPECT(wasm_extern_as_memory_const(ef) == NULL);
    wasm_externtype_t *xt = wasm_extern_type(em);
    EXPECT(xt && wasm_externtype_kind(xt) == WASM_EXTERN_MEMORY);
    wasm_externtype_delete(xt);
    xt = wasm_extern_type(ef);
    EXPECT(xt && wasm_functype_params(wasm_externtype_as_functype(xt))->size == 2);
    wasm_externtype_delete(xt);
    /* Exports listed twice are the same objects. */
    wasm_extern_vec_t again, copy;
    wasm_instance_exports(w->inst, &again);
    EXPECT(again.size == X_COUNT && again.data[X_ADD] != ef &&
           wasm_extern_same(again.data[X_ADD], ef));
    wasm_extern_vec_copy(&copy, &again);
    EXPECT(copy.size == X_COUNT && wasm_extern_same(copy.data[X_MEM], em));
    wasm_extern_vec_delete(&again);
    wasm_extern_vec_delete(&copy);
    /* ref views of each kind. */
    wasm_ref_t *r = wasm_extern_as_ref(ef);
    EXPECT(wasm_ref_as_extern(r) == ef && wasm_ref_as_extern_const(r) == ef);
    EXPECT(wasm_extern_as_ref_const(ef) == r);
    EXPECT(wasm_ref_as_global(wasm_global_as_ref(wasm_extern_as_global(eg))) != NULL);
    EXPECT(wasm_ref_as_global_const(wasm_global_as_ref_const(
               wasm_extern_as_global_const(eg))) != NULL);
    EXPECT(wasm_ref_as_table(wasm_table_as_ref(wasm_extern_as_table(et))) != NULL);
    EXPECT(wasm_ref_as_table_const(wasm_table_as_ref_const(
               wasm_extern_as_table_const(et))) != NULL);
    EXPECT(wasm_ref_as_memory(wasm_memory_as_ref(wasm_extern_as_memory(em))) != NULL);
    EXPECT(wasm_ref_as_memory_const(wasm_memory_as_ref_const(
               wasm_extern_as_memory_const(em))) != NULL);
    EXPECT(wasm_ref_as_func(wasm_func_as_ref(wasm_extern_as_func(ef))) != NULL);
    EXPECT(wasm_ref_as_func_const(wasm_func_as_ref_const(
               wasm_extern_as_func_const(ef))) != NULL);
    EXPECT(wasm_ref_as_instance(wasm_instance_as_ref(w->inst)) == w->inst);
    EXPECT(wasm_ref_as_instance_const(wasm_instance_as_ref_const(w->inst)) ==
           w->inst);
    EXPECT(wasm_ref_as_module(wasm_module_as_ref(w->module)) == w->module);
    EXPECT(wasm_ref_as_module_const(wasm_module_as_ref_const(w->module)) ==
           w->module);
    EXPECT(wasm_ref_as_instance(r) == NULL && wasm_ref_as_module(r) == NULL &&
           wasm_ref_as_memory(r) == NULL && wasm_ref_as_table(r) == NULL &&
           wasm_ref_as_global(r) == NULL && wasm_ref_as_foreign(r) == NULL &&
           wasm_ref_as_trap_const(r) == NULL);
    wasm_foreign_t *fo = wasm_foreign_new(w->store);
    EXPECT(wasm_foreign_as_ref_const(fo) == wasm_foreign_as_ref(fo));
    EXPECT(wasm_ref_as_extern(wasm_foreign_as_ref(fo)) == NULL);
    wasm_foreign_delete(fo);
}

/* copy/same/host info of every reference type (written out, so that
 * check_symbols.sh sees each call); finalizers of store objects run when
 * the store is deleted, exactly once. */
static void set_host_infos(world *w)
{
    wasm_foreign_t *fo = wasm_foreign_new(w->store);
    wasm_func_t *c0 = wasm_func_copy(w->hello);
    EXPECT(c0 && c0 != w->hello && wasm_func_same(c0, w->hello));
    wasm_func_set_host_info(w->hello, (void *)(intptr_t)2);
    EXPECT(wasm_func_get_host_info(c0) == (void *)(intptr_t)2);
    wasm_func_set_host_info_with_finalizer(c0, (void *)(intptr_t)2,
        count_final);
    wasm_func_delete(c0);
    wasm_global_t *c1 = wasm_global_copy(w->g);
    EXPECT(c1 && c1 != w->g && wasm_global_same(c1, w->g));
    wasm_global_set_host_info(w->g, (void *)(intptr_t)3);
    EXPECT(wasm_global_get_host_info(c1) == (void *)(intptr_t)3);
    wasm_global_set_host_info_with_finalizer(c1, (void *)(intptr_t)3,
        count_final);
    wasm_global_delete(c1);
    wasm_table_t *c2 = wasm_table_copy(w->t);
    EXPECT(c2 && c2 != w->t && wasm_table_same(c2, w->t));
    wasm_table_set_host_info(w->t, (void *)(intptr_t)4);
    EXPECT(wasm_table_get_host_info(c2) == (void *)(intptr_t)4);
    wasm_table_set_host_info_with_finalizer(c2, (void *)(intptr_t)4,
        count_final);
    wasm_table_delete(c2);
    wasm_memory_t *c3 = wasm_memory_copy(wasm_extern_as_memory(w->exports.data[X_MEM]));
    EXPECT(c3 && c3 != wasm_extern_as_memory(w->exports.data[X_MEM]) && wasm_memory_same(c3, wasm_extern_as_memory(w->exports.data[X_MEM])));
    wasm_memory_set_host_info(wasm_extern_as_memory(w->exports.data[X_MEM]), (void *)(intptr_t)5);
    EXPECT(wasm_memory_get_host_info(c3) == (void *)(intptr_t)5);
    wasm_memory_set_host_info_with_finalizer(c3, (void *)(intptr_t)5,
        count_final);
    wasm_memory_delete(c3);
    wasm_instance_t *c4 = wasm_instance_copy(w->inst);
    EXPECT(c4 && c4 != w->inst && wasm_instance_same(c4, w->inst));
    wasm_instance_set_host_info(w->inst, (void *)(intptr_t)6);
    EXPECT(wasm_instance_get_host_info(c4) == (void *)(intptr_t)6);
    wasm_instance_set_host_info_with_finalizer(c4, (void *)(intptr_t)6,
        count_final);
    wasm_instance_delete(c4);
    wasm_extern_t *c5 = wasm_extern_copy(w->exports.data[X_ADD]);
    EXPECT(c5 && c5 != w->exports.data[X_ADD] && wasm_extern_same(c5, w->exports.data[X_ADD]));
    wasm_extern_set_host_info(w->exports.data[X_ADD], (void *)(intptr_t)7);
    EXPECT(wasm_extern_get_host_info(c5) == (void *)(intptr_t)7);
    wasm_extern_set_host_info_with_finalizer(c5, (void *)(intptr_t)7,
        count_final);
    wasm_extern_delete(c5);
    wasm_foreign_t *c6 = wasm_foreign_copy(fo);
    EXPECT(c6 && c6 != fo && wasm_foreign_same(c6, fo));
    wasm_foreign_set_host_info(fo, (void *)(intptr_t)7);
    EXPECT(wasm_foreign_get_host_info(c6) == (void *)(intptr_t)7);
    wasm_foreign_set_host_info_with_finalizer(c6, (void *)(intptr_t)7,
        count_final);
    wasm_foreign_delete(c6);
    wasm_foreign_t *fo2 = wasm_foreign_new(w->store);
    EXPECT(fo2 && !wasm_foreign_same(fo, fo2));
    wasm_foreign_delete(fo2);
    wasm_foreign_delete(fo);
    wasm_ref_t *r = wasm_func_as_ref(w->ht);
    wasm_ref_t *rc = wasm_ref_copy(r);
    EXPECT(wasm_ref_same(r, rc) && !wasm_ref_same(r, wasm_func_as_ref(w->hello)));
    wasm_ref_set_host_info(rc, NULL);
    EXPECT(wasm_ref_get_host_info(r) == NULL);
    wasm_ref_set_host_info_with_finalizer(rc, (void *)(intptr_t)1, count_final);
    EXPECT(wasm_func_get_host_info(w->ht) == (void *)(intptr_t)1);
    wasm_ref_delete(rc);
    /* Module and trap host info without finalizer. */
    wasm_module_set_host_info(w->module, w);
    EXPECT(wasm_module_get_host_info(w->module) == w);
    wasm_trap_t *t = wasm_trap_new(w->store, NULL);
    wasm_trap_set_host_info(t, w);
    EXPECT(wasm_trap_get_host_info(t) == w);
    wasm_trap_delete(t);
    EXPECT(!wasm_module_same(w->module, NULL));
}

/* Instantiation errors come back as traps with the reason. */
static void test_instance_errors(world *w)
{
    wasm_trap_t *trap = NULL;
    wasm_extern_vec_t none = WASM_EMPTY_VEC;
    EXPECT(wasm_instance_new(w->store, w->module, &none, &trap) == NULL);
    wasm_message_t msg;
    wasm_trap_message(trap, &msg);
    EXPECT(trap && strstr(msg.data, "incompatible import type"));
    wasm_name_delete(&msg);
    wasm_trap_delete(trap);
    /* Wrong kinds in the right number. */
    wasm_extern_t *imports[4] = {
        wasm_global_as_extern(w->g), wasm_global_as_extern(w->g),
        wasm_table_as_extern(w->t), wasm_func_as_extern(w->ht)};
    wasm_extern_vec_t iv = WASM_ARRAY_VEC(imports);
    EXPECT(wasm_instance_new(w->store, w->module, &iv, NULL) == NULL);
    EXPECT(wasm_instance_new(w->store, NULL, &iv, &trap) == NULL && !trap);
    /* A start function that traps. */
    wasm_module_t *m = wat_module(w->store,
        "(module (func $s unreachable) (start $s))");
    EXPECT(m != NULL);
    EXPECT(wasm_instance_new(w->store, m, NULL, &trap) == NULL);
    wasm_trap_message(trap, &msg);
    EXPECT(trap && msg_is(&msg, "unreachable"));
    wasm_name_delete(&msg);
    wasm_trap_delete(trap);
    wasm_module_delete(m);
}

static void test_world(wasm_engine_t *engine)
{
    wasm_store_t *store = wasm_store_new(engine);
    world w;
    world_make(&w, store);
    if (w.exports.size == X_COUNT) {
        test_calls(&w);
        test_traps(&w);
        test_globals(&w);
        test_tables(&w);
        test_memory(&w);
        test_externs(&w);
        set_host_infos(&w);
        test_instance_errors(&w);
    }
    world_free(&w);
    EXPECT(finalized[2] == 0 && w.env.calls >= 0);
    wasm_store_delete(store);
    /* Each store object's finalizer ran once; so did the function's. */
    EXPECT(finalized[1] == 2 && finalized[2] == 1 && finalized[3] == 1 &&
           finalized[4] == 1 && finalized[5] == 1 && finalized[6] == 1 &&
           finalized[7] == 2);
    EXPECT(w.env.calls < 0);
}

/* The standard deletes everything before its store; ebb also survives
 * the order some embedders use (store first, handles after), since a
 * handle's deletion touches only the handle, or a module or trap record
 * that does not depend on the store. */
static void test_late_delete(wasm_engine_t *engine)
{
    wasm_store_t *store = wasm_store_new(engine);
    wasm_module_t *m = wat_module(store,
        "(module (func (export \"f\") unreachable)"
        " (memory (export \"m\") 1))");
    wasm_instance_t *inst = wasm_instance_new(store, m, NULL, NULL);
    wasm_extern_vec_t ex;
    wasm_instance_exports(inst, &ex);
    EXPECT(ex.size == 2);
    wasm_val_vec_t none = WASM_EMPTY_VEC;
    wasm_trap_t *t = ex.size == 2
        ? wasm_func_call(wasm_extern_as_func(ex.data[0]), &none, &none)
        : NULL;
    wasm_frame_t *origin = wasm_trap_origin(t);
    EXPECT(t && origin && wasm_frame_instance(origin) != NULL);
    wasm_module_set_host_info_with_finalizer(m, (void *)(intptr_t)0,
                                             count_final);
    int before = finalized[0];
    wasm_store_delete(store);
    EXPECT(finalized[0] == before); /* the module lives on */
    wasm_frame_delete(origin);
    wasm_trap_delete(t);
    wasm_extern_vec_delete(&ex);
    wasm_instance_delete(inst);
    wasm_module_delete(m);
    EXPECT(finalized[0] == before + 1);
}

int main(void)
{
    EXPECT(wasm_store_new(NULL) == NULL);
    wasm_config_t *config = wasm_config_new();
    EXPECT(config != NULL);
    /* Under valgrind, out-of-bounds accesses must not touch guard pages
     * (valgrind reports them even though ebb turns them into traps). */
    if (getenv("EBB_TEST_NO_SIGNALS"))
        ebb_config_signals_based_traps_set(config, false);
    wasm_engine_t *engine = wasm_engine_new_with_config(config); /* takes it */
    EXPECT(engine != NULL);
    wasm_store_t *store = wasm_store_new(engine);
    EXPECT(store != NULL);
    test_module(engine, store);
    wasm_store_delete(store);
    test_world(engine);
    test_late_delete(engine);
    wasm_engine_delete(engine);
    wasm_config_delete(wasm_config_new());
    wasm_engine_delete(wasm_engine_new());
    CHECK(mem_global_live() == 0, "%zu bytes still live", mem_global_live());
    return check_summary();
}
