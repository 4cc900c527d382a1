/* The text format: literals, WAT to binary, text errors, script parsing,
 * and that every byte the parser takes comes back. */
#include <stdio.h>
#include <string.h>

#include "mem/mem.h"
#include "text/text.h"
#include "text/wast.h"
#include "text/wat.h"

static unsigned passed, failed;

#define CHECK(cond, ...)                                   \
    do {                                                   \
        if (cond) {                                        \
            passed++;                                      \
        } else {                                           \
            failed++;                                      \
            printf("%s:%d: ", __FILE__, __LINE__);         \
            printf(__VA_ARGS__);                           \
            putchar('\n');                                 \
        }                                                  \
    } while (0)

static mem_owner owner;

static wat_num_result f32_of(const char *s, uint32_t *bits)
{
    return wat_parse_f32(&owner, s, strlen(s), bits);
}

static wat_num_result f64_of(const char *s, uint64_t *bits)
{
    return wat_parse_f64(&owner, s, strlen(s), bits);
}

static wat_num_result int_of(const char *s, unsigned width, uint64_t *v)
{
    return wat_parse_int(s, strlen(s), width, v);
}

static void test_ints(void)
{
    uint64_t v;
    CHECK(int_of("0x1_0000", 32, &v) == NUM_OK && v == 0x10000, "hex _");
    CHECK(int_of("-0x8000_0000", 32, &v) == NUM_OK && v == 0x80000000u,
          "i32 min");
    CHECK(int_of("4294967295", 32, &v) == NUM_OK && v == 0xffffffffu,
          "u32 max");
    CHECK(int_of("4294967296", 32, &v) == NUM_RANGE, "u32 max + 1");
    CHECK(int_of("-2147483649", 32, &v) == NUM_RANGE, "i32 min - 1");
    CHECK(int_of("18446744073709551615", 64, &v) == NUM_OK &&
              v == UINT64_MAX, "u64 max");
    CHECK(int_of("18446744073709551616", 64, &v) == NUM_RANGE, "u64 + 1");
    CHECK(int_of("-9223372036854775808", 64, &v) == NUM_OK &&
              v == UINT64_C(0x8000000000000000), "i64 min");
    CHECK(int_of("+7", 32, &v) == NUM_OK && v == 7, "plus sign");
    const char *bad[] = {"1__0", "_1", "1_", "0x", "0x_1", "1x", "--1",
                         "+_1", "0xg"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK(int_of(bad[i], 32, &v) == NUM_MALFORMED, "malformed %s",
              bad[i]);
}

static void test_floats(void)
{
    uint32_t b;
    uint64_t d;
    /* just above the midpoint of 1 and the next f32: rounding the
     * decimal to double first would land on the midpoint, then on 1 */
    CHECK(f32_of("1.000000059604644775390625000001", &b) == NUM_OK &&
              b == 0x3f800001, "f32 correct rounding: %08x", b);
    CHECK(f32_of("0x1.8p3", &b) == NUM_OK && b == 0x41400000, "hex f32");
    CHECK(f32_of("-inf", &b) == NUM_OK && b == 0xff800000, "-inf");
    CHECK(f32_of("nan", &b) == NUM_OK && b == 0x7fc00000, "nan");
    CHECK(f32_of("-nan:0x1", &b) == NUM_OK && b == 0xff800001, "payload");
    CHECK(f32_of("nan:0x80_0000", &b) == NUM_RANGE, "payload too big");
    CHECK(f32_of("nan:0x0", &b) == NUM_RANGE, "payload zero");
    CHECK(f32_of("0x1.fffffefffffffp127", &b) == NUM_OK && b == 0x7f7fffff,
          "rounds down to max");
    CHECK(f32_of("0x1.ffffffp127", &b) == NUM_RANGE, "rounds up to inf");
    CHECK(f32_of("1e39", &b) == NUM_RANGE, "f32 overflow");
    CHECK(f32_of("1_000.000_1e0_1", &b) == NUM_OK, "underscores");
    CHECK(f64_of("0x1p-1074", &d) == NUM_OK && d == 1, "f64 min subnormal");
    CHECK(f64_of("1e309", &d) == NUM_RANGE, "f64 overflow");
    CHECK(f64_of("nan:0xf_ffff_ffff_ffff", &d) == NUM_OK &&
              d == UINT64_C(0x7fffffffffffffff), "f64 payload");
    CHECK(f64_of("1.", &d) == NUM_OK && d == UINT64_C(0x3ff0000000000000),
          "1.");
    const char *bad[] = {".0", "0x", "0x.", "1e", "1e+", "0x1p", "1.0_",
                         "0x1.0_p1", "nan:1", "infinity", "1_.0"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK(f64_of(bad[i], &d) == NUM_MALFORMED, "malformed %s", bad[i]);
}

/* Converts and compares with the expected bytes after the header. */
static void expect_module(const char *wat, const uint8_t *body, size_t n)
{
    uint8_t *out = NULL;
    size_t len = 0;
    err_t err;
    bool ok = text_wat_to_binary(&owner, wat, strlen(wat), &out, &len, &err);
    CHECK(ok, "%s: %s", wat, err.msg);
    if (!ok)
        return;
    CHECK(len == 8 + n && memcmp(out + 8, body, n) == 0, "bytes of %s",
          wat);
    mem_free(&owner, MEM_HOST, out);
}

static void expect_error(const char *wat, const char *msg)
{
    uint8_t *out = NULL;
    size_t len = 0;
    err_t err;
    bool ok = text_wat_to_binary(&owner, wat, strlen(wat), &out, &len, &err);
    CHECK(!ok && strstr(err.msg, msg), "%s: want \"%s\", got \"%s\"", wat,
          msg, ok ? "success" : err.msg);
    if (ok)
        mem_free(&owner, MEM_HOST, out);
}

#define BYTES(...) (const uint8_t[]){__VA_ARGS__}, \
                   sizeof((const uint8_t[]){__VA_ARGS__})

static void test_modules(void)
{
    expect_module("", (const uint8_t *)"", 0);
    expect_module("(module)", (const uint8_t *)"", 0);
    /* type, function, code: (i32.add (i32.const 1) (i32.const 2)) */
    expect_module("(func (result i32) (i32.add (i32.const 1) (i32.const 2)))",
                  BYTES(1, 5, 1, 0x60, 0, 1, 0x7f, 3, 2, 1, 0, 10, 9, 1, 7,
                        0, 0x41, 1, 0x41, 2, 0x6a, 0x0b));
    /* an implicit type is appended after the explicit ones */
    expect_module("(type (func)) (func (param i64))",
                  BYTES(1, 8, 2, 0x60, 0, 0, 0x60, 1, 0x7e, 0, 3, 2, 1, 1,
                        10, 4, 1, 2, 0, 0x0b));
    /* labels by name, flat and folded */
    expect_module("(func block $a loop $b br $a br $b end end)",
                  BYTES(1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, 14, 1, 12, 0,
                        0x02, 0x40, 0x03, 0x40, 0x0c, 1, 0x0c, 0, 0x0b,
                        0x0b, 0x0b));
    /* (memory (data ...)): one page, an active segment at 0 */
    expect_module("(memory (data \"hi\"))",
                  BYTES(5, 4, 1, 1, 1, 1, 11, 8, 1, 0, 0x41, 0, 0x0b, 2,
                        'h', 'i'));
}

static void test_errors(void)
{
    expect_error("(func (i32.const 0x1_0000_0000))", "constant out of range");
    expect_error("(func (local.get $x))", "unknown local $x");
    expect_error("(func br $l)", "unknown label $l");
    expect_error("(func $f) (func $f)", "duplicate func $f");
    expect_error("(func block $a end $b)", "mismatching label");
    expect_error("(memory 1) (func (drop (i32.load align=3 (i32.const 0))))",
                 "alignment");
    expect_error("(func (get_local 0))", "unknown operator get_local");
    expect_error("(func (result i32) (param i32))", "unexpected token");
    expect_error("(type $t (func)) (func (type $t) (param i32))",
                 "inline function type");
    expect_error("(func) (import \"a\" \"b\" (func))", "import after function");
    expect_error("(func (drop (i8x16.extract_lane_s 256 (v128.const i64x2 0 0))))",
                 "malformed lane index");
    expect_error("(func (nop) (local i32))", "unexpected token");
    expect_error("(func \"a\"x)", "unknown operator");
    expect_error("(export \"\\ff\" (func 0))", "malformed UTF-8");
    expect_error("(func (; unclosed", "unclosed comment");
    expect_error("(data \"\\q\")", "malformed escape");
    expect_error("(start 0) (start 0)", "multiple start sections");
}

static void test_script(void)
{
    const char *src =
        "(module $m (func (export \"f\") (param i32) (result i32) local.get 0))\n"
        "(register \"reg\" $m)\n"
        "(assert_return (invoke $m \"f\" (i32.const -1)) (i32.const -1))\n"
        "(assert_return (invoke \"g\") (f32.const nan:canonical)"
        " (ref.null extern) (ref.extern 7))\n"
        "(assert_malformed (module quote \"(func (i32.const))\") \"unexpected token\")\n"
        "(assert_trap (module binary \"\\00asm\" \"\\01\\00\\00\\00\") \"x\")\n";
    wast_script s;
    err_t err;
    bool ok = wast_parse(&owner, src, strlen(src), &s, &err);
    CHECK(ok, "script: %s", err.msg);
    if (!ok)
        return;
    CHECK(s.ncommands == 6, "6 commands, got %u", s.ncommands);
    if (s.ncommands == 6) {
        wast_command *c = s.commands;
        CHECK(c[0].kind == WC_MODULE && c[0].module.bytes &&
                  !strcmp(c[0].module.id, "$m"), "module $m");
        CHECK(c[1].kind == WC_REGISTER && !strcmp(c[1].register_name, "reg") &&
                  !strcmp(c[1].module.id, "$m"), "register");
        CHECK(c[2].kind == WC_ASSERT_RETURN && c[2].action.nargs == 1 &&
                  c[2].action.args[0].bits == 0xffffffffu &&
                  c[2].line == 3, "invoke args");
        CHECK(c[3].nexpected == 3 &&
                  c[3].expected[0].pattern == WP_NAN_CANONICAL &&
                  c[3].expected[1].pattern == WP_REF_NULL &&
                  c[3].expected[2].kind == WV_EXTERNREF &&
                  c[3].expected[2].bits == 7, "result patterns");
        CHECK(c[4].kind == WC_ASSERT_MALFORMED && !c[4].module.bytes &&
                  c[4].module.text_error &&
                  strstr(c[4].module.text_error, "unexpected token"),
              "quote rejected");
        CHECK(c[5].kind == WC_ASSERT_UNINSTANTIABLE &&
                  c[5].module.len == 8, "binary module");
    }
    wast_script_free(&owner, &s);
}

int main(void)
{
    mem_owner_init(&owner, MEM_OWNER_ENGINE);
    test_ints();
    test_floats();
    test_modules();
    test_errors();
    test_script();
    CHECK(mem_owner_live(&owner) == 0, "all freed: %zu bytes live",
          mem_owner_live(&owner));
    printf("%u passed, %u failed\n", passed, failed);
    return failed != 0;
}
