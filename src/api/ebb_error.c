/* ebb_error_t: the message of a failed ebb_* call, owned by the caller. */
#include "ebb_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Returned when the error itself cannot be allocated: never freed. */
static char oom_text[] = "out of memory";
static ebb_error_t oom_error = {oom_text, sizeof oom_text - 1};

ebb_error_t *ebb_error_newf(const char *fmt, ...)
{
    char buf[ERR_MSG_MAX * 2];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    size_t len = (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1;
    ebb_error_t *e = api_alloc(sizeof *e);
    char *msg = e ? api_alloc(len + 1) : NULL;
    if (!msg) {
        api_free(e);
        return &oom_error;
    }
    memcpy(msg, buf, len);
    e->msg = msg;
    e->len = len;
    return e;
}

ebb_error_t *ebb_error_from(const err_t *err)
{
    return ebb_error_newf("%s", err && err->msg[0] ? err->msg
                                                   : "unknown error");
}

void ebb_error_delete(ebb_error_t *e)
{
    if (!e || e == &oom_error)
        return;
    api_free(e->msg);
    api_free(e);
}

void ebb_error_message(const ebb_error_t *e, wasm_name_t *out)
{
    if (!out)
        return;
    if (!e) {
        wasm_byte_vec_new_empty(out);
        return;
    }
    wasm_byte_vec_new(out, e->len + 1, e->msg);
}

const char *ebb_error_text(const ebb_error_t *e)
{
    return e ? e->msg : "";
}

const char *ebb_version(void)
{
    return EBB_VERSION;
}
