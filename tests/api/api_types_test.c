/* wasm.h without a store: vectors of every element type, the type objects
 * and their conversions, values. Ownership: every object made here is
 * deleted, and the test ends by checking that ebb's counters are zero
 * (ASan and valgrind check the rest). */
#include <stdio.h>

#include "api_util.h"

static void test_byte_vec(void)
{
    wasm_byte_vec_t v, c, e, u;
    wasm_byte_vec_new(&v, 5, "hello");
    EXPECT(v.size == 5 && memcmp(v.data, "hello", 5) == 0);
    wasm_byte_vec_copy(&c, &v);
    EXPECT(c.size == 5 && c.data != v.data && memcmp(c.data, "hello", 5) == 0);
    wasm_byte_vec_new_empty(&e);
    EXPECT(e.size == 0 && e.data == NULL);
    wasm_byte_vec_new_uninitialized(&u, 100);
    EXPECT(u.size == 100 && u.data != NULL);
    u.data[99] = 7;
    wasm_byte_vec_delete(&v);
    EXPECT(v.size == 0 && v.data == NULL);
    wasm_byte_vec_delete(&c);
    wasm_byte_vec_delete(&e);
    wasm_byte_vec_delete(&u);
    wasm_byte_vec_delete(NULL); /* allowed: nothing happens */

    wasm_name_t n, nt;
    wasm_name_new_from_string(&n, "abc");
    wasm_name_new_from_string_nt(&nt, "abc");
    EXPECT(n.size == 3 && nt.size == 4 && nt.data[3] == 0);
    wasm_name_delete(&n);
    wasm_name_delete(&nt);
}

static void test_valtypes(void)
{
    static const wasm_valkind_t kinds[] = {WASM_I32, WASM_I64, WASM_F32,
                                           WASM_F64, WASM_EXTERNREF,
                                           WASM_FUNCREF};
    int ok = 0;
    for (size_t i = 0; i < 6; i++) {
        wasm_valtype_t *t = wasm_valtype_new(kinds[i]);
        wasm_valtype_t *c = wasm_valtype_copy(t);
        ok += t && c && c != t && wasm_valtype_kind(t) == kinds[i] &&
              wasm_valtype_kind(c) == kinds[i] &&
              wasm_valtype_is_num(t) == (i < 4) &&
              wasm_valtype_is_ref(t) == (i >= 4) &&
              wasm_valkind_is_num(kinds[i]) == (i < 4) &&
              wasm_valkind_is_ref(kinds[i]) == (i >= 4);
        wasm_valtype_delete(t);
        wasm_valtype_delete(c);
    }
    EXPECT(ok == 6);
    EXPECT(wasm_valtype_new(7) == NULL); /* no such kind */
    EXPECT(WASM_ANYREF == WASM_EXTERNREF);

    wasm_valtype_t *shorts[6] = {
        wasm_valtype_new_i32(), wasm_valtype_new_i64(),
        wasm_valtype_new_f32(), wasm_valtype_new_f64(),
        wasm_valtype_new_externref(), wasm_valtype_new_funcref()};
    ok = 0;
    for (size_t i = 0; i < 6; i++)
        ok += wasm_valtype_kind(shorts[i]) == kinds[i];
    EXPECT(ok == 6);
    /* A vector takes the valtypes; copy is deep, delete frees all. */
    wasm_valtype_vec_t v, c, e, u;
    wasm_valtype_vec_new(&v, 6, shorts);
    wasm_valtype_vec_copy(&c, &v);
    EXPECT(c.size == 6 && c.data[5] != v.data[5] &&
           wasm_valtype_kind(c.data[5]) == WASM_FUNCREF);
    wasm_valtype_vec_new_empty(&e);
    EXPECT(e.size == 0);
    wasm_valtype_vec_new_uninitialized(&u, 2);
    EXPECT(u.size == 2);
    u.data[0] = wasm_valtype_new_i32();
    u.data[1] = wasm_valtype_new_f64();
    wasm_valtype_vec_delete(&v);
    wasm_valtype_vec_delete(&c);
    wasm_valtype_vec_delete(&e);
    wasm_valtype_vec_delete(&u);
}

static int sum_kinds(const wasm_valtype_vec_t *v)
{
    int s = 0;
    for (size_t i = 0; i < v->size; i++)
        s = s * 10 + wasm_valtype_kind(v->data[i]) % 10;
    return s;
}

static void test_functypes(void)
{
    wasm_functype_t *t = wasm_functype_new_2_1(
        wasm_valtype_new_i32(), wasm_valtype_new_f64(), wasm_valtype_new_i64());
    EXPECT(wasm_functype_params(t)->size == 2 &&
           wasm_functype_results(t)->size == 1);
    EXPECT(sum_kinds(wasm_functype_params(t)) == 3 &&
           sum_kinds(wasm_functype_results(t)) == 1);
    wasm_functype_t *c = wasm_functype_copy(t);
    EXPECT(c != t && sum_kinds(wasm_functype_params(c)) == 3);
    /* Every short-hand: arities as named. */
    wasm_functype_t *all[] = {
        wasm_functype_new_0_0(),
        wasm_functype_new_1_0(wasm_valtype_new_i32()),
        wasm_functype_new_2_0(wasm_valtype_new_i32(), wasm_valtype_new_i32()),
        wasm_functype_new_3_0(wasm_valtype_new_i32(), wasm_valtype_new_i32(),
                              wasm_valtype_new_i32()),
        wasm_functype_new_0_1(wasm_valtype_new_i32()),
        wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32()),
        wasm_functype_new_2_1(wasm_valtype_new_i32(), wasm_valtype_new_i32(),
                              wasm_valtype_new_i32()),
        wasm_functype_new_3_1(wasm_valtype_new_i32(), wasm_valtype_new_i32(),
                              wasm_valtype_new_i32(), wasm_valtype_new_i32()),
        wasm_functype_new_0_2(wasm_valtype_new_i32(), wasm_valtype_new_i32()),
        wasm_functype_new_1_2(wasm_valtype_new_i32(), wasm_valtype_new_i32(),
                              wasm_valtype_new_i32()),
        wasm_functype_new_2_2(wasm_valtype_new_i32(), wasm_valtype_new_i32(),
                              wasm_valtype_new_i32(), wasm_valtype_new_i32()),
        wasm_functype_new_3_2(wasm_valtype_new_i32(), wasm_valtype_new_i32(),
                              wasm_valtype_new_i32(), wasm_valtype_new_i32(),
                              wasm_valtype_new_i32()),
    };
    static const size_t arity[][2] = {{0, 0}, {1, 0}, {2, 0}, {3, 0},
                                      {0, 1}, {1, 1}, {2, 1}, {3, 1},
                                      {0, 2}, {1, 2}, {2, 2}, {3, 2}};
    int ok = 0;
    for (size_t i = 0; i < 12; i++)
        ok += all[i] && wasm_functype_params(all[i])->size == arity[i][0] &&
              wasm_functype_results(all[i])->size == arity[i][1];
    EXPECT(ok == 12);
    /* A vector of function types owns them. */
    wasm_functype_vec_t v, vc, e, u;
    wasm_functype_vec_new(&v, 12, all);
    wasm_functype_vec_copy(&vc, &v);
    EXPECT(vc.size == 12 && wasm_functype_results(vc.data[11])->size == 2);
    wasm_functype_vec_new_empty(&e);
    wasm_functype_vec_new_uninitialized(&u, 1);
    u.data[0] = wasm_functype_copy(c);
    EXPECT(e.size == 0 && u.size == 1 && u.data[0]);
    wasm_functype_vec_delete(&v);
    wasm_functype_vec_delete(&vc);
    wasm_functype_vec_delete(&e);
    wasm_functype_vec_delete(&u);
    /* A functype made with a NULL parameter vector is refused. */
    wasm_valtype_vec_t r;
    wasm_valtype_vec_new_empty(&r);
    EXPECT(wasm_functype_new(NULL, &r) == NULL);
    wasm_functype_delete(t);
    wasm_functype_delete(c);
    wasm_functype_delete(NULL);
}

static void test_globaltypes(void)
{
    wasm_globaltype_t *g = wasm_globaltype_new(wasm_valtype_new_f32(), WASM_VAR);
    EXPECT(wasm_valtype_kind(wasm_globaltype_content(g)) == WASM_F32);
    EXPECT(wasm_globaltype_mutability(g) == WASM_VAR);
    wasm_globaltype_t *c = wasm_globaltype_copy(g);
    EXPECT(c && wasm_globaltype_mutability(c) == WASM_VAR &&
           wasm_globaltype_content(c) != wasm_globaltype_content(g));
    EXPECT(wasm_globaltype_new(wasm_valtype_new_i32(), 9) == NULL);
    EXPECT(wasm_globaltype_new(NULL, WASM_CONST) == NULL);
    wasm_globaltype_vec_t v, vc, e, u;
    wasm_globaltype_t *two[2] = {g, c};
    wasm_globaltype_vec_new(&v, 2, two);
    wasm_globaltype_vec_copy(&vc, &v);
    wasm_globaltype_vec_new_empty(&e);
    wasm_globaltype_vec_new_uninitialized(&u, 1);
    u.data[0] = wasm_globaltype_new(wasm_valtype_new_i64(), WASM_CONST);
    EXPECT(vc.size == 2 && e.size == 0 &&
           wasm_globaltype_mutability(u.data[0]) == WASM_CONST);
    wasm_globaltype_vec_delete(&v); /* deletes g and c */
    wasm_globaltype_vec_delete(&vc);
    wasm_globaltype_vec_delete(&e);
    wasm_globaltype_vec_delete(&u);
}

static void test_tabletypes(void)
{
    wasm_limits_t lim = {1, 10};
    wasm_tabletype_t *t = wasm_tabletype_new(wasm_valtype_new_funcref(), &lim);
    EXPECT(wasm_valtype_kind(wasm_tabletype_element(t)) == WASM_FUNCREF);
    EXPECT(wasm_tabletype_limits(t)->min == 1 &&
           wasm_tabletype_limits(t)->max == 10);
    /* Tables hold references only. */
    EXPECT(wasm_tabletype_new(wasm_valtype_new_i32(), &lim) == NULL);
    wasm_tabletype_t *c = wasm_tabletype_copy(t);
    EXPECT(c && wasm_tabletype_limits(c)->max == 10);
    wasm_tabletype_vec_t v, vc, e, u;
    wasm_tabletype_t *two[2] = {t, c};
    wasm_tabletype_vec_new(&v, 2, two);
    wasm_tabletype_vec_copy(&vc, &v);
    wasm_tabletype_vec_new_empty(&e);
    wasm_tabletype_vec_new_uninitialized(&u, 0);
    EXPECT(vc.size == 2 && e.size == 0 && u.size == 0 && u.data == NULL);
    wasm_tabletype_vec_delete(&v);
    wasm_tabletype_vec_delete(&vc);
    wasm_tabletype_vec_delete(&e);
    wasm_tabletype_vec_delete(&u);
}

static void test_memorytypes(void)
{
    wasm_limits_t lim = {2, wasm_limits_max_default};
    wasm_memorytype_t *m = wasm_memorytype_new(&lim);
    EXPECT(wasm_memorytype_limits(m)->min == 2 &&
           wasm_memorytype_limits(m)->max == wasm_limits_max_default);
    wasm_memorytype_t *c = wasm_memorytype_copy(m);
    EXPECT(c && c != m && wasm_memorytype_limits(c)->min == 2);
    EXPECT(wasm_memorytype_new(NULL) == NULL);
    wasm_memorytype_vec_t v, vc, e, u;
    wasm_memorytype_t *two[2] = {m, c};
    wasm_memorytype_vec_new(&v, 2, two);
    wasm_memorytype_vec_copy(&vc, &v);
    wasm_memorytype_vec_new_empty(&e);
    wasm_memorytype_vec_new_uninitialized(&u, 1);
    u.data[0] = wasm_memorytype_new(&lim);
    EXPECT(vc.size == 2 && wasm_memorytype_limits(vc.data[1])->min == 2);
    wasm_memorytype_vec_delete(&v);
    wasm_memorytype_vec_delete(&vc);
    wasm_memorytype_vec_delete(&e);
    wasm_memorytype_vec_delete(&u);
}

static void test_externtypes(void)
{
    wasm_limits_t lim = {1, 2};
    wasm_functype_t *f = wasm_functype_new_0_0();
    wasm_globaltype_t *g = wasm_globaltype_new(wasm_valtype_new_i32(), WASM_CONST);
    wasm_tabletype_t *t = wasm_tabletype_new(wasm_valtype_new_externref(), &lim);
    wasm_memorytype_t *m = wasm_memorytype_new(&lim);
    wasm_externtype_t *ef = wasm_functype_as_externtype(f);
    wasm_externtype_t *eg = wasm_globaltype_as_externtype(g);
    wasm_externtype_t *et = wasm_tabletype_as_externtype(t);
    wasm_externtype_t *em = wasm_memorytype_as_externtype(m);
    EXPECT(wasm_externtype_kind(ef) == WASM_EXTERN_FUNC);
    EXPECT(wasm_externtype_kind(eg) == WASM_EXTERN_GLOBAL);
    EXPECT(wasm_externtype_kind(et) == WASM_EXTERN_TABLE);
    EXPECT(wasm_externtype_kind(em) == WASM_EXTERN_MEMORY);
    /* Views are the same objects; the wrong kind gives NULL. */
    EXPECT(wasm_externtype_as_functype(ef) == f);
    EXPECT(wasm_externtype_as_globaltype(eg) == g);
    EXPECT(wasm_externtype_as_tabletype(et) == t);
    EXPECT(wasm_externtype_as_memorytype(em) == m);
    EXPECT(wasm_externtype_as_functype(em) == NULL);
    EXPECT(wasm_externtype_as_globaltype(ef) == NULL);
    EXPECT(wasm_externtype_as_tabletype(eg) == NULL);
    EXPECT(wasm_externtype_as_memorytype(et) == NULL);
    EXPECT(wasm_functype_as_externtype_const(f) == ef);
    EXPECT(wasm_globaltype_as_externtype_const(g) == eg);
    EXPECT(wasm_tabletype_as_externtype_const(t) == et);
    EXPECT(wasm_memorytype_as_externtype_const(m) == em);
    EXPECT(wasm_externtype_as_functype_const(ef) == f);
    EXPECT(wasm_externtype_as_globaltype_const(eg) == g);
    EXPECT(wasm_externtype_as_tabletype_const(et) == t);
    EXPECT(wasm_externtype_as_memorytype_const(em) == m);
    EXPECT(wasm_externtype_as_memorytype_const(ef) == NULL);
    /* Copies keep the kind and the contents. */
    wasm_externtype_t *ct = wasm_externtype_copy(et);
    EXPECT(wasm_externtype_kind(ct) == WASM_EXTERN_TABLE &&
           wasm_tabletype_limits(wasm_externtype_as_tabletype(ct))->max == 2);
    wasm_externtype_vec_t v, vc, e, u;
    wasm_externtype_t *four[4] = {ef, eg, et, em};
    wasm_externtype_vec_new(&v, 4, four);
    wasm_externtype_vec_copy(&vc, &v);
    wasm_externtype_vec_new_empty(&e);
    wasm_externtype_vec_new_uninitialized(&u, 1);
    u.data[0] = ct;
    EXPECT(vc.size == 4 && wasm_externtype_kind(vc.data[3]) ==
                               WASM_EXTERN_MEMORY);
    wasm_externtype_vec_delete(&v); /* f, g, t, m */
    wasm_externtype_vec_delete(&vc);
    wasm_externtype_vec_delete(&e);
    wasm_externtype_vec_delete(&u);
    wasm_externtype_delete(NULL);
}

static void test_import_export_types(void)
{
    wasm_name_t mod, name;
    wasm_name_new_from_string(&mod, "env");
    wasm_name_new_from_string(&name, "f");
    wasm_importtype_t *i = wasm_importtype_new(
        &mod, &name, wasm_functype_as_externtype(wasm_functype_new_0_0()));
    EXPECT(i && mod.data == NULL && name.data == NULL); /* taken */
    EXPECT(wasm_importtype_module(i)->size == 3 &&
           memcmp(wasm_importtype_module(i)->data, "env", 3) == 0);
    EXPECT(wasm_importtype_name(i)->size == 1 &&
           wasm_importtype_name(i)->data[0] == 'f');
    EXPECT(wasm_externtype_kind(wasm_importtype_type(i)) == WASM_EXTERN_FUNC);
    wasm_importtype_t *ic = wasm_importtype_copy(i);
    EXPECT(ic && wasm_importtype_name(ic)->data != wasm_importtype_name(i)->data);
    wasm_importtype_vec_t iv, ivc, ie, iu;
    wasm_importtype_t *two[2] = {i, ic};
    wasm_importtype_vec_new(&iv, 2, two);
    wasm_importtype_vec_copy(&ivc, &iv);
    wasm_importtype_vec_new_empty(&ie);
    wasm_importtype_vec_new_uninitialized(&iu, 0);
    EXPECT(ivc.size == 2 && ie.size == 0 && iu.size == 0);
    wasm_importtype_vec_delete(&iv);
    wasm_importtype_vec_delete(&ivc);
    wasm_importtype_vec_delete(&ie);
    wasm_importtype_vec_delete(&iu);
    EXPECT(wasm_importtype_new(NULL, NULL, NULL) == NULL);
    wasm_importtype_delete(NULL);
    wasm_name_new_from_string(&mod, "m");
    wasm_name_new_from_string(&name, "g");
    wasm_importtype_t *gi = wasm_importtype_new(&mod, &name,
        wasm_globaltype_as_externtype(
            wasm_globaltype_new(wasm_valtype_new_i32(), WASM_CONST)));
    EXPECT(gi && wasm_externtype_kind(wasm_importtype_type(gi)) ==
                     WASM_EXTERN_GLOBAL);
    wasm_importtype_delete(gi);

    wasm_limits_t lim = {0, 1};
    wasm_name_new_from_string(&name, "mem");
    wasm_exporttype_t *x = wasm_exporttype_new(
        &name, wasm_memorytype_as_externtype(wasm_memorytype_new(&lim)));
    EXPECT(x && wasm_exporttype_name(x)->size == 3);
    EXPECT(wasm_externtype_kind(wasm_exporttype_type(x)) == WASM_EXTERN_MEMORY);
    wasm_exporttype_t *xc = wasm_exporttype_copy(x);
    EXPECT(xc && memcmp(wasm_exporttype_name(xc)->data, "mem", 3) == 0);
    wasm_exporttype_vec_t xv, xvc, xe, xu;
    wasm_exporttype_t *xs[2] = {x, xc};
    wasm_exporttype_vec_new(&xv, 2, xs);
    wasm_exporttype_vec_copy(&xvc, &xv);
    wasm_exporttype_vec_new_empty(&xe);
    wasm_exporttype_vec_new_uninitialized(&xu, 1);
    xu.data[0] = NULL; /* a NULL element is deleted as nothing */
    EXPECT(xvc.size == 2 && xe.size == 0 && xu.size == 1);
    wasm_exporttype_vec_delete(&xv);
    wasm_exporttype_vec_delete(&xvc);
    wasm_exporttype_vec_delete(&xe);
    wasm_exporttype_vec_delete(&xu);
    EXPECT(wasm_exporttype_new(NULL, NULL) == NULL);
    wasm_exporttype_delete(NULL);
}

static void test_values(void)
{
    wasm_val_t a = WASM_I32_VAL(-5), b = WASM_I64_VAL(1LL << 40);
    wasm_val_t c = WASM_F32_VAL(1.5f), d = WASM_F64_VAL(-2.25);
    wasm_val_t r = WASM_REF_VAL(NULL), n = WASM_INIT_VAL;
    EXPECT(a.kind == WASM_I32 && a.of.i32 == -5);
    EXPECT(b.kind == WASM_I64 && b.of.i64 == 1LL << 40);
    EXPECT(c.kind == WASM_F32 && c.of.f32 == 1.5f);
    EXPECT(d.kind == WASM_F64 && d.of.f64 == -2.25);
    EXPECT(r.kind == WASM_EXTERNREF && r.of.ref == NULL && n.of.ref == NULL);
    wasm_val_t copy;
    wasm_val_copy(&copy, &d);
    EXPECT(copy.kind == WASM_F64 && copy.of.f64 == -2.25);
    wasm_val_delete(&copy);
    int x;
    wasm_val_t p;
    wasm_val_init_ptr(&p, &x);
    EXPECT(wasm_val_ptr(&p) == &x);
    wasm_val_t arr[4] = {a, b, c, d};
    wasm_val_vec_t v, vc, e, u;
    wasm_val_vec_new(&v, 4, arr);
    wasm_val_vec_copy(&vc, &v);
    EXPECT(vc.size == 4 && vc.data[1].of.i64 == 1LL << 40 &&
           vc.data[2].of.f32 == 1.5f);
    wasm_val_vec_new_empty(&e);
    wasm_val_vec_new_uninitialized(&u, 3);
    EXPECT(e.size == 0 && u.size == 3);
    wasm_val_vec_delete(&v);
    wasm_val_vec_delete(&vc);
    wasm_val_vec_delete(&e);
    wasm_val_vec_delete(&u);
    wasm_val_t empty_vec_vals[1] = {WASM_INIT_VAL};
    wasm_val_vec_t lit = WASM_ARRAY_VEC(empty_vec_vals), none = WASM_EMPTY_VEC;
    EXPECT(lit.size == 1 && none.size == 0 && none.data == NULL);
    EXPECT(MEMORY_PAGE_SIZE == 65536);
}

/* Frames and externs only come from a store: their vectors are checked
 * here empty, with content in api_runtime_test. */
static void test_empty_ref_vecs(void)
{
    wasm_frame_vec_t f, fc, fu;
    wasm_frame_vec_new_empty(&f);
    wasm_frame_vec_copy(&fc, &f);
    wasm_frame_vec_new_uninitialized(&fu, 0);
    EXPECT(f.size == 0 && fc.size == 0 && fu.size == 0);
    wasm_frame_vec_new(&f, 0, NULL);
    EXPECT(f.size == 0);
    wasm_frame_vec_delete(&f);
    wasm_frame_vec_delete(&fc);
    wasm_frame_vec_delete(&fu);
    wasm_extern_vec_t e, ec, eu;
    wasm_extern_vec_new_empty(&e);
    wasm_extern_vec_copy(&ec, &e);
    wasm_extern_vec_new_uninitialized(&eu, 0);
    EXPECT(e.size == 0 && ec.size == 0 && eu.size == 0);
    wasm_extern_vec_new(&e, 0, NULL);
    wasm_extern_vec_delete(&e);
    wasm_extern_vec_delete(&ec);
    wasm_extern_vec_delete(&eu);
}

int main(void)
{
    test_byte_vec();
    test_valtypes();
    test_functypes();
    test_globaltypes();
    test_tabletypes();
    test_memorytypes();
    test_externtypes();
    test_import_export_types();
    test_values();
    test_empty_ref_vecs();
    CHECK(mem_global_live() == 0, "%zu bytes still live", mem_global_live());
    return check_summary();
}
