/* The last steps of instantiation, in the spec's (2.0) order: every
 * element segment (active ones copied into their table, then dropped;
 * declarative ones dropped), then every active data segment (copied into
 * memory, then dropped), then the start function. A trap stops the
 * sequence, but what was already written stays written. */
#include "internal.h"

#include <string.h>

static rt_trap *init_elems(rt_store *s, rt_instance *inst)
{
    const module_desc *d = &inst->module->desc;
    for (uint32_t i = 0; i < d->nelems; i++) {
        const elem_desc *el = &d->elems[i];
        rt_elem_seg *seg = &inst->elems[i];
        if (el->mode == SEG_PASSIVE)
            continue;
        if (el->mode == SEG_ACTIVE) {
            rt_table *t = inst->tables[el->table];
            uint64_t off = (uint32_t)rt_const_eval(inst, &el->offset);
            if (off + seg->count > t->size)
                return rt_trap_new(s, TRAP_TABLE_OOB, NULL);
            if (seg->count)
                memcpy(t->elems + off, seg->refs,
                       (size_t)seg->count * sizeof *seg->refs);
        }
        seg->count = 0; /* elem.drop */
    }
    return NULL;
}

static rt_trap *init_datas(rt_store *s, rt_instance *inst)
{
    const module_desc *d = &inst->module->desc;
    for (uint32_t i = 0; i < d->ndatas; i++) {
        const data_desc *dd = &d->datas[i];
        rt_data_seg *seg = &inst->datas[i];
        if (dd->mode != SEG_ACTIVE)
            continue;
        rt_memory *m = inst->memories[dd->memory];
        uint64_t off = (uint32_t)rt_const_eval(inst, &dd->offset);
        if (off + seg->len > m->size)
            return rt_trap_new(s, TRAP_MEMORY_OOB, NULL);
        if (seg->len)
            memcpy(m->base + off, seg->bytes, seg->len);
        seg->len = 0; /* data.drop */
    }
    return NULL;
}

rt_trap *rt_instance_initialize(rt_store *s, rt_instance *inst)
{
    rt_trap *t = init_elems(s, inst);
    if (!t)
        t = init_datas(s, inst);
    if (!t && inst->module->desc.has_start)
        t = rt_call(s, inst->funcs[inst->module->desc.start], NULL, NULL);
    return t;
}
