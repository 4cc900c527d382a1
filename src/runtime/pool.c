/* Compile workers that keep nothing.
 *
 * An engine's pool of threads validates and translates the functions of
 * one module at a time (a batch). It is made on the first module worth
 * compiling in parallel; each worker has a small explicit stack and exits
 * after the engine's idle time without work, so an idle engine holds no
 * threads. While compiling, a worker (and the calling thread, which works
 * too) keeps the translator's working arrays in a scratch arena of its
 * own pages, reusing them from one function to the next, writes each
 * finished function straight into the module's arena, and unmaps the
 * scratch arena when the batch ends: nothing a worker allocated survives
 * the batch, and nothing goes through the C library's per-thread arenas,
 * which would keep their pages after the thread is gone.
 *
 * Serial and parallel compiles run the same code on each function (the
 * translation reads only the immutable module description), so their
 * results are the same bytes; a unit test compares them. */
#include "pool.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "../compile/compile.h"
#include "../os/os.h"

/* A worker only translates (no recursion): 256 KiB is ample. */
#define WORKER_STACK (256u * 1024u)
/* Below this much code, starting or waking threads costs more than it
 * saves. */
#define PARALLEL_MIN_BYTES (16u * 1024u)

typedef struct batch {
    rt_module *m;
    compile_opts opts;
    uint32_t n;                   /* defined functions */
    _Atomic uint32_t next;        /* the next function to take */
    _Atomic uint32_t failed_at;   /* lowest failing function, or n */
    pthread_mutex_t err_lock;
    err_t err;                    /* its message */
    unsigned joined;              /* threads on it (pool lock) */
} batch;

typedef struct rt_compile_pool rt_compile_pool;

struct rt_compile_pool {
    pthread_mutex_t lock;
    pthread_cond_t wake;          /* a batch came, or shutdown */
    pthread_cond_t idle;          /* a batch emptied, or a worker exited */
    unsigned alive;               /* workers started and not yet exited */
    bool shutdown;
    batch *cur;                   /* the batch offered to workers */
    uint64_t gen;                 /* counts batches, so none is joined twice */
    uint32_t idle_ms;
    _Atomic size_t scratch;       /* bytes of scratch arenas mapped now */
};

/* ---- one thread's share of a batch -------------------------------------- */

static void batch_fail(batch *b, uint32_t i, const err_t *err)
{
    pthread_mutex_lock(&b->err_lock);
    if (i < atomic_load(&b->failed_at)) {
        atomic_store(&b->failed_at, i);
        if (err_failed(err))
            b->err = *err;
        else
            err_set(&b->err, "out of memory");
    }
    pthread_mutex_unlock(&b->err_lock);
}

/* Takes functions from the batch until none is left (or every one left
 * comes after a failure, which a serial compile would not reach). */
static void compile_share(rt_compile_pool *p, batch *b)
{
    rt_module *m = b->m;
    mem_owner scratch;
    mem_owner_init_arena(&scratch, MEM_OWNER_ENGINE,
                         &m->engine->config.alloc);
    compile_work work;
    compile_work_init(&work, &scratch);
    size_t counted = 0;
    for (;;) {
        uint32_t i = atomic_fetch_add(&b->next, 1);
        if (i >= b->n || i > atomic_load(&b->failed_at))
            break;
        err_t err;
        err.msg[0] = 0;
        compiled_func *kept = compile_function_work(
            &m->desc, i, m->type_ids, &work, &m->mem, &err, &b->opts);
        if (kept)
            m->funcs[i] = kept;
        else
            batch_fail(b, i, &err);
        if (p) {
            size_t now = mem_owner_mapped(&scratch);
            if (now > counted)
                atomic_fetch_add(&p->scratch, now - counted);
            else
                atomic_fetch_sub(&p->scratch, counted - now);
            counted = now;
        }
    }
    if (p)
        atomic_fetch_sub(&p->scratch, counted);
    compile_work_release(&work);
    mem_owner_destroy(&scratch);
}

/* ---- workers ------------------------------------------------------------------ */

static bool has_work(const rt_compile_pool *p, uint64_t seen)
{
    return p->cur && p->gen != seen &&
           atomic_load(&p->cur->next) < p->cur->n;
}

static void deadline_in(struct timespec *ts, uint32_t ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static void worker(void *arg)
{
    rt_compile_pool *p = arg;
    uint64_t seen = 0;
    struct timespec deadline;
    pthread_mutex_lock(&p->lock);
    deadline_in(&deadline, p->idle_ms);
    while (!p->shutdown) {
        if (has_work(p, seen)) {
            batch *b = p->cur;
            seen = p->gen;
            b->joined++;
            pthread_mutex_unlock(&p->lock);
            compile_share(p, b);
            pthread_mutex_lock(&p->lock);
            if (--b->joined == 0)
                pthread_cond_broadcast(&p->idle);
            deadline_in(&deadline, p->idle_ms);
            continue;
        }
        if (pthread_cond_timedwait(&p->wake, &p->lock, &deadline) ==
                ETIMEDOUT &&
            !has_work(p, seen))
            break; /* idle long enough: exit, keeping nothing */
    }
    p->alive--;
    pthread_cond_broadcast(&p->idle);
    /* Nothing touches the pool after this unlock: rt_pool_free may free
     * it as soon as it sees alive == 0. */
    pthread_mutex_unlock(&p->lock);
}

static rt_compile_pool *pool_new(rt_engine *e)
{
    rt_compile_pool *p = mem_calloc(&e->mem, MEM_HOST, 1, sizeof *p);
    if (!p)
        return NULL;
    pthread_condattr_t ca;
    bool ok = pthread_condattr_init(&ca) == 0;
    if (ok) {
        ok = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
             pthread_mutex_init(&p->lock, NULL) == 0;
        if (ok && pthread_cond_init(&p->wake, &ca) != 0) {
            pthread_mutex_destroy(&p->lock);
            ok = false;
        }
        if (ok && pthread_cond_init(&p->idle, NULL) != 0) {
            pthread_cond_destroy(&p->wake);
            pthread_mutex_destroy(&p->lock);
            ok = false;
        }
        pthread_condattr_destroy(&ca);
    }
    if (!ok) {
        mem_free(&e->mem, MEM_HOST, p);
        return NULL;
    }
    p->idle_ms = e->config.compile_idle_ms;
    return p;
}

static rt_compile_pool *pool_get(rt_engine *e)
{
    pthread_mutex_lock(&e->lock);
    if (!e->pool)
        e->pool = pool_new(e);
    rt_compile_pool *p = e->pool;
    pthread_mutex_unlock(&e->lock);
    return p;
}

/* Offers b to the pool's workers (starting up to `threads - 1` of them)
 * and compiles alongside them. false if the pool is busy with another
 * module or cannot be made: the caller compiles alone. */
static bool compile_parallel(rt_engine *e, batch *b, unsigned threads)
{
    rt_compile_pool *p = pool_get(e);
    if (!p)
        return false;
    pthread_mutex_lock(&p->lock);
    if (p->cur) {
        pthread_mutex_unlock(&p->lock);
        return false;
    }
    p->cur = b;
    p->gen++;
    b->joined = 1;
    while (p->alive + 1 < threads && os_thread_start(worker, p, WORKER_STACK))
        p->alive++;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);

    compile_share(p, b);

    pthread_mutex_lock(&p->lock);
    b->joined--;
    while (b->joined)
        pthread_cond_wait(&p->idle, &p->lock);
    p->cur = NULL;
    pthread_mutex_unlock(&p->lock);
    return true;
}

static unsigned thread_count(const rt_module *m, uint32_t n)
{
    const rt_config *c = &m->engine->config;
    if (!c->parallel_compilation || n < 2)
        return 1;
    uint64_t bytes = 0;
    for (uint32_t i = 0; i < n; i++)
        bytes += m->desc.codes[i].body_len;
    if (bytes < PARALLEL_MIN_BYTES)
        return 1;
    unsigned t = c->compile_threads ? c->compile_threads : os_cpu_count();
    return t < n ? t : n;
}

bool rt_pool_compile(rt_module *m, err_t *err)
{
    uint32_t n = m->desc.nfuncs - m->desc.nimported_funcs;
    batch b;
    memset(&b, 0, sizeof b);
    b.m = m;
    b.n = n;
    b.opts.unchecked_offsets = m->engine->unchecked_offsets;
    b.opts.fuel = m->engine->config.consume_fuel;
    b.opts.epoch = m->engine->config.epoch_interruption;
    atomic_init(&b.next, 0);
    atomic_init(&b.failed_at, n);
    if (pthread_mutex_init(&b.err_lock, NULL) != 0)
        return err_set(err, "out of memory");
    unsigned threads = thread_count(m, n);
    if (threads < 2 || !compile_parallel(m->engine, &b, threads))
        compile_share(NULL, &b);
    pthread_mutex_destroy(&b.err_lock);
    if (atomic_load(&b.failed_at) < n) {
        *err = b.err;
        return false;
    }
    return true;
}

void rt_pool_free(rt_engine *e)
{
    rt_compile_pool *p = e->pool;
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->shutdown = true;
    pthread_cond_broadcast(&p->wake);
    while (p->alive)
        pthread_cond_wait(&p->idle, &p->lock);
    pthread_mutex_unlock(&p->lock);
    pthread_cond_destroy(&p->wake);
    pthread_cond_destroy(&p->idle);
    pthread_mutex_destroy(&p->lock);
    mem_free(&e->mem, MEM_HOST, p);
    e->pool = NULL;
}

unsigned rt_engine_compile_threads_alive(rt_engine *e)
{
    pthread_mutex_lock(&e->lock);
    rt_compile_pool *p = e->pool;
    unsigned n = 0;
    if (p) {
        pthread_mutex_lock(&p->lock);
        n = p->alive;
        pthread_mutex_unlock(&p->lock);
    }
    pthread_mutex_unlock(&e->lock);
    return n;
}

size_t rt_engine_compile_pool_bytes(rt_engine *e)
{
    pthread_mutex_lock(&e->lock);
    size_t n = e->pool ? atomic_load(&e->pool->scratch) : 0;
    pthread_mutex_unlock(&e->lock);
    return n;
}
