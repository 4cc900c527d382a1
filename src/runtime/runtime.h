/* Runtime objects: Engine -> Module -> Store -> Instance, and the externs
 * (functions, tables, memories, globals) a store holds. These are the
 * internal forms; include/ebb.h and include/wasm.h wrap them.
 *
 * Values are 64-bit cells (`uint64_t`) holding raw bits: i32 zero-extended,
 * f32/f64 as their IEEE bits (never converted through a C float, so NaN
 * payloads survive), funcref as an `rt_func *` (0 = null), externref as an
 * embedder-chosen non-zero word (0 = null). A v128 takes two consecutive
 * cells, its low 64 bits first (lane 0 in the low bytes), wherever values
 * are lists of cells: arguments, results, frames (valtype_cells).
 *
 * Ownership: the engine owns modules' shared parts through their reference
 * counts; a store owns every instance, function, table, memory and global
 * created in it, and frees them all in rt_store_free. */
#ifndef EBB_RUNTIME_H
#define EBB_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdatomic.h>
#include <pthread.h>

#include "../decode/module.h"
#include "../mem/mem.h"
#include "../util/err.h"

typedef struct rt_engine rt_engine;
typedef struct rt_module rt_module;
typedef struct rt_store rt_store;
typedef struct rt_instance rt_instance;
typedef struct rt_func rt_func;
typedef struct rt_table rt_table;
typedef struct rt_memory rt_memory;
typedef struct rt_global rt_global;
typedef struct rt_trap rt_trap;
struct compiled_func;     /* compile/compile.h */
struct interp_thread;     /* interp/interp.h */

#define RT_PAGE_SIZE 65536u
#define RT_MAX_PAGES 65536u

/* ---- engine ------------------------------------------------------------ */

typedef struct rt_config {
    size_t max_wasm_stack;   /* bytes of Wasm value stack; default 512 KiB */
    /* Where the engine and every module and store it makes take their
     * blocks: fn NULL (the default) for ebb's page arenas. */
    mem_hook alloc;
    /* Linear memories: each 32-bit memory reserves this much address space
     * up front (default 4 GiB) followed by `memory_guard` bytes that are
     * never accessible (default 32 MiB). With signals_based_traps (the
     * default) and a reservation of 4 GiB or more, loads and stores whose
     * static offset is below the guard are not checked: a stray access
     * lands in the reservation and the fault handler makes it the trap.
     * Without signals, every access is checked and no handler is
     * installed (for embedders that own SIGSEGV). */
    uint64_t memory_reservation;
    uint64_t memory_guard;
    bool signals_based_traps;
    /* Compiling: functions of a module on a pool of worker threads, started
     * on demand, `compile_threads` of them at most (0: one per processor;
     * the calling thread works too), each exiting after `compile_idle_ms`
     * without work (default 1000). */
    bool parallel_compilation;
    uint32_t compile_threads;
    uint32_t compile_idle_ms;
    /* Interruption, decided when functions are translated: with
     * consume_fuel every function entry and loop iteration costs one unit
     * of the store's fuel (trap "all fuel consumed" at zero); with
     * epoch_interruption they compare the engine's epoch with the store's
     * deadline (trap "interrupt" once reached). Off, the code carries no
     * check at all. */
    bool consume_fuel;
    bool epoch_interruption;
} rt_config;

void rt_config_default(rt_config *c);

/* The kinds of runtime objects whose live numbers the statistics report
 * (see "statistics" below), one X line each. */
#define RT_OBJECT_KINDS(X)     \
    X(MODULE, "modules")      \
    X(STORE, "stores")        \
    X(INSTANCE, "instances")  \
    X(FUNC, "funcs")          \
    X(MEMORY, "memories")     \
    X(TABLE, "tables")        \
    X(GLOBAL, "globals")

typedef enum rt_obj_kind {
#define X(id, name) RT_OBJ_##id,
    RT_OBJECT_KINDS(X)
#undef X
    RT_NOBJ
} rt_obj_kind;

/* Function types are interned per engine so that a call_indirect check is
 * one integer compare: equal types have equal ids, in every module and
 * store of the engine. */
typedef uint32_t rt_type_id;

struct rt_compile_pool;    /* runtime/pool.c */

struct rt_engine {
    mem_owner mem;
    rt_config config;
    /* Loads and stores with a static offset below this are compiled
     * without a bounds check (0: every access is checked): the guard size
     * when signal-based traps are on and work, else 0. */
    uint64_t unchecked_offsets;
    struct rt_compile_pool *pool;   /* made on the first parallel compile */
    pthread_mutex_t lock;     /* guards the type registry */
    /* Interned types, indexed by rt_type_id. Each is its own block so a
     * pointer to it (rt_func.type) stays valid while the array grows. */
    functype **types;
    size_t ntypes, cap_types;
    /* Open-addressing hash of the types: slot = id + 1, 0 when empty. */
    uint32_t *type_index;
    size_t index_cap;         /* a power of two, or 0 */
    /* Live objects made from this engine, by kind (rt_stats_count). */
    _Atomic size_t objects[RT_NOBJ];
    /* Epoch interruption: ticks, incremented from any thread. */
    _Atomic uint64_t epoch;
};

rt_engine *rt_engine_new(const rt_config *config); /* NULL config: defaults */
/* Compile worker threads alive right now (0 once they sat idle for
 * compile_idle_ms), and bytes the pool holds (its workers' scratch). */
unsigned rt_engine_compile_threads_alive(rt_engine *e);
size_t rt_engine_compile_pool_bytes(rt_engine *e);
void rt_engine_free(rt_engine *e);
/* Interns a type (copied). Returns false only on allocation failure. */
bool rt_engine_intern_type(rt_engine *e, const functype *t, rt_type_id *out);
/* The interned type; the pointer stays valid for the engine's life. */
const functype *rt_engine_type(rt_engine *e, rt_type_id id);

/* ---- module ------------------------------------------------------------ */

struct rt_module {
    mem_owner mem;
    _Atomic uint32_t refs;
    rt_engine *engine;
    uint8_t *bytes;                 /* owned copy of the binary */
    size_t len;
    module_desc desc;
    rt_type_id *type_ids;           /* desc.types[i] -> engine type id */
    struct compiled_func **funcs;   /* one per defined function */
};

/* Decodes, validates and compiles. NULL with the spec's message on error. */
rt_module *rt_module_new(rt_engine *e, const uint8_t *bytes, size_t len,
                         err_t *err);
rt_module *rt_module_retain(rt_module *m);
void rt_module_release(rt_module *m);

/* Serialized modules (serialize.c): the binary with its translated code,
 * a format version and fingerprints of the build and of the engine
 * settings the code depends on. The size is 0 only if the code holds an
 * instruction the format does not know. Deserializing checks all that
 * and the bytes' checksum: bad bytes give an error, never a crash. */
size_t rt_module_serialized_size(const rt_module *m);
bool rt_module_serialize(const rt_module *m, uint8_t *out, size_t size,
                         err_t *err);
rt_module *rt_module_deserialize(rt_engine *e, const uint8_t *bytes,
                                 size_t len, err_t *err);
/* Do the bytes start like a serialized module (not a binary or text)? */
bool rt_module_is_serialized(const uint8_t *bytes, size_t len);
/* The payload checksum (bytes after the 40-byte header), for tests that
 * forge artifacts to reach the loader's structural checks. */
uint64_t rt_serialize_checksum(const uint8_t *p, size_t n);

/* ---- externs ----------------------------------------------------------- */

typedef struct rt_extern {
    uint8_t kind;      /* extern_kind */
    union {
        rt_func *func;
        rt_table *table;
        rt_memory *memory;
        rt_global *global;
    } u;
} rt_extern;

/* A host function: reads nparams cells from args, writes nresults cells to
 * results. Returns NULL, or a trap (made with rt_trap_new) to trap. */
typedef rt_trap *(*rt_host_fn)(void *env, rt_store *store,
                               const uint64_t *args, uint64_t *results);

struct rt_func {
    rt_type_id type_id;
    const functype *type;           /* the engine's interned copy */
    rt_instance *instance;          /* NULL for host functions */
    uint32_t index;                 /* function index in its module */
    const struct compiled_func *code; /* Wasm functions */
    rt_host_fn host;                /* host functions */
    void *host_env;
    void (*host_env_free)(void *env);
};

struct rt_table {
    tabletype type;                 /* lim.min is the current size */
    uint32_t size;
    uint64_t *elems;                /* size cells (MEM_TABLE) */
};

struct rt_memory {
    memtype type;
    uint8_t *base;                  /* MEM_LINEAR */
    uint64_t size;                  /* bytes = pages * 64 KiB */
    uint32_t pages;
    /* The reservation base points into: [base, base + reserved) plus the
     * guard after it; only [base, base + size) is accessible. */
    uint64_t reserved;
    uint64_t guard;
};

struct rt_global {
    globaltype type;
    uint64_t value;
    uint64_t value_hi;              /* v128: the high 64 bits */
};

rt_func *rt_func_new_host(rt_store *s, const functype *type, rt_host_fn fn,
                          void *env, void (*env_free)(void *));
/* init: the cell every element starts as. */
rt_table *rt_table_new(rt_store *s, const tabletype *type, uint64_t init);
rt_memory *rt_memory_new(rt_store *s, const memtype *type);
rt_global *rt_global_new(rt_store *s, const globaltype *type, uint64_t value);

/* Growth as memory.grow / table.grow: the old size, or -1 (nothing changed)
 * past the maximum, the implementation limit, or on allocation failure. */
int64_t rt_memory_grow(rt_store *s, rt_memory *m, uint32_t delta);
/* Gives [offset, offset + len) of m back to the OS: it reads as zeros
 * afterwards, and its whole pages leave the process's RSS at once. false
 * (nothing changed) if the range is out of bounds. */
bool rt_memory_discard(rt_memory *m, uint64_t offset, uint64_t len);
int64_t rt_table_grow(rt_store *s, rt_table *t, uint32_t delta, uint64_t init);

/* ---- instances --------------------------------------------------------- */

/* Runtime state of element and data segments (dropped after use or by
 * elem.drop/data.drop). */
typedef struct rt_elem_seg {
    uint32_t count;                 /* 0 once dropped */
    uint64_t *refs;                 /* evaluated items */
} rt_elem_seg;

typedef struct rt_data_seg {
    uint32_t len;                   /* 0 once dropped */
    const uint8_t *bytes;           /* into the module's binary */
} rt_data_seg;

struct rt_instance {
    rt_store *store;
    rt_module *module;              /* retained */
    rt_func **funcs;                /* all functions, imported first */
    rt_table **tables;
    rt_memory **memories;
    rt_global **globals;
    rt_elem_seg *elems;
    rt_data_seg *datas;
    rt_extern *exports;             /* parallel to module->desc.exports */
};

/* Instantiates: checks the imports (given in the module's import order)
 * against the module's types ("incompatible import type"), creates the
 * defined entities, runs the active segments and the start function.
 * On failure returns NULL, with either *trap set (a trap during segment
 * initialisation or in the start function; writes done before it stay,
 * as the spec says) or err set (a link error). */
rt_instance *rt_instance_new(rt_store *s, rt_module *m,
                             const rt_extern *imports, uint32_t nimports,
                             rt_trap **trap, err_t *err);
/* Finds an export by name; false when absent. */
bool rt_instance_export(const rt_instance *inst, const char *name,
                        size_t len, rt_extern *out);

/* ---- calls and traps --------------------------------------------------- */

/* Calls any function (Wasm or host) with nparams argument cells; writes
 * nresults result cells. Returns NULL or the trap (caller frees). */
rt_trap *rt_call(rt_store *s, rt_func *f, const uint64_t *args,
                 uint64_t *results);

typedef enum rt_trap_code {
    TRAP_UNREACHABLE,          /* "unreachable" */
    TRAP_MEMORY_OOB,           /* "out of bounds memory access" */
    TRAP_TABLE_OOB,            /* "out of bounds table access" */
    TRAP_DIV_ZERO,             /* "integer divide by zero" */
    TRAP_INT_OVERFLOW,         /* "integer overflow" */
    TRAP_BAD_CONVERSION,       /* "invalid conversion to integer" */
    TRAP_UNDEFINED_ELEMENT,    /* "undefined element" */
    TRAP_UNINITIALIZED_ELEMENT,/* "uninitialized element" */
    TRAP_INDIRECT_MISMATCH,    /* "indirect call type mismatch" */
    TRAP_STACK_EXHAUSTED,      /* "call stack exhausted" */
    TRAP_OUT_OF_FUEL,          /* "all fuel consumed" */
    TRAP_INTERRUPT,            /* "interrupt" (epoch deadline reached) */
    TRAP_HOST,                 /* a message from the host */
    TRAP_EXIT,                 /* the guest asked to exit (WASI proc_exit):
                                  not a failure; see rt_trap.exit_status */
} rt_trap_code;

typedef struct rt_frame_info {
    uint32_t func_index;            /* in its module */
    const rt_module *module;        /* NULL for host frames */
    const rt_instance *instance;    /* NULL for host frames */
    uint32_t code_offset;           /* offset in the binary, best effort */
} rt_frame_info;

struct rt_trap {
    rt_trap_code code;
    char message[ERR_MSG_MAX];
    uint32_t nframes;               /* innermost first */
    rt_frame_info *frames;          /* on *owner, MEM_HOST (or NULL) */
    mem_owner *owner;               /* who counts its bytes */
    uint32_t exit_status;           /* TRAP_EXIT: the guest's exit code */
};

/* host_msg is used for TRAP_HOST (copied, truncated); other codes get the
 * spec's message. A trap must be freed before its store. */
rt_trap *rt_trap_new(rt_store *s, rt_trap_code code, const char *host_msg);
const char *rt_trap_code_message(rt_trap_code code);
void rt_trap_free(rt_trap *t);

/* ---- store ------------------------------------------------------------- */

struct rt_store {
    mem_owner mem;
    rt_engine *engine;
    /* Everything created in the store, freed with it. */
    rt_instance **instances; size_t ninstances, cap_instances;
    rt_func **funcs;         size_t nfuncs, cap_funcs;
    rt_table **tables;       size_t ntables, cap_tables;
    rt_memory **memories;    size_t nmemories, cap_memories;
    rt_global **globals;     size_t nglobals, cap_globals;
    struct interp_thread *thread;   /* execution stacks, made on first call */
    uint32_t host_depth;            /* nested host->Wasm re-entries */
    /* While the interpreter runs a host function: the instance whose code
     * called it (WASI reads that instance's exported memory), else NULL. */
    rt_instance *host_caller;
    /* Interruption (rt_config.consume_fuel / epoch_interruption): fuel
     * left, and the engine epoch at which running code traps. */
    uint64_t fuel;
    uint64_t epoch_deadline;
    /* Limits an embedder sets (0: none): pages of each memory and
     * elements of each table beyond which growing fails (-1), and live
     * instances beyond which instantiation fails. */
    uint32_t limit_memory_pages;
    uint32_t limit_table_elems;
    uint32_t limit_instances;
};

rt_store *rt_store_new(rt_engine *e);
void rt_store_free(rt_store *s);

/* ---- statistics (stats.c) ---------------------------------------------- */

/* What an engine holds, read without stopping anyone: atomic loads and the
 * pool's lock held for a moment, no walk over objects. Byte counters are exact (every allocation goes
 * through src/mem and names its category). Module and store bytes are
 * summed over every module and store of the process (one engine per
 * process is the common case); the engine's own bytes and the object
 * counts are this engine's. */
typedef struct rt_engine_stats {
    mem_stats engine;           /* the engine's own owner */
    mem_stats modules;          /* all live modules, per category */
    mem_stats stores;           /* all live stores, per category */
    size_t live_bytes;          /* everything above, summed */
    size_t objects[RT_NOBJ];    /* live objects by kind */
    size_t compile_threads;     /* compile workers alive right now */
    size_t compile_pool_bytes;  /* bytes the compile pool holds */
} rt_engine_stats;

/* One store: its owner's counters and the objects it holds. */
typedef struct rt_store_stats {
    mem_stats mem;
    size_t live_bytes;
    size_t objects[RT_NOBJ];    /* modules and stores: 0 (engine's) */
} rt_store_stats;

void rt_engine_stats_get(rt_engine *e, rt_engine_stats *out);
void rt_store_stats_get(const rt_store *s, rt_store_stats *out);
const char *rt_obj_kind_name(rt_obj_kind k);
/* Records that `delta` objects of kind k came (+) or went (-). */
void rt_stats_count(rt_engine *e, rt_obj_kind k, long delta);
/* true when every process-wide counter (each owner kind, each category)
 * is 0; otherwise false and the first one that is not, described in
 * `what` (e.g. "store/linear: 65536 bytes live"). */
bool rt_stats_all_zero(char *what, size_t n);

#endif
