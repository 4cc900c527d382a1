/* Import matching: does a given extern fit the type the module declares
 * for its import? (The spec's "extern type matching".) */
#include "internal.h"

bool rt_limits_match(const limits *have, const limits *want)
{
    if (have->min < want->min)
        return false;
    if (!want->has_max)
        return true;
    return have->has_max && have->max <= want->max;
}

static const char *kind_name(uint8_t kind)
{
    static const char *const names[] = {"func", "table", "memory", "global"};
    return kind < 4 ? names[kind] : "?";
}

/* The current type of a table or memory: its size is the minimum. */
static limits current_table_limits(const rt_table *t)
{
    limits l = t->type.lim;
    l.min = t->size;
    return l;
}

static limits current_memory_limits(const rt_memory *m)
{
    limits l = m->type.lim;
    l.min = m->pages;
    return l;
}

/* Checks one import; the message names what differs after the spec's
 * "incompatible import type". */
static bool match_import(const rt_module *m, const import_desc *imp,
                         const rt_extern *ext, err_t *err)
{
    const char *why = NULL;
    if (ext->kind != imp->kind) {
        why = "kind";
    } else if (imp->kind == EXTERN_FUNC) {
        if (!ext->u.func ||
            ext->u.func->type_id != m->type_ids[imp->u.func_type])
            why = "function type";
    } else if (imp->kind == EXTERN_TABLE) {
        const rt_table *t = ext->u.table;
        limits have = t ? current_table_limits(t) : (limits){0};
        if (!t || t->type.elemtype != imp->u.table.elemtype)
            why = "element type";
        else if (!rt_limits_match(&have, &imp->u.table.lim))
            why = "table limits";
    } else if (imp->kind == EXTERN_MEMORY) {
        const rt_memory *mem = ext->u.memory;
        limits have = mem ? current_memory_limits(mem) : (limits){0};
        if (!mem || !rt_limits_match(&have, &imp->u.memory.lim))
            why = "memory limits";
    } else if (imp->kind == EXTERN_GLOBAL) {
        const rt_global *g = ext->u.global;
        if (!g || g->type.type != imp->u.global.type ||
            g->type.mut != imp->u.global.mut)
            why = "global type";
    }
    if (!why)
        return true;
    return err_set(err, "incompatible import type: %.*s.%.*s (%s %s)",
                   (int)imp->module_len, imp->module, (int)imp->name_len,
                   imp->name, kind_name(imp->kind), why);
}

bool rt_link_check(const rt_module *m, const rt_extern *imports,
                   uint32_t nimports, err_t *err)
{
    if (nimports != m->desc.nimports)
        return err_set(err, "incompatible import type: %u imports given, "
                       "%u expected", nimports, m->desc.nimports);
    for (uint32_t i = 0; i < nimports; i++)
        if (!match_import(m, &m->desc.imports[i], &imports[i], err))
            return false;
    return true;
}
