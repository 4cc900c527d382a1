/* Validation fused with translation (see compile.h, interp/code.h).
 *
 * One forward pass over a function body runs the spec's validation
 * algorithm (operand stack + control stack, polymorphic stack after
 * unreachable code) and emits slot-addressed internal code as it goes.
 *
 * Every operand-stack entry carries its type and a location:
 *   K_SLOT   its own stack slot (nparams + nlocals + height)
 *   K_LOCAL  an alias of a local: local.get emits nothing
 *   K_CONST  a constant: *.const emits nothing
 *   K_ADD    an i32 cell (a local's, or the entry's own slot) plus a
 *            constant: `i32.add (x) (i32.const k)` emits nothing until
 *            the sum is needed, so a load or store can take it as its
 *            address in one instruction (the _K forms)
 * Aliases and constants are materialised into their stack slots only when
 * needed: before a local.set/tee of that local (aliases of it), at block
 * boundaries, and where an instruction needs a slot. Because stack height
 * h is always slot nparams + nlocals + h, values that end a block are
 * already where the label expects them; branches copy only when needed.
 *
 * Forward branches are patched from per-label lists when the label's
 * position becomes known. Nothing is emitted in unreachable code. */
#include "compile.h"

#include <pthread.h>
#include <string.h>

#include "../decode/reader.h"
#include "../interp/code.h"
#include "../opcodes.h"
#include "ctx.h"

/* ---- growable arrays ------------------------------------------------------ */

static bool grow(cc *c, void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    if (!mem_grow_array(c->owner, MEM_COMPILE, arr, cap, need, elem))
        return err_set(c->err, "out of memory");
    return true;
}

/* ---- emission ------------------------------------------------------------- */

/* Internal ops that can trap or call: their binary offsets are kept for
 * backtraces. */
static bool may_trap(iop op)
{
    switch (op) {
    case IOP_UNREACHABLE: case IOP_CALL: case IOP_CALL_INDIRECT:
    case IOP_FUEL: case IOP_EPOCH:
    case IOP_MEMORY_INIT: case IOP_MEMORY_COPY: case IOP_MEMORY_FILL:
    case IOP_TABLE_GET: case IOP_TABLE_SET: case IOP_TABLE_FILL:
    case IOP_TABLE_COPY: case IOP_TABLE_INIT:
    case IOP_I32_DIV_S_SS: case IOP_I32_DIV_S_SI: case IOP_I32_DIV_U_SS:
    case IOP_I32_DIV_U_SI: case IOP_I32_REM_S_SS: case IOP_I32_REM_S_SI:
    case IOP_I32_REM_U_SS: case IOP_I32_REM_U_SI:
    case IOP_I64_DIV_S_SS: case IOP_I64_DIV_S_SI: case IOP_I64_DIV_U_SS:
    case IOP_I64_DIV_U_SI: case IOP_I64_REM_S_SS: case IOP_I64_REM_S_SI:
    case IOP_I64_REM_U_SS: case IOP_I64_REM_U_SI:
    case IOP_I32_TRUNC_F32_S: case IOP_I32_TRUNC_F32_U:
    case IOP_I32_TRUNC_F64_S: case IOP_I32_TRUNC_F64_U:
    case IOP_I64_TRUNC_F32_S: case IOP_I64_TRUNC_F32_U:
    case IOP_I64_TRUNC_F64_S: case IOP_I64_TRUNC_F64_U:
#define IOP(n)
#define BINOP(w, tx, tr, ...)
#define UNOP(w, tx, tr, ...)
#define LOAD(w, ct, conv) case IOP_##w: case IOP_##w##_G: \
    case IOP_##w##_K: case IOP_##w##_KG: case IOP_##w##_X: case IOP_##w##_XG: \
    case IOP_##w##_SC: case IOP_##w##_SCG:
#define STORE(w, ct) case IOP_##w: case IOP_##w##_G: \
    case IOP_##w##_K: case IOP_##w##_KG: case IOP_##w##_X: case IOP_##w##_XG: \
    case IOP_##w##_SC: case IOP_##w##_SCG:
#define SIMD_OP(n, kind, ...) SIMD_MEM_##kind(n)
#include "../interp/iops.def"
#undef IOP
#undef BINOP
#undef UNOP
#undef LOAD
#undef STORE
#undef SIMD_OP
        return true;
    default:
        return false;
    }
}

/* Per internal op: its handler word and whether it can trap, looked up
 * once for the process (interp_handler_word takes a once-lock per call,
 * and may_trap is a long switch; both run for every instruction). */
uint64_t cc_handler_word[IOP_COUNT];
bool cc_traps[IOP_COUNT];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void tables_init(void)
{
    for (int op = 0; op < IOP_COUNT; op++) {
        cc_handler_word[op] = interp_handler_word((iop)op);
        cc_traps[op] = may_trap((iop)op);
    }
    fuse_init();
    body_init();
}

static void add_site(cc *c, uint32_t at)
{
    size_t cap = c->sites_cap;
    if (!grow(c, (void **)&c->sites, &cap, (size_t)c->nsites + 1,
              sizeof *c->sites)) {
        c->oom = true;
        return;
    }
    c->sites_cap = cap;
    c->sites[c->nsites][0] = at;
    c->sites[c->nsites][1] = c->instr_offset;
    c->nsites++;
}

bool cc_code_grow(cc *c, size_t need)
{
    size_t cap = c->code_cap;
    if (!grow(c, (void **)&c->code, &cap, need, sizeof *c->code)) {
        c->oom = true;
        return false;
    }
    c->code_cap = cap;
    return true;
}

void cc_add_site(cc *c, uint32_t at)
{
    add_site(c, at);
}

void cc_set_op(cc *c, uint32_t start, iop op)
{
    if (cc_traps[op] && (c->nsites == 0 || c->sites[c->nsites - 1][0] != start))
        add_site(c, start);
    uint64_t h = cc_handler_word[op];
    c->code[start] = (uint32_t)h;
    c->code[start + 1] = (uint32_t)(h >> 32);
    c->last_op = op;
}

bool cc_fusable(const cc *c, const opnd *o)
{
    return cc_live(c) && o->kind == K_SLOT && o->h == c->last_result_h &&
           c->code_len == c->last_end && c->fence <= c->last_start;
}

void cc_emit_checks(cc *c)
{
    if (c->fuel)
        cc_emit(c, IOP_FUEL, 0);
    if (c->epoch)
        cc_emit(c, IOP_EPOCH, 0);
}

/* Operand word helper: writes v at index at + i (ignored after OOM). */
static void put(cc *c, uint32_t at, uint32_t i, uint32_t v)
{
    if (at != UINT32_MAX)
        c->code[at + i] = v;
}

static void emit_const(cc *c, uint32_t dst, uint64_t k)
{
    if (k >> 32) {
        uint32_t at = cc_emit(c, IOP_CONST64, 3);
        put(c, at, 0, dst);
        put(c, at, 1, (uint32_t)k);
        put(c, at, 2, (uint32_t)(k >> 32));
    } else {
        uint32_t at = cc_emit(c, IOP_CONST32, 2);
        put(c, at, 0, dst);
        put(c, at, 1, (uint32_t)k);
    }
}

/* A copy right after another (local.get + local.set runs, the values a
 * branch carries) joins it as COPY2: one dispatch for two moves. */
static void emit_copy(cc *c, uint32_t dst, uint32_t src)
{
    if (dst == src)
        return;
    if (c->last_op == IOP_COPY && c->code_len == c->last_end &&
        c->fence <= c->last_start) {
        uint32_t start = c->last_start;
        uint32_t d1 = c->code[start + 2], s1 = c->code[start + 3];
        iop prev_op = c->prev_op;
        uint32_t prev_start = c->prev_start, prev_h = c->prev_result_h;
        c->code_len = start;
        uint32_t at = cc_emit(c, IOP_COPY2, 4);
        c->prev_op = prev_op;
        c->prev_start = prev_start;
        c->prev_result_h = prev_h;
        put(c, at, 0, d1);
        put(c, at, 1, s1);
        put(c, at, 2, dst);
        put(c, at, 3, src);
        return;
    }
    uint32_t at = cc_emit(c, IOP_COPY, 2);
    put(c, at, 0, dst);
    put(c, at, 1, src);
}

/* Writes the value of a stack entry whose own slot is `own` to dst. */
static void emit_value(cc *c, uint32_t dst, uint8_t kind, uint32_t local,
                       uint64_t k, uint32_t own)
{
    if (kind == K_CONST) {
        emit_const(c, dst, k);
    } else if (kind == K_LOCAL) {
        emit_copy(c, dst, local);
    } else if (kind == K_ADD) {
        uint32_t at = cc_emit(c, IOP_I32_ADD_SI, 3);
        put(c, at, 0, dst);
        put(c, at, 1, local);
        put(c, at, 2, (uint32_t)k);
    } else {
        emit_copy(c, dst, own);
    }
}

/* ---- operand stack ---------------------------------------------------------- */

/* The slow path of cc_push (ctx.h): makes room, then pushes. */
bool cc_push_grow(cc *c, uint8_t type)
{
    size_t cap = c->stk_cap;
    if (!grow(c, (void **)&c->stk, &cap, (size_t)c->nstk + 2, sizeof *c->stk))
        return false;
    c->stk_cap = cap;
    return cc_push(c, type);
}

/* Pushes back a popped operand with its location (br_if keeps values). */
bool cc_repush(cc *c, const opnd *o, uint8_t type)
{
    uint8_t t = o->type != T_UNKNOWN ? o->type : type;
    if (!cc_push(c, t))
        return false;
    uint32_t n = valtype_cells(t);
    for (uint32_t i = 0; i < n; i++) {
        vent *e = &c->stk[c->nstk - n + i];
        e->kind = o->kind;
        e->local = o->local + i;
        e->k = i ? o->k_hi : o->k;
    }
    return true;
}

/* cc_src (ctx.h) of an operand not yet in any cell: a constant (0 has
 * the zero cell) or a pending sum goes into its own, now free, slot. */
uint32_t cc_src_emit(cc *c, opnd *o)
{
    switch (o->kind) {
    case K_CONST:
        if (o->k == 0 && o->type != VT_V128)
            return c->zero_cell;
        if (cc_live(c)) {
            emit_const(c, cc_slot(c, o->h), o->k);
            if (o->type == VT_V128)
                emit_const(c, cc_slot(c, o->h) + 1, o->k_hi);
        }
        o->kind = K_SLOT;
        return cc_slot(c, o->h);
    case K_ADD:
        if (cc_live(c))
            emit_value(c, cc_slot(c, o->h), K_ADD, o->local, o->k, 0);
        o->kind = K_SLOT;
        return cc_slot(c, o->h);
    default:
        return cc_slot(c, o->h);
    }
}

/* Moves stack entry h into its own slot if it is an alias or constant. */
static void materialize(cc *c, uint32_t h)
{
    vent *e = &c->stk[h];
    if (e->kind == K_SLOT)
        return;
    if (cc_live(c))
        emit_value(c, cc_slot(c, h), e->kind, e->local, e->k, 0);
    e->kind = K_SLOT;
}

void cc_materialize_from(cc *c, uint32_t from)
{
    for (uint32_t h = from; h < c->nstk; h++)
        materialize(c, h);
}

/* Does stack entry h alias a cell of local x? */
static bool aliases(const cc *c, uint32_t h, uint32_t x)
{
    const vent *e = &c->stk[h];
    return (e->kind == K_LOCAL || e->kind == K_ADD) &&
           e->local >= c->lslot[x] &&
           e->local < c->lslot[x] + valtype_cells(c->ltypes[x]);
}

/* Before local x changes, stack entries that alias it take its value. */
static void materialize_local(cc *c, uint32_t x)
{
    for (uint32_t h = 0; h < c->nstk; h++)
        if (aliases(c, h, x))
            materialize(c, h);
}

static bool has_alias(const cc *c, uint32_t x)
{
    for (uint32_t h = 0; h < c->nstk; h++)
        if (aliases(c, h, x))
            return true;
    return false;
}

/* ---- labels ------------------------------------------------------------------ */

/* Makes code word `pos` (a branch offset) refer to label f. */
void cc_branch_to(cc *c, ctrl *f, uint32_t pos)
{
    if (pos == UINT32_MAX)
        return;
    c->branch_mark = pos;
    if (f->op == OP_LOOP) {
        c->code[pos] = f->label_pc - pos;
        return;
    }
    size_t cap = c->patch_cap;
    if (!grow(c, (void **)&c->patches, &cap, (size_t)c->npatches + 1,
              sizeof *c->patches)) {
        c->oom = true;
        return;
    }
    c->patch_cap = cap;
    c->patches[c->npatches] = (patch){.pos = pos, .next = f->patches,
                                      .ctl = (uint32_t)(f - c->ctl)};
    f->patches = c->npatches++;
}

/* Resolves every forward branch to f at the current position. */
static void resolve_label(cc *c, ctrl *f)
{
    c->fence = c->code_len;
    for (uint32_t i = f->patches; i != UINT32_MAX; i = c->patches[i].next) {
        uint32_t pos = c->patches[i].pos;
        c->code[pos] = c->code_len - pos;
    }
    f->patches = UINT32_MAX;
}

uint32_t cc_label_arity(const ctrl *f)
{
    return f->op == OP_LOOP ? f->nparams : f->nresults;
}

const uint8_t *cc_label_types(const ctrl *f)
{
    return f->op == OP_LOOP ? f->params : f->results;
}

uint32_t cc_label_cells(const ctrl *f)
{
    return valtypes_cells(cc_label_types(f), cc_label_arity(f));
}

/* Do the top values need moves to reach label f's slots? (Cell by cell:
 * a v128's two entries move like two scalars.) */
bool cc_needs_copies(const cc *c, const ctrl *f)
{
    uint32_t n = cc_label_cells(f);
    for (uint32_t i = 0; i < n; i++) {
        const vent *e = &c->stk[c->nstk - n + i];
        if (e->kind != K_SLOT || c->nstk - n + i != f->height + i)
            return true;
    }
    return false;
}

/* Copies the top values into label f's slots, without changing the
 * stack (br_if keeps them). Destinations never lie above their sources. */
void cc_emit_copies(cc *c, const ctrl *f)
{
    uint32_t n = cc_label_cells(f);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t h = c->nstk - n + i;
        const vent *e = &c->stk[h];
        emit_value(c, cc_slot(c, f->height + i), e->kind, e->local, e->k,
                   cc_slot(c, h));
    }
}

/* ---- control frames --------------------------------------------------------- */

bool cc_push_ctrl(cc *c, uint8_t op, const uint8_t *params, uint32_t np,
                  const uint8_t *results, uint32_t nr)
{
    bool dead = c->nctl > 0 && !cc_live(c);
    size_t cap = c->ctl_cap;
    if (!grow(c, (void **)&c->ctl, &cap, (size_t)c->nctl + 1, sizeof *c->ctl))
        return false;
    c->ctl_cap = cap;
    c->fence = c->code_len; /* a loop's label */
    c->ctl[c->nctl++] = (ctrl){
        .op = op, .dead = dead, .height = c->nstk,
        .params = params, .nparams = np, .results = results, .nresults = nr,
        .label_pc = c->code_len, .patches = UINT32_MAX,
        .else_patch = UINT32_MAX,
    };
    for (uint32_t i = 0; i < np; i++)
        if (!cc_push(c, params[i]))
            return false;
    return true;
}

/* Checks that the stack holds exactly f's results (validation of `end`
 * and `else`). */
bool cc_check_results(cc *c, ctrl *f)
{
    opnd o;
    uint32_t keep = c->nstk;
    for (uint32_t i = f->nresults; i-- > 0;)
        if (!cc_pop(c, f->results[i], &o))
            return false;
    if (c->nstk != f->height)
        return err_set(c->err, "type mismatch");
    /* Restore the entries (their locations are still in place). */
    c->nstk = keep;
    if (c->nstk < f->height + valtypes_cells(f->results, f->nresults)) {
        /* Values came from the polymorphic stack: push them as slots. */
        c->nstk = f->height;
        for (uint32_t i = 0; i < f->nresults; i++)
            if (!cc_push(c, f->results[i]))
                return false;
    }
    return true;
}

void cc_set_unreachable(cc *c)
{
    ctrl *f = &c->ctl[c->nctl - 1];
    c->nstk = f->height;
    f->unreachable = true;
}

/* `end`: validates, places the results, resolves the label, pops. */
bool cc_end(cc *c)
{
    ctrl *f = &c->ctl[c->nctl - 1];
    if (!cc_check_results(c, f))
        return false;
    if (f->op == OP_IF) {
        /* No else: the false path must produce the results from the
         * parameters, which is only valid when they are the same. */
        if (f->nparams != f->nresults ||
            (f->nparams && memcmp(f->params, f->results, f->nparams)))
            return err_set(c->err, "type mismatch");
    }
    if (c->nctl == 1 && f->patches == UINT32_MAX && cc_live(c)) {
        /* The function's end, reached only by falling through: return
         * the values from wherever they are (no copy into place first). */
        cc_emit_return(c);
        c->nctl--;
        return true;
    }
    if (cc_live(c))
        cc_materialize_from(c, f->height);
    if (f->else_patch != UINT32_MAX) {
        c->code[f->else_patch] = c->code_len - f->else_patch;
        c->fence = c->code_len;
    }
    if (f->op != OP_LOOP)
        resolve_label(c, f);
    uint32_t height = f->height;
    const uint8_t *results = f->results;
    uint32_t nr = f->nresults;
    c->nctl--;
    if (c->nctl == 0) {
        /* The function's own end: return the results, which now sit in
         * slots nparams + nlocals + 0.. whichever path got here. */
        if (!f->dead) {
            uint32_t at;
            nr = valtypes_cells(results, nr);
            if (nr == 0) {
                cc_emit(c, IOP_RET0, 0);
            } else if (nr == 1) {
                at = cc_emit(c, IOP_RET1, 1);
                put(c, at, 0, cc_slot(c, 0));
            } else {
                at = cc_emit(c, IOP_RETN, 2);
                put(c, at, 0, nr);
                put(c, at, 1, cc_slot(c, 0));
            }
        }
        return true;
    }
    c->nstk = height;
    for (uint32_t i = 0; i < nr; i++)
        if (!cc_push(c, results[i]))
            return false;
    return true;
}

/* `return`: the function's results go to slots 0.. of the frame. */
void cc_emit_return(cc *c)
{
    uint32_t nr = valtypes_cells(c->ctl[0].results, c->ctl[0].nresults);
    if (nr == 0) {
        cc_emit(c, IOP_RET0, 0);
        return;
    }
    uint32_t base = c->nstk - nr;
    if (nr == 1) {
        opnd o = {.type = c->stk[base].type, .kind = c->stk[base].kind,
                  .h = base, .local = c->stk[base].local, .k = c->stk[base].k};
        uint32_t src = cc_src(c, &o);
        uint32_t at = cc_emit(c, IOP_RET1, 1);
        put(c, at, 0, src);
        return;
    }
    /* Aliases go to their own slots first: copying straight into slots
     * 0.. could overwrite a local that a later result still reads. */
    cc_materialize_from(c, base);
    uint32_t at = cc_emit(c, IOP_RETN, 2);
    put(c, at, 0, nr);
    put(c, at, 1, cc_slot(c, base));
}

/* ---- locals -------------------------------------------------------------------- */

/* local.set / local.tee x of the top value. The instruction that just
 * produced it writes x directly when that is safe (op + local.set). */
bool cc_local_set(cc *c, uint32_t x, bool tee)
{
    if (x >= c->nlocals_all)
        return err_set(c->err, "unknown local %u", x);
    uint8_t type = c->ltypes[x];
    opnd o = {0}; /* (gcc cannot see that a failed pop returns) */
    if (!cc_pop(c, type, &o))
        return false;
    if (cc_live(c)) {
        bool retarget = c->can_retarget && o.kind == K_SLOT &&
                        o.h == c->last_dst_h && !has_alias(c, x);
        uint32_t d = c->lslot[x];
        if (retarget) {
            c->code[c->last_dst_pos] = d;
        } else {
            materialize_local(c, x);
            for (uint32_t i = 0; i < valtype_cells(type); i++)
                emit_value(c, d + i, o.kind, o.local + i, i ? o.k_hi : o.k,
                           cc_slot(c, o.h) + i);
        }
    }
    if (tee) {
        if (cc_live(c))
            return cc_push_local(c, x);
        return cc_push(c, type);
    }
    return true;
}

/* ---- entry --------------------------------------------------------------------- */

void compile_work_init(compile_work *w, mem_owner *owner)
{
    memset(w, 0, sizeof *w);
    w->owner = owner;
}

void compile_work_release(compile_work *w)
{
    mem_owner *o = w->owner;
    mem_free(o, MEM_COMPILE, w->stk);
    mem_free(o, MEM_COMPILE, w->ctl);
    mem_free(o, MEM_COMPILE, w->code);
    mem_free(o, MEM_COMPILE, w->patches);
    mem_free(o, MEM_COMPILE, w->sites);
    mem_free(o, MEM_COMPILE, w->labels);
    mem_free(o, MEM_COMPILE, w->ltypes);
    mem_free(o, MEM_COMPILE, w->lslot);
    compile_work_init(w, o);
}

/* The translator works in w's arrays, and gives them back (grown) when
 * the function is done. */
static void cc_take(cc *c, compile_work *w)
{
    c->owner = w->owner;
    c->stk = w->stk;
    c->stk_cap = w->stk_cap;
    c->ctl = w->ctl;
    c->ctl_cap = w->ctl_cap;
    c->code = w->code;
    c->code_cap = w->code_cap;
    c->patches = w->patches;
    c->patch_cap = w->patch_cap;
    c->sites = w->sites;
    c->sites_cap = w->sites_cap;
    c->labels = w->labels;
    c->labels_cap = w->labels_cap;
    c->ltypes = w->ltypes;
    c->lslot = w->lslot;
}

static void cc_give(const cc *c, compile_work *w)
{
    w->stk = c->stk;
    w->stk_cap = c->stk_cap;
    w->ctl = c->ctl;
    w->ctl_cap = c->ctl_cap;
    w->code = c->code;
    w->code_cap = c->code_cap;
    w->patches = c->patches;
    w->patch_cap = c->patch_cap;
    w->sites = c->sites;
    w->sites_cap = c->sites_cap;
    w->labels = c->labels;
    w->labels_cap = c->labels_cap;
}

compiled_func *compile_function(const module_desc *m, uint32_t defined_index,
                                const uint32_t *type_ids, mem_owner *owner,
                                err_t *err)
{
    static const compile_opts none = {0};
    return compile_function_opts(m, defined_index, type_ids, owner, err,
                                 &none);
}

compiled_func *compile_function_opts(const module_desc *m,
                                     uint32_t defined_index,
                                     const uint32_t *type_ids,
                                     mem_owner *owner, err_t *err,
                                     const compile_opts *opts)
{
    compile_work w;
    compile_work_init(&w, owner);
    compiled_func *cf = compile_function_work(m, defined_index, type_ids,
                                              &w, owner, err, opts);
    compile_work_release(&w);
    return cf;
}

/* The finished function in one block of dest: the struct, its code
 * (8-byte aligned: the struct's size is a multiple of 8), then its sites.
 * One allocation instead of three, for every function of a module;
 * compiled_func_free tells this layout from separate blocks. */
static compiled_func *cc_pack(mem_owner *dest, const compiled_func *f)
{
    _Static_assert(sizeof(compiled_func) % 8 == 0, "code alignment");
    size_t code = (size_t)f->code_len * sizeof *f->code;
    size_t sites = (size_t)f->nsites * sizeof *f->sites;
    compiled_func *n = mem_alloc(dest, MEM_CODE, sizeof *n + code + sites);
    if (!n)
        return NULL;
    *n = *f;
    n->code = (uint32_t *)(n + 1);
    n->sites = (uint32_t (*)[2])((char *)n->code + code);
    memcpy(n->code, f->code, code);
    if (sites)
        memcpy(n->sites, f->sites, sites);
    return n;
}

/* The finished function, copied out of the working arrays into dest. */
static compiled_func *cc_result(const cc *c, mem_owner *dest, uint32_t fidx,
                                uint32_t param_cells, uint32_t result_cells)
{
    uint32_t fs = c->nlocal_cells + c->max_height;
    if (fs < result_cells)
        fs = result_cells;
    if (fs == 0)
        fs = 1;
    compiled_func f = {
        .func_index = fidx,
        .nparams = param_cells, .nresults = result_cells,
        .nlocals = c->nlocal_cells - param_cells,
        .frame_size = fs, .code_len = c->code_len,
        .code = c->code, .sites = c->sites, .nsites = c->nsites,
    };
    compiled_func *cf = cc_pack(dest, &f);
    if (!cf)
        err_set(c->err, "out of memory");
    return cf;
}

/* Locals: their types (params first) and first frame cells, in w's
 * arrays. false when out of memory. */
static bool cc_locals(cc *c, compile_work *w, const functype *ft,
                      const code_desc *code, uint32_t *param_cells)
{
    size_t n = (size_t)c->nlocals_all + 1;
    if (!mem_grow_array(w->owner, MEM_COMPILE, (void **)&w->ltypes,
                        &w->ltypes_cap, n, 1) ||
        !mem_grow_array(w->owner, MEM_COMPILE, (void **)&w->lslot,
                        &w->lslot_cap, n, sizeof *w->lslot))
        return err_set(c->err, "out of memory");
    c->ltypes = w->ltypes;
    c->lslot = w->lslot;
    if (ft->nparams)
        memcpy(c->ltypes, ft->types, ft->nparams);
    uint32_t at = ft->nparams;
    for (uint32_t g = 0; g < code->ngroups; g++) {
        memset(c->ltypes + at, code->groups[g].type, code->groups[g].count);
        at += code->groups[g].count;
    }
    /* Frame cells: a v128 local takes two. */
    *param_cells = 0;
    for (uint32_t x = 0; x < c->nlocals_all; x++) {
        if (x == ft->nparams)
            *param_cells = c->nlocal_cells;
        c->lslot[x] = c->nlocal_cells;
        c->nlocal_cells += valtype_cells(c->ltypes[x]);
    }
    if (c->nlocals_all == ft->nparams)
        *param_cells = c->nlocal_cells;
    /* One more cell, zeroed with the locals and never written: the slot
     * of every constant 0 operand, and the base of constant addresses. */
    c->zero_cell = c->nlocal_cells;
    c->nlocal_cells += COMPILE_EXTRA_CELLS;
    return true;
}

compiled_func *compile_function_work(const module_desc *m,
                                     uint32_t defined_index,
                                     const uint32_t *type_ids,
                                     compile_work *w, mem_owner *dest,
                                     err_t *err, const compile_opts *opts)
{
    pthread_once(&tables_once, tables_init);
    uint32_t fidx = m->nimported_funcs + defined_index;
    const functype *ft = module_func_type(m, fidx);
    const code_desc *code = &m->codes[defined_index];
    cc c = {.m = m, .type_ids = type_ids, .err = err, .ft = ft,
            .unchecked_offsets = opts->unchecked_offsets,
            .fuel = opts->fuel, .epoch = opts->epoch,
            .last_result_h = UINT32_MAX, .prev_result_h = UINT32_MAX,
            .branch_mark = UINT32_MAX};
    c.nparams = ft->nparams;
    c.nlocals_all = ft->nparams + code->nlocals;
    uint32_t param_cells = 0;
    if (!cc_locals(&c, w, ft, code, &param_cells))
        return NULL;
    cc_take(&c, w);
    uint32_t result_cells = valtypes_cells(functype_results(ft),
                                           ft->nresults);
    reader_init(&c.r, code->body, code->body_len, NULL, err);
    c.body_offset = code->body_offset;
    compiled_func *cf = NULL;
    c.instr_offset = c.body_offset;
    bool entered = cc_push_ctrl(&c, OP_BLOCK, NULL, 0, functype_results(ft),
                                ft->nresults);
    if (entered)
        cc_emit_checks(&c);
    if (entered && cc_body(&c)) {
        if (c.oom)
            err_set(err, "out of memory");
        else
            cf = cc_result(&c, dest, fidx, param_cells, result_cells);
    }
    cc_give(&c, w);
    return cf;
}

void compiled_func_free(mem_owner *owner, compiled_func *f)
{
    if (!f)
        return;
    /* Packed (cc_pack) or three blocks (the loader of serialized
     * modules). A separate code block cannot start
     * right after the struct: its own header would lie there. */
    if (f->code != (uint32_t *)(f + 1)) {
        mem_free(owner, MEM_CODE, f->code);
        mem_free(owner, MEM_CODE, f->sites);
    }
    mem_free(owner, MEM_CODE, f);
}
