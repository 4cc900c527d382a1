#include "wat.h"

#include <string.h>

void wat_buf_init(wat_buf *b, mem_owner *owner)
{
    *b = (wat_buf){owner, NULL, 0, 0, false};
}

void wat_buf_free(wat_buf *b)
{
    mem_free(b->owner, MEM_HOST, b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

static bool reserve(wat_buf *b, size_t n)
{
    if (b->failed)
        return false;
    if (n > SIZE_MAX - b->len ||
        !mem_grow_array(b->owner, MEM_HOST, (void **)&b->p, &b->cap,
                        b->len + n, 1)) {
        b->failed = true;
        return false;
    }
    return true;
}

void wat_u8(wat_buf *b, uint8_t v)
{
    if (reserve(b, 1))
        b->p[b->len++] = v;
}

void wat_bytes(wat_buf *b, const void *p, size_t n)
{
    if (n && reserve(b, n)) {
        memcpy(b->p + b->len, p, n);
        b->len += n;
    }
}

void wat_u32(wat_buf *b, uint32_t v)
{
    do {
        uint8_t byte = v & 0x7f;
        v >>= 7;
        wat_u8(b, byte | (v ? 0x80 : 0));
    } while (v);
}

void wat_s64(wat_buf *b, int64_t v)
{
    for (;;) {
        uint8_t byte = (uint8_t)(v & 0x7f);
        /* arithmetic shift of a negative value, written portably */
        v = v >= 0 ? v >> 7 : ~(~v >> 7);
        bool done = (v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40));
        wat_u8(b, byte | (done ? 0 : 0x80));
        if (done)
            return;
    }
}

void wat_s32(wat_buf *b, int32_t v)
{
    wat_s64(b, v);
}

void wat_f32(wat_buf *b, uint32_t bits)
{
    for (int i = 0; i < 4; i++)
        wat_u8(b, (uint8_t)(bits >> (8 * i)));
}

void wat_f64(wat_buf *b, uint64_t bits)
{
    for (int i = 0; i < 8; i++)
        wat_u8(b, (uint8_t)(bits >> (8 * i)));
}

void wat_name_bytes(wat_buf *b, const uint8_t *s, size_t n)
{
    wat_u32(b, (uint32_t)n);
    wat_bytes(b, s, n);
}

void wat_rotate(wat_buf *b, size_t start, size_t mid)
{
    if (b->failed || mid <= start || mid >= b->len)
        return;
    size_t head = mid - start;
    uint8_t small[64];
    uint8_t *tmp = head <= sizeof small ? small
                                        : mem_alloc(b->owner, MEM_HOST, head);
    if (!tmp) {
        b->failed = true;
        return;
    }
    memcpy(tmp, b->p + start, head);
    memmove(b->p + start, b->p + mid, b->len - mid);
    memcpy(b->p + b->len - head, tmp, head);
    if (tmp != small)
        mem_free(b->owner, MEM_HOST, tmp);
}
