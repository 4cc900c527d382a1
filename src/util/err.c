#include "err.h"

#include <stdarg.h>
#include <stdio.h>

bool err_set(err_t *e, const char *fmt, ...)
{
    if (!e)
        return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    if (!e->msg[0]) /* an empty message would read as success */
        e->msg[0] = '?', e->msg[1] = 0;
    return false;
}

void err_clear(err_t *e)
{
    if (e)
        e->msg[0] = 0;
}
