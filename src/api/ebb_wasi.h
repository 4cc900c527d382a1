/* The WASI context behind ebb_wasi_t, shared by ebb_wasi.c and the
 * linker, which resolves a module's WASI imports from it. */
#ifndef EBB_API_EBB_WASI_H
#define EBB_API_EBB_WASI_H

#include "ebb_internal.h"

#include "../wasi/wasi.h"

struct ebb_wasi_t {
    wasi_ctx *ctx;
    int own_fd[3];           /* in-memory files made for stdio, or -1 */
    bool exited;             /* the guest called proc_exit */
    uint32_t exit_status;
};

/* The WASI function (module, name) of w as an extern handle in store s;
 * NULL when WASI has no such function (or out of memory). proc_exit is
 * wrapped so that w records the exit status. */
wasm_extern_t *ebb_wasi_extern(ebb_wasi_t *w, wasm_store_t *s,
                               const char *module, size_t mlen,
                               const char *name, size_t nlen);

#endif
