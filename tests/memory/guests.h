/* The test guests of the memory tests, in the text format so that no
 * toolchain is needed to build them. */
#ifndef EBB_TESTS_GUESTS_H
#define EBB_TESTS_GUESTS_H

/* Declares 16 MiB of memory and writes one word into each of its 4096
 * pages: every page becomes resident while it runs. */
static const char guest_touch16[] =
    "(module\n"
    "  (memory (export \"memory\") 256 256)\n"
    "  (func (export \"run\") (local $a i32)\n"
    "    (loop $l\n"
    "      (i32.store (local.get $a) (local.get $a))\n"
    "      (local.set $a (i32.add (local.get $a) (i32.const 4096)))\n"
    "      (br_if $l (i32.lt_u (local.get $a) (i32.const 16777216))))))\n";

/* Declares 16 MiB of memory but touches one page. */
static const char guest_sparse16[] =
    "(module\n"
    "  (memory (export \"memory\") 256 256)\n"
    "  (func (export \"run\")\n"
    "    (i32.store (i32.const 100) (i32.const 42))))\n";

/* A little of everything a store holds: a memory that grows, a table,
 * globals, data and element segments, recursion (the value stack) and a
 * call through the table. `run` returns 3628800 (10!). */
static const char guest_mixed[] =
    "(module\n"
    "  (type $t (func (param i64) (result i64)))\n"
    "  (memory (export \"memory\") 1 4)\n"
    "  (table 2 funcref)\n"
    "  (global $g (mut i32) (i32.const 0))\n"
    "  (data (i32.const 16) \"ebb gives memory back\")\n"
    "  (elem (i32.const 0) $fac $fac)\n"
    "  (func $fac (type $t)\n"
    "    (if (result i64) (i64.eqz (local.get 0))\n"
    "      (then (i64.const 1))\n"
    "      (else (i64.mul (local.get 0)\n"
    "        (call_indirect (type $t) (i64.sub (local.get 0) (i64.const 1))\n"
    "          (i32.const 1))))))\n"
    "  (func (export \"run\") (result i64)\n"
    "    (drop (memory.grow (i32.const 1)))\n"
    "    (i32.store (i32.const 70000) (i32.const 7))\n"
    "    (global.set $g (i32.add (global.get $g) (i32.const 1)))\n"
    "    (call $fac (i64.const 10))))\n";

/* A module with enough code for the compile pool to take it (60
 * functions or more): nfuncs functions exported as f0, f1, ..., function i returning
 * sum(i + k, k < 40) = 40 i + 780. The text is in pages of its own (free
 * with munmap(text, *len)); NULL on failure. */
#include <stdio.h>
#include <sys/mman.h>

static inline char *guest_many_funcs(int nfuncs, size_t *len)
{
    size_t cap = (size_t)nfuncs * 4096 + 256;
    char *w = mmap(NULL, cap, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (w == MAP_FAILED)
        return NULL;
    size_t n = (size_t)snprintf(w, cap, "(module\n");
    for (int i = 0; i < nfuncs; i++) {
        n += (size_t)snprintf(w + n, cap - n,
                              "(func (export \"f%d\") (result i32) (local i32)",
                              i);
        for (int k = 0; k < 40; k++)
            n += (size_t)snprintf(w + n, cap - n,
                                  " (local.set 0 (i32.add (local.get 0)"
                                  " (i32.const %d)))", i + k);
        n += (size_t)snprintf(w + n, cap - n, " (local.get 0))\n");
    }
    snprintf(w + n, cap - n, ")\n");
    *len = cap;
    return w;
}

#endif
