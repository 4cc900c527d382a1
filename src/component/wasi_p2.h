/* WASI 0.2 (the component-model interfaces wasi:cli, wasi:io,
 * wasi:filesystem, wasi:clocks, wasi:random) as a cm_host, on top of a
 * preview1 context (src/wasi/): its arguments, environment, standard
 * streams and sandboxed preopens. Any 0.2.x version suffix is accepted.
 *
 * Use:
 *   wasi_ctx *w = wasi_ctx_new(owner, &cfg, &err);
 *   wasi_p2 *p = wasi_p2_new(owner, w);
 *   cm_host host = wasi_p2_host(p);
 *   inst = cm_instance_new(store, component, &host, &trap, &err);
 *   ... call wasi:cli/run's run; a trap with code TRAP_EXIT is
 *       wasi:cli/exit (wasi_trap_is_exit gives its status)
 *   cm_instance_free(inst); wasi_p2_free(p); rt_store_free(store);
 *   wasi_ctx_free(w);
 *
 * Descriptors are the preview1 context's: a wasi:filesystem descriptor
 * is a preview1 descriptor number, opened through the same sandbox as
 * path_open. Handles still held when the instance is freed are dropped
 * then, so the instance must be freed before the wasi_p2. */
#ifndef EBB_COMPONENT_WASI_P2_H
#define EBB_COMPONENT_WASI_P2_H

#include <stdbool.h>

#include "component.h"
#include "../wasi/wasi.h"

typedef struct wasi_p2 wasi_p2;

/* NULL when out of memory. Bytes are counted on `owner` (MEM_HOST),
 * which must outlive it; so must w. */
wasi_p2 *wasi_p2_new(mem_owner *owner, wasi_ctx *w);
/* Closes the streams it still holds. */
void wasi_p2_free(wasi_p2 *p);

/* The host to instantiate components with (its env is p). */
cm_host wasi_p2_host(wasi_p2 *p);

/* true when `iface` is interface `base` ("wasi:cli/run") of some WASI
 * 0.2.x version ("wasi:cli/run@0.2.6"). */
bool wasi_p2_iface_is(const char *iface, const char *base);

#endif
