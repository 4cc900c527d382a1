/* Instances: a module's index spaces bound to objects in a store, and its
 * exports. Creating the entities is here; running segments and the start
 * function is in instantiate.c. */
#include "internal.h"

#include <string.h>

uint64_t rt_const_eval(const rt_instance *inst, const const_expr *c)
{
    switch (c->op) {
    case CONST_REF_NULL:
        return 0;
    case CONST_REF_FUNC:
        return (uint64_t)(uintptr_t)inst->funcs[c->value];
    case CONST_GLOBAL_GET:
        return inst->globals[c->value]->value;
    default: /* numeric constants carry their bits */
        return c->value;
    }
}

uint64_t rt_const_eval_hi(const rt_instance *inst, const const_expr *c)
{
    switch (c->op) {
    case CONST_V128:
        return c->value_hi;
    case CONST_GLOBAL_GET:
        return inst->globals[c->value]->value_hi;
    default:
        return 0;
    }
}

/* Each array zeroed, so a failure half-way leaves a destroyable instance. */
static bool alloc_arrays(rt_store *s, rt_instance *inst)
{
    const module_desc *d = &inst->module->desc;
    mem_owner *o = &s->mem;
    inst->funcs = mem_calloc(o, MEM_INSTANCE, d->nfuncs, sizeof *inst->funcs);
    inst->tables = mem_calloc(o, MEM_INSTANCE, d->ntables,
                              sizeof *inst->tables);
    inst->memories = mem_calloc(o, MEM_INSTANCE, d->nmemories,
                                sizeof *inst->memories);
    inst->globals = mem_calloc(o, MEM_INSTANCE, d->nglobals,
                               sizeof *inst->globals);
    inst->elems = mem_calloc(o, MEM_INSTANCE, d->nelems, sizeof *inst->elems);
    inst->datas = mem_calloc(o, MEM_INSTANCE, d->ndatas, sizeof *inst->datas);
    inst->exports = mem_calloc(o, MEM_INSTANCE, d->nexports,
                               sizeof *inst->exports);
    return inst->funcs && inst->tables && inst->memories && inst->globals &&
           inst->elems && inst->datas && inst->exports;
}

/* Imports are taken as given (already checked); defined entities made. */
static bool make_entities(rt_store *s, rt_instance *inst,
                          const rt_extern *imports)
{
    const module_desc *d = &inst->module->desc;
    uint32_t f = 0, t = 0, mm = 0, g = 0;
    for (uint32_t i = 0; i < d->nimports; i++) {
        switch (imports[i].kind) {
        case EXTERN_FUNC: inst->funcs[f++] = imports[i].u.func; break;
        case EXTERN_TABLE: inst->tables[t++] = imports[i].u.table; break;
        case EXTERN_MEMORY: inst->memories[mm++] = imports[i].u.memory; break;
        case EXTERN_GLOBAL: inst->globals[g++] = imports[i].u.global; break;
        }
    }
    for (uint32_t i = d->nimported_funcs; i < d->nfuncs; i++)
        if (!(inst->funcs[i] = rt_func_new_wasm(s, inst, i)))
            return false;
    for (uint32_t i = d->nimported_tables; i < d->ntables; i++)
        if (!(inst->tables[i] = rt_table_new(s, &d->tables[i], 0)))
            return false;
    for (uint32_t i = d->nimported_memories; i < d->nmemories; i++)
        if (!(inst->memories[i] = rt_memory_new(s, &d->memories[i])))
            return false;
    /* Initialisers read only imported globals and function references,
     * all of which exist by now. */
    for (uint32_t i = d->nimported_globals; i < d->nglobals; i++) {
        const const_expr *init = &d->global_inits[i - d->nimported_globals];
        uint64_t v = rt_const_eval(inst, init);
        if (!(inst->globals[i] = rt_global_new(s, &d->globals[i], v)))
            return false;
        inst->globals[i]->value_hi = rt_const_eval_hi(inst, init);
    }
    return true;
}

static void bind_exports(rt_instance *inst)
{
    const module_desc *d = &inst->module->desc;
    for (uint32_t i = 0; i < d->nexports; i++) {
        const export_desc *x = &d->exports[i];
        rt_extern *e = &inst->exports[i];
        e->kind = x->kind;
        switch (x->kind) {
        case EXTERN_FUNC: e->u.func = inst->funcs[x->index]; break;
        case EXTERN_TABLE: e->u.table = inst->tables[x->index]; break;
        case EXTERN_MEMORY: e->u.memory = inst->memories[x->index]; break;
        case EXTERN_GLOBAL: e->u.global = inst->globals[x->index]; break;
        }
    }
}

/* Element segments evaluated to reference cells; data segments point into
 * the module's copy of the binary. */
static bool make_segments(rt_store *s, rt_instance *inst)
{
    const module_desc *d = &inst->module->desc;
    for (uint32_t i = 0; i < d->nelems; i++) {
        const elem_desc *el = &d->elems[i];
        rt_elem_seg *seg = &inst->elems[i];
        seg->refs = mem_alloc(&s->mem, MEM_INSTANCE,
                              (size_t)el->count * sizeof *seg->refs);
        if (!seg->refs)
            return false;
        for (uint32_t j = 0; j < el->count; j++)
            seg->refs[j] = rt_const_eval(inst, &el->items[j]);
        seg->count = el->count;
    }
    for (uint32_t i = 0; i < d->ndatas; i++) {
        inst->datas[i].bytes = d->datas[i].bytes;
        inst->datas[i].len = d->datas[i].len;
    }
    return true;
}

/* The store's limits bound a memory's or table's initial size as well as
 * its growth: a module whose minimum is already beyond them is refused
 * before anything is made. */
static bool limits_allow(const rt_store *s, const module_desc *d, err_t *err)
{
    for (uint32_t i = d->nimported_memories; i < d->nmemories; i++)
        if (s->limit_memory_pages &&
            d->memories[i].lim.min > s->limit_memory_pages)
            return err_set(err, "memory minimum of %u pages exceeds the "
                           "store's limit of %u pages",
                           (unsigned)d->memories[i].lim.min,
                           s->limit_memory_pages);
    for (uint32_t i = d->nimported_tables; i < d->ntables; i++)
        if (s->limit_table_elems &&
            d->tables[i].lim.min > s->limit_table_elems)
            return err_set(err, "table minimum of %u elements exceeds the "
                           "store's limit of %u elements",
                           (unsigned)d->tables[i].lim.min,
                           s->limit_table_elems);
    return true;
}

rt_instance *rt_instance_new(rt_store *s, rt_module *m,
                             const rt_extern *imports, uint32_t nimports,
                             rt_trap **trap, err_t *err)
{
    *trap = NULL;
    if (!rt_link_check(m, imports, nimports, err))
        return NULL;
    if (s->limit_instances && s->ninstances >= s->limit_instances) {
        err_set(err, "instance limit of %u reached in this store",
                s->limit_instances);
        return NULL;
    }
    if (!limits_allow(s, &m->desc, err))
        return NULL;
    rt_instance *inst = mem_calloc(&s->mem, MEM_INSTANCE, 1, sizeof *inst);
    if (!inst) {
        err_set(err, "out of memory");
        return NULL;
    }
    inst->store = s;
    inst->module = rt_module_retain(m);
    /* Tracked at once: from here on whatever happens, the store frees it,
     * and a failed instance's functions may outlive the failure in an
     * imported table. */
    if (!rt_store_track(s, (void ***)&s->instances, &s->ninstances,
                        &s->cap_instances, inst)) {
        rt_instance_destroy(s, inst);
        err_set(err, "out of memory");
        return NULL;
    }
    if (!alloc_arrays(s, inst) || !make_entities(s, inst, imports) ||
        !make_segments(s, inst)) {
        err_set(err, "out of memory");
        return NULL;
    }
    bind_exports(inst);
    *trap = rt_instance_initialize(s, inst);
    return *trap ? NULL : inst;
}

void rt_instance_destroy(rt_store *s, rt_instance *inst)
{
    if (inst->elems)
        for (uint32_t i = 0; i < inst->module->desc.nelems; i++)
            mem_free(&s->mem, MEM_INSTANCE, inst->elems[i].refs);
    mem_free(&s->mem, MEM_INSTANCE, inst->funcs);
    mem_free(&s->mem, MEM_INSTANCE, inst->tables);
    mem_free(&s->mem, MEM_INSTANCE, inst->memories);
    mem_free(&s->mem, MEM_INSTANCE, inst->globals);
    mem_free(&s->mem, MEM_INSTANCE, inst->elems);
    mem_free(&s->mem, MEM_INSTANCE, inst->datas);
    mem_free(&s->mem, MEM_INSTANCE, inst->exports);
    rt_module_release(inst->module);
    mem_free(&s->mem, MEM_INSTANCE, inst);
}

bool rt_instance_export(const rt_instance *inst, const char *name,
                        size_t len, rt_extern *out)
{
    const module_desc *d = &inst->module->desc;
    for (uint32_t i = 0; i < d->nexports; i++) {
        const export_desc *x = &d->exports[i];
        if (x->name_len == len && (len == 0 || memcmp(x->name, name, len) == 0)) {
            *out = inst->exports[i];
            return true;
        }
    }
    return false;
}
