/* Bulk memory: memcpy, memmove and memset of many sizes and alignments
 * over a few megabytes. bench.sh builds the Wasm with -mbulk-memory, so
 * these are memory.copy and memory.fill, and this measures how an engine
 * runs them and the loop around them. */
#include "kernel.h"

#include <stdlib.h>
#include <string.h>

enum { SIZE = 4 << 20, OPS = 600000 };

int main(void)
{
    uint8_t *a = malloc(SIZE);
    uint8_t *b = malloc(SIZE);
    if (!a || !b)
        return 1;
    for (size_t i = 0; i < SIZE; i++)
        a[i] = (uint8_t)kernel_rand();
    memset(b, 0, SIZE);
    uint64_t t0 = kernel_now_ns();
    uint32_t check = 0;
    for (int op = 0; op < OPS; op++) {
        uint32_t r = kernel_rand();
        /* sizes from a few bytes to 64 KiB, favouring the small and the
         * large ends */
        size_t len = (size_t)1 << (r % 17);
        len += (r >> 8) % len;
        size_t src = kernel_rand() % (SIZE - len);
        size_t dst = kernel_rand() % (SIZE - len);
        switch ((r >> 5) & 3) {
        case 0: memcpy(b + dst, a + src, len); break;
        case 1: memcpy(a + dst, b + src, len); break;
        case 2: memmove(a + dst, a + src, len); break;
        default: memset(b + dst, (int)(r >> 24), len); break;
        }
        /* sample what was written, so no copy can be dropped */
        check = check * 33 + a[dst] + b[dst + len - 1];
    }
    kernel_report(t0);
    uint32_t fa = 2166136261u, fb = 2166136261u;
    for (size_t i = 0; i < SIZE; i += 61) {
        fa = (fa ^ a[i]) * 16777619u;
        fb = (fb ^ b[i]) * 16777619u;
    }
    printf("check %08x a %08x b %08x\n", check, fa, fb);
    free(a);
    free(b);
    return 0;
}
