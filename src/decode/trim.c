/* decode_trim_custom: a copy of a binary module without the payloads of
 * the custom sections at its end that ebb never reads (DWARF `.debug_*`,
 * `producers`, ...). Toolchains put those after the last known section,
 * and in a debug build they are most of the file (gcc-loops: 2.6 MB of
 * 2.8 MB), so a runner that copies only the rest saves a copy and the
 * page faults of touching it.
 *
 * The trimmed image decodes exactly as the original does:
 * - every byte up to the end of the last non-custom section is kept, so
 *   offsets (code offsets in backtraces, body offsets) do not move;
 * - the `name` section is kept whole (function names of backtraces);
 * - every other trailing custom section keeps its id and name, with an
 *   empty payload, so a malformed name is still reported as such;
 * - anything not plainly well-formed (header, section sizes, a custom
 *   section's name length) makes the whole module be kept as it is,
 *   and the decoder then judges it. */
#include "module.h"

#include <string.h>

/* An unsigned LEB128 of at most 5 bytes whose value fits 32 bits, read
 * at *p below end; false for anything the decoder would reject. */
static bool read_u32(const uint8_t **p, const uint8_t *end, uint32_t *out)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < 5; i++) {
        if (*p >= end)
            return false;
        uint8_t b = *(*p)++;
        if (i == 4 && b > 0x0f)
            return false;
        v |= (uint32_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false;
}

static size_t put_u32(uint8_t *out, uint32_t v)
{
    size_t n = 0;
    do {
        uint8_t b = v & 0x7f;
        v >>= 7;
        if (out)
            out[n] = (uint8_t)(b | (v ? 0x80 : 0));
        n++;
    } while (v);
    return n;
}

/* One section: its id, where its payload starts and ends. */
typedef struct section {
    uint8_t id;
    const uint8_t *start; /* the id byte */
    const uint8_t *payload, *end;
} section;

static bool next_section(const uint8_t **p, const uint8_t *end, section *s)
{
    uint32_t size;
    s->start = *p;
    s->id = **p;
    (*p)++;
    if (!read_u32(p, end, &size) || size > (size_t)(end - *p))
        return false;
    s->payload = *p;
    s->end = *p + size;
    *p = s->end;
    return true;
}

/* Writes a trailing custom section as it is kept (to out unless NULL)
 * and returns its length, or 0 if its name length is not plainly
 * well-formed. */
static size_t put_custom(const section *s, uint8_t *out)
{
    const uint8_t *q = s->payload;
    uint32_t name_len;
    if (!read_u32(&q, s->end, &name_len) ||
        name_len > (size_t)(s->end - q))
        return 0;
    const uint8_t *name = q;
    size_t keep = name_len == 4 && memcmp(name, "name", 4) == 0
                      ? (size_t)(s->end - s->start)
                      : 0;
    if (keep) {
        if (out)
            memcpy(out, s->start, keep);
        return keep;
    }
    /* id, size, then the name's length and bytes, and no payload */
    uint32_t field = (uint32_t)(name + name_len - s->payload);
    size_t n = 1;
    if (out)
        out[0] = 0;
    n += put_u32(out ? out + n : NULL, field);
    if (out)
        memcpy(out + n, s->payload, field);
    return n + field;
}

size_t decode_trim_custom(const uint8_t *bytes, size_t len, uint8_t *out)
{
    static const uint8_t header[8] = {0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0};
    if (len < 8 || memcmp(bytes, header, 8) != 0)
        return 0;
    const uint8_t *end = bytes + len, *p = bytes + 8, *keep_end = p;
    section s = {0};
    while (p < end) {
        if (!next_section(&p, end, &s))
            return 0;
        if (s.id != 0)
            keep_end = s.end;
    }
    size_t n = (size_t)(keep_end - bytes);
    if (out)
        memcpy(out, bytes, n);
    for (p = keep_end; p < end;) {
        size_t k = next_section(&p, end, &s) /* checked above */
                       ? put_custom(&s, out ? out + n : NULL)
                       : 0;
        if (!k)
            return 0;
        n += k;
    }
    return n;
}

size_t decode_section_len(const uint8_t *bytes, size_t len, uint8_t id)
{
    if (len < 8)
        return 0;
    const uint8_t *end = bytes + len, *p = bytes + 8;
    section s = {0};
    while (p < end && next_section(&p, end, &s))
        if (s.id == id)
            return (size_t)(s.end - s.payload);
    return 0;
}
