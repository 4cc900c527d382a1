/* Literals of the text format. Integers are read exactly with overflow
 * checks; floats are checked against the grammar, stripped of their `_`
 * separators and handed to strtof/strtod, which round correctly (in
 * glibc, for decimal and hexadecimal input alike). An f32 is parsed by
 * strtof directly: rounding through double first could round twice. */
#include "wat.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int digit_value(char c, bool hex)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (hex && c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (hex && c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads digit ('_'? digit)* from *p; copies the digits to *dst when dst
 * is non-NULL. Returns the number of digits (0 = none, or malformed). */
static size_t scan_digits(const char **p, const char *end, bool hex,
                          char **dst)
{
    const char *q = *p;
    size_t count = 0;
    while (q < end) {
        if (digit_value(*q, hex) >= 0) {
            if (dst)
                *(*dst)++ = *q;
            q++;
            count++;
        } else if (*q == '_' && count > 0 && q + 1 < end &&
                   digit_value(q[1], hex) >= 0) {
            q++;
        } else {
            break;
        }
    }
    *p = q;
    return count;
}

static bool has_hex_prefix(const char *p, const char *end)
{
    return end - p >= 2 && p[0] == '0' && p[1] == 'x';
}

/* An unsigned literal of the whole range p..end. */
static wat_num_result parse_magnitude(const char *p, const char *end,
                                      uint64_t *out)
{
    bool hex = has_hex_prefix(p, end);
    if (hex)
        p += 2;
    const char *q = p;
    if (scan_digits(&q, end, hex, NULL) == 0 || q != end)
        return NUM_MALFORMED;
    uint64_t v = 0;
    bool over = false;
    unsigned base = hex ? 16 : 10;
    for (; p < end; p++) {
        if (*p == '_')
            continue;
        uint64_t d = (uint64_t)digit_value(*p, hex);
        if (v > (UINT64_MAX - d) / base)
            over = true;
        v = v * base + d;
    }
    *out = v;
    return over ? NUM_RANGE : NUM_OK;
}

wat_num_result wat_parse_nat(const char *p, size_t n, uint64_t *out)
{
    return parse_magnitude(p, p + n, out);
}

wat_num_result wat_parse_int(const char *p, size_t n, unsigned bits,
                             uint64_t *out)
{
    const char *end = p + n;
    bool neg = false;
    if (p < end && (*p == '+' || *p == '-')) {
        neg = *p == '-';
        p++;
    }
    uint64_t mag;
    wat_num_result r = parse_magnitude(p, end, &mag);
    if (r != NUM_OK)
        return r;
    uint64_t max = bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
    uint64_t min_mag = UINT64_C(1) << (bits - 1);
    if (neg ? mag > min_mag : mag > max)
        return NUM_RANGE;
    uint64_t v = neg ? (uint64_t)0 - mag : mag;
    *out = bits == 64 ? v : (v & max);
    return NUM_OK;
}

typedef struct float_parts {
    bool neg;
    enum { F_NUM, F_INF, F_NAN, F_NAN_PAYLOAD } kind;
    uint64_t payload;
    char *clean;  /* NUL-terminated, for strtod */
} float_parts;

/* Checks the float grammar and fills fp. fp->clean is allocated from o
 * for F_NUM. */
static wat_num_result split_float(mem_owner *o, const char *p, size_t n,
                                  float_parts *fp)
{
    const char *end = p + n;
    fp->neg = false;
    fp->clean = NULL;
    if (p < end && (*p == '+' || *p == '-')) {
        fp->neg = *p == '-';
        p++;
    }
    size_t rest = (size_t)(end - p);
    if (rest == 3 && memcmp(p, "inf", 3) == 0) {
        fp->kind = F_INF;
        return NUM_OK;
    }
    if (rest == 3 && memcmp(p, "nan", 3) == 0) {
        fp->kind = F_NAN;
        return NUM_OK;
    }
    if (rest > 4 && memcmp(p, "nan:", 4) == 0) {
        fp->kind = F_NAN_PAYLOAD;
        if (!has_hex_prefix(p + 4, end))
            return NUM_MALFORMED;
        return parse_magnitude(p + 4, end, &fp->payload);
    }
    fp->kind = F_NUM;
    char *clean = mem_alloc(o, MEM_HOST, n + 8);
    if (!clean)
        return NUM_RANGE;
    char *d = clean;
    if (fp->neg)
        *d++ = '-';
    bool hex = has_hex_prefix(p, end);
    if (hex) {
        *d++ = '0';
        *d++ = 'x';
        p += 2;
    }
    bool ok = scan_digits(&p, end, hex, &d) > 0;
    if (ok && p < end && *p == '.') {
        *d++ = *p++;
        scan_digits(&p, end, hex, &d);
    }
    if (ok && p < end &&
        (hex ? (*p == 'p' || *p == 'P') : (*p == 'e' || *p == 'E'))) {
        *d++ = *p++;
        if (p < end && (*p == '+' || *p == '-'))
            *d++ = *p++;
        ok = scan_digits(&p, end, false, &d) > 0;
    }
    *d = 0;
    if (!ok || p != end) {
        mem_free(o, MEM_HOST, clean);
        return NUM_MALFORMED;
    }
    fp->clean = clean;
    return NUM_OK;
}

/* Infinities and NaNs, whose bits follow from the format alone: a float
 * of `width` bits with `mant` mantissa bits. Returns false for a finite
 * number, which the C library then converts. */
static bool special_bits(const float_parts *fp, unsigned width, unsigned mant,
                         uint64_t *bits, wat_num_result *r)
{
    uint64_t sign = fp->neg ? UINT64_C(1) << (width - 1) : 0;
    uint64_t exp_all_ones = ((UINT64_C(1) << (width - 1 - mant)) - 1) << mant;
    *r = NUM_OK;
    switch (fp->kind) {
    case F_INF:
        *bits = sign | exp_all_ones;
        return true;
    case F_NAN: /* the canonical NaN: only the top mantissa bit */
        *bits = sign | exp_all_ones | UINT64_C(1) << (mant - 1);
        return true;
    case F_NAN_PAYLOAD:
        if (fp->payload == 0 || fp->payload >= (UINT64_C(1) << mant))
            *r = NUM_RANGE;
        else
            *bits = sign | exp_all_ones | fp->payload;
        return true;
    default:
        return false;
    }
}

wat_num_result wat_parse_f32(mem_owner *o, const char *p, size_t n,
                             uint32_t *bits)
{
    float_parts fp;
    wat_num_result r = split_float(o, p, n, &fp);
    if (r != NUM_OK)
        return r;
    uint64_t special = 0;
    if (special_bits(&fp, 32, 23, &special, &r)) {
        *bits = (uint32_t)special;
        return r;
    }
    /* strtof rounds the decimal or hex string correctly, straight to
     * single precision (no double rounding through a double). */
    float f = strtof(fp.clean, NULL);
    mem_free(o, MEM_HOST, fp.clean);
    if (isinf(f))
        return NUM_RANGE;
    memcpy(bits, &f, 4);
    return NUM_OK;
}

wat_num_result wat_parse_f64(mem_owner *o, const char *p, size_t n,
                             uint64_t *bits)
{
    float_parts fp;
    wat_num_result r = split_float(o, p, n, &fp);
    if (r != NUM_OK)
        return r;
    if (special_bits(&fp, 64, 52, bits, &r))
        return r;
    double f = strtod(fp.clean, NULL);
    mem_free(o, MEM_HOST, fp.clean);
    if (isinf(f))
        return NUM_RANGE;
    memcpy(bits, &f, 8);
    return NUM_OK;
}
