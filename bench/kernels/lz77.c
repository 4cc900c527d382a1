/* LZ77 with a hash-chain match finder: compresses a pseudo-text buffer
 * and decompresses it again. Byte loads, hashing, short compare loops and
 * data-dependent branches.
 *
 * Format: a token byte per item. 0..127: a literal run of token+1 bytes
 * follows. 128..255: a match of length (token-128)+MIN_MATCH at a 16-bit
 * little-endian distance that follows. */
#include "kernel.h"

#include <stdlib.h>
#include <string.h>

enum {
    SIZE = 6 << 20,
    WINDOW = 65535,
    MIN_MATCH = 4,
    MAX_MATCH = 127 + MIN_MATCH,
    HASH_BITS = 15,
    MAX_CHAIN = 16,
};

static int32_t head[1 << HASH_BITS];
static int32_t prev_pos[SIZE];

static uint32_t hash4(const uint8_t *p)
{
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                 (uint32_t)p[3] << 24;
    return (v * 2654435761u) >> (32 - HASH_BITS);
}

static size_t flush_literals(uint8_t *out, size_t o, const uint8_t *lit,
                             size_t n)
{
    while (n > 0) {
        size_t k = n > 128 ? 128 : n;
        out[o++] = (uint8_t)(k - 1);
        memcpy(out + o, lit, k);
        o += k;
        lit += k;
        n -= k;
    }
    return o;
}

static size_t compress(const uint8_t *in, size_t n, uint8_t *out)
{
    for (size_t i = 0; i < (1u << HASH_BITS); i++)
        head[i] = -1;
    size_t o = 0, lit_start = 0, i = 0;
    while (i + MIN_MATCH <= n) {
        uint32_t h = hash4(in + i);
        size_t best_len = 0, best_dist = 0;
        int32_t cand = head[h];
        for (int chain = 0; chain < MAX_CHAIN && cand >= 0; chain++) {
            size_t dist = i - (size_t)cand;
            if (dist > WINDOW)
                break;
            size_t max = n - i < MAX_MATCH ? n - i : MAX_MATCH;
            size_t len = 0;
            while (len < max && in[cand + len] == in[i + len])
                len++;
            if (len > best_len) {
                best_len = len;
                best_dist = dist;
                if (len == max)
                    break;
            }
            cand = prev_pos[cand];
        }
        prev_pos[i] = head[h];
        head[h] = (int32_t)i;
        if (best_len >= MIN_MATCH) {
            o = flush_literals(out, o, in + lit_start, i - lit_start);
            out[o++] = (uint8_t)(128 + best_len - MIN_MATCH);
            out[o++] = (uint8_t)best_dist;
            out[o++] = (uint8_t)(best_dist >> 8);
            /* index the positions the match covers */
            for (size_t k = 1; k < best_len && i + k + MIN_MATCH <= n; k++) {
                uint32_t hk = hash4(in + i + k);
                prev_pos[i + k] = head[hk];
                head[hk] = (int32_t)(i + k);
            }
            i += best_len;
            lit_start = i;
        } else {
            i++;
        }
    }
    return flush_literals(out, o, in + lit_start, n - lit_start);
}

static size_t decompress(const uint8_t *in, size_t n, uint8_t *out)
{
    size_t i = 0, o = 0;
    while (i < n) {
        uint8_t t = in[i++];
        if (t < 128) {
            memcpy(out + o, in + i, (size_t)t + 1);
            i += (size_t)t + 1;
            o += (size_t)t + 1;
        } else {
            size_t len = (size_t)t - 128 + MIN_MATCH;
            size_t dist = (size_t)in[i] | (size_t)in[i + 1] << 8;
            i += 2;
            /* byte by byte: the source may overlap what is written */
            for (size_t k = 0; k < len; k++, o++)
                out[o] = out[o - dist];
        }
    }
    return o;
}

/* Pseudo-text: words drawn with a skewed distribution from a vocabulary
 * made of random letters, so there is repetition at several distances. */
static void make_text(uint8_t *buf, size_t n)
{
    static char vocab[512][12];
    static int vlen[512];
    for (int w = 0; w < 512; w++) {
        vlen[w] = 2 + (int)(kernel_rand() % 10);
        for (int k = 0; k < vlen[w]; k++)
            vocab[w][k] = (char)('a' + kernel_rand() % 26);
    }
    size_t o = 0;
    while (o < n) {
        uint32_t r = kernel_rand();
        int w = (int)((r & 511) & (r >> 9 & 511)); /* favour small indices */
        for (int k = 0; k < vlen[w] && o < n; k++)
            buf[o++] = (uint8_t)vocab[w][k];
        if (o < n)
            buf[o++] = (r >> 20) % 13 == 0 ? '\n' : ' ';
    }
}

int main(void)
{
    uint8_t *text = malloc(SIZE);
    uint8_t *packed = malloc(SIZE + SIZE / 128 + 16);
    uint8_t *back = malloc(SIZE);
    if (!text || !packed || !back)
        return 1;
    make_text(text, SIZE);
    uint64_t t0 = kernel_now_ns();
    size_t plen = compress(text, SIZE, packed);
    size_t blen = decompress(packed, plen, back);
    kernel_report(t0);
    uint32_t fnv = 2166136261u;
    for (size_t i = 0; i < plen; i++)
        fnv = (fnv ^ packed[i]) * 16777619u;
    printf("in %d packed %zu out %zu roundtrip %s fnv %08x\n", SIZE, plen,
           blen, blen == SIZE && memcmp(text, back, SIZE) == 0 ? "ok" : "BAD",
           fnv);
    free(text);
    free(packed);
    free(back);
    return 0;
}
