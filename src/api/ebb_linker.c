/* ebb_linker_t: externs named by (module, name), and instantiation that
 * resolves a module's imports by those names (then WASI, if defined).
 * The linker holds its own handle of every extern it names; they, and the
 * objects behind them, belong to the linker's store. */
#include "ebb_wasi.h"

#include <string.h>

#include "../runtime/internal.h"

typedef struct link_entry {
    char *module, *name;       /* on api_mem, NUL-terminated */
    size_t mlen, nlen;
    wasm_extern_t *item;       /* the linker's own handle */
} link_entry;

struct ebb_linker_t {
    wasm_store_t *store;
    bool shadowing;
    link_entry *entries;
    size_t n, cap;
    ebb_wasi_t *wasi;
};

ebb_linker_t *ebb_linker_new(wasm_store_t *s)
{
    if (!s)
        return NULL;
    ebb_linker_t *l = api_alloc(sizeof *l);
    if (l)
        l->store = s;
    return l;
}

static void entry_free(link_entry *e)
{
    api_free(e->module);
    api_free(e->name);
    wasm_extern_delete(e->item);
}

void ebb_linker_delete(ebb_linker_t *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        entry_free(&l->entries[i]);
    api_free(l->entries);
    api_free(l);
}

void ebb_linker_allow_shadowing(ebb_linker_t *l, bool allow)
{
    if (l)
        l->shadowing = allow;
}

static link_entry *find(const ebb_linker_t *l, const char *module,
                        size_t mlen, const char *name, size_t nlen)
{
    for (size_t i = 0; i < l->n; i++) {
        link_entry *e = &l->entries[i];
        if (e->mlen == mlen && e->nlen == nlen &&
            !memcmp(e->module, module, mlen) && !memcmp(e->name, name, nlen))
            return e;
    }
    return NULL;
}

/* Does the handle name an object of the linker's store? */
static bool in_store(const ebb_linker_t *l, const wasm_extern_t *item)
{
    api_obj *o = api_obj_of(item);
    return o && o->store == l->store &&
           (o->kind == API_FUNC || o->kind == API_GLOBAL ||
            o->kind == API_TABLE || o->kind == API_MEMORY);
}

ebb_error_t *ebb_linker_define(ebb_linker_t *l, const char *module,
                               size_t mlen, const char *name, size_t nlen,
                               const wasm_extern_t *item)
{
    if (!l || (!module && mlen) || (!name && nlen))
        return ebb_error_newf("ebb_linker_define: no linker or no name");
    if (!in_store(l, item))
        return ebb_error_newf("ebb_linker_define: `%.*s::%.*s` is not an "
                              "extern of the linker's store", (int)mlen,
                              module ? module : "", (int)nlen,
                              name ? name : "");
    module = module ? module : "";
    name = name ? name : "";
    link_entry *old = find(l, module, mlen, name, nlen);
    if (old && !l->shadowing)
        return ebb_error_newf("`%.*s::%.*s` is already defined", (int)mlen,
                              module, (int)nlen, name);
    link_entry e = {
        .module = mem_strndup(&api_mem, MEM_HOST, module, mlen),
        .name = mem_strndup(&api_mem, MEM_HOST, name, nlen),
        .mlen = mlen, .nlen = nlen,
        .item = wasm_extern_copy(item),
    };
    if (!e.module || !e.name || !e.item ||
        (!old && !mem_grow_array(&api_mem, MEM_HOST, (void **)&l->entries,
                                 &l->cap, l->n + 1, sizeof *l->entries))) {
        entry_free(&e);
        return ebb_error_newf("out of memory");
    }
    if (old) {
        entry_free(old);
        *old = e;
    } else {
        l->entries[l->n++] = e;
    }
    return NULL;
}

ebb_error_t *ebb_linker_define_func(ebb_linker_t *l, const char *module,
                                    size_t mlen, const char *name,
                                    size_t nlen, const wasm_functype_t *type,
                                    wasm_func_callback_with_env_t cb,
                                    void *env, void (*finalizer)(void *))
{
    if (!l || !type || !cb)
        return ebb_error_newf("ebb_linker_define_func: no linker, type or "
                              "callback");
    wasm_func_t *f = wasm_func_new_with_env(l->store, type, cb, env,
                                            finalizer);
    if (!f)
        return ebb_error_newf("ebb_linker_define_func: cannot make `%.*s::"
                              "%.*s`", (int)mlen, module ? module : "",
                              (int)nlen, name ? name : "");
    ebb_error_t *e = ebb_linker_define(l, module, mlen, name, nlen,
                                       wasm_func_as_extern(f));
    wasm_func_delete(f);
    return e;
}

ebb_error_t *ebb_linker_define_instance(ebb_linker_t *l, const char *name,
                                        size_t len,
                                        const wasm_instance_t *instance)
{
    api_obj *o = api_obj_of(instance);
    if (!l || !o || o->kind != API_INSTANCE || o->store != l->store)
        return ebb_error_newf("ebb_linker_define_instance: not an instance "
                              "of the linker's store");
    const module_desc *d = &o->rt.instance->module->desc;
    wasm_extern_vec_t exports;
    wasm_instance_exports(instance, &exports);
    if (exports.size != d->nexports) {
        wasm_extern_vec_delete(&exports);
        return ebb_error_newf("out of memory");
    }
    ebb_error_t *e = NULL;
    for (size_t i = 0; i < exports.size && !e; i++)
        e = ebb_linker_define(l, name, len, d->exports[i].name,
                              d->exports[i].name_len, exports.data[i]);
    wasm_extern_vec_delete(&exports);
    return e;
}

ebb_error_t *ebb_linker_define_wasi(ebb_linker_t *l, ebb_wasi_t *w)
{
    if (!l || !w)
        return ebb_error_newf("ebb_linker_define_wasi: no linker or no "
                              "WASI context");
    if (l->wasi && l->wasi != w && !l->shadowing)
        return ebb_error_newf("WASI is already defined");
    l->wasi = w;
    return NULL;
}

bool ebb_linker_get(const ebb_linker_t *l, const char *module, size_t mlen,
                    const char *name, size_t nlen, wasm_extern_t **out)
{
    if (!out)
        return false;
    *out = NULL;
    if (!l || (!module && mlen) || (!name && nlen))
        return false;
    link_entry *e = find(l, module ? module : "", mlen, name ? name : "",
                         nlen);
    if (e) {
        *out = wasm_extern_copy(e->item);
    } else if (l->wasi) {
        *out = ebb_wasi_extern(l->wasi, l->store, module, mlen, name, nlen);
    }
    return *out != NULL;
}

/* The runtime extern behind a handle. */
static rt_extern rt_of(const wasm_extern_t *item)
{
    api_obj *o = api_obj_of(item);
    rt_extern x = {.kind = EXTERN_FUNC};
    switch (o->kind) {
    case API_FUNC:
        x.u.func = o->rt.func;
        break;
    case API_GLOBAL:
        x.kind = EXTERN_GLOBAL;
        x.u.global = o->rt.global;
        break;
    case API_TABLE:
        x.kind = EXTERN_TABLE;
        x.u.table = o->rt.table;
        break;
    default:
        x.kind = EXTERN_MEMORY;
        x.u.memory = o->rt.memory;
        break;
    }
    return x;
}

/* The module's imports, in its order, as handles (each one owned). */
static ebb_error_t *resolve(const ebb_linker_t *l, const rt_module *m,
                            wasm_extern_vec_t *out)
{
    const module_desc *d = &m->desc;
    wasm_extern_vec_new_uninitialized(out, d->nimports);
    if (d->nimports && !out->data)
        return ebb_error_newf("out of memory");
    if (d->nimports)
        memset(out->data, 0, d->nimports * sizeof *out->data);
    rt_extern *ext = api_alloc((d->nimports + 1) * sizeof *ext);
    if (!ext)
        return ebb_error_newf("out of memory");
    ebb_error_t *e = NULL;
    for (uint32_t i = 0; i < d->nimports && !e; i++) {
        const import_desc *im = &d->imports[i];
        if (!ebb_linker_get(l, im->module, im->module_len, im->name,
                            im->name_len, &out->data[i]))
            e = ebb_error_newf("unknown import: `%.*s::%.*s` has not been "
                               "defined", (int)im->module_len, im->module,
                               (int)im->name_len, im->name);
        else
            ext[i] = rt_of(out->data[i]);
    }
    err_t err;
    err_clear(&err);
    if (!e && !rt_link_check(m, ext, d->nimports, &err))
        e = ebb_error_from(&err);
    api_free(ext);
    return e;
}

ebb_error_t *ebb_linker_instantiate(const ebb_linker_t *l,
                                    const wasm_module_t *module,
                                    wasm_instance_t **instance,
                                    wasm_trap_t **trap)
{
    if (instance)
        *instance = NULL;
    if (trap)
        *trap = NULL;
    api_obj *mo = api_obj_of(module);
    if (!l || !mo || mo->kind != API_MODULE || !instance)
        return ebb_error_newf("ebb_linker_instantiate: no linker, module or "
                              "output pointer");
    if (mo->rt.module->engine != l->store->engine->rt)
        return ebb_error_newf("ebb_linker_instantiate: module of another "
                              "engine");
    wasm_extern_vec_t imports;
    ebb_error_t *e = resolve(l, mo->rt.module, &imports);
    if (!e) {
        wasm_trap_t *t = NULL;
        *instance = wasm_instance_new(l->store, module, &imports, &t);
        if (!*instance && !t)
            e = ebb_error_newf("instantiation failed");
        if (trap)
            *trap = t;
        else
            wasm_trap_delete(t);
    }
    wasm_extern_vec_delete(&imports);
    return e;
}

ebb_error_t *ebb_linker_module(ebb_linker_t *l, const char *name, size_t len,
                               const wasm_module_t *module,
                               wasm_trap_t **trap)
{
    wasm_instance_t *inst;
    ebb_error_t *e = ebb_linker_instantiate(l, module, &inst, trap);
    if (e || !inst)
        return e;
    e = ebb_linker_define_instance(l, name, len, inst);
    wasm_instance_delete(inst);
    return e;
}
