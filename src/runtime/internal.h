/* What the runtime's own files share and nobody else needs: registering
 * objects with their store and creating Wasm function records. */
#ifndef EBB_RUNTIME_INTERNAL_H
#define EBB_RUNTIME_INTERNAL_H

#include "runtime.h"

/* Records obj in one of the store's ownership arrays (MEM_INSTANCE), so
 * rt_store_free frees it. false on allocation failure (obj not recorded). */
bool rt_store_track(rt_store *s, void ***arr, size_t *n, size_t *cap,
                    void *obj);

/* The record of function `index` of inst's module, defined there. */
rt_func *rt_func_new_wasm(rt_store *s, rt_instance *inst, uint32_t index);

/* Frees one object's own parts (not the objects it points to). */
void rt_func_destroy(rt_store *s, rt_func *f);
void rt_table_destroy(rt_store *s, rt_table *t);
void rt_memory_destroy(rt_store *s, rt_memory *m);
void rt_global_destroy(rt_store *s, rt_global *g);
void rt_instance_destroy(rt_store *s, rt_instance *inst);

/* Does an extern of the given actual type fit where the module expects
 * `want`? Limits subtyping as the spec's import matching. */
bool rt_limits_match(const limits *have, const limits *want);
/* All imports against the module's import types; "incompatible import
 * type" (with details after it) on a mismatch. */
bool rt_link_check(const rt_module *m, const rt_extern *imports,
                   uint32_t nimports, err_t *err);

/* Instantiation steps after the instance's entities exist: active and
 * declarative segments in the spec's order, then the start function. */
rt_trap *rt_instance_initialize(rt_store *s, rt_instance *inst);

/* The steps every module starts with (module.c): the struct, its owner,
 * a copy of the binary, its description and the engine ids of its types;
 * m->funcs is still NULL. Then the code is compiled (rt_module_new) or
 * loaded (rt_module_deserialize); rt_module_release frees a module left
 * half-done. NULL with a message on failure. */
rt_module *rt_module_begin(rt_engine *e, const uint8_t *bytes, size_t len,
                           err_t *err);

/* The value of a constant expression in inst (globals it reads must exist). */
uint64_t rt_const_eval(const rt_instance *inst, const const_expr *c);
/* The high 64 bits of a v128 constant expression (0 for other types). */
uint64_t rt_const_eval_hi(const rt_instance *inst, const const_expr *c);

#endif
