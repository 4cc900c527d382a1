/* The decoded form of a component binary (layer 1): each component (the
 * top one and every nested one) is its definitions in the order the
 * sections give them, because index spaces grow in that order and the
 * linker replays them at each instantiation. Core modules are compiled
 * while decoding. Everything lives on the component's owner (MEM_MODULE)
 * and is freed with it. Types stay as written (indices, not pointers):
 * they are resolved per instance by the linker. */
#ifndef EBB_COMPONENT_CM_DECODE_H
#define EBB_COMPONENT_CM_DECODE_H

#include "cm_internal.h"
#include "../decode/reader.h"

/* Sorts as the binary numbers them; core sorts get CD_CORE + core:sort. */
enum {
    CD_FUNC = 0x01, CD_VALUE = 0x02, CD_TYPE = 0x03,
    CD_COMPONENT = 0x04, CD_INSTANCE = 0x05,
    CD_CORE = 0x100,
    CD_CORE_FUNC = CD_CORE + 0x00, CD_CORE_TABLE = CD_CORE + 0x01,
    CD_CORE_MEMORY = CD_CORE + 0x02, CD_CORE_GLOBAL = CD_CORE + 0x03,
    CD_CORE_TYPE = CD_CORE + 0x10, CD_CORE_MODULE = CD_CORE + 0x11,
    CD_CORE_INSTANCE = CD_CORE + 0x12,
};

typedef struct cd_name {
    const char *s;              /* NUL-terminated copy */
    uint32_t len;
} cd_name;

/* A value type as written: a primitive (prim: its code, 0x73..0x7f) or
 * a type index (prim 0). */
typedef struct cd_valref {
    uint8_t prim;
    uint32_t idx;
} cd_valref;

/* Field, case, label or parameter; has_type false: no payload/type. */
typedef struct cd_named {
    cd_name name;
    bool has_type;
    cd_valref type;
} cd_named;

/* What an import or export declares ("externdesc"). */
typedef struct cd_extern {
    uint32_t sort;              /* CD_FUNC.., CD_CORE_MODULE */
    bool sub_resource;          /* type: (sub resource), else (eq idx) */
    uint32_t idx;               /* type index (none for sub resource) */
} cd_extern;

typedef struct cd_alias {
    uint32_t sort;
    uint8_t target;             /* 0 export, 1 core export, 2 outer */
    uint32_t inst;              /* export/core export: instance index */
    cd_name name;
    uint32_t count, idx;        /* outer */
} cd_alias;

typedef struct cd_type cd_type;

/* One declaration of a component or instance type. */
typedef struct cd_decl {
    uint8_t kind;               /* 1 type, 2 alias, 3 import, 4 export */
    cd_type *type;
    cd_alias alias;
    cd_name name;
    cd_extern ext;
} cd_decl;

typedef enum cd_tkind {
    CD_T_VAL, CD_T_FUNC, CD_T_COMPONENT, CD_T_INSTANCE, CD_T_RESOURCE,
} cd_tkind;

struct cd_type {
    cd_tkind tk;
    /* CD_T_VAL: code is the defvaltype's byte (0x72 record ... or a
     * primitive's code); fields for record/variant/tuple/flags/enum;
     * a = list/option element or result ok, b = result err; res = the
     * own/borrow resource type index. */
    uint8_t code;
    uint32_t n;
    cd_named *fields;
    bool has_a, has_b;
    cd_valref a, b;
    uint32_t res;
    /* CD_T_FUNC: params (fields, n) and an optional result (a). */
    /* CD_T_COMPONENT / CD_T_INSTANCE */
    uint32_t ndecls;
    cd_decl *decls;
    /* CD_T_RESOURCE */
    bool has_dtor;
    uint32_t dtor;              /* core func index */
};

typedef struct cd_sortidx {
    uint32_t sort;
    uint32_t idx;
} cd_sortidx;

/* instantiate arg or inline export: a name and what it names. */
typedef struct cd_arg {
    cd_name name;
    cd_sortidx what;
} cd_arg;

typedef struct cd_opts {
    bool has_memory, has_realloc, has_post_return;
    uint32_t memory, realloc, post_return;
} cd_opts;

typedef enum cd_item_kind {
    CD_I_CORE_MODULE, CD_I_CORE_INSTANCE, CD_I_COMPONENT, CD_I_INSTANCE,
    CD_I_ALIAS, CD_I_TYPE, CD_I_CANON, CD_I_IMPORT, CD_I_EXPORT,
} cd_item_kind;

enum { CD_CANON_LIFT, CD_CANON_LOWER, CD_CANON_RNEW, CD_CANON_RDROP,
       CD_CANON_RREP };

typedef struct cd_comp cd_comp;

typedef struct cd_item {
    cd_item_kind kind;
    rt_module *module;          /* core module */
    cd_comp *comp;              /* component */
    /* core instance / instance: instantiate `idx` with args, or (inline)
     * a bag of exports; canon: the function or resource type index */
    bool inline_exports;
    uint32_t idx;
    uint32_t nargs;
    cd_arg *args;
    cd_alias alias;
    cd_type *type;
    uint8_t canon;              /* CD_CANON_* */
    uint32_t type_idx;          /* lift: the function type */
    cd_opts opts;
    cd_name name;               /* import, export */
    cd_extern ext;              /* import; export with has_ext */
    bool has_ext;
    cd_sortidx what;            /* export */
} cd_item;

struct cd_comp {
    uint32_t nitems, cap;
    cd_item *items;
};

/* Blocks on an owner, chained so that one call frees them all. */
typedef struct cd_pool {
    mem_owner *o;
    mem_cat cat;
    void *head;
} cd_pool;

void *cd_pool_alloc(cd_pool *p, size_t n);       /* zeroed; NULL: OOM */
void *cd_pool_array(cd_pool *p, uint32_t count, size_t elem);
void cd_pool_free(cd_pool *p);

struct cm_component {
    mem_owner mem;
    rt_engine *engine;
    cd_pool pool;
    cd_comp *top;
    /* every compiled core module, released with the component */
    rt_module **modules;
    size_t nmodules, cap_modules;
};

/* Decoding (cm_decode.c, cm_decode_types.c). The reader's err gets the
 * message. */
typedef struct cd_ctx {
    cm_component *c;
    reader *r;
    uint32_t depth;             /* nesting of components and types */
} cd_ctx;

bool cd_component_body(cd_ctx *cx, cd_comp *out);
bool cd_type_def(cd_ctx *cx, cd_type **out);
bool cd_core_type_skip(cd_ctx *cx);
bool cd_extern_desc(cd_ctx *cx, cd_extern *out);
bool cd_read_name(cd_ctx *cx, cd_name *out);
bool cd_read_extname(cd_ctx *cx, cd_name *out);
bool cd_read_sort(cd_ctx *cx, uint32_t *sort);
bool cd_read_alias(cd_ctx *cx, cd_alias *out);
/* A count of entries each at least `min` bytes long: more than the
 * bytes left is an error before anything is allocated. */
bool cd_count(cd_ctx *cx, uint32_t min, uint32_t *n);

#define CD_MAX_DEPTH 64

#endif
