/* A small stack-machine interpreter with switch dispatch: unpredictable
 * indirect branches, the workload of an interpreter inside the guest.
 *
 * The program it runs is assembled here: for every n below a bound it
 * counts the Collatz steps to reach 1, and sums them together with a
 * running xor hash of n * steps. */
#include "kernel.h"

#include <stdlib.h>

enum op {
    OP_PUSH, /* imm: push */
    OP_LOAD, /* imm: push local[imm] */
    OP_STORE, /* imm: local[imm] = pop */
    OP_ADD, OP_SUB, OP_MUL, OP_AND, OP_XOR, OP_SHR1, OP_LT, OP_EQ,
    OP_JMP, /* imm: pc = imm */
    OP_JZ, /* imm: if pop == 0, pc = imm */
    OP_HALT,
};

typedef struct insn {
    uint8_t op;
    int32_t imm;
} insn;

enum { L_N, L_X, L_STEPS, L_SUM, L_HASH, L_LIMIT, NLOCALS };

static int64_t run(const insn *code, int64_t *locals)
{
    int64_t stack[64];
    int sp = 0;
    int pc = 0;
    for (;;) {
        const insn *i = &code[pc++];
        switch (i->op) {
        case OP_PUSH: stack[sp++] = i->imm; break;
        case OP_LOAD: stack[sp++] = locals[i->imm]; break;
        case OP_STORE: locals[i->imm] = stack[--sp]; break;
        case OP_ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case OP_SUB: sp--; stack[sp - 1] -= stack[sp]; break;
        case OP_MUL: sp--; stack[sp - 1] *= stack[sp]; break;
        case OP_AND: sp--; stack[sp - 1] &= stack[sp]; break;
        case OP_XOR: sp--; stack[sp - 1] ^= stack[sp]; break;
        case OP_SHR1: stack[sp - 1] = (int64_t)((uint64_t)stack[sp - 1] >> 1); break;
        case OP_LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
        case OP_EQ: sp--; stack[sp - 1] = stack[sp - 1] == stack[sp]; break;
        case OP_JMP: pc = i->imm; break;
        case OP_JZ: if (stack[--sp] == 0) pc = i->imm; break;
        case OP_HALT: return locals[L_SUM];
        default: abort();
        }
    }
}

/* A tiny assembler with back-patched forward jumps. */
static insn prog[128];
static int len;

static int emit(enum op op, int32_t imm)
{
    prog[len].op = (uint8_t)op;
    prog[len].imm = imm;
    return len++;
}

static void assemble(void)
{
    /* n = 1 */
    emit(OP_PUSH, 1); emit(OP_STORE, L_N);
    int outer = len;
    /* while (n < limit) */
    emit(OP_LOAD, L_N); emit(OP_LOAD, L_LIMIT); emit(OP_LT, 0);
    int exit_outer = emit(OP_JZ, 0);
    /* x = n; steps = 0 */
    emit(OP_LOAD, L_N); emit(OP_STORE, L_X);
    emit(OP_PUSH, 0); emit(OP_STORE, L_STEPS);
    int inner = len;
    /* while (x != 1) */
    emit(OP_LOAD, L_X); emit(OP_PUSH, 1); emit(OP_EQ, 0);
    emit(OP_PUSH, 0); emit(OP_EQ, 0);
    int exit_inner = emit(OP_JZ, 0);
    /* if (x & 1) x = 3x + 1 else x >>= 1 */
    emit(OP_LOAD, L_X); emit(OP_PUSH, 1); emit(OP_AND, 0);
    int even = emit(OP_JZ, 0);
    emit(OP_LOAD, L_X); emit(OP_PUSH, 3); emit(OP_MUL, 0);
    emit(OP_PUSH, 1); emit(OP_ADD, 0); emit(OP_STORE, L_X);
    int join = emit(OP_JMP, 0);
    prog[even].imm = len;
    emit(OP_LOAD, L_X); emit(OP_SHR1, 0); emit(OP_STORE, L_X);
    prog[join].imm = len;
    /* steps++ */
    emit(OP_LOAD, L_STEPS); emit(OP_PUSH, 1); emit(OP_ADD, 0);
    emit(OP_STORE, L_STEPS);
    emit(OP_JMP, inner);
    prog[exit_inner].imm = len;
    /* sum += steps; hash = (hash ^ n * steps) * 31 */
    emit(OP_LOAD, L_SUM); emit(OP_LOAD, L_STEPS); emit(OP_ADD, 0);
    emit(OP_STORE, L_SUM);
    emit(OP_LOAD, L_HASH); emit(OP_LOAD, L_N); emit(OP_LOAD, L_STEPS);
    emit(OP_MUL, 0); emit(OP_XOR, 0); emit(OP_PUSH, 31); emit(OP_MUL, 0);
    emit(OP_STORE, L_HASH);
    /* n++ */
    emit(OP_LOAD, L_N); emit(OP_PUSH, 1); emit(OP_ADD, 0); emit(OP_STORE, L_N);
    emit(OP_JMP, outer);
    prog[exit_outer].imm = len;
    emit(OP_HALT, 0);
}

int main(void)
{
    assemble();
    int64_t locals[NLOCALS] = {0};
    locals[L_LIMIT] = 120000;
    uint64_t t0 = kernel_now_ns();
    int64_t sum = run(prog, locals);
    kernel_report(t0);
    printf("instructions %d\nsteps %lld\nhash %llu\n", len, (long long)sum,
           (unsigned long long)locals[L_HASH]);
    return 0;
}
