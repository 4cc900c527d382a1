/* Spec test scripts (.wast): parsed into a list of commands that a runner
 * (src/cli/wast_run.c) executes. Modules inside a script are already turned
 * into binary bytes here: `(module ...)` through text_wat_to_binary,
 * `(module binary "...")` from its strings, `(module quote "...")` by
 * parsing the quoted text (a text error there is recorded, not fatal, since
 * assert_malformed expects it). */
#ifndef EBB_TEXT_WAST_H
#define EBB_TEXT_WAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../mem/mem.h"
#include "../util/err.h"

typedef enum wast_value_kind {
    WV_I32,
    WV_I64,
    WV_F32,
    WV_F64,
    WV_V128,
    WV_FUNCREF,
    WV_EXTERNREF,
} wast_value_kind;

typedef enum wast_pattern {
    WP_EXACT,          /* bits must match exactly (refs: null or extern N) */
    WP_NAN_CANONICAL,  /* nan:canonical */
    WP_NAN_ARITHMETIC, /* nan:arithmetic */
    WP_REF_NULL,       /* (ref.null func|extern) */
    WP_REF_ANY,        /* (ref.func) / (ref.extern): any non-null */
} wast_pattern;

/* The lane shape a v128 value was written in. */
typedef enum wast_shape {
    WS_I8X16, WS_I16X8, WS_I32X4, WS_I64X2, WS_F32X4, WS_F64X2,
} wast_shape;

typedef struct wast_value {
    uint8_t kind;      /* wast_value_kind */
    uint8_t pattern;   /* wast_pattern; arguments are always WP_EXACT or WP_REF_NULL */
    uint64_t bits;     /* i32/f32 in the low 32 bits; externref: N of (ref.extern N) */
    uint64_t bits_hi;  /* v128 high half */
    uint8_t shape;     /* v128: wast_shape */
    uint8_t lane_patterns[4]; /* v128 f32x4/f64x2: each lane's wast_pattern */
} wast_value;

typedef enum wast_module_kind {
    WM_TEXT,           /* (module ...) */
    WM_BINARY,         /* (module binary ...) */
    WM_QUOTE,          /* (module quote ...) */
} wast_module_kind;

typedef struct wast_module {
    uint8_t kind;        /* wast_module_kind */
    char *id;            /* $name or NULL */
    uint8_t *bytes;      /* the binary; NULL when the text failed to parse */
    size_t len;
    char *text_error;    /* the text parser's message when bytes == NULL */
} wast_module;

typedef enum wast_action_kind { WA_INVOKE, WA_GET } wast_action_kind;

typedef struct wast_action {
    uint8_t kind;        /* wast_action_kind */
    char *module_id;     /* $name or NULL for the latest module */
    char *field;         /* export name (may contain any UTF-8) */
    size_t field_len;
    uint32_t nargs;
    wast_value *args;
} wast_action;

typedef enum wast_cmd_kind {
    WC_MODULE,           /* module: instantiate it */
    WC_REGISTER,         /* name + module_id */
    WC_ACTION,           /* action: run it, ignore results */
    WC_ASSERT_RETURN,    /* action + expected (an either-list is not in 2.0) */
    WC_ASSERT_TRAP,      /* action or module + message */
    WC_ASSERT_EXHAUSTION,/* action + message */
    WC_ASSERT_INVALID,   /* module + message */
    WC_ASSERT_MALFORMED, /* module + message */
    WC_ASSERT_UNLINKABLE,/* module + message */
    WC_ASSERT_UNINSTANTIABLE, /* module + message (assert_trap on a module) */
} wast_cmd_kind;

typedef struct wast_command {
    uint8_t kind;        /* wast_cmd_kind */
    uint32_t line;       /* 1-based line of the command in the script */
    bool has_module;
    wast_module module;
    bool has_action;
    wast_action action;
    uint32_t nexpected;
    wast_value *expected;
    char *message;       /* expected failure text for assert_* */
    char *register_name; /* WC_REGISTER; its $id (or NULL) is in module.id
                          * and, as a copy, in action.module_id */
    size_t register_name_len;
} wast_command;

typedef struct wast_script {
    uint32_t ncommands;
    wast_command *commands;
} wast_script;

/* Parses a whole script. false (with "LINE:COL: message") only when the
 * script itself is unreadable; a bad module inside `assert_malformed` is
 * data, not an error. Allocations are owned by `owner` (MEM_HOST). */
bool wast_parse(mem_owner *owner, const char *src, size_t len,
                wast_script *out, err_t *err);
void wast_script_free(mem_owner *owner, wast_script *s);

#endif
