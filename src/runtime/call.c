/* The one entry for calling a function from the host side. */
#include "runtime.h"

#include "../interp/interp.h"

/* Each host->Wasm re-entry nests a native interpreter activation; bound
 * them so host recursion through Wasm cannot overflow the native stack. */
#define RT_MAX_HOST_DEPTH 256u

rt_trap *rt_call(rt_store *s, rt_func *f, const uint64_t *args,
                 uint64_t *results)
{
    /* Callers may pass NULL for an empty argument or result list. */
    uint64_t none = 0;
    if (!args)
        args = &none;
    if (!results)
        results = &none;
    if (!f->instance)
        return f->host(f->host_env, s, args, results);
    if (s->host_depth >= RT_MAX_HOST_DEPTH)
        return rt_trap_new(s, TRAP_STACK_EXHAUSTED, NULL);
    s->host_depth++;
    rt_trap *t = interp_call(s, f, args, results);
    s->host_depth--;
    return t;
}
