/* wasm_module_serialize / wasm_module_deserialize: the standard's entry
 * points over the runtime's serialized modules (runtime/serialize.c),
 * which keep ebb's translated code so loading skips validation and
 * translation. The standard's signatures carry no message: a failure is an
 * empty vector or NULL (ebb_module_serialize and ebb_module_deserialize in
 * ebb.h give the message). */
#include "api.h"

void wasm_module_serialize(const wasm_module_t *module, wasm_byte_vec_t *out)
{
    if (!out)
        return;
    wasm_byte_vec_new_empty(out);
    api_obj *o = api_obj_of(module);
    if (!o || o->kind != API_MODULE)
        return;
    size_t n = rt_module_serialized_size(o->rt.module);
    if (n == 0)
        return;
    wasm_byte_vec_new_uninitialized(out, n);
    if (!out->data)
        return;
    err_t err = {{0}};
    if (!rt_module_serialize(o->rt.module, (uint8_t *)out->data, n, &err))
        wasm_byte_vec_delete(out); /* leaves it empty */
}

wasm_module_t *wasm_module_deserialize(wasm_store_t *store,
                                       const wasm_byte_vec_t *bytes)
{
    if (!store || !bytes)
        return NULL;
    err_t err = {{0}};
    rt_module *m = rt_module_deserialize(store->engine->rt,
                                         (const uint8_t *)bytes->data,
                                         bytes->size, &err);
    if (!m)
        return NULL;
    wasm_module_t *h = api_module_wrap(store, m);
    rt_module_release(m); /* the handle's record holds its own reference */
    return h;
}
