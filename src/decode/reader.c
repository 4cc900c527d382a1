#include "reader.h"

#include <string.h>

/* The spec's tests expect "unexpected end" for a truncated header and
 * "unexpected end of section or function" inside sections and bodies; the
 * longer message contains the shorter, so one message serves both. */
static bool unexpected_end(reader *r)
{
    return err_set(r->err, "unexpected end of section or function");
}

bool reader_u8_full(reader *r, uint8_t *out)
{
    if (r->p >= r->end)
        return unexpected_end(r);
    *out = *r->p++;
    return true;
}

bool reader_bytes(reader *r, size_t n, const uint8_t **out)
{
    if (reader_left(r) < n)
        return unexpected_end(r);
    *out = r->p;
    r->p += n;
    return true;
}

/* Unsigned LEB128 of at most `bits` bits. The last byte of a maximal
 * encoding may only use the bits that remain: the spec calls longer
 * encodings "integer representation too long" and unused bits that are
 * set "integer too large". */
static bool read_uleb(reader *r, unsigned bits, uint64_t *out)
{
    uint64_t result = 0;
    unsigned shift = 0;
    unsigned max_bytes = (bits + 6) / 7;
    for (unsigned i = 0;; i++) {
        uint8_t b = 0;
        if (!reader_u8(r, &b))
            return false;
        if (i == max_bytes - 1) {
            unsigned used = bits - shift; /* bits this byte may carry */
            if (b & 0x80)
                return err_set(r->err, "integer representation too long");
            if (used < 7 && (b >> used) != 0)
                return err_set(r->err, "integer too large");
            result |= (uint64_t)b << shift;
            break;
        }
        result |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
        if (!(b & 0x80))
            break;
    }
    *out = result;
    return true;
}

static bool read_sleb(reader *r, unsigned bits, int64_t *out)
{
    uint64_t result = 0;
    unsigned shift = 0;
    unsigned max_bytes = (bits + 6) / 7;
    uint8_t b = 0;
    for (unsigned i = 0;; i++) {
        if (!reader_u8(r, &b))
            return false;
        if (i == max_bytes - 1) {
            if (b & 0x80)
                return err_set(r->err, "integer representation too long");
            unsigned used = bits - shift; /* value bits incl. sign */
            if (used < 7) {
                /* The unused high bits must all equal the sign bit. */
                uint8_t v = b & 0x7f;
                uint8_t sign = (v >> (used - 1)) & 1;
                uint8_t high_mask = (uint8_t)((0x7f >> used) << used);
                uint8_t high = v & high_mask;
                if (sign ? high != high_mask : high != 0)
                    return err_set(r->err, "integer too large");
            }
            result |= (uint64_t)(b & 0x7f) << shift;
            shift += 7;
            break;
        }
        result |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
        if (!(b & 0x80))
            break;
    }
    if (shift < 64 && (b & 0x40))
        result |= ~(uint64_t)0 << shift;
    *out = (int64_t)result;
    return true;
}

bool reader_u32_full(reader *r, uint32_t *out)
{
    uint64_t v;
    if (!read_uleb(r, 32, &v))
        return false;
    *out = (uint32_t)v;
    return true;
}

bool reader_u64(reader *r, uint64_t *out) { return read_uleb(r, 64, out); }

bool reader_s32_full(reader *r, int32_t *out)
{
    int64_t v;
    if (!read_sleb(r, 32, &v))
        return false;
    *out = (int32_t)v;
    return true;
}

bool reader_s33_full(reader *r, int64_t *out) { return read_sleb(r, 33, out); }
bool reader_s64_full(reader *r, int64_t *out) { return read_sleb(r, 64, out); }

bool reader_f32(reader *r, uint32_t *bits)
{
    const uint8_t *b = NULL;
    if (!reader_bytes(r, 4, &b))
        return false;
    *bits = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
            (uint32_t)b[3] << 24;
    return true;
}

bool reader_f64(reader *r, uint64_t *bits)
{
    const uint8_t *b = NULL;
    if (!reader_bytes(r, 8, &b))
        return false;
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | b[i];
    *bits = v;
    return true;
}

bool utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        /* Names are mostly ASCII: eight such bytes at a time. */
        if (n - i >= 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (!(w & 0x8080808080808080u)) {
                i += 8;
                continue;
            }
        }
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint32_t cp;
        if (c >= 0xc2 && c <= 0xdf)
            len = 2, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
            len = 3, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
            len = 4, cp = c & 0x07;
        else
            return false;
        if (n - i < len)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += len;
    }
    return true;
}

bool reader_name(reader *r, const char **s, uint32_t *len)
{
    uint32_t n;
    const uint8_t *b = NULL;
    if (!reader_u32(r, &n))
        return false;
    /* A length beyond the bytes left is "length out of bounds" (a name),
     * unlike running out of bytes while reading something else. */
    if (reader_left(r) < n)
        return err_set(r->err, "length out of bounds");
    if (!reader_bytes(r, n, &b))
        return false;
    if (!utf8_valid(b, n))
        return err_set(r->err, "malformed UTF-8 encoding");
    *s = (const char *)b;
    *len = n;
    return true;
}
