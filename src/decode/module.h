/* The decoded and validated description of a module: everything in the
 * binary except the instructions of function bodies, which the compiler
 * reads (through `code`) when it validates and translates each function.
 *
 * A module_desc is immutable once decode_module returns. All its arrays
 * are owned by the mem_owner given to decode_module (category MEM_MODULE)
 * and freed by module_desc_free. Names and data bytes point into the
 * binary, which the caller keeps alive as long as the description. */
#ifndef EBB_DECODE_MODULE_H
#define EBB_DECODE_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../mem/mem.h"
#include "../util/err.h"

/* Value types by their binary encoding. */
typedef enum valtype {
    VT_I32 = 0x7f,
    VT_I64 = 0x7e,
    VT_F32 = 0x7d,
    VT_F64 = 0x7c,
    VT_V128 = 0x7b,
    VT_FUNCREF = 0x70,
    VT_EXTERNREF = 0x6f,
} valtype;

static inline bool valtype_is_ref(uint8_t t)
{
    return t == VT_FUNCREF || t == VT_EXTERNREF;
}

/* 64-bit cells a value of type t takes (in frames, argument and result
 * arrays): 2 for v128, low half first; 1 for the others. */
static inline uint32_t valtype_cells(uint8_t t)
{
    return t == VT_V128 ? 2 : 1;
}

static inline uint32_t valtypes_cells(const uint8_t *t, uint32_t n)
{
    uint32_t cells = n;
    for (uint32_t i = 0; i < n; i++)
        cells += t[i] == VT_V128;
    return cells;
}
const char *valtype_name(uint8_t t); /* "i32", "funcref", ... */

typedef struct functype {
    uint32_t nparams;
    uint32_t nresults;
    uint8_t *types; /* nparams parameter types, then nresults result types */
} functype;

static inline const uint8_t *functype_params(const functype *f) { return f->types; }
static inline const uint8_t *functype_results(const functype *f) { return f->types + f->nparams; }
bool functype_equal(const functype *a, const functype *b);

typedef struct limits {
    uint32_t min;
    uint32_t max;     /* valid when has_max */
    bool has_max;
} limits;

typedef struct tabletype {
    uint8_t elemtype; /* VT_FUNCREF or VT_EXTERNREF */
    limits lim;
} tabletype;

typedef struct memtype {
    limits lim;       /* in 64 KiB pages, at most 65536 */
} memtype;

typedef struct globaltype {
    uint8_t type;     /* valtype */
    bool mut;
} globaltype;

typedef enum extern_kind {
    EXTERN_FUNC = 0,
    EXTERN_TABLE = 1,
    EXTERN_MEMORY = 2,
    EXTERN_GLOBAL = 3,
} extern_kind;

/* A constant expression. In Wasm 2.0 a valid one is exactly one constant
 * instruction followed by `end`; the decoder checks that and records it. */
typedef enum const_op {
    CONST_I32,        /* value: the bits, zero-extended */
    CONST_I64,
    CONST_F32,        /* value: raw bits */
    CONST_F64,
    CONST_REF_NULL,   /* value: unused; type says which null */
    CONST_REF_FUNC,   /* value: function index */
    CONST_GLOBAL_GET, /* value: global index (an imported global) */
    CONST_V128,       /* value: low 64 bits, value_hi: high 64 bits */
} const_op;

typedef struct const_expr {
    uint8_t op;       /* const_op */
    uint8_t type;     /* valtype of the result */
    uint64_t value;
    uint64_t value_hi; /* CONST_V128 only */
} const_expr;

typedef struct import_desc {
    const char *module;
    const char *name;
    uint32_t module_len;
    uint32_t name_len;
    uint8_t kind;     /* extern_kind */
    union {
        uint32_t func_type; /* type index */
        tabletype table;
        memtype memory;
        globaltype global;
    } u;
} import_desc;

typedef struct export_desc {
    const char *name;
    uint32_t name_len;
    uint8_t kind;     /* extern_kind */
    uint32_t index;   /* in the index space of its kind */
} export_desc;

typedef enum seg_mode {
    SEG_ACTIVE,
    SEG_PASSIVE,
    SEG_DECLARATIVE,
} seg_mode;

typedef struct elem_desc {
    uint8_t mode;       /* seg_mode */
    uint8_t elemtype;   /* VT_FUNCREF or VT_EXTERNREF */
    uint32_t table;     /* active only */
    const_expr offset;  /* active only, i32 */
    uint32_t count;
    const_expr *items;  /* CONST_REF_FUNC, CONST_REF_NULL or CONST_GLOBAL_GET */
} elem_desc;

typedef struct data_desc {
    uint8_t mode;       /* SEG_ACTIVE or SEG_PASSIVE */
    uint32_t memory;    /* active only */
    const_expr offset;  /* active only, i32 */
    const uint8_t *bytes;
    uint32_t len;
} data_desc;

typedef struct local_group {
    uint32_t count;
    uint8_t type;
} local_group;

/* A function body: its locals (validated: the total fits in u32 and is
 * below the engine's limit) and the bytes of its instructions, from after
 * the local declarations up to and including the final `end`. */
typedef struct code_desc {
    uint32_t ngroups;
    local_group *groups;
    uint32_t nlocals;        /* sum of the groups, excluding parameters */
    const uint8_t *body;
    uint32_t body_len;
    uint32_t body_offset;    /* offset of `body` in the binary */
} code_desc;

typedef struct module_desc {
    uint32_t ntypes;
    functype *types;

    uint32_t nimports;
    import_desc *imports;

    /* Index spaces: imported entities first, then defined ones. */
    uint32_t nfuncs, nimported_funcs;
    uint32_t *func_types;       /* type index of every function */
    uint32_t ntables, nimported_tables;
    tabletype *tables;
    uint32_t nmemories, nimported_memories;
    memtype *memories;
    uint32_t nglobals, nimported_globals;
    globaltype *globals;
    const_expr *global_inits;   /* for defined globals: [i - nimported_globals] */

    uint32_t nexports;
    export_desc *exports;

    bool has_start;
    uint32_t start;

    uint32_t nelems;
    elem_desc *elems;

    bool has_data_count;
    uint32_t data_count;
    uint32_t ndatas;
    data_desc *datas;

    /* codes[i] is the body of function nimported_funcs + i. */
    code_desc *codes;

    /* ref.func may only name functions declared in an element segment,
     * an export or a global initialiser ("undeclared function reference"):
     * one bit per function. */
    uint8_t *func_declared;

    /* From the `name` section when present and well-formed; NULL entries
     * where absent. Index: function index. */
    const char **func_names;
    uint32_t *func_name_lens;
    const char *module_name;
    uint32_t module_name_len;
} module_desc;

static inline bool module_func_declared(const module_desc *m, uint32_t f)
{
    return f < m->nfuncs && (m->func_declared[f >> 3] >> (f & 7)) & 1;
}

static inline const functype *module_func_type(const module_desc *m, uint32_t f)
{
    return &m->types[m->func_types[f]];
}

/* Decodes a binary module and validates everything but function bodies:
 * section order and sizes, index spaces, limits, constant expressions,
 * exports, start, segments. Messages are the spec's ("unexpected end",
 * "magic header not detected", "unknown type", "multiple memories",
 * "duplicate export name", "constant expression required", ...).
 * `bytes` must outlive `out`. */
bool decode_module(mem_owner *owner, const uint8_t *bytes, size_t len,
                   module_desc *out, err_t *err);
/* decode_module without the pass that reads every instruction of every
 * body for malformed bytes (each body's size and locals are still read):
 * for a caller that translates every body, which reads the instructions
 * anyway and rejects every body that pass would. When it fails, the
 * module is decoded again with decode_module, so the message is the
 * same. A caller whose translation fails must do the same (a malformed
 * body elsewhere ranks above any validation error). */
bool decode_module_lazy(mem_owner *owner, const uint8_t *bytes, size_t len,
                        module_desc *out, err_t *err);
void module_desc_free(mem_owner *owner, module_desc *m);

/* The length of `bytes` without the payloads of its trailing custom
 * sections other than `name` (trim.c), written to out unless NULL; 0 to
 * keep the module as it is (not a plainly well-formed core module). The
 * result decodes as `bytes` does, with the same code offsets. */
size_t decode_trim_custom(const uint8_t *bytes, size_t len, uint8_t *out);
/* The payload size of the first section with this id (0: none), for
 * reports such as throughput per byte of code. */
size_t decode_section_len(const uint8_t *bytes, size_t len, uint8_t id);

#endif
