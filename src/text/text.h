/* The text format: WAT modules become binary bytes, which then go through
 * the same decoder as any .wasm file. */
#ifndef EBB_TEXT_H
#define EBB_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../mem/mem.h"
#include "../util/err.h"

/* Converts a module in the text format -- either `(module ...)` or a bare
 * list of module fields -- to the binary format. The bytes are allocated
 * from `owner` (MEM_HOST) and freed with mem_free. On a syntax error
 * returns false with "LINE:COL: message" in err. */
bool text_wat_to_binary(mem_owner *owner, const char *src, size_t len,
                        uint8_t **out, size_t *out_len, err_t *err);

#endif
