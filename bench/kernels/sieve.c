/* Sieve of Eratosthenes: byte stores with strides, a tight inner loop. */
#include "kernel.h"

#include <stdlib.h>
#include <string.h>

enum { LIMIT = 16 * 1000 * 1000, PASSES = 4 };

static uint32_t sieve(uint8_t *composite, uint32_t limit, uint64_t *sum)
{
    memset(composite, 0, limit + 1);
    uint32_t count = 0;
    uint64_t s = 0;
    for (uint32_t i = 2; i <= limit; i++) {
        if (composite[i])
            continue;
        count++;
        s += i;
        for (uint64_t j = (uint64_t)i * i; j <= limit; j += i)
            composite[j] = 1;
    }
    *sum = s;
    return count;
}

int main(void)
{
    uint8_t *composite = malloc(LIMIT + 1);
    if (!composite)
        return 1;
    uint64_t t0 = kernel_now_ns();
    uint64_t check = 0;
    for (int p = 0; p < PASSES; p++) {
        uint64_t sum;
        /* a different limit each pass, so no pass repeats another */
        uint32_t n = sieve(composite, LIMIT - (uint32_t)p * 1000, &sum);
        check = check * 31 + n + sum;
        printf("primes <= %u: %u\n", LIMIT - (unsigned)p * 1000, n);
    }
    kernel_report(t0);
    printf("checksum %llu\n", (unsigned long long)check);
    free(composite);
    return 0;
}
