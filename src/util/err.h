/* Errors are values: a fixed buffer that a failing function fills.
 * An empty message means success. Library code never prints or aborts;
 * it fills an err_t and returns false or NULL. */
#ifndef EBB_UTIL_ERR_H
#define EBB_UTIL_ERR_H

#include <stdbool.h>

#define ERR_MSG_MAX 256

typedef struct err {
    char msg[ERR_MSG_MAX];
} err_t;

#if defined(__GNUC__)
#define ERR_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define ERR_PRINTF(a, b)
#endif

/* Sets the message (printf-style) and returns false, so callers can write
 * `return err_set(e, "unknown type %u", i);`. A NULL err is allowed. */
bool err_set(err_t *e, const char *fmt, ...) ERR_PRINTF(2, 3);
void err_clear(err_t *e);
static inline bool err_failed(const err_t *e) { return e->msg[0] != 0; }

#endif
