/* Bounds-checked reading of the binary format: bytes, LEB128 integers
 * exactly as the spec restricts them, IEEE floats, names (UTF-8).
 * Shared by the decoder (sections) and the compiler (function bodies).
 * Every function returns false with the spec's message on failure. */
#ifndef EBB_DECODE_READER_H
#define EBB_DECODE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"

typedef struct reader {
    const uint8_t *p;     /* next byte */
    const uint8_t *end;   /* one past the last readable byte */
    const uint8_t *base;  /* start of the whole module, for offsets */
    err_t *err;
} reader;

static inline void reader_init(reader *r, const uint8_t *p, size_t n,
                               const uint8_t *base, err_t *err)
{
    r->p = p;
    r->end = p + n;
    r->base = base ? base : p;
    r->err = err;
}

static inline size_t reader_left(const reader *r) { return (size_t)(r->end - r->p); }
static inline bool reader_eof(const reader *r) { return r->p >= r->end; }
static inline size_t reader_offset(const reader *r) { return (size_t)(r->p - r->base); }

bool reader_bytes(reader *r, size_t n, const uint8_t **out);
bool reader_u64(reader *r, uint64_t *out);   /* unsigned LEB128, <= 10 bytes */

/* Every case, out of line; the inline forms below take the common one
 * (a byte, a LEB128 of one byte) themselves and call these for the rest,
 * so the decoder and the translator pay no call for most immediates. */
bool reader_u8_full(reader *r, uint8_t *out);
bool reader_u32_full(reader *r, uint32_t *out);
bool reader_s32_full(reader *r, int32_t *out);
bool reader_s33_full(reader *r, int64_t *out);
bool reader_s64_full(reader *r, int64_t *out);

/* The value of a one-byte signed LEB128 (bit 6 is the sign). */
static inline int32_t reader_sleb1(uint8_t b)
{
    return (int32_t)b - ((int32_t)(b & 0x40) << 1);
}

static inline bool reader_u8(reader *r, uint8_t *out)
{
    if (r->p < r->end) {
        *out = *r->p++;
        return true;
    }
    return reader_u8_full(r, out);
}

/* unsigned LEB128, <= 5 bytes (two bytes, as in indices and offsets
 * from 128 on, are inline too: no two-byte encoding can be malformed) */
static inline bool reader_u32(reader *r, uint32_t *out)
{
    if (r->p < r->end && *r->p < 0x80) {
        *out = *r->p++;
        return true;
    }
    if (r->end - r->p >= 2 && r->p[1] < 0x80) {
        *out = (uint32_t)(r->p[0] & 0x7f) | (uint32_t)r->p[1] << 7;
        r->p += 2;
        return true;
    }
    return reader_u32_full(r, out);
}

/* signed LEB128, <= 5 bytes */
static inline bool reader_s32(reader *r, int32_t *out)
{
    if (r->p < r->end && *r->p < 0x80) {
        *out = reader_sleb1(*r->p++);
        return true;
    }
    if (r->end - r->p >= 2 && r->p[1] < 0x80) {
        /* 14 bits, bit 13 the sign */
        int32_t v = (int32_t)(r->p[0] & 0x7f) | (int32_t)r->p[1] << 7;
        *out = v - ((v & 0x2000) << 1);
        r->p += 2;
        return true;
    }
    if (r->end - r->p >= 3 && r->p[2] < 0x80) {
        /* 21 bits, bit 20 the sign (addresses of static data) */
        int32_t v = (int32_t)(r->p[0] & 0x7f) |
                    (int32_t)(r->p[1] & 0x7f) << 7 | (int32_t)r->p[2] << 14;
        *out = v - ((v & 0x100000) << 1);
        r->p += 3;
        return true;
    }
    return reader_s32_full(r, out);
}

/* block types: signed LEB128 of 33 bits */
static inline bool reader_s33(reader *r, int64_t *out)
{
    if (r->p < r->end && *r->p < 0x80) {
        *out = reader_sleb1(*r->p++);
        return true;
    }
    return reader_s33_full(r, out);
}

/* signed LEB128, <= 10 bytes */
static inline bool reader_s64(reader *r, int64_t *out)
{
    if (r->p < r->end && *r->p < 0x80) {
        *out = reader_sleb1(*r->p++);
        return true;
    }
    return reader_s64_full(r, out);
}
bool reader_f32(reader *r, uint32_t *bits);  /* raw little-endian bits */
bool reader_f64(reader *r, uint64_t *bits);
/* A name: u32 length, then that many bytes of valid UTF-8
 * ("malformed UTF-8 encoding" otherwise). */
bool reader_name(reader *r, const char **s, uint32_t *len);

bool utf8_valid(const uint8_t *s, size_t n);

#endif
