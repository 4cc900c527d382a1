/* Constant expressions (global initialisers, segment offsets, element
 * items). The binary may hold any instruction sequence up to `end`; it is
 * read whole, so that malformed bytes are reported as such, then validated
 * the way the spec does: every instruction must be constant ("constant
 * expression required"), then the sequence must leave exactly one value of
 * the expected type ("type mismatch"). */
#include "decode_internal.h"

#include "../opcodes.h"

typedef struct const_scan {
    uint32_t ninstr;      /* instructions before the final end */
    bool bad;             /* a validation error is already recorded */
    bool has_unknown_func;
    uint32_t unknown_func;
    const_expr first;
} const_scan;

/* The spec's "constant" test of one instruction; in Wasm 2.0 global.get
 * may only read an immutable imported global. */
static void check_instr(decode_ctx *c, void *ud, int op, const const_expr *k)
{
    const_scan *s = ud;
    const module_desc *m = c->m;
    if (++s->ninstr == 1)
        s->first = *k;
    if (k->op == CONST_REF_FUNC) {
        /* A ref.func here declares the function for ref.func in bodies. */
        decode_declare_func(c, (uint32_t)k->value);
        if (k->value >= m->nfuncs && !s->has_unknown_func) {
            s->has_unknown_func = true;
            s->unknown_func = (uint32_t)k->value;
        }
    }
    if (s->bad)
        return;
    if (k->op == 0xff) {
        s->bad = decode_invalid(c, "constant expression required");
    } else if (op == OP_GLOBAL_GET) {
        if (k->value >= m->nimported_globals)
            s->bad = decode_invalid(c, "unknown global %u", (uint32_t)k->value);
        else if (m->globals[k->value].mut)
            s->bad = decode_invalid(c, "constant expression required");
    }
}

bool decode_const_expr(decode_ctx *c, reader *r, uint8_t type, const_expr *out)
{
    const_scan s = {0};
    if (!decode_instr_seq(c, r, check_instr, &s))
        return false;
    *out = s.first;
    if (s.bad)
        return true;
    /* Typing comes after the constant test, and meets an unknown function
     * before it can compare the result. */
    if (s.has_unknown_func)
        decode_invalid(c, "unknown function %u", s.unknown_func);
    else if (s.ninstr != 1 || s.first.type != type)
        decode_invalid(c, "type mismatch");
    return true;
}
