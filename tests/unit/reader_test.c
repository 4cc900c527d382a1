/* LEB128 and UTF-8 rules of the binary format, and the memory door's
 * counters. */
#include <stdio.h>
#include <string.h>

#include "decode/reader.h"
#include "mem/mem.h"

#include "check.h"

typedef enum { U32, S32, S33, U64, S64 } kind;

/* Reads one LEB of `k` from the bytes; returns the error text or "" and
 * the value. */
static const char *leb(kind k, const uint8_t *b, size_t n, int64_t *v)
{
    static err_t err;
    reader r;
    err_clear(&err);
    reader_init(&r, b, n, b, &err);
    bool ok = false;
    switch (k) {
    case U32: { uint32_t x; ok = reader_u32(&r, &x); *v = x; break; }
    case S32: { int32_t x; ok = reader_s32(&r, &x); *v = x; break; }
    case S33: ok = reader_s33(&r, v); break;
    case U64: { uint64_t x; ok = reader_u64(&r, &x); *v = (int64_t)x; break; }
    case S64: ok = reader_s64(&r, v); break;
    }
    return ok ? "" : err.msg;
}

#define B(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})

static void test_leb(void)
{
    int64_t v;
    CHECK(!*leb(U32, B(0xe5, 0x8e, 0x26), &v) && v == 624485, "u32 624485");
    CHECK(!*leb(U32, B(0xff, 0xff, 0xff, 0xff, 0x0f), &v) && v == 0xffffffff,
          "u32 max");
    CHECK(!strcmp(leb(U32, B(0xff, 0xff, 0xff, 0xff, 0x1f), &v),
                  "integer too large"), "u32 unused bits set");
    CHECK(!strcmp(leb(U32, B(0x80, 0x80, 0x80, 0x80, 0x80, 0x00), &v),
                  "integer representation too long"), "u32 six bytes");
    CHECK(!*leb(U32, B(0x80, 0x80, 0x80, 0x80, 0x00), &v) && v == 0,
          "u32 padded zero");
    CHECK(strstr(leb(U32, B(0x80, 0x80), &v), "unexpected end"),
          "u32 truncated");
    CHECK(!*leb(S32, B(0x7f), &v) && v == -1, "s32 -1");
    CHECK(!*leb(S32, B(0xff, 0xff, 0xff, 0xff, 0x7f), &v) && v == -1,
          "s32 padded -1");
    CHECK(!*leb(S32, B(0x80, 0x80, 0x80, 0x80, 0x78), &v) && v == INT32_MIN,
          "s32 min");
    CHECK(!strcmp(leb(S32, B(0xff, 0xff, 0xff, 0xff, 0x4f), &v),
                  "integer too large"), "s32 bad sign bits");
    CHECK(!strcmp(leb(S32, B(0x80, 0x80, 0x80, 0x80, 0x70), &v),
                  "integer too large"), "s32 bad sign bits 2");
    CHECK(!*leb(S33, B(0x80, 0x80, 0x80, 0x80, 0x70), &v) &&
              v == -0x100000000ll, "s33 -2^32");
    CHECK(!*leb(S64, B(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                       0x80, 0x7f), &v) && v == INT64_MIN, "s64 min");
    CHECK(!strcmp(leb(S64, B(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                             0x80, 0x80, 0x01), &v), "integer too large"),
          "s64 bad last byte");
    CHECK(!strcmp(leb(U64, B(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                             0x80, 0x80, 0x02), &v), "integer too large"),
          "u64 bad last byte");
}

static void test_utf8(void)
{
    CHECK(utf8_valid((const uint8_t *)"h\xc3\xa9", 3), "2-byte");
    CHECK(!utf8_valid((const uint8_t *)"\xc0\x80", 2), "overlong");
    CHECK(!utf8_valid((const uint8_t *)"\xed\xa0\x80", 3), "surrogate");
    CHECK(!utf8_valid((const uint8_t *)"\xf4\x90\x80\x80", 4), "> U+10FFFF");
    CHECK(utf8_valid((const uint8_t *)"\xf0\x9f\x98\x80", 4), "4-byte");
    CHECK(!utf8_valid((const uint8_t *)"\xe2\x82", 2), "truncated");
}

static void test_mem(void)
{
    mem_owner o;
    mem_owner_init(&o, MEM_OWNER_STORE);
    void *a = mem_alloc(&o, MEM_TABLE, 100);
    void *b = mem_calloc(&o, MEM_LINEAR, 10, 10);
    CHECK(mem_owner_live(&o) == 200, "live 200");
    b = mem_realloc(&o, MEM_LINEAR, b, 1000);
    CHECK(((uint8_t *)b)[999] == 0, "realloc zeroes new bytes");
    mem_stats st;
    mem_owner_stats(&o, &st);
    CHECK(st.live[MEM_LINEAR] == 1000 && st.peak[MEM_LINEAR] == 1000,
          "linear counters");
    mem_free(&o, MEM_TABLE, a);
    mem_free(&o, MEM_LINEAR, b);
    CHECK(mem_owner_live(&o) == 0, "back to zero");
    CHECK(mem_global_live() == 0, "global back to zero");
}

int main(void)
{
    test_leb();
    test_utf8();
    test_mem();
    return check_summary();
}
