/* Unit tests of the runtime objects: type interning, growth limits of
 * memories and tables, instantiation of a small module, and the promise
 * that every counter returns to zero once everything is freed. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "runtime/runtime.h"

#include "check.h"

static void test_interning(void)
{
    rt_engine *e = rt_engine_new(NULL);
    EXPECT(e != NULL);
    EXPECT(e->config.max_wasm_stack == 512 * 1024);
    uint8_t a_types[] = {VT_I32, VT_I64, VT_F32};
    uint8_t b_types[] = {VT_I32, VT_I64, VT_F32};
    uint8_t c_types[] = {VT_I32, VT_I64, VT_F64};
    functype a = {2, 1, a_types}, b = {2, 1, b_types}, c = {2, 1, c_types};
    functype d = {1, 2, a_types}, empty = {0, 0, NULL};
    rt_type_id ia, ib, ic, id, ie, ie2;
    EXPECT(rt_engine_intern_type(e, &a, &ia));
    EXPECT(rt_engine_intern_type(e, &b, &ib));
    EXPECT(rt_engine_intern_type(e, &c, &ic));
    EXPECT(rt_engine_intern_type(e, &d, &id));
    EXPECT(rt_engine_intern_type(e, &empty, &ie));
    EXPECT(ia == ib);
    EXPECT(ia != ic && ia != id && ic != id && ie != ia);
    const functype *ta = rt_engine_type(e, ia);
    /* Many more types must not move the first one, and each keeps its id
     * through the registry's growth. */
    rt_type_id many_ids[100];
    uint8_t many[100];
    memset(many, VT_I32, sizeof many);
    for (uint32_t n = 0; n < 100; n++) {
        functype t = {n, 0, many};
        EXPECT(rt_engine_intern_type(e, &t, &many_ids[n]));
    }
    int same = 0;
    for (uint32_t n = 0; n < 100; n++) {
        functype t = {n, 0, many};
        same += rt_engine_intern_type(e, &t, &ie2) && ie2 == many_ids[n];
    }
    EXPECT(same == 100);
    EXPECT(rt_engine_type(e, ia) == ta);
    EXPECT(ta->nparams == 2 && ta->nresults == 1 && ta->types[2] == VT_F32);
    EXPECT(rt_engine_intern_type(e, &empty, &ie2) && ie2 == ie);
    rt_engine_free(e);
    EXPECT(mem_global_live() == 0);
}

/* Threads interning the same types at once must agree on every id. */
#define NTHREADS 4
#define NTYPES 200

typedef struct intern_job {
    rt_engine *e;
    rt_type_id ids[NTYPES];
    int ok;
} intern_job;

static void *intern_many(void *arg)
{
    intern_job *j = arg;
    uint8_t tys[NTYPES];
    memset(tys, VT_F64, sizeof tys);
    j->ok = 1;
    for (uint32_t n = 0; n < NTYPES; n++) {
        functype t = {n / 2, n % 2, tys};
        if (!rt_engine_intern_type(j->e, &t, &j->ids[n]))
            j->ok = 0;
    }
    return NULL;
}

static void test_interning_threads(void)
{
    rt_engine *e = rt_engine_new(NULL);
    static intern_job jobs[NTHREADS];
    pthread_t th[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        jobs[i].e = e;
        EXPECT(pthread_create(&th[i], NULL, intern_many, &jobs[i]) == 0);
    }
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(th[i], NULL);
    int agree = 0;
    for (int i = 0; i < NTHREADS; i++)
        agree += jobs[i].ok &&
                 memcmp(jobs[i].ids, jobs[0].ids, sizeof jobs[0].ids) == 0;
    EXPECT(agree == NTHREADS);
    EXPECT(e->ntypes == NTYPES);
    rt_engine_free(e);
    EXPECT(mem_global_live() == 0);
}

static void test_memory_grow(void)
{
    rt_engine *e = rt_engine_new(NULL);
    rt_store *s = rt_store_new(e);
    memtype mt = {{1, 3, true}};
    rt_memory *m = rt_memory_new(s, &mt);
    EXPECT(m && m->pages == 1 && m->size == RT_PAGE_SIZE);
    EXPECT(m->base[RT_PAGE_SIZE - 1] == 0);
    m->base[0] = 42;
    EXPECT(rt_memory_grow(s, m, 0) == 1);
    EXPECT(rt_memory_grow(s, m, 2) == 1);
    EXPECT(m->pages == 3 && m->size == 3 * RT_PAGE_SIZE);
    EXPECT(m->base[0] == 42 && m->base[3 * RT_PAGE_SIZE - 1] == 0);
    EXPECT(rt_memory_grow(s, m, 1) == -1);
    EXPECT(m->pages == 3);

    memtype unbounded = {{0, 0, false}};
    rt_memory *u = rt_memory_new(s, &unbounded);
    EXPECT(u && u->pages == 0);
    EXPECT(rt_memory_grow(s, u, 65537) == -1);
    EXPECT(rt_memory_grow(s, u, 0xffffffffu) == -1);
    EXPECT(rt_memory_grow(s, u, 2) == 0);
    EXPECT(u->pages == 2);
    EXPECT(mem_owner_live(&s->mem) > 0);
    rt_store_free(s);
    rt_engine_free(e);
    EXPECT(mem_global_live() == 0);
}

static void test_table_grow(void)
{
    rt_engine *e = rt_engine_new(NULL);
    rt_store *s = rt_store_new(e);
    tabletype tt = {VT_EXTERNREF, {2, 5, true}};
    rt_table *t = rt_table_new(s, &tt, 7);
    EXPECT(t && t->size == 2 && t->elems[0] == 7 && t->elems[1] == 7);
    EXPECT(rt_table_grow(s, t, 3, 9) == 2);
    EXPECT(t->size == 5 && t->elems[1] == 7 && t->elems[4] == 9);
    EXPECT(rt_table_grow(s, t, 1, 0) == -1);
    EXPECT(rt_table_grow(s, t, 0, 0) == 5);

    tabletype big = {VT_FUNCREF, {0, 0, false}};
    rt_table *b = rt_table_new(s, &big, 0);
    EXPECT(b && b->size == 0);
    EXPECT(rt_table_grow(s, b, 0xffffffffu, 0) == -1);
    EXPECT(rt_table_grow(s, b, 10, 0) == 0);
    rt_store_free(s);
    rt_engine_free(e);
    EXPECT(mem_global_live() == 0);
}

static rt_trap *host_add(void *env, rt_store *s, const uint64_t *args,
                         uint64_t *results)
{
    (void)env;
    (void)s;
    results[0] = (uint32_t)(args[0] + args[1]);
    return NULL;
}

static rt_trap *host_fail(void *env, rt_store *s, const uint64_t *args,
                          uint64_t *results)
{
    (void)env;
    (void)args;
    (void)results;
    return rt_trap_new(s, TRAP_HOST, "boom");
}

static void test_host_and_traps(void)
{
    rt_engine *e = rt_engine_new(NULL);
    rt_store *s = rt_store_new(e);
    uint8_t tys[] = {VT_I32, VT_I32, VT_I32};
    functype ft = {2, 1, tys};
    rt_func *add = rt_func_new_host(s, &ft, host_add, NULL, NULL);
    rt_func *fail = rt_func_new_host(s, &ft, host_fail, NULL, NULL);
    EXPECT(add && fail && add->type_id == fail->type_id);
    uint64_t args[2] = {40, 2}, res[1] = {0};
    EXPECT(rt_call(s, add, args, res) == NULL && res[0] == 42);
    rt_trap *t = rt_call(s, fail, args, res);
    EXPECT(t && t->code == TRAP_HOST && strcmp(t->message, "boom") == 0);
    rt_trap_free(t);
    t = rt_trap_new(s, TRAP_MEMORY_OOB, NULL);
    EXPECT(t && strcmp(t->message, "out of bounds memory access") == 0);
    rt_trap_free(t);
    EXPECT(strcmp(rt_trap_code_message(TRAP_STACK_EXHAUSTED),
                 "call stack exhausted") == 0);
    globaltype gt = {VT_I64, true};
    rt_global *g = rt_global_new(s, &gt, 5);
    EXPECT(g && g->value == 5);
    rt_store_free(s);
    rt_engine_free(e);
    EXPECT(mem_global_live() == 0);
}

/* (module
 *   (import "m" "t" (table 1 funcref))
 *   (func $f (result i32) (i32.const 7)) (export "f" (func $f))
 *   (memory 1) (elem (i32.const 0) $f) (data (i32.const 65535) "ab")) */
static const uint8_t trap_module[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,             /* type () -> i32 */
    0x02, 0x09, 0x01, 0x01, 'm', 0x01, 't', 0x01, 0x70, 0x00, 0x01,
    0x03, 0x02, 0x01, 0x00,                               /* func */
    0x05, 0x03, 0x01, 0x00, 0x01,                         /* memory 1 */
    0x07, 0x05, 0x01, 0x01, 'f', 0x00, 0x00,              /* export */
    0x09, 0x07, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x01, 0x00, /* elem */
    0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x07, 0x0b,       /* code */
    0x0b, 0x0a, 0x01, 0x00, 0x41, 0xff, 0xff, 0x03, 0x0b, 0x02, 'a', 'b',
};

static size_t kind_live(mem_owner_kind kind)
{
    mem_stats st;
    mem_global_stats(kind, &st);
    size_t sum = 0;
    for (int c = 0; c < MEM_NCAT; c++)
        sum += st.live[c];
    return sum;
}

static void test_instance(void)
{
    rt_engine *e = rt_engine_new(NULL);
    err_t err = {{0}};
    rt_module *m = rt_module_new(e, trap_module, sizeof trap_module, &err);
    EXPECT(m != NULL);
    if (!m) {
        fprintf(stderr, "module: %s\n", err.msg);
        rt_engine_free(e);
        return;
    }
    rt_store *s = rt_store_new(e);
    rt_trap *trap = NULL;

    /* A memory where a table is expected: a link error. */
    memtype mt = {{1, 0, false}};
    rt_extern wrong = {.kind = EXTERN_MEMORY, .u.memory = rt_memory_new(s, &mt)};
    EXPECT(rt_instance_new(s, m, &wrong, 1, &trap, &err) == NULL);
    EXPECT(trap == NULL && strstr(err.msg, "incompatible import type"));

    /* Too small a maximum for the import: also a link error. */
    tabletype small = {VT_FUNCREF, {0, 0, true}};
    rt_extern tiny = {.kind = EXTERN_TABLE, .u.table = rt_table_new(s, &small, 0)};
    err_clear(&err);
    EXPECT(rt_instance_new(s, m, &tiny, 1, &trap, &err) == NULL);
    EXPECT(strstr(err.msg, "incompatible import type"));

    /* The data segment traps, but the element segment before it stays
     * written and its function stays callable. */
    tabletype tt = {VT_FUNCREF, {1, 0, false}};
    rt_table *tab = rt_table_new(s, &tt, 0);
    rt_extern imp = {.kind = EXTERN_TABLE, .u.table = tab};
    err_clear(&err);
    EXPECT(rt_instance_new(s, m, &imp, 1, &trap, &err) == NULL);
    EXPECT(trap && trap->code == TRAP_MEMORY_OOB);
    rt_trap_free(trap);
    rt_func *f = (rt_func *)(uintptr_t)tab->elems[0];
    EXPECT(f != NULL && f->instance != NULL && f->index == 0);
    uint64_t r = 0;
    if (f) {
        trap = rt_call(s, f, NULL, &r);
        EXPECT(trap == NULL && r == 7);
    }
    rt_store_free(s);
    EXPECT(kind_live(MEM_OWNER_STORE) == 0);
    EXPECT(kind_live(MEM_OWNER_MODULE) > 0); /* still referenced by us */
    rt_module_release(m);
    EXPECT(kind_live(MEM_OWNER_MODULE) == 0);
    rt_engine_free(e);
    EXPECT(mem_global_live() == 0);
}

int main(void)
{
    test_interning();
    test_interning_threads();
    test_memory_grow();
    test_table_grow();
    test_host_and_traps();
    test_instance();
    return check_summary();
}
