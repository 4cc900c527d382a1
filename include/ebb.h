/* ebb's own API: what the standard wasm.h lacks.
 *
 * Everything here works with wasm.h's objects (config, engine, store,
 * module, extern, instance, trap) and follows its ownership rules (`own`).
 * Functions that can fail for a reason the caller should see return an
 * owned ebb_error_t * (NULL on success) whose message says what went
 * wrong; results come back through `out` parameters.
 *
 *   - errors:          ebb_error_message, ebb_error_delete
 *   - configuration:   ebb_config_*_set on wasm_config_t
 *   - statistics:      ebb_engine_stats, ebb_store_stats
 *   - modules:         ebb_module_new, ebb_module_serialize/deserialize
 *                      (with messages), ebb_wat2wasm (text to binary)
 *   - linking:         ebb_linker_* (host functions by module and name,
 *                      externs, instances under a name, WASI, instantiate)
 *   - WASI:            ebb_wasi_config_* (args, env, preopened directories,
 *                      inherited or captured stdio), ebb_wasi_*
 */
#ifndef EBB_H
#define EBB_H

#include "wasm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Marks owned data, as in wasm.h (which undefines its own at its end). */
#ifndef own
#define own
#define EBB_H_UNDEF_OWN
#endif

#define EBB_VERSION "0.1.0"
EBB_API const char *ebb_version(void);

/* ---- errors ------------------------------------------------------------- */

typedef struct ebb_error_t ebb_error_t;

EBB_API void ebb_error_delete(own ebb_error_t *);
/* The message as a NUL-terminated name (size counts the NUL), like
 * wasm_trap_message. */
EBB_API void ebb_error_message(const ebb_error_t *, own wasm_name_t *out);
/* The message as a C string, valid while the error lives. */
EBB_API const char *ebb_error_text(const ebb_error_t *);

/* ---- engine configuration ------------------------------------------------ */

/* Bytes of Wasm value stack per store (default 512 KiB); deeper recursion
 * traps with "call stack exhausted". */
EBB_API void ebb_config_max_wasm_stack_set(wasm_config_t *, size_t bytes);
/* Compile a module's functions on a pool of worker threads (default: on),
 * at most `n` of them (0, the default: one per processor), each leaving
 * after `ms` milliseconds without work (default 1000). */
EBB_API void ebb_config_parallel_compilation_set(wasm_config_t *, bool);
EBB_API void ebb_config_compile_threads_set(wasm_config_t *, uint32_t n);
EBB_API void ebb_config_compile_idle_ms_set(wasm_config_t *, uint32_t ms);
/* Address space each linear memory reserves up front, in bytes (default
 * 4 GiB), so it grows in place; and the never-accessible guard region
 * after it (default 32 MiB). */
EBB_API void ebb_config_memory_reservation_set(wasm_config_t *, uint64_t);
EBB_API void ebb_config_memory_guard_size_set(wasm_config_t *, uint64_t);
/* Let out-of-bounds accesses fault in the guard region and turn the fault
 * into a trap instead of checking every access (default: on; needs a
 * reservation of 4 GiB or more). Off: every access is checked and ebb
 * installs no signal handler (for embedders that own SIGSEGV). */
EBB_API void ebb_config_signals_based_traps_set(wasm_config_t *, bool);
/* Fuel (default: off): every function entry and loop iteration costs one
 * unit of the store's fuel, and code that runs out traps with "all fuel
 * consumed". A store starts with none (ebb_store_set_fuel). Off, compiled
 * code carries no check; modules serialized with one setting do not load
 * in an engine with the other. */
EBB_API void ebb_config_consume_fuel_set(wasm_config_t *, bool);
/* Epoch interruption (default: off): function entries and loop iterations
 * compare the engine's epoch (ebb_engine_increment_epoch) with the store's
 * deadline and trap with "interrupt" once it is reached. A store's
 * deadline starts at 0 (ebb_store_set_epoch_deadline). */
EBB_API void ebb_config_epoch_interruption_set(wasm_config_t *, bool);

/* The embedder's allocator for everything ebb allocates outside linear
 * memory (like Lua's lua_Alloc). ptr == NULL: allocate new_size bytes;
 * new_size == 0: free ptr (old_size bytes) and return NULL; otherwise
 * resize, returning NULL with ptr untouched on failure. Blocks must be
 * 16-byte aligned; `category` says what the bytes are for (see
 * ebb_mem_category_name). Called from compile workers too, so it must be
 * thread-safe. NULL fn: ebb's own page arenas (the default). */
typedef void *(*ebb_alloc_fn_t)(void *env, void *ptr, size_t old_size,
                                size_t new_size, int category);
EBB_API void ebb_config_allocator_set(wasm_config_t *, ebb_alloc_fn_t fn,
                                      void *env);

/* ---- statistics ----------------------------------------------------------- */

/* Bytes by what they are for ("code", "linear", ...: ebb_mem_category_name),
 * live now and at the peak. */
#define EBB_MEM_CATEGORIES_MAX 16
typedef struct ebb_mem_usage_t {
    size_t live, peak;
} ebb_mem_usage_t;

typedef struct ebb_object_counts_t {
    size_t modules, stores, instances, funcs, memories, tables, globals;
} ebb_object_counts_t;

typedef struct ebb_engine_stats_t {
    size_t live_bytes;               /* engine + modules + stores */
    size_t ncategories;
    ebb_mem_usage_t engine[EBB_MEM_CATEGORIES_MAX];
    ebb_mem_usage_t modules[EBB_MEM_CATEGORIES_MAX]; /* all live modules */
    ebb_mem_usage_t stores[EBB_MEM_CATEGORIES_MAX];  /* all live stores */
    ebb_object_counts_t objects;     /* live objects of this engine */
    size_t compile_threads;          /* compile workers running now */
} ebb_engine_stats_t;

typedef struct ebb_store_stats_t {
    size_t live_bytes;
    size_t ncategories;
    ebb_mem_usage_t mem[EBB_MEM_CATEGORIES_MAX];
    ebb_object_counts_t objects;     /* modules and stores: 0 */
} ebb_store_stats_t;

EBB_API void ebb_engine_stats(const wasm_engine_t *, ebb_engine_stats_t *out);
EBB_API void ebb_store_stats(const wasm_store_t *, ebb_store_stats_t *out);
/* The name of category i (< ncategories), else NULL. */
EBB_API const char *ebb_mem_category_name(size_t i);

/* ---- limits ------------------------------------------------------------------ */

/* Sets the store's fuel; an error when the engine does not consume fuel. */
EBB_API own ebb_error_t *ebb_store_set_fuel(wasm_store_t *, uint64_t fuel);
/* The fuel left (false when the engine does not consume fuel). */
EBB_API bool ebb_store_get_fuel(const wasm_store_t *, uint64_t *out);
/* Advances the engine's epoch by one; safe from any thread (a timer or
 * signal-free watchdog), including while stores of the engine run. */
EBB_API void ebb_engine_increment_epoch(wasm_engine_t *);
/* Running code of the store traps with "interrupt" once the engine's
 * epoch reaches its current value + `ticks`. */
EBB_API void ebb_store_set_epoch_deadline(wasm_store_t *, uint64_t ticks);
/* Per-store limits (0: none): bytes of each linear memory and elements of
 * each table beyond which memory.grow / table.grow return -1, and the
 * instances the store may hold (instantiating beyond fails). */
typedef struct ebb_store_limits_t {
    uint64_t memory_size;
    uint32_t table_elements;
    uint32_t instances;
} ebb_store_limits_t;
EBB_API void ebb_store_limiter(wasm_store_t *, const ebb_store_limits_t *);

/* ---- modules ---------------------------------------------------------------- */

/* The module in binary or text format (a .wat source is converted first),
 * with the spec's message when it is malformed or invalid. */
EBB_API own ebb_error_t *ebb_module_new(wasm_store_t *,
                                        const wasm_byte_vec_t *bytes,
                                        own wasm_module_t **out);
/* wasm_module_serialize / deserialize, with the reason on failure. */
EBB_API own ebb_error_t *ebb_module_serialize(const wasm_module_t *,
                                              own wasm_byte_vec_t *out);
EBB_API own ebb_error_t *ebb_module_deserialize(wasm_store_t *,
                                                const wasm_byte_vec_t *bytes,
                                                own wasm_module_t **out);
/* The text format to the binary format; "LINE:COL: message" on a syntax
 * error. */
EBB_API own ebb_error_t *ebb_wat2wasm(const char *wat, size_t len,
                                      own wasm_byte_vec_t *out);

/* ---- WASI -------------------------------------------------------------------- */

typedef struct ebb_wasi_config_t ebb_wasi_config_t;

EBB_API own ebb_wasi_config_t *ebb_wasi_config_new(void);
EBB_API void ebb_wasi_config_delete(own ebb_wasi_config_t *);
/* Arguments (argv[0] is the program's name) and environment; strings are
 * copied. The inherit_ forms take the host process's. */
EBB_API bool ebb_wasi_config_set_argv(ebb_wasi_config_t *, size_t argc,
                                      const char *const argv[]);
EBB_API bool ebb_wasi_config_set_env(ebb_wasi_config_t *, size_t n,
                                     const char *const names[],
                                     const char *const values[]);
EBB_API bool ebb_wasi_config_inherit_env(ebb_wasi_config_t *);
/* A host directory the guest sees as guest_path (e.g. "." or "/data");
 * nothing outside preopened directories is reachable. */
EBB_API bool ebb_wasi_config_preopen_dir(ebb_wasi_config_t *,
                                         const char *host_path,
                                         const char *guest_path);
/* Standard streams. By default the guest has none open. inherit: the
 * host's own. capture: written bytes are kept for ebb_wasi_stdout /
 * ebb_wasi_stderr. stdin_bytes: the guest reads these bytes. */
EBB_API void ebb_wasi_config_inherit_stdin(ebb_wasi_config_t *);
EBB_API void ebb_wasi_config_inherit_stdout(ebb_wasi_config_t *);
EBB_API void ebb_wasi_config_inherit_stderr(ebb_wasi_config_t *);
EBB_API void ebb_wasi_config_capture_stdout(ebb_wasi_config_t *);
EBB_API void ebb_wasi_config_capture_stderr(ebb_wasi_config_t *);
EBB_API bool ebb_wasi_config_set_stdin_bytes(ebb_wasi_config_t *,
                                             const wasm_byte_vec_t *);

/* One guest's WASI context (made from a config, which it consumes). */
typedef struct ebb_wasi_t ebb_wasi_t;

EBB_API own ebb_error_t *ebb_wasi_new(own ebb_wasi_config_t *,
                                      own ebb_wasi_t **out);
/* Deleted after the stores that use it. */
EBB_API void ebb_wasi_delete(own ebb_wasi_t *);
/* What the guest wrote to a captured stream so far. */
EBB_API void ebb_wasi_stdout(const ebb_wasi_t *, own wasm_byte_vec_t *out);
EBB_API void ebb_wasi_stderr(const ebb_wasi_t *, own wasm_byte_vec_t *out);
/* Did the guest call proc_exit? Then *status is its exit code (and the
 * call that ran it returned a trap whose message is "exit"). */
EBB_API bool ebb_wasi_exit_status(const ebb_wasi_t *, int *status);

/* ---- linker ------------------------------------------------------------------- */

/* Names externs by (module, name) and instantiates modules with them:
 * each import is looked up by its module and name. A linker belongs to
 * one store, and is deleted before it. */
typedef struct ebb_linker_t ebb_linker_t;

EBB_API own ebb_linker_t *ebb_linker_new(wasm_store_t *);
EBB_API void ebb_linker_delete(own ebb_linker_t *);
/* Whether a second definition of a name replaces the first (default: no,
 * it is an error). */
EBB_API void ebb_linker_allow_shadowing(ebb_linker_t *, bool);

/* Strings are (pointer, length) pairs and need no NUL. */
EBB_API own ebb_error_t *ebb_linker_define(ebb_linker_t *,
                                           const char *module, size_t mlen,
                                           const char *name, size_t nlen,
                                           const wasm_extern_t *item);
/* A host function (see wasm_func_new_with_env). */
EBB_API own ebb_error_t *ebb_linker_define_func(
    ebb_linker_t *, const char *module, size_t mlen, const char *name,
    size_t nlen, const wasm_functype_t *type,
    wasm_func_callback_with_env_t cb, void *env, void (*finalizer)(void *));
/* Every export of the instance, under module name `name`. */
EBB_API own ebb_error_t *ebb_linker_define_instance(
    ebb_linker_t *, const char *name, size_t len, const wasm_instance_t *);
/* The WASI functions (module "wasi_snapshot_preview1") of the context,
 * which must outlive the linker's store. */
EBB_API own ebb_error_t *ebb_linker_define_wasi(ebb_linker_t *,
                                                ebb_wasi_t *);

/* Instantiates the module with its imports resolved by name. An unknown
 * or mismatched import is an error; a trap in the start function comes
 * back in *trap (then *instance is NULL and the error NULL). */
EBB_API own ebb_error_t *ebb_linker_instantiate(const ebb_linker_t *,
                                                const wasm_module_t *,
                                                own wasm_instance_t **instance,
                                                own wasm_trap_t **trap);
/* Instantiates the module and registers its exports under `name`. */
EBB_API own ebb_error_t *ebb_linker_module(ebb_linker_t *, const char *name,
                                           size_t len, const wasm_module_t *,
                                           own wasm_trap_t **trap);
/* The extern defined as (module, name); false when there is none. */
EBB_API bool ebb_linker_get(const ebb_linker_t *, const char *module,
                            size_t mlen, const char *name, size_t nlen,
                            own wasm_extern_t **out);

#ifdef EBB_H_UNDEF_OWN
#undef own
#undef EBB_H_UNDEF_OWN
#endif

#ifdef __cplusplus
}
#endif

#endif
