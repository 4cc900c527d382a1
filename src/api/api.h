/* What the files of src/api/ share: the structs behind wasm.h's opaque
 * types and the conversions between the standard's values and the
 * runtime's cells. Only src/api/ (and ebb.h's implementation, which builds
 * on it) includes this; the runtime below knows nothing of wasm.h.
 *
 * Objects and handles. Every reference type of wasm.h (func, global,
 * table, memory, instance, extern, foreign, module, trap, ref) is a small
 * *handle*: one allocation holding a pointer to the *object record* it
 * names. wasm_X_copy makes another handle to the same record, wasm_X_same
 * compares records, and host info lives on the record, so every handle of
 * one object sees the same host info. Deleting a handle frees the handle.
 *
 * Records of store objects (funcs, globals, tables, memories, instances,
 * foreigns) live as long as their store: a reference may sit in a table or
 * a global long after the embedder deleted its last handle. The store
 * finds a record again from the runtime object (so the same table element
 * read twice gives handles that are the same) and frees all records,
 * running their finalizers, when it is deleted. Records of modules and
 * traps die with their last handle: they cannot be stored in Wasm values,
 * and a program that traps in a loop must not grow.
 *
 * Memory: handles, type objects and vectors are counted on one
 * process-wide owner (api_mem, category MEM_HOST), since the standard
 * creates them without an engine; records of store objects on the store. */
#ifndef EBB_API_API_H
#define EBB_API_API_H

#include "wasm.h"

#include "../runtime/runtime.h"

extern mem_owner api_mem;

/* Zeroed memory on api_mem; NULL on failure. */
void *api_alloc(size_t n);
void api_free(void *p);

/* ---- environment ------------------------------------------------------- */

struct wasm_config_t {
    rt_config rt;
};

struct wasm_engine_t {
    rt_engine *rt;
};

typedef struct api_obj api_obj;

struct wasm_store_t {
    rt_store *rt;
    wasm_engine_t *engine;
    api_obj **objs;          /* every store-lived record, in creation order */
    size_t nobjs, cap_objs;
    api_obj **index;         /* open addressing on the runtime pointer */
    size_t index_cap;        /* a power of two, or 0 */
};

/* ---- object records and handles ------------------------------------------ */

typedef enum api_kind {
    API_FUNC,
    API_GLOBAL,
    API_TABLE,
    API_MEMORY,
    API_INSTANCE,
    API_FOREIGN,
    API_MODULE,
    API_TRAP,
} api_kind;

typedef struct api_trap_data api_trap_data;

struct api_obj {
    uint8_t kind;            /* api_kind */
    wasm_store_t *store;     /* NULL for modules and traps made without one */
    union {
        void *any;
        rt_func *func;
        rt_global *global;
        rt_table *table;
        rt_memory *memory;
        rt_instance *instance;
        rt_module *module;   /* retained by the record */
        api_trap_data *trap;
    } rt;
    void *host_info;
    void (*finalizer)(void *);
    uint32_t handles;        /* modules and traps: live handles */
};

/* Every reference handle. The specific types wrap this one struct, so a
 * handle converts to wasm_ref_t or wasm_extern_t without a new object. */
struct wasm_ref_t {
    api_obj *obj;
    /* A handle of a module or trap, which counts its record's handles.
     * Kept here so that deleting any other handle never reads its record,
     * which may already be gone with its store. */
    bool counted;
};
struct wasm_func_t { wasm_ref_t ref; };
struct wasm_global_t { wasm_ref_t ref; };
struct wasm_table_t { wasm_ref_t ref; };
struct wasm_memory_t { wasm_ref_t ref; };
struct wasm_instance_t { wasm_ref_t ref; };
struct wasm_extern_t { wasm_ref_t ref; };
struct wasm_foreign_t { wasm_ref_t ref; };
struct wasm_module_t { wasm_ref_t ref; };
struct wasm_trap_t { wasm_ref_t ref; };

/* The record behind any handle (NULL for NULL). */
static inline api_obj *api_obj_of(const void *handle)
{
    return handle ? ((const wasm_ref_t *)handle)->obj : NULL;
}

/* A new handle to obj (counted for modules and traps); NULL on failure. */
wasm_ref_t *api_handle_new(api_obj *obj);
/* Releases a handle; the last handle of a module or trap frees it. */
void api_handle_delete(wasm_ref_t *h);

/* The store's record of a runtime object, made on first use; NULL on
 * allocation failure. */
api_obj *api_store_obj(wasm_store_t *s, api_kind kind, void *rt);
/* A new record with no runtime object behind it (a foreign object). */
api_obj *api_store_new_foreign(wasm_store_t *s);
/* Runs the record's finalizer, once. */
void api_obj_finalize(api_obj *o);

/* ---- types --------------------------------------------------------------- */

struct wasm_valtype_t {
    wasm_valkind_t kind;
};

/* The shared head of the four extern types. */
struct wasm_externtype_t {
    wasm_externkind_t kind;
};

struct wasm_functype_t {
    wasm_externtype_t ext;
    wasm_valtype_vec_t params, results;
};

struct wasm_globaltype_t {
    wasm_externtype_t ext;
    wasm_valtype_t *content;
    wasm_mutability_t mutability;
};

struct wasm_tabletype_t {
    wasm_externtype_t ext;
    wasm_valtype_t *element;
    wasm_limits_t limits;
};

struct wasm_memorytype_t {
    wasm_externtype_t ext;
    wasm_limits_t limits;
};

struct wasm_importtype_t {
    wasm_name_t module, name;
    wasm_externtype_t *type;
};

struct wasm_exporttype_t {
    wasm_name_t name;
    wasm_externtype_t *type;
};

/* Between the standard's kinds and the binary encoding (0 if none). */
uint8_t api_valtype_code(wasm_valkind_t k);
wasm_valkind_t api_valkind(uint8_t code);
bool api_valkind_valid(wasm_valkind_t k);

/* Runtime types to new API types (NULL on failure) and back. The runtime
 * functype's types array is allocated on api_mem (free with api_free). */
wasm_functype_t *api_functype_from_rt(const functype *t);
bool api_functype_to_rt(const wasm_functype_t *t, functype *out);
wasm_globaltype_t *api_globaltype_from_rt(const globaltype *t);
wasm_tabletype_t *api_tabletype_from_rt(const tabletype *t);
wasm_memorytype_t *api_memorytype_from_rt(const memtype *t);
void api_limits_to_rt(const wasm_limits_t *in, limits *out);
wasm_limits_t api_limits_from_rt(const limits *in);
/* The standard's extern kind from the runtime's, and back. */
wasm_externkind_t api_externkind(uint8_t rt_kind);

/* ---- values -------------------------------------------------------------- */

/* A value of Wasm type `type` (binary code) to a cell of store s; false if
 * the value's kind or reference does not fit. */
bool api_val_to_cell(wasm_store_t *s, uint8_t type, const wasm_val_t *v,
                     uint64_t *cell);
/* A cell to a value (references get new handles); false on failure. */
bool api_cell_to_val(wasm_store_t *s, uint8_t type, uint64_t cell,
                     wasm_val_t *out);
/* A reference to a cell of reference type `type`. */
bool api_ref_to_cell(wasm_store_t *s, uint8_t type, const wasm_ref_t *r,
                     uint64_t *cell);
wasm_ref_t *api_cell_to_ref(wasm_store_t *s, uint8_t type, uint64_t cell);

/* ---- traps --------------------------------------------------------------- */

struct wasm_frame_t {
    wasm_store_t *store;
    const rt_instance *instance;    /* NULL for host frames */
    uint32_t func_index;
    size_t func_offset, module_offset;
    wasm_instance_t *instance_handle; /* made on first wasm_frame_instance */
};

struct api_trap_data {
    char *message;                  /* NUL-terminated */
    size_t message_len;             /* including the NUL */
    size_t nframes;
    wasm_frame_t *frames;           /* innermost first */
};

/* An API trap from a runtime trap, which it frees; NULL only when out of
 * memory. A trap with a message only from text. */
wasm_trap_t *api_trap_from_rt(wasm_store_t *s, rt_trap *t);
wasm_trap_t *api_trap_from_text(wasm_store_t *s, const char *msg,
                                size_t len);
void api_trap_data_free(api_trap_data *d);

/* A module handle around m (retained by the record; NULL on failure),
 * for wasm_module_new, obtain and deserialize. */
wasm_module_t *api_module_wrap(wasm_store_t *s, rt_module *m);

#endif
