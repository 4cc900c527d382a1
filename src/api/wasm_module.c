/* Modules of wasm.h: compile, validate, reflect (imports and exports), and
 * share across threads. The runtime module is immutable and reference
 * counted, so a handle's record retains it and a shared module is nothing
 * but another reference. (Serialization is in ebb's serialize files.) */
#include "api.h"

struct wasm_shared_module_t {
    rt_module *module;       /* retained */
};

wasm_module_t *api_module_wrap(wasm_store_t *s, rt_module *m)
{
    api_obj *o = api_alloc(sizeof *o);
    wasm_module_t *h = o ? (wasm_module_t *)api_alloc(sizeof *h) : NULL;
    if (!h) {
        api_free(o);
        return NULL;
    }
    o->kind = API_MODULE;
    o->store = s;
    o->rt.module = rt_module_retain(m);
    o->handles = 1;
    h->ref.obj = o;
    h->ref.counted = true;
    return h;
}

static rt_module *module_of(const wasm_module_t *m)
{
    return m ? m->ref.obj->rt.module : NULL;
}

wasm_module_t *wasm_module_new(wasm_store_t *s, const wasm_byte_vec_t *binary)
{
    if (!s || !binary || (!binary->data && binary->size))
        return NULL;
    err_t err;
    err_clear(&err);
    rt_module *m = rt_module_new(s->engine->rt, (const uint8_t *)binary->data,
                                 binary->size, &err);
    if (!m)
        return NULL;
    wasm_module_t *h = api_module_wrap(s, m);
    rt_module_release(m); /* the record holds its own reference */
    return h;
}

bool wasm_module_validate(wasm_store_t *s, const wasm_byte_vec_t *binary)
{
    /* Validation and translation are one pass in ebb, so validating is
     * compiling and dropping the result. */
    if (!s || !binary || (!binary->data && binary->size))
        return false;
    err_t err;
    err_clear(&err);
    rt_module *m = rt_module_new(s->engine->rt, (const uint8_t *)binary->data,
                                 binary->size, &err);
    rt_module_release(m);
    return m != NULL;
}

/* The type of an entity of the module's index spaces. */
static wasm_externtype_t *entity_type(const module_desc *d, uint8_t kind,
                                      uint32_t index)
{
    switch (kind) {
    case EXTERN_FUNC:
        return (wasm_externtype_t *)api_functype_from_rt(
            module_func_type(d, index));
    case EXTERN_TABLE:
        return (wasm_externtype_t *)api_tabletype_from_rt(&d->tables[index]);
    case EXTERN_MEMORY:
        return (wasm_externtype_t *)api_memorytype_from_rt(
            &d->memories[index]);
    default:
        return (wasm_externtype_t *)api_globaltype_from_rt(
            &d->globals[index]);
    }
}

/* Imports take the entities' first indices of their kinds, in order. */
static wasm_externtype_t *import_type(const module_desc *d,
                                      const import_desc *imp)
{
    switch (imp->kind) {
    case EXTERN_FUNC:
        return (wasm_externtype_t *)api_functype_from_rt(
            &d->types[imp->u.func_type]);
    case EXTERN_TABLE:
        return (wasm_externtype_t *)api_tabletype_from_rt(&imp->u.table);
    case EXTERN_MEMORY:
        return (wasm_externtype_t *)api_memorytype_from_rt(&imp->u.memory);
    default:
        return (wasm_externtype_t *)api_globaltype_from_rt(&imp->u.global);
    }
}

void wasm_module_imports(const wasm_module_t *module,
                         wasm_importtype_vec_t *out)
{
    const rt_module *m = module_of(module);
    if (!out)
        return;
    wasm_importtype_vec_new_uninitialized(out, m ? m->desc.nimports : 0);
    for (size_t i = 0; i < out->size; i++) {
        const import_desc *imp = &m->desc.imports[i];
        wasm_name_t mod, name;
        wasm_name_new(&mod, imp->module_len, imp->module);
        wasm_name_new(&name, imp->name_len, imp->name);
        wasm_externtype_t *t = import_type(&m->desc, imp);
        if ((mod.size != imp->module_len || name.size != imp->name_len) && t) {
            wasm_externtype_delete(t);
            t = NULL;
        }
        if (!(out->data[i] = wasm_importtype_new(&mod, &name, t))) {
            out->size = i;
            wasm_importtype_vec_delete(out);
            return;
        }
    }
}

void wasm_module_exports(const wasm_module_t *module,
                         wasm_exporttype_vec_t *out)
{
    const rt_module *m = module_of(module);
    if (!out)
        return;
    wasm_exporttype_vec_new_uninitialized(out, m ? m->desc.nexports : 0);
    for (size_t i = 0; i < out->size; i++) {
        const export_desc *x = &m->desc.exports[i];
        wasm_name_t name;
        wasm_name_new(&name, x->name_len, x->name);
        wasm_externtype_t *t = entity_type(&m->desc, x->kind, x->index);
        if (name.size != x->name_len && t) {
            wasm_externtype_delete(t);
            t = NULL;
        }
        if (!(out->data[i] = wasm_exporttype_new(&name, t))) {
            out->size = i;
            wasm_exporttype_vec_delete(out);
            return;
        }
    }
}

wasm_shared_module_t *wasm_module_share(const wasm_module_t *module)
{
    rt_module *m = module_of(module);
    if (!m)
        return NULL;
    wasm_shared_module_t *sh = api_alloc(sizeof *sh);
    if (sh)
        sh->module = rt_module_retain(m);
    return sh;
}

void wasm_shared_module_delete(wasm_shared_module_t *sh)
{
    if (!sh)
        return;
    rt_module_release(sh->module);
    api_free(sh);
}

wasm_module_t *wasm_module_obtain(wasm_store_t *s,
                                  const wasm_shared_module_t *sh)
{
    /* Compiled code refers to the engine's type ids: only a store of the
     * same engine can run it. */
    if (!s || !sh || sh->module->engine != s->engine->rt)
        return NULL;
    return api_module_wrap(s, sh->module);
}
