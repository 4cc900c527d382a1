/* What the ebb_*.c files share: the error object and its constructors.
 * (The wasm.h objects they work with are described in api.h.) */
#ifndef EBB_API_EBB_INTERNAL_H
#define EBB_API_EBB_INTERNAL_H

#include "../../include/ebb.h"
#include "api.h"

struct ebb_error_t {
    char *msg;          /* NUL-terminated, on api_mem */
    size_t len;         /* without the NUL */
};

/* A new error with a printf-style message; a preallocated "out of
 * memory" error when even that fails (deleting it is harmless). */
ebb_error_t *ebb_error_newf(const char *fmt, ...) ERR_PRINTF(1, 2);
/* An error from an err_t's message. */
ebb_error_t *ebb_error_from(const err_t *err);

#endif
