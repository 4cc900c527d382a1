/* Modules: a private copy of the binary, its decoded description, the
 * engine ids of its types and the compiled code of every defined function.
 * Immutable after rt_module_new, shared through an atomic reference count. */
#include "runtime.h"

#include <string.h>

#include "../compile/compile.h"
#include "pool.h"

static void module_destroy(rt_module *m)
{
    rt_engine *e = m->engine;
    uint32_t ndefined = m->desc.nfuncs - m->desc.nimported_funcs;
    if (m->funcs) {
        for (uint32_t i = 0; i < ndefined; i++)
            if (m->funcs[i])
                compiled_func_free(&m->mem, m->funcs[i]);
        mem_free(&m->mem, MEM_CODE, m->funcs);
    }
    mem_free(&m->mem, MEM_MODULE, m->type_ids);
    module_desc_free(&m->mem, &m->desc);
    mem_free(&m->mem, MEM_MODULE, m->bytes);
    /* Every page the module took goes back at once. The struct itself is
     * counted on the engine, so the module's own counters can be checked
     * to be zero here. */
    mem_owner_destroy(&m->mem);
    mem_free(&e->mem, MEM_MODULE, m);
    rt_stats_count(e, RT_OBJ_MODULE, -1);
}

/* What the arena of a module about to be translated will hold: its copy
 * of the bytes; its code, about five bytes per byte of the code section
 * (cells of four bytes, a little over one per instruction byte); its
 * description, about one more. Announced, a large module's arena starts
 * a chunk of huge pages for all of it (mem_owner_expect). */
#define ARENA_PER_CODE_BYTE 6

static bool compile_all(rt_module *m, err_t *err)
{
    uint32_t ndefined = m->desc.nfuncs - m->desc.nimported_funcs;
    m->funcs = mem_calloc(&m->mem, MEM_CODE, ndefined, sizeof *m->funcs);
    if (!m->funcs)
        return err_set(err, "out of memory");
    /* Functions are independent: the engine's pool spreads them over its
     * workers (or compiles them here, one after the other). */
    return rt_pool_compile(m, err);
}

static bool intern_types(rt_module *m, err_t *err)
{
    m->type_ids = mem_calloc(&m->mem, MEM_MODULE, m->desc.ntypes,
                             sizeof *m->type_ids);
    if (!m->type_ids)
        return err_set(err, "out of memory");
    for (uint32_t i = 0; i < m->desc.ntypes; i++)
        if (!rt_engine_intern_type(m->engine, &m->desc.types[i],
                                   &m->type_ids[i]))
            return err_set(err, "out of memory");
    return true;
}

/* rt_module_begin. Nothing after it reads the body instructions from the
 * binary but the translator, which checks them as it goes, so the
 * decoder skips them (decode_module_lazy). */
static rt_module *module_begin(rt_engine *e, const uint8_t *bytes,
                               size_t len, err_t *err)
{
    rt_module *m = mem_calloc(&e->mem, MEM_MODULE, 1, sizeof *m);
    if (!m) {
        err_set(err, "out of memory");
        return NULL;
    }
    rt_stats_count(e, RT_OBJ_MODULE, 1);
    mem_owner_init_arena(&m->mem, MEM_OWNER_MODULE, &e->config.alloc);
    atomic_init(&m->refs, 1);
    m->engine = e;
    m->len = len;
    mem_owner_expect(&m->mem, len + decode_section_len(bytes, len, 10) *
                                        ARENA_PER_CODE_BYTE);
    m->bytes = mem_alloc(&m->mem, MEM_MODULE, len);
    if (!m->bytes) {
        mem_owner_destroy(&m->mem);
        mem_free(&e->mem, MEM_MODULE, m);
        rt_stats_count(e, RT_OBJ_MODULE, -1);
        err_set(err, "out of memory");
        return NULL;
    }
    if (len)
        memcpy(m->bytes, bytes, len);
    if (!decode_module_lazy(&m->mem, m->bytes, len, &m->desc, err)) {
        /* The decoder frees what it took before failing; the description
         * is left empty so module_destroy has nothing more to free. */
        memset(&m->desc, 0, sizeof m->desc);
        module_destroy(m);
        return NULL;
    }
    if (!intern_types(m, err)) {
        module_destroy(m);
        return NULL;
    }
    return m;
}

/* For a serialized module, whose code comes translated and checked by the
 * loader: the body instructions are never read, so they are not decoded
 * either (the bytes were validated when the module was first compiled,
 * and the payload's checksum covers them). */
rt_module *rt_module_begin(rt_engine *e, const uint8_t *bytes, size_t len,
                           err_t *err)
{
    return module_begin(e, bytes, len, err);
}

/* After a failed translation of a lazily decoded module: a malformed
 * byte in some body the translator did not reach ranks above its error,
 * as in the spec (the full decoder finds it). Running out of memory in
 * this second decode says nothing about the module: the translator's
 * message then stands. */
static void rank_errors(rt_module *m, err_t *err)
{
    module_desc full;
    err_t merr;
    err_clear(&merr);
    if (decode_module(&m->mem, m->bytes, m->len, &full, &merr))
        module_desc_free(&m->mem, &full);
    else if (err && strcmp(merr.msg, "out of memory decoding module") != 0)
        *err = merr;
}

rt_module *rt_module_new(rt_engine *e, const uint8_t *bytes, size_t len,
                         err_t *err)
{
    /* Every body is translated below, which reads all its bytes: the
     * decoder need not read them first. */
    rt_module *m = module_begin(e, bytes, len, err);
    if (m && !compile_all(m, err)) {
        rank_errors(m, err);
        module_destroy(m);
        return NULL;
    }
    return m;
}

rt_module *rt_module_retain(rt_module *m)
{
    atomic_fetch_add_explicit(&m->refs, 1, memory_order_relaxed);
    return m;
}

void rt_module_release(rt_module *m)
{
    if (m && atomic_fetch_sub_explicit(&m->refs, 1, memory_order_acq_rel) == 1)
        module_destroy(m);
}
