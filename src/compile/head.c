/* Jumps back to a dispatch loop.
 *
 * An interpreter written in C compiles to a loop whose head loads the next
 * opcode and dispatches on it with a br_table, and whose cases end in a
 * `br` back to that head. Translated as is, every case pays a JMP to the
 * head, and every dispatch goes through the one indirect jump of the head's
 * BR_TABLE, which the processor then predicts from all cases at once.
 * Instead, a `br` to such a loop gets its own copy of the head: one
 * dispatch fewer per case, and one BR_TABLE per case, predicted from the
 * case it follows (what C interpreters do with "threaded code").
 *
 * A head qualifies when the loop's code, from its label to the br_table
 * that ends it, holds no branch (so it runs straight through), is short,
 * and every entry of the table jumps straight to its label (no values to
 * move). The copy keeps the instructions' operands (the frame slots are
 * the same: a `br` to the loop arrives with the stack the head starts
 * from), gets the trap sites of the original, and fixes the table's
 * offsets: an entry whose label is resolved is rebased, one whose label is
 * still open joins that label's list of branches to patch. */
#include <string.h>

#include "../interp/code.h"
#include "../opcodes.h"
#include "ctx.h"

/* Bounds on what is copied, in code words and copies per loop: the copies
 * add code, which must stay small against the cases they end. */
#define HEAD_MAX_WORDS 32u
#define HEAD_MAX_ENTRIES 64u
#define HEAD_MAX_COPIES 64u

void head_note(cc *c, uint32_t tab, uint32_t patch0, uint32_t mark)
{
    uint32_t k = c->nctl;
    while (k-- > 0 && c->ctl[k].op != OP_LOOP)
        ;
    if (k == UINT32_MAX)
        return;
    ctrl *L = &c->ctl[k];
    uint32_t start = L->label_pc, n = c->code[tab + 1];
    bool clean = mark == UINT32_MAX || mark < start;
    /* (A table followed by stubs that move values does not qualify.) */
    if (L->head_end || !clean || tab - 2 - start > HEAD_MAX_WORDS ||
        n > HEAD_MAX_ENTRIES || c->code_len != tab - 2 + ICODE_LEN(2 + n))
        return;
    L->head_tab = tab;
    L->head_end = c->code_len;
    L->head_patch0 = patch0;
}

/* The trap sites of code words [from, to), again at `delta` words on. */
static bool copy_sites(cc *c, uint32_t from, uint32_t to, uint32_t delta)
{
    uint32_t i = c->nsites;
    while (i > 0 && c->sites[i - 1][0] >= from)
        i--;
    for (; i < c->nsites && c->sites[i][0] < to; i++) {
        if (!mem_grow_array(c->owner, MEM_COMPILE, (void **)&c->sites,
                            &c->sites_cap, (size_t)c->nsites + 1,
                            sizeof *c->sites))
            return false;
        c->sites[c->nsites][0] = c->sites[i][0] + delta;
        c->sites[c->nsites][1] = c->sites[i][1];
        c->nsites++;
    }
    return true;
}

bool head_copy(cc *c, ctrl *L)
{
    if (!L->head_end || L->head_copies >= HEAD_MAX_COPIES)
        return false;
    uint32_t start = L->label_pc, len = L->head_end - start;
    uint32_t at = c->code_len, delta = at - start;
    if (!cc_code_grow(c, (size_t)at + len))
        return true;
    if (!copy_sites(c, start, L->head_end, delta)) {
        c->oom = true;
        return true;
    }
    memcpy(&c->code[at], &c->code[start], len * sizeof *c->code);
    c->code_len = at + len;
    L->head_copies++;
    /* Resolved entries (nonzero: an offset never points at itself). */
    uint32_t tab = L->head_tab, n = c->code[tab + 1];
    for (uint32_t i = 0; i < n; i++) {
        uint32_t p = tab + 2 + i;
        if (c->code[p])
            c->code[p + delta] = p + c->code[p] - (p + delta);
    }
    /* Open ones: their patches still list the original words. */
    for (uint32_t j = L->head_patch0; j < c->npatches; j++) {
        uint32_t p = c->patches[j].pos;
        if (p < tab + 2 || p >= tab + 2 + n)
            break;
        if (!c->code[p])
            cc_branch_to(c, &c->ctl[c->patches[j].ctl], p + delta);
    }
    /* Nothing fuses with the copy. */
    c->fence = c->code_len;
    c->last_op = IOP_BR_TABLE;
    c->last_start = tab - 2 + delta;
    c->last_end = c->code_len;
    c->last_result_h = UINT32_MAX;
    c->just_emitted = false;
    c->can_retarget = false;
    return true;
}
