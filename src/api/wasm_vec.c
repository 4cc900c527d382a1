/* Vectors of wasm.h: one generic implementation of new/new_empty/
 * new_uninitialized/copy/delete, expanded for every element type.
 *
 * A vector's data is a block on api_mem (NULL when empty). Vectors of
 * owned pointers and of values own their elements: copy duplicates each
 * with the element's copy function, delete releases each. */
#include "api.h"

#include <string.h>

mem_owner api_mem; /* kind 0 (engine-like), counters zero */

void *api_alloc(size_t n)
{
    return mem_calloc(&api_mem, MEM_HOST, 1, n);
}

void api_free(void *p)
{
    if (p)
        mem_free(&api_mem, MEM_HOST, p);
}

/* Room for n elements of `elem` bytes; NULL for n == 0 or on failure
 * (then *size is 0). */
static void *vec_data(size_t *size, size_t n, size_t elem)
{
    *size = 0;
    if (n == 0 || n > SIZE_MAX / elem)
        return NULL;
    void *d = mem_calloc(&api_mem, MEM_HOST, n, elem);
    if (d)
        *size = n;
    return d;
}

/* Elements copied bit for bit (bytes) and elements with their own copy
 * and delete (pointers, values). */
#define PLAIN_COPY(dst, src) (*(dst) = *(src), true)
#define PLAIN_DELETE(p) ((void)(p))
#define PTR_COPY(name, dst, src) \
    (*(dst) = *(src) ? wasm_##name##_copy(*(src)) : NULL, !*(src) || *(dst))
#define PTR_DELETE(name, p) wasm_##name##_delete(*(p))

#define DEFINE_VEC(name, elem_t, COPY, DELETE)                                \
    void wasm_##name##_vec_new_empty(wasm_##name##_vec_t *out)                \
    {                                                                         \
        if (!out)                                                             \
            return;                                                           \
        out->size = 0;                                                        \
        out->data = NULL;                                                     \
    }                                                                         \
    void wasm_##name##_vec_new_uninitialized(wasm_##name##_vec_t *out,        \
                                             size_t n)                        \
    {                                                                         \
        if (out)                                                              \
            out->data = vec_data(&out->size, n, sizeof(elem_t));              \
    }                                                                         \
    void wasm_##name##_vec_new(wasm_##name##_vec_t *out, size_t n,            \
                               elem_t const src[])                            \
    {                                                                         \
        if (!out)                                                             \
            return;                                                           \
        out->data = vec_data(&out->size, src ? n : 0, sizeof(elem_t));        \
        if (out->size)                                                        \
            memcpy(out->data, src, n * sizeof(elem_t));                       \
    }                                                                         \
    void wasm_##name##_vec_copy(wasm_##name##_vec_t *out,                     \
                                const wasm_##name##_vec_t *src)               \
    {                                                                         \
        if (!out)                                                             \
            return;                                                           \
        size_t n = src && src->data ? src->size : 0;                          \
        out->data = vec_data(&out->size, n, sizeof(elem_t));                  \
        for (size_t i = 0; i < out->size; i++) {                              \
            if (!COPY(&out->data[i], &src->data[i])) {                        \
                out->size = i; /* keep what was copied; drop the rest */      \
                wasm_##name##_vec_delete(out);                                \
                return;                                                       \
            }                                                                 \
        }                                                                     \
    }                                                                         \
    void wasm_##name##_vec_delete(wasm_##name##_vec_t *v)                     \
    {                                                                         \
        if (!v)                                                               \
            return;                                                           \
        for (size_t i = 0; v->data && i < v->size; i++)                       \
            DELETE(&v->data[i]);                                              \
        api_free(v->data);                                                    \
        v->size = 0;                                                          \
        v->data = NULL;                                                       \
    }

#define DEFINE_PTR_VEC(name)                                                  \
    static bool name##_elem_copy(wasm_##name##_t **dst,                       \
                                 wasm_##name##_t *const *src)                 \
    {                                                                         \
        return PTR_COPY(name, dst, src);                                      \
    }                                                                         \
    static void name##_elem_delete(wasm_##name##_t **p)                       \
    {                                                                         \
        PTR_DELETE(name, p);                                                  \
    }                                                                         \
    DEFINE_VEC(name, wasm_##name##_t *, name##_elem_copy, name##_elem_delete)

DEFINE_VEC(byte, wasm_byte_t, PLAIN_COPY, PLAIN_DELETE)

static bool val_elem_copy(wasm_val_t *dst, const wasm_val_t *src)
{
    wasm_val_copy(dst, src);
    return !(wasm_valkind_is_ref(src->kind) && src->of.ref && !dst->of.ref);
}
DEFINE_VEC(val, wasm_val_t, val_elem_copy, wasm_val_delete)

DEFINE_PTR_VEC(valtype)
DEFINE_PTR_VEC(functype)
DEFINE_PTR_VEC(globaltype)
DEFINE_PTR_VEC(tabletype)
DEFINE_PTR_VEC(memorytype)
DEFINE_PTR_VEC(externtype)
DEFINE_PTR_VEC(importtype)
DEFINE_PTR_VEC(exporttype)
DEFINE_PTR_VEC(frame)
DEFINE_PTR_VEC(extern)
