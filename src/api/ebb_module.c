/* Modules with messages: ebb_module_new (binary or text), serialization
 * with the reason it failed, and the text format to binary. */
#include "ebb_internal.h"

#include <string.h>

#include "../text/text.h"

ebb_error_t *ebb_wat2wasm(const char *wat, size_t len, wasm_byte_vec_t *out)
{
    if (!out)
        return ebb_error_newf("ebb_wat2wasm: no output vector");
    wasm_byte_vec_new_empty(out);
    if (!wat && len)
        return ebb_error_newf("ebb_wat2wasm: no text");
    uint8_t *bytes;
    size_t n;
    err_t err;
    err_clear(&err);
    if (!text_wat_to_binary(&api_mem, wat ? wat : "", len, &bytes, &n, &err))
        return ebb_error_from(&err);
    wasm_byte_vec_new(out, n, (const wasm_byte_t *)bytes);
    mem_free(&api_mem, MEM_HOST, bytes);
    if (n && !out->data)
        return ebb_error_newf("out of memory");
    return NULL;
}

/* A binary starts with "\0asm"; anything else is taken as text. */
static bool is_binary(const wasm_byte_vec_t *v)
{
    return v->size >= 4 && memcmp(v->data, "\0asm", 4) == 0;
}

ebb_error_t *ebb_module_new(wasm_store_t *s, const wasm_byte_vec_t *bytes,
                            wasm_module_t **out)
{
    if (!out)
        return ebb_error_newf("ebb_module_new: no output pointer");
    *out = NULL;
    if (!s || !bytes || (!bytes->data && bytes->size))
        return ebb_error_newf("ebb_module_new: no store or no bytes");
    wasm_byte_vec_t bin = {bytes->size, bytes->data};
    bool text = !is_binary(bytes);
    if (text) {
        ebb_error_t *e = ebb_wat2wasm(bytes->data, bytes->size, &bin);
        if (e)
            return e;
    }
    err_t err;
    err_clear(&err);
    rt_module *m = rt_module_new(s->engine->rt, (const uint8_t *)bin.data,
                                 bin.size, &err);
    if (text)
        wasm_byte_vec_delete(&bin);
    if (!m)
        return ebb_error_from(&err);
    *out = api_module_wrap(s, m);
    rt_module_release(m); /* the record holds its own reference */
    return *out ? NULL : ebb_error_newf("out of memory");
}

ebb_error_t *ebb_module_serialize(const wasm_module_t *module,
                                  wasm_byte_vec_t *out)
{
    if (!out)
        return ebb_error_newf("ebb_module_serialize: no output vector");
    wasm_byte_vec_new_empty(out);
    api_obj *o = api_obj_of(module);
    if (!o || o->kind != API_MODULE)
        return ebb_error_newf("ebb_module_serialize: not a module");
    size_t n = rt_module_serialized_size(o->rt.module);
    if (n == 0)
        return ebb_error_newf("serialize: the code holds an instruction "
                              "serialization does not know");
    wasm_byte_vec_new_uninitialized(out, n);
    if (!out->data)
        return ebb_error_newf("out of memory");
    err_t err;
    err_clear(&err);
    if (!rt_module_serialize(o->rt.module, (uint8_t *)out->data, n, &err)) {
        wasm_byte_vec_delete(out);
        return ebb_error_from(&err);
    }
    return NULL;
}

ebb_error_t *ebb_module_deserialize(wasm_store_t *s,
                                    const wasm_byte_vec_t *bytes,
                                    wasm_module_t **out)
{
    if (!out)
        return ebb_error_newf("ebb_module_deserialize: no output pointer");
    *out = NULL;
    if (!s || !bytes || (!bytes->data && bytes->size))
        return ebb_error_newf("ebb_module_deserialize: no store or bytes");
    err_t err;
    err_clear(&err);
    rt_module *m = rt_module_deserialize(s->engine->rt,
                                         (const uint8_t *)bytes->data,
                                         bytes->size, &err);
    if (!m)
        return ebb_error_from(&err);
    *out = api_module_wrap(s, m);
    rt_module_release(m);
    return *out ? NULL : ebb_error_newf("out of memory");
}
