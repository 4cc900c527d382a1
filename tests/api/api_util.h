/* Helpers of the wasm.h API tests: the unit tests' assertions, modules
 * written in the text format, and a check that everything came back. */
#ifndef EBB_TESTS_API_UTIL_H
#define EBB_TESTS_API_UTIL_H

#include <string.h>

#include "wasm.h"

#include "mem/mem.h"
#include "text/text.h"

#include "../unit/check.h"

/* The binary of a module in the text format, as an owned byte vector
 * (empty if the text does not parse, which the test then reports). */
static inline void wat_bytes(wasm_byte_vec_t *out, const char *wat)
{
    mem_owner o;
    mem_owner_init(&o, MEM_OWNER_ENGINE);
    uint8_t *bin = NULL;
    size_t len = 0;
    err_t err;
    err_clear(&err);
    wasm_byte_vec_new_empty(out);
    if (!text_wat_to_binary(&o, wat, strlen(wat), &bin, &len, &err)) {
        printf("wat: %s\n", err.msg);
        return;
    }
    wasm_byte_vec_new(out, len, (const wasm_byte_t *)bin);
    mem_free(&o, MEM_HOST, bin);
}

/* A module from text, compiled in store s. */
static inline wasm_module_t *wat_module(wasm_store_t *s, const char *wat)
{
    wasm_byte_vec_t bin;
    wat_bytes(&bin, wat);
    wasm_module_t *m = wasm_module_new(s, &bin);
    wasm_byte_vec_delete(&bin);
    return m;
}

/* A message as a C string (messages end in a NUL). */
static inline int msg_is(const wasm_message_t *m, const char *want)
{
    return m->size == strlen(want) + 1 && m->data[m->size - 1] == 0 &&
           memcmp(m->data, want, m->size) == 0;
}

#endif
