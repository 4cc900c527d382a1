/* WASI preview1 (`wasi_snapshot_preview1`) for ebb's runtime.
 *
 * A wasi_ctx is one guest's view of the host: its arguments, environment,
 * standard streams and the directories it may see (preopens). Nothing
 * else of the host file system is reachable: every path is resolved
 * beneath a preopened directory (see sandbox.c).
 *
 * Use:
 *   wasi_config cfg; wasi_config_default(&cfg);  ... fill argv, env, dirs
 *   wasi_ctx *w = wasi_ctx_new(owner, &cfg, &err);
 *   rt_extern *imports; wasi_link(w, store, module, NULL, NULL, &imports, &err);
 *   inst = rt_instance_new(store, module, imports, n, &trap, &err);
 *   ... call _start; a trap with code TRAP_EXIT is proc_exit (exit_status)
 *   wasi_imports_free(store, imports); rt_store_free(store); wasi_ctx_free(w);
 *
 * Host functions find the guest's memory through the store's host_caller
 * (the calling instance's export "memory"), or, when called from the host
 * directly, through the memory given to wasi_ctx_bind_memory. */
#ifndef EBB_WASI_H
#define EBB_WASI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../runtime/runtime.h"

#define WASI_MODULE_NAME "wasi_snapshot_preview1"

typedef struct wasi_ctx wasi_ctx;

typedef struct wasi_preopen {
    const char *host_path;   /* directory on the host */
    const char *guest_path;  /* the name the guest sees (e.g. "." or "/data") */
} wasi_preopen;

typedef struct wasi_config {
    /* Strings are copied by wasi_ctx_new. */
    uint32_t argc;
    const char *const *argv;       /* argv[0] is the program name */
    uint32_t envc;
    const char *const *env;        /* "NAME=VALUE" */
    uint32_t npreopens;
    const wasi_preopen *preopens;  /* guest fds 3, 4, ... in this order */
    /* Host descriptors behind guest fds 0, 1, 2 (default 0, 1, 2; -1: the
     * guest fd is not open). They are not closed by the context. */
    int stdio[3];
    /* Resolve paths component by component even where the kernel offers
     * openat2(RESOLVE_BENEATH): the portable fallback, for tests. */
    bool no_openat2;
} wasi_config;

void wasi_config_default(wasi_config *c);

/* NULL with a message ("cannot open directory 'x': ...") on failure.
 * Bytes are counted on `owner`, which must outlive the context. */
wasi_ctx *wasi_ctx_new(mem_owner *owner, const wasi_config *c, err_t *err);
/* Closes every descriptor the context opened. */
void wasi_ctx_free(wasi_ctx *w);

/* Memory used when a WASI function is called by the host rather than by
 * Wasm code (or when the caller exports no "memory"). May be NULL. */
void wasi_ctx_bind_memory(wasi_ctx *w, rt_memory *m);

/* The WASI function `name` of module `module` as a host function of store
 * s. false when (module, name) is not a WASI preview1 function. The
 * function's type is WASI's; instantiation checks it against the import. */
bool wasi_ctx_resolve(wasi_ctx *w, rt_store *s, const char *module,
                      size_t module_len, const char *name, size_t name_len,
                      rt_extern *out);

/* Resolves the imports a WASI context does not supply. true with *out set,
 * or false when it does not know the import either. */
typedef bool (*wasi_import_fn)(void *env, rt_store *s, const import_desc *im,
                               rt_extern *out);

/* Builds the import list of module m, in its import order: WASI functions
 * from w (w may be NULL: none), everything else from `extra` (may be NULL).
 * *imports is NULL for a module without imports, else an array on the
 * store's owner (MEM_HOST), freed with wasi_imports_free. On failure:
 * false, err "unknown import: module::name". */
bool wasi_link(wasi_ctx *w, rt_store *s, const rt_module *m,
               wasi_import_fn extra, void *extra_env, rt_extern **imports,
               err_t *err);
void wasi_imports_free(rt_store *s, rt_extern *imports);

/* true when trap t is a guest's proc_exit; *status is its exit code. */
bool wasi_trap_is_exit(const rt_trap *t, uint32_t *status);

#endif
