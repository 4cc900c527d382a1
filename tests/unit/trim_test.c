/* decode_trim_custom: the image `ebb run` and `ebb validate` decode
 * instead of the whole file. It must decode exactly as the original does
 * (same message when invalid, same code offsets and function names when
 * valid), drop only payloads of trailing custom sections other than
 * `name`, and leave anything not plainly well-formed alone.
 *
 * usage: trim_test [SUITE_DIR]   (the argument is not used; gcc-loops is
 *                                 read from ../shared/bench/sightglass or
 *                                 $EBB_BENCH when present) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/module.h"
#include "mem/mem.h"

#include "check.h"
#include "test_file.h"

#define HDR 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00
/* one function () -> () whose body is `nop` */
#define FUNC 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, \
             0x03, 0x02, 0x01, 0x00, \
             0x0a, 0x05, 0x01, 0x03, 0x00, 0x01, 0x0b
#define FUNC_LEN 25 /* header included */
/* the name section: function 0 is "f" */
#define NAMES 0x00, 0x0b, 0x04, 'n', 'a', 'm', 'e', \
              0x01, 0x04, 0x01, 0x00, 0x01, 'f'
/* a custom section ".d" with 6 bytes of payload */
#define DEBUG 0x00, 0x09, 0x02, '.', 'd', 1, 2, 3, 4, 5, 6
#define BYTES(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})

static mem_owner owner;

/* Trims b; returns the new length (0: kept as is) and the image in *out
 * (malloc'd; NULL when kept). */
static size_t trim(const uint8_t *b, size_t n, uint8_t **out)
{
    *out = NULL;
    size_t k = decode_trim_custom(b, n, NULL);
    if (!k)
        return 0;
    *out = malloc(k);
    size_t again = *out ? decode_trim_custom(b, n, *out) : 0;
    CHECK(again == k, "two passes disagree: %zu, %zu", k, again);
    return k;
}

/* Both decode, or both fail with the same message; when they decode, the
 * code offsets and function names agree. */
static void same_decode(int line, const uint8_t *a, size_t na,
                        const uint8_t *b, size_t nb)
{
    module_desc ma, mb;
    err_t ea, eb;
    bool oka = decode_module(&owner, a, na, &ma, &ea);
    bool okb = decode_module(&owner, b, nb, &mb, &eb);
    CHECK(oka == okb, "line %d: decoded %d vs %d (%s / %s)", line, oka, okb,
          oka ? "" : ea.msg, okb ? "" : eb.msg);
    if (!oka && !okb)
        CHECK(!strcmp(ea.msg, eb.msg), "line %d: '%s' vs '%s'", line,
              ea.msg, eb.msg);
    if (oka && okb) {
        CHECK(ma.nfuncs == mb.nfuncs, "line %d: nfuncs", line);
        uint32_t nd = ma.nfuncs - ma.nimported_funcs;
        for (uint32_t i = 0; i < nd && ma.nfuncs == mb.nfuncs; i++)
            CHECK(ma.codes[i].body_offset == mb.codes[i].body_offset &&
                  ma.codes[i].body_len == mb.codes[i].body_len,
                  "line %d: body %u moved", line, i);
        for (uint32_t i = 0; i < ma.nfuncs && ma.nfuncs == mb.nfuncs; i++) {
            bool named = ma.func_names[i] != NULL;
            CHECK(named == (mb.func_names[i] != NULL) &&
                  (!named || (ma.func_name_lens[i] == mb.func_name_lens[i] &&
                              !memcmp(ma.func_names[i], mb.func_names[i],
                                      ma.func_name_lens[i]))),
                  "line %d: name of function %u differs", line, i);
        }
    }
    if (oka)
        module_desc_free(&owner, &ma);
    if (okb)
        module_desc_free(&owner, &mb);
}

/* Trims and compares; returns the trimmed length (0: kept). */
static size_t check_trim(int line, const uint8_t *b, size_t n)
{
    uint8_t *t;
    size_t k = trim(b, n, &t);
    CHECK(k <= n, "line %d: grew from %zu to %zu", line, n, k);
    if (k)
        same_decode(line, b, n, t, k);
    free(t);
    return k;
}
#define TRIM(...) check_trim(__LINE__, BYTES(__VA_ARGS__))

static void test_trailing(void)
{
    /* ".d" keeps its name and loses its 6 bytes; "name" stays whole */
    size_t n = sizeof((const uint8_t[]){HDR, FUNC, DEBUG, NAMES, DEBUG});
    size_t k = TRIM(HDR, FUNC, DEBUG, NAMES, DEBUG);
    CHECK(k == n - 12, "trimmed to %zu of %zu", k, n);
    uint8_t *t;
    trim(BYTES(HDR, FUNC, DEBUG, NAMES), &t);
    static const uint8_t want[] = {HDR, FUNC, 0x00, 0x03, 0x02, '.', 'd',
                                   NAMES};
    CHECK(t && !memcmp(t, want, sizeof want), "image differs");
    free(t);
    /* nothing to trim: the same bytes */
    CHECK(TRIM(HDR, FUNC) == FUNC_LEN, "module without custom sections");
    CHECK(TRIM(HDR) == 8, "empty module");
}

static void test_kept_whole(void)
{
    /* a custom section before a known section is not trailing */
    size_t n = sizeof((const uint8_t[]){HDR, DEBUG, FUNC});
    CHECK(TRIM(HDR, DEBUG, FUNC) == n, "leading custom section trimmed");
    /* not a core module, or not plainly well-formed: left alone */
    CHECK(TRIM('(', 'm', 'o', 'd', 'u', 'l', 'e', ')') == 0, "text");
    CHECK(TRIM(0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00) == 0,
          "component");
    CHECK(TRIM(HDR, FUNC, 0x00, 0x20, 0x01, 'x') == 0, "size past the end");
    CHECK(TRIM(HDR, FUNC, 0x00, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00) == 0,
          "size LEB128 too long");
    CHECK(TRIM(HDR, FUNC, 0x00, 0x02, 0x05, 'x') == 0,
          "name longer than its section");
}

static void test_errors_kept(void)
{
    /* a bad UTF-8 name in a trimmed section is still reported */
    CHECK(TRIM(HDR, FUNC, 0x00, 0x04, 0x01, 0xff, 1, 2) != 0,
          "bad name not trimmed");
    /* a malformed name section is ignored, trimmed or not */
    TRIM(HDR, FUNC, 0x00, 0x07, 0x04, 'n', 'a', 'm', 'e', 0x01, 0x7f);
    /* an invalid module stays invalid with the same message */
    TRIM(HDR, 0x03, 0x02, 0x01, 0x05, 0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b,
         DEBUG);
}

static void test_gcc_loops(void)
{
    const char *dir = getenv("EBB_BENCH");
    char path[4096];
    snprintf(path, sizeof path, "%s/gcc-loops/benchmark.wasm",
             dir ? dir : "../shared/bench/sightglass");
    size_t n = 0;
    uint8_t *b = test_read_file(path, &n);
    if (!b) {
        printf("skipped: %s not found\n", path);
        return;
    }
    size_t k = check_trim(__LINE__, b, n);
    CHECK(k > 0 && k < n / 4, "gcc-loops: %zu of %zu bytes kept", k, n);
    CHECK(decode_section_len(b, n, 10) == 225537, "code section %zu bytes",
          decode_section_len(b, n, 10));
    printf("gcc-loops: %zu of %zu bytes kept\n", k, n);
    free(b);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    mem_owner_init(&owner, MEM_OWNER_MODULE);
    test_trailing();
    test_kept_whole();
    test_errors_kept();
    test_gcc_loops();
    CHECK(mem_owner_live(&owner) == 0, "%zu bytes left",
          mem_owner_live(&owner));
    return check_summary();
}
