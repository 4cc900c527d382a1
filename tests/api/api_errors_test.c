/* The error cases of wasm.h: NULL and mismatched arguments are reported
 * (NULL, false, 0, an empty vector or a trap), never a crash, wherever the
 * standard's signatures leave room for it; objects of one store are
 * refused by another. Runs under ASan and valgrind like the others. */
#include <stdio.h>

#include "api_util.h"

static wasm_trap_t *nop_cb(const wasm_val_vec_t *args, wasm_val_vec_t *res)
{
    (void)args;
    (void)res;
    return NULL;
}

/* Without any object: deletes of NULL, copies of NULL, accessors. */
static void test_null_objects(void)
{
    wasm_byte_vec_delete(NULL);
    wasm_val_vec_delete(NULL);
    wasm_valtype_delete(NULL);
    wasm_functype_delete(NULL);
    wasm_globaltype_delete(NULL);
    wasm_tabletype_delete(NULL);
    wasm_memorytype_delete(NULL);
    wasm_externtype_delete(NULL);
    wasm_importtype_delete(NULL);
    wasm_exporttype_delete(NULL);
    wasm_config_delete(NULL);
    wasm_engine_delete(NULL);
    wasm_store_delete(NULL);
    wasm_module_delete(NULL);
    wasm_shared_module_delete(NULL);
    wasm_func_delete(NULL);
    wasm_global_delete(NULL);
    wasm_table_delete(NULL);
    wasm_memory_delete(NULL);
    wasm_extern_delete(NULL);
    wasm_instance_delete(NULL);
    wasm_trap_delete(NULL);
    wasm_frame_delete(NULL);
    wasm_foreign_delete(NULL);
    wasm_ref_delete(NULL);
    wasm_val_delete(NULL);
    EXPECT(wasm_valtype_copy(NULL) == NULL);
    EXPECT(wasm_functype_copy(NULL) == NULL);
    EXPECT(wasm_globaltype_copy(NULL) == NULL);
    EXPECT(wasm_tabletype_copy(NULL) == NULL);
    EXPECT(wasm_memorytype_copy(NULL) == NULL);
    EXPECT(wasm_externtype_copy(NULL) == NULL);
    EXPECT(wasm_importtype_copy(NULL) == NULL);
    EXPECT(wasm_exporttype_copy(NULL) == NULL);
    EXPECT(wasm_module_copy(NULL) == NULL);
    EXPECT(wasm_func_copy(NULL) == NULL);
    EXPECT(wasm_trap_copy(NULL) == NULL);
    EXPECT(wasm_frame_copy(NULL) == NULL);
    EXPECT(wasm_ref_copy(NULL) == NULL);
    EXPECT(wasm_functype_params(NULL) == NULL);
    EXPECT(wasm_functype_results(NULL) == NULL);
    EXPECT(wasm_globaltype_content(NULL) == NULL);
    EXPECT(wasm_tabletype_element(NULL) == NULL);
    EXPECT(wasm_tabletype_limits(NULL) == NULL);
    EXPECT(wasm_memorytype_limits(NULL) == NULL);
    EXPECT(wasm_importtype_module(NULL) == NULL);
    EXPECT(wasm_importtype_name(NULL) == NULL);
    EXPECT(wasm_importtype_type(NULL) == NULL);
    EXPECT(wasm_exporttype_name(NULL) == NULL);
    EXPECT(wasm_exporttype_type(NULL) == NULL);
    EXPECT(wasm_externtype_as_functype(NULL) == NULL);
    EXPECT(wasm_functype_as_externtype(NULL) == NULL);
    EXPECT(wasm_ref_as_func(NULL) == NULL);
    EXPECT(wasm_func_as_ref(NULL) == NULL);
    EXPECT(wasm_extern_as_memory(NULL) == NULL);
    EXPECT(wasm_memory_as_extern(NULL) == NULL);
    EXPECT(wasm_ref_get_host_info(NULL) == NULL);
    wasm_ref_set_host_info(NULL, NULL);
    wasm_func_set_host_info_with_finalizer(NULL, NULL, NULL);
    EXPECT(wasm_frame_instance(NULL) == NULL);
    EXPECT(wasm_frame_func_index(NULL) == 0);
    EXPECT(wasm_frame_func_offset(NULL) == 0);
    EXPECT(wasm_frame_module_offset(NULL) == 0);
    EXPECT(wasm_trap_origin(NULL) == NULL);
    wasm_message_t msg;
    wasm_trap_message(NULL, &msg);
    EXPECT(msg.size == 0);
    wasm_frame_vec_t frames;
    wasm_trap_trace(NULL, &frames);
    EXPECT(frames.size == 0);
    wasm_importtype_vec_t imps;
    wasm_module_imports(NULL, &imps);
    EXPECT(imps.size == 0);
    wasm_exporttype_vec_t exps;
    wasm_module_exports(NULL, &exps);
    EXPECT(exps.size == 0);
    wasm_extern_vec_t exts;
    wasm_instance_exports(NULL, &exts);
    EXPECT(exts.size == 0);
    EXPECT(wasm_module_share(NULL) == NULL);
    EXPECT(wasm_func_type(NULL) == NULL);
    EXPECT(wasm_func_param_arity(NULL) == 0 && wasm_func_result_arity(NULL) == 0);
    EXPECT(wasm_global_type(NULL) == NULL);
    EXPECT(wasm_table_type(NULL) == NULL && wasm_table_size(NULL) == 0);
    EXPECT(wasm_table_get(NULL, 0) == NULL && !wasm_table_set(NULL, 0, NULL));
    EXPECT(!wasm_table_grow(NULL, 1, NULL));
    EXPECT(wasm_memory_type(NULL) == NULL && wasm_memory_data(NULL) == NULL);
    EXPECT(wasm_memory_data_size(NULL) == 0 && wasm_memory_size(NULL) == 0);
    EXPECT(!wasm_memory_grow(NULL, 1));
    EXPECT(wasm_extern_type(NULL) == NULL);
    wasm_val_t v;
    wasm_global_get(NULL, &v);
    EXPECT(v.kind == WASM_EXTERNREF && v.of.ref == NULL);
    wasm_global_set(NULL, &v);
    wasm_trap_t *t = wasm_func_call(NULL, NULL, NULL);
    wasm_trap_message(t, &msg);
    EXPECT(t && msg_is(&msg, "null function"));
    wasm_name_delete(&msg);
    wasm_trap_delete(t);
    EXPECT(wasm_store_new(NULL) == NULL);
    /* Type constructors refuse what cannot be a type, taking their
     * arguments all the same. */
    wasm_limits_t lim = {0, 1};
    EXPECT(wasm_tabletype_new(wasm_valtype_new_i32(), &lim) == NULL);
    EXPECT(wasm_tabletype_new(wasm_valtype_new_funcref(), NULL) == NULL);
    EXPECT(wasm_globaltype_new(wasm_valtype_new_i32(), 2) == NULL);
    wasm_valtype_vec_t p;
    wasm_valtype_vec_new_empty(&p);
    EXPECT(wasm_functype_new(&p, NULL) == NULL);
    wasm_name_t n;
    wasm_name_new_from_string(&n, "x");
    EXPECT(wasm_exporttype_new(&n, NULL) == NULL);
    EXPECT(n.data == NULL); /* taken even so */
}

/* With a store: arguments that do not fit. */
static void test_mismatches(wasm_engine_t *engine)
{
    wasm_store_t *s = wasm_store_new(engine);
    wasm_store_t *other = wasm_store_new(engine);
    wasm_functype_t *ft = wasm_functype_new_0_0();
    EXPECT(wasm_func_new(NULL, ft, nop_cb) == NULL);
    EXPECT(wasm_func_new(s, NULL, nop_cb) == NULL);
    EXPECT(wasm_func_new(s, ft, NULL) == NULL);
    EXPECT(wasm_func_new_with_env(s, ft, NULL, NULL, NULL) == NULL);
    wasm_func_t *f = wasm_func_new(s, ft, nop_cb);
    wasm_functype_delete(ft);
    EXPECT(f != NULL);
    /* v128 (ebb's extension of the kinds): in types, never in values. */
    ft = wasm_functype_new_1_0(wasm_valtype_new(WASM_V128));
    EXPECT(ft && wasm_valtype_kind(wasm_functype_params(ft)->data[0]) ==
                     WASM_V128);
    EXPECT(wasm_func_new(s, ft, nop_cb) == NULL);
    wasm_functype_delete(ft);
    wasm_globaltype_t *vt = wasm_globaltype_new(wasm_valtype_new(WASM_V128),
                                                WASM_CONST);
    wasm_val_t v128 = {.kind = WASM_V128, .of = {.ref = NULL}};
    EXPECT(vt && wasm_global_new(s, vt, &v128) == NULL);
    wasm_globaltype_delete(vt);
    wasm_module_t *sm = wat_module(s,
        "(module (func (export \"v\") (param v128) (result v128) local.get 0))");
    EXPECT(sm != NULL);
    wasm_exporttype_vec_t sx;
    wasm_module_exports(sm, &sx);
    const wasm_functype_t *sft = sx.size == 1
        ? wasm_externtype_as_functype_const(wasm_exporttype_type(sx.data[0]))
        : NULL;
    EXPECT(sft && wasm_valtype_kind(wasm_functype_results(sft)->data[0]) ==
                      WASM_V128);
    wasm_exporttype_vec_delete(&sx);
    wasm_instance_t *si = wasm_instance_new(s, sm, NULL, NULL);
    wasm_extern_vec_t sxe;
    wasm_instance_exports(si, &sxe);
    wasm_val_t sres[1];
    wasm_val_vec_t sav = {1, &v128}, srv = {1, sres};
    wasm_trap_t *st = sxe.size == 1
        ? wasm_func_call(wasm_extern_as_func(sxe.data[0]), &sav, &srv) : NULL;
    EXPECT(st != NULL); /* refused with a message, not run */
    wasm_trap_delete(st);
    wasm_extern_vec_delete(&sxe);
    wasm_instance_delete(si);
    wasm_module_delete(sm);
    EXPECT(wasm_foreign_new(NULL) == NULL);
    EXPECT(wasm_module_validate(NULL, NULL) == false);
    wasm_byte_vec_t empty = WASM_EMPTY_VEC;
    EXPECT(wasm_module_new(s, &empty) == NULL);
    EXPECT(!wasm_module_validate(s, &empty));
    EXPECT(wasm_module_deserialize(s, &empty) == NULL);

    /* Globals: a value of another kind, or a reference of another store. */
    wasm_globaltype_t *gt = wasm_globaltype_new(wasm_valtype_new_i32(), WASM_VAR);
    wasm_val_t f64 = WASM_F64_VAL(1.0);
    EXPECT(wasm_global_new(s, gt, &f64) == NULL);
    EXPECT(wasm_global_new(s, gt, NULL) == NULL);
    EXPECT(wasm_global_new(NULL, gt, &f64) == NULL);
    EXPECT(wasm_global_new(s, NULL, &f64) == NULL);
    wasm_globaltype_delete(gt);
    gt = wasm_globaltype_new(wasm_valtype_new_funcref(), WASM_VAR);
    wasm_val_t fr = {.kind = WASM_FUNCREF, .of = {.ref = wasm_func_as_ref(f)}};
    EXPECT(wasm_global_new(other, gt, &fr) == NULL); /* f is s's */
    wasm_foreign_t *fo = wasm_foreign_new(s);
    wasm_val_t wrong_ref = {.kind = WASM_FUNCREF,
                            .of = {.ref = wasm_foreign_as_ref(fo)}};
    EXPECT(wasm_global_new(s, gt, &wrong_ref) == NULL); /* not a func */
    wasm_global_t *g = wasm_global_new(s, gt, &fr);
    EXPECT(g != NULL);
    wasm_global_set(g, &wrong_ref);
    wasm_val_t got;
    wasm_global_get(g, &got);
    EXPECT(got.of.ref && wasm_ref_same(got.of.ref, wasm_func_as_ref(f)));
    wasm_val_delete(&got);
    wasm_globaltype_delete(gt);

    /* Tables and memories with impossible types. */
    wasm_limits_t bad = {5, 2}, big = {0, 70000};
    wasm_tabletype_t *tt = wasm_tabletype_new(wasm_valtype_new_funcref(), &bad);
    EXPECT(wasm_table_new(s, tt, NULL) == NULL);
    wasm_tabletype_delete(tt);
    wasm_limits_t ok = {1, 1};
    tt = wasm_tabletype_new(wasm_valtype_new_funcref(), &ok);
    EXPECT(wasm_table_new(s, tt, wasm_foreign_as_ref(fo)) == NULL);
    EXPECT(wasm_table_new(NULL, tt, NULL) == NULL);
    wasm_table_t *tab = wasm_table_new(s, tt, NULL);
    EXPECT(tab && !wasm_table_grow(tab, 1, NULL)); /* maximum 1 */
    EXPECT(!wasm_table_grow(tab, 0, wasm_foreign_as_ref(fo)));
    wasm_tabletype_delete(tt);
    wasm_memorytype_t *mt = wasm_memorytype_new(&big);
    EXPECT(wasm_memory_new(s, mt) == NULL); /* more than 65536 pages */
    EXPECT(wasm_memory_new(NULL, mt) == NULL);
    EXPECT(wasm_memory_new(s, NULL) == NULL);
    wasm_memorytype_delete(mt);

    /* Views of the wrong kind. */
    wasm_extern_t *ef = wasm_func_as_extern(f);
    EXPECT(wasm_extern_as_table(ef) == NULL && wasm_extern_as_global(ef) == NULL);
    EXPECT(wasm_ref_as_extern(wasm_foreign_as_ref(fo)) == NULL);
    EXPECT(wasm_ref_as_module_const(wasm_func_as_ref_const(f)) == NULL);
    EXPECT(wasm_memory_data(wasm_extern_as_memory(ef)) == NULL);

    /* Instances: imports of another store, NULL entries, a module of
     * another engine. */
    wasm_module_t *m = wat_module(s, "(module (import \"\" \"f\" (func)))");
    EXPECT(m != NULL);
    wasm_extern_t *imps[1] = {ef};
    wasm_extern_vec_t iv = WASM_ARRAY_VEC(imps);
    wasm_trap_t *trap = NULL;
    EXPECT(wasm_instance_new(other, m, &iv, &trap) == NULL && trap);
    wasm_trap_delete(trap);
    imps[0] = NULL;
    EXPECT(wasm_instance_new(s, m, &iv, &trap) == NULL && trap);
    wasm_trap_delete(trap);
    wasm_engine_t *e2 = wasm_engine_new();
    wasm_store_t *s2 = wasm_store_new(e2);
    imps[0] = ef;
    EXPECT(wasm_instance_new(s2, m, &iv, &trap) == NULL && trap);
    wasm_trap_delete(trap);
    wasm_instance_t *inst = wasm_instance_new(s, m, &iv, &trap);
    EXPECT(inst != NULL && trap == NULL);
    wasm_instance_delete(inst);
    wasm_store_delete(s2);
    wasm_engine_delete(e2);
    wasm_module_delete(m);

    /* Calls: arguments of the wrong number or kind, a reference of
     * another store. */
    wasm_functype_t *ft2 = wasm_functype_new_1_0(wasm_valtype_new_funcref());
    wasm_func_t *takes_ref = wasm_func_new(s, ft2, nop_cb);
    wasm_functype_delete(ft2);
    wasm_func_t *f_other;
    ft2 = wasm_functype_new_0_0();
    f_other = wasm_func_new(other, ft2, nop_cb);
    wasm_functype_delete(ft2);
    wasm_val_t arg = {.kind = WASM_FUNCREF,
                      .of = {.ref = wasm_func_as_ref(f_other)}};
    wasm_val_vec_t av = {1, &arg}, none = WASM_EMPTY_VEC;
    trap = wasm_func_call(takes_ref, &av, &none);
    EXPECT(trap != NULL);
    wasm_trap_delete(trap);
    trap = wasm_func_call(takes_ref, NULL, NULL);
    EXPECT(trap != NULL);
    wasm_trap_delete(trap);
    av.data = NULL;
    trap = wasm_func_call(takes_ref, &av, NULL); /* size 1, no data */
    EXPECT(trap != NULL);
    wasm_trap_delete(trap);
    arg.of.ref = wasm_func_as_ref(f);
    av.data = &arg;
    EXPECT(wasm_func_call(takes_ref, &av, NULL) == NULL);

    wasm_func_delete(f_other);
    wasm_func_delete(takes_ref);
    wasm_table_delete(tab);
    wasm_global_delete(g);
    wasm_foreign_delete(fo);
    wasm_func_delete(f);
    wasm_store_delete(other);
    wasm_store_delete(s);
}

int main(void)
{
    test_null_objects();
    wasm_engine_t *engine = wasm_engine_new();
    test_mismatches(engine);
    wasm_engine_delete(engine);
    CHECK(mem_global_live() == 0, "%zu bytes still live", mem_global_live());
    return check_summary();
}
