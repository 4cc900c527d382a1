/* The binary decoder: every element and data segment form, the index
 * spaces, declared functions, the name section, locals limits, hostile
 * counts, and that a malformed binary outranks an invalid module. Spec
 * scripts test the messages more widely; these pin what they do not.
 *
 * usage: decode_test [SUITE_DIR]   (the argument is not used) */
#include <stdio.h>
#include <string.h>

#include "decode/module.h"
#include "mem/mem.h"

#include "check.h"

#define HDR 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00
#define BYTES(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})

static mem_owner owner;
static err_t err;

/* Decodes; returns "" and keeps `m` on success, else the message (and
 * checks that nothing stayed allocated). */
static const char *dec(const uint8_t *b, size_t n, module_desc *m)
{
    if (decode_module(&owner, b, n, m, &err))
        return "";
    CHECK(mem_owner_live(&owner) == 0, "failed decode left %zu bytes",
          mem_owner_live(&owner));
    return err.msg;
}

static void done(module_desc *m)
{
    module_desc_free(&owner, m);
    CHECK(mem_owner_live(&owner) == 0, "module_desc_free left %zu bytes",
          mem_owner_live(&owner));
}

/* Expects failure with a message containing `want`. */
static void fails(int line, const uint8_t *b, size_t n, const char *want)
{
    module_desc m;
    const char *got = dec(b, n, &m);
    if (!*got) {
        done(&m);
        got = "(accepted)";
    }
    CHECK(strstr(got, want) != NULL, "line %d: want '%s', got '%s'", line, want, got);
}
#define FAILS(want, ...) fails(__LINE__, BYTES(__VA_ARGS__), want)

static void test_empty(void)
{
    module_desc m;
    CHECK(!*dec(BYTES(HDR), &m), "empty module: %s", err.msg);
    CHECK(m.nfuncs == 0 && m.func_types && m.codes && m.func_declared &&
          m.func_names, "empty module arrays");
    done(&m);
}

static void test_elem_forms(void)
{
    /* One function, one funcref table, then the eight segment forms. */
    module_desc m;
    const char *e = dec(BYTES(HDR,
        0x01, 0x04, 0x01, 0x60, 0x00, 0x00,            /* type () -> () */
        0x03, 0x02, 0x01, 0x00,                        /* func 0 */
        0x04, 0x04, 0x01, 0x70, 0x00, 0x01,            /* table funcref 1 */
        0x09, 0x32, 0x08,
        0x00, 0x41, 0x00, 0x0b, 0x01, 0x00,            /* 0: active, funcs */
        0x01, 0x00, 0x01, 0x00,                        /* 1: passive, funcs */
        0x02, 0x00, 0x41, 0x00, 0x0b, 0x00, 0x01, 0x00,/* 2: table 0, funcs */
        0x03, 0x00, 0x01, 0x00,                        /* 3: declarative */
        0x04, 0x41, 0x00, 0x0b, 0x01, 0xd2, 0x00, 0x0b,/* 4: active, exprs */
        0x05, 0x6f, 0x01, 0xd0, 0x6f, 0x0b,            /* 5: passive extern */
        0x06, 0x00, 0x41, 0x00, 0x0b, 0x70, 0x00,      /* 6: table 0, exprs */
        0x07, 0x70, 0x01, 0xd0, 0x70, 0x0b,            /* 7: declarative */
        0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b), &m);
    CHECK(!*e, "eight element forms: %s", e);
    if (*e)
        return;
    static const uint8_t mode[8] = {SEG_ACTIVE, SEG_PASSIVE, SEG_ACTIVE,
        SEG_DECLARATIVE, SEG_ACTIVE, SEG_PASSIVE, SEG_ACTIVE, SEG_DECLARATIVE};
    static const uint8_t type[8] = {VT_FUNCREF, VT_FUNCREF, VT_FUNCREF,
        VT_FUNCREF, VT_FUNCREF, VT_EXTERNREF, VT_FUNCREF, VT_FUNCREF};
    static const uint32_t count[8] = {1, 1, 1, 1, 1, 1, 0, 1};
    CHECK(m.nelems == 8, "nelems %u", m.nelems);
    for (uint32_t i = 0; i < m.nelems && i < 8; i++) {
        CHECK(m.elems[i].mode == mode[i] && m.elems[i].elemtype == type[i] &&
              m.elems[i].count == count[i], "element form %u", i);
    }
    CHECK(m.elems[4].items[0].op == CONST_REF_FUNC && m.elems[5].items[0].op ==
          CONST_REF_NULL, "element expressions");
    CHECK(module_func_declared(&m, 0), "function 0 declared by elements");
    done(&m);
}

static void test_data_forms(void)
{
    module_desc m;
    const char *e = dec(BYTES(HDR,
        0x05, 0x03, 0x01, 0x00, 0x01,                  /* memory 1 */
        0x0b, 0x11, 0x03,
        0x00, 0x41, 0x08, 0x0b, 0x02, 'h', 'i',        /* active, memory 0 */
        0x01, 0x01, 'x',                               /* passive */
        0x02, 0x00, 0x41, 0x00, 0x0b, 0x00), &m);      /* memory 0 explicit */
    CHECK(!*e, "data forms: %s", e);
    if (*e)
        return;
    CHECK(m.ndatas == 3 && m.datas[0].mode == SEG_ACTIVE &&
          m.datas[0].offset.value == 8 && m.datas[0].len == 2 &&
          !memcmp(m.datas[0].bytes, "hi", 2) && m.datas[1].mode == SEG_PASSIVE &&
          m.datas[2].len == 0, "data segments");
    done(&m);
}

static void test_declared(void)
{
    /* Functions 0..3: 0 exported, 1 in a global's ref.func, 2 only the
     * start function, 3 unreferenced. */
    module_desc m;
    const char *e = dec(BYTES(HDR,
        0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
        0x03, 0x05, 0x04, 0x00, 0x00, 0x00, 0x00,
        0x06, 0x06, 0x01, 0x70, 0x00, 0xd2, 0x01, 0x0b,
        0x07, 0x05, 0x01, 0x01, 'f', 0x00, 0x00,
        0x08, 0x01, 0x02,
        0x0a, 0x0d, 0x04, 0x02, 0x00, 0x0b, 0x02, 0x00, 0x0b, 0x02, 0x00, 0x0b,
        0x02, 0x00, 0x0b), &m);
    CHECK(!*e, "declared functions module: %s", e);
    if (*e)
        return;
    CHECK(module_func_declared(&m, 0) && module_func_declared(&m, 1) &&
          !module_func_declared(&m, 2) && !module_func_declared(&m, 3) &&
          !module_func_declared(&m, 4), "declared set");
    CHECK(m.has_start && m.start == 2, "start");
    done(&m);
}

static void test_names(void)
{
    module_desc m;
    const char *e = dec(BYTES(HDR,
        0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
        0x03, 0x03, 0x02, 0x00, 0x00,
        0x0a, 0x07, 0x02, 0x02, 0x00, 0x0b, 0x02, 0x00, 0x0b,
        0x00, 0x10, 0x04, 'n', 'a', 'm', 'e',
        0x00, 0x02, 0x01, 'M',                         /* module name */
        0x01, 0x05, 0x01, 0x01, 0x02, 'g', 'o'), &m);  /* func 1 "go" */
    CHECK(!*e, "name section: %s", e);
    if (*e)
        return;
    CHECK(m.module_name_len == 1 && m.module_name[0] == 'M', "module name");
    CHECK(!m.func_names[0] && m.func_name_lens[1] == 2 &&
          !memcmp(m.func_names[1], "go", 2), "function names");
    done(&m);

    /* A broken name section (bad UTF-8, count too big) is ignored. */
    e = dec(BYTES(HDR,
        0x00, 0x0c, 0x04, 'n', 'a', 'm', 'e',
        0x01, 0x05, 0x09, 0x00, 0x02, 0xff, 0xfe), &m);
    CHECK(!*e, "malformed name section must not fail: %s", e);
    if (!*e)
        done(&m);
}

static void test_locals(void)
{
    module_desc m;
    /* 50000 locals are fine, 50001 are too many. */
    const char *e = dec(BYTES(HDR,
        0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
        0x0a, 0x09, 0x01, 0x07, 0x01, 0xd0, 0x86, 0x03, 0x7f, 0x00, 0x0b), &m);
    CHECK(!*e, "50000 locals: %s", e);
    if (!*e) {
        CHECK(m.codes[0].nlocals == 50000 && m.codes[0].body_len == 2,
              "locals %u body %u", m.codes[0].nlocals, m.codes[0].body_len);
        done(&m);
    }
    FAILS("too many locals", HDR,
        0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
        0x0a, 0x0b, 0x01, 0x09, 0x02, 0xd0, 0x86, 0x03, 0x7f, 0x01, 0x7e,
        0x00, 0x0b);
}

static void test_hostile_counts(void)
{
    /* Counts of 2^32-1 with nothing behind them allocate nothing big. */
    FAILS("unexpected end", HDR, 0x01, 0x05, 0xff, 0xff, 0xff, 0xff, 0x0f);
    FAILS("unexpected end", HDR, 0x03, 0x05, 0xff, 0xff, 0xff, 0xff, 0x0f);
    FAILS("unexpected end", HDR, 0x07, 0x05, 0xff, 0xff, 0xff, 0xff, 0x0f);
    FAILS("unexpected end", HDR, 0x09, 0x05, 0xff, 0xff, 0xff, 0xff, 0x0f);
    FAILS("unexpected end", HDR, 0x0b, 0x05, 0xff, 0xff, 0xff, 0xff, 0x0f);
    FAILS("unexpected end", HDR, 0x0a, 0x05, 0xff, 0xff, 0xff, 0xff, 0x0f);
    mem_stats s;
    mem_owner_stats(&owner, &s);
    CHECK(s.peak[MEM_MODULE] < (1u << 20), "peak %zu bytes", s.peak[MEM_MODULE]);
}

static void test_rules(void)
{
    /* 0xFD 0x9a (as a u32 LEB) is not a SIMD instruction */
    FAILS("illegal opcode", HDR, 0x06, 0x07, 0x01, 0x7b, 0x00, 0xfd, 0x9a,
          0x01, 0x0b);
    FAILS("multiple memories", HDR, 0x05, 0x05, 0x02, 0x00, 0x01, 0x00, 0x01);
    module_desc m;
    const char *e = dec(BYTES(HDR, 0x04, 0x07, 0x02, 0x70, 0x00, 0x01, 0x6f,
                              0x00, 0x01), &m);
    CHECK(!*e, "two tables are allowed: %s", e);
    if (!*e)
        done(&m);
    e = dec(BYTES(HDR, 0x01, 0x05, 0x01, 0x60, 0x01, 0x7b, 0x00), &m);
    CHECK(!*e, "v128 is a value type: %s", e);
    if (!*e)
        done(&m);
    /* An unknown type (invalid) before a bad section size (malformed):
     * the malformed binary is what the spec reports. */
    FAILS("section size mismatch", HDR, 0x03, 0x02, 0x01, 0x05,
          0x06, 0x02, 0x00, 0x00);
    FAILS("duplicate export name", HDR, 0x05, 0x03, 0x01, 0x00, 0x01,
          0x07, 0x09, 0x02, 0x01, 'm', 0x02, 0x00, 0x01, 'm', 0x02, 0x00);
    FAILS("constant expression required", HDR, 0x06, 0x07, 0x01, 0x7f, 0x00,
          0x41, 0x00, 0x6a, 0x0b);
    FAILS("type mismatch", HDR, 0x06, 0x06, 0x01, 0x7f, 0x00, 0x42, 0x00, 0x0b);
    FAILS("start function", HDR, 0x01, 0x05, 0x01, 0x60, 0x01, 0x7f, 0x00,
          0x03, 0x02, 0x01, 0x00, 0x08, 0x01, 0x00,
          0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b);
}

int main(void)
{
    mem_owner_init(&owner, MEM_OWNER_MODULE);
    test_empty();
    test_elem_forms();
    test_data_forms();
    test_declared();
    test_names();
    test_locals();
    test_hostile_counts();
    test_rules();
    return check_summary();
}
