/* Execution stacks of a store and the interpreter's cold paths (host
 * calls, trap construction), shared by run.c and thread.c. */
#ifndef EBB_INTERP_THREAD_H
#define EBB_INTERP_THREAD_H

#include <stdint.h>

#include "../runtime/runtime.h"


/* One activation of a Wasm function. The record of the function an
 * interp_call starts with has ret_pc == NULL. */
typedef struct frame_rec {
    const uint32_t *ret_pc;  /* caller's next instruction */
    uint64_t *fp;            /* caller's frame */
    rt_func *func;           /* the function running in this activation */
} frame_rec;

typedef struct interp_thread {
    uint64_t *slots;         /* value stack (MEM_STACK) */
    uint64_t *slots_end;
    frame_rec *frames;       /* frames[0] is an unused sentinel */
    frame_rec *frames_end;
    /* Where the next interp_call starts: the first free slot and the
     * innermost live record (moved up while a host function runs). */
    uint64_t *top;
    frame_rec *frame_top;
} interp_thread;

/* The store's stacks, made on first use; NULL if out of memory. */
interp_thread *interp_thread_get(rt_store *s);

/* Calls host function f with its arguments in args[0..nparams); its
 * results replace them in args[0..nresults). `fr` is the caller's record. */
rt_trap *interp_call_host(interp_thread *t, rt_store *s, rt_func *f,
                          uint64_t *args, frame_rec *fr);

/* The trap to return: `host` if non-NULL, else a new one for `code` (a
 * table index >= 0 is added to its message); adds the backtrace of
 * records fr down to entry, the innermost stopped at `pc`. */
rt_trap *interp_make_trap(rt_store *s, rt_trap *host, rt_trap_code code,
                          int64_t index, const uint32_t *pc,
                          const frame_rec *fr, const frame_rec *entry);

#endif
