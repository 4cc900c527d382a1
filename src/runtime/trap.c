/* Traps: a code, the spec's message (or the host's), and a backtrace the
 * interpreter may fill. A trap remembers the owner that counts its bytes,
 * so it can be freed without its store at hand (but before the store). */
#include "runtime.h"

#include <stdio.h>

static const char *const trap_messages[] = {
    [TRAP_UNREACHABLE] = "unreachable",
    [TRAP_MEMORY_OOB] = "out of bounds memory access",
    [TRAP_TABLE_OOB] = "out of bounds table access",
    [TRAP_DIV_ZERO] = "integer divide by zero",
    [TRAP_INT_OVERFLOW] = "integer overflow",
    [TRAP_BAD_CONVERSION] = "invalid conversion to integer",
    [TRAP_UNDEFINED_ELEMENT] = "undefined element",
    [TRAP_UNINITIALIZED_ELEMENT] = "uninitialized element",
    [TRAP_INDIRECT_MISMATCH] = "indirect call type mismatch",
    [TRAP_STACK_EXHAUSTED] = "call stack exhausted",
    [TRAP_OUT_OF_FUEL] = "all fuel consumed",
    [TRAP_INTERRUPT] = "interrupt",
    [TRAP_HOST] = "host trap",
    [TRAP_EXIT] = "exit",
};

const char *rt_trap_code_message(rt_trap_code code)
{
    if ((unsigned)code < sizeof trap_messages / sizeof *trap_messages &&
        trap_messages[code])
        return trap_messages[code];
    return "trap";
}

rt_trap *rt_trap_new(rt_store *s, rt_trap_code code, const char *host_msg)
{
    rt_trap *t = mem_calloc(&s->mem, MEM_HOST, 1, sizeof *t);
    if (!t)
        return NULL;
    t->code = code;
    t->owner = &s->mem;
    const char *msg = code == TRAP_HOST && host_msg
                          ? host_msg : rt_trap_code_message(code);
    snprintf(t->message, sizeof t->message, "%s", msg);
    return t;
}

void rt_trap_free(rt_trap *t)
{
    if (!t)
        return;
    mem_owner *o = t->owner;
    mem_free(o, MEM_HOST, t->frames);
    mem_free(o, MEM_HOST, t);
}
