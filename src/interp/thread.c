/* Execution stacks and the interpreter's cold paths. */
#include "thread.h"

#include <stdio.h>
#include <string.h>

#include "../os/os.h"
#include "code.h"
#include "interp.h"

interp_thread *interp_thread_get(rt_store *s)
{
    if (s->thread)
        return s->thread;
    size_t bytes = s->engine->config.max_wasm_stack;
    if (bytes < 4096)
        bytes = 4096;
    size_t nslots = bytes / sizeof(uint64_t);
    /* Every frame takes at least one slot; a record per two slots is
     * ample for real code and bounds the record stack as well. */
    size_t nframes = nslots / 2 + 2;
    interp_thread *t = mem_calloc(&s->mem, MEM_STACK, 1, sizeof *t);
    if (!t)
        return NULL;
    t->slots = mem_calloc(&s->mem, MEM_STACK, nslots, sizeof *t->slots);
    t->frames = mem_calloc(&s->mem, MEM_STACK, nframes, sizeof *t->frames);
    if (!t->slots || !t->frames) {
        mem_free(&s->mem, MEM_STACK, t->slots);
        mem_free(&s->mem, MEM_STACK, t->frames);
        mem_free(&s->mem, MEM_STACK, t);
        return NULL;
    }
    t->slots_end = t->slots + nslots;
    t->frames_end = t->frames + nframes;
    t->top = t->slots;
    t->frame_top = t->frames;
    s->thread = t;
    return t;
}

void interp_thread_free(rt_store *s)
{
    interp_thread *t = s->thread;
    if (!t)
        return;
    mem_free(&s->mem, MEM_STACK, t->slots);
    mem_free(&s->mem, MEM_STACK, t->frames);
    mem_free(&s->mem, MEM_STACK, t);
    s->thread = NULL;
}

rt_trap *interp_call_host(interp_thread *t, rt_store *s, rt_func *f,
                          uint64_t *args, frame_rec *fr)
{
    /* Counted in cells: a v128 takes two. */
    uint32_t np = valtypes_cells(functype_params(f->type), f->type->nparams);
    uint32_t nr = valtypes_cells(functype_results(f->type), f->type->nresults);
    uint64_t *saved_top = t->top;
    frame_rec *saved_frame = t->frame_top;
    /* A Wasm call made by the host starts above the arguments (the caller's
     * frame has room for max(np, nr) slots there). */
    t->top = args + (np > nr ? np : nr);
    t->frame_top = fr;
    uint64_t small[16];
    uint64_t *res = small;
    if (nr > 16) {
        res = mem_alloc(&s->mem, MEM_STACK, (size_t)nr * sizeof *res);
        if (!res) {
            t->top = saved_top;
            t->frame_top = saved_frame;
            return rt_trap_new(s, TRAP_HOST, "out of memory");
        }
    }
    /* The host function may need its caller (WASI reads the caller's
     * exported memory); nested host calls restore the outer one. */
    rt_instance *saved_caller = s->host_caller;
    s->host_caller = fr->func->instance;
    /* A fault in host code is the host's, not a Wasm trap. */
    os_trap_scope *scope = os_trap_suspend();
    rt_trap *trap = f->host(f->host_env, s, args, res);
    os_trap_resume(scope);
    s->host_caller = saved_caller;
    if (!trap)
        memcpy(args, res, (size_t)nr * sizeof *res);
    if (res != small)
        mem_free(&s->mem, MEM_STACK, res);
    t->top = saved_top;
    t->frame_top = saved_frame;
    return trap;
}

uint32_t interp_code_offset(const compiled_func *f, uint32_t at)
{
    /* The last site at or before `at` (sites are in code order). */
    uint32_t lo = 0, hi = f->nsites;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (f->sites[mid][0] <= at)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? f->sites[lo - 1][1] : 0;
}

rt_trap *interp_make_trap(rt_store *s, rt_trap *host, rt_trap_code code,
                          int64_t index, const uint32_t *pc,
                          const frame_rec *fr, const frame_rec *entry)
{
    rt_trap *trap = host ? host : rt_trap_new(s, code, NULL);
    if (trap && !host && index >= 0)
        snprintf(trap->message, sizeof trap->message, "%s %u",
                 rt_trap_code_message(code), (uint32_t)index);
    if (!trap || trap->frames || !trap->owner)
        return trap;
    uint32_t n = (uint32_t)(fr - entry) + 1;
    trap->frames = mem_calloc(trap->owner, MEM_HOST, n, sizeof *trap->frames);
    if (!trap->frames)
        return trap;
    /* pc is where the innermost frame stopped; each outer frame stopped
     * at the call just before its callee's return pc. */
    for (uint32_t i = 0; i < n; i++, fr--) {
        const rt_func *f = fr->func;
        const compiled_func *cf = f->code;
        trap->frames[i].func_index = f->index;
        trap->frames[i].module = f->instance ? f->instance->module : NULL;
        trap->frames[i].instance = f->instance;
        trap->frames[i].code_offset =
            cf && pc ? interp_code_offset(cf, (uint32_t)(pc - cf->code)) : 0;
        pc = fr->ret_pc ? fr->ret_pc - 1 : NULL;
    }
    trap->nframes = n;
    return trap;
}
