/* Shared by the bench/kernels programs: the clock, the report of elapsed
 * time and a seeded PRNG, so every kernel and every engine run the same
 * inputs and report the same way.
 *
 * A kernel times only its work (not process start-up or the engine's
 * compile), prints its checksum on stdout, which must be the same under
 * every engine, and "time_ns N" on stderr, which bench/bench.sh reads. */
#ifndef BENCH_KERNEL_H
#define BENCH_KERNEL_H

#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static inline uint64_t kernel_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline void kernel_report(uint64_t t0)
{
    uint64_t t1 = kernel_now_ns();
    fprintf(stderr, "time_ns %llu\n", (unsigned long long)(t1 - t0));
}

/* xorshift32 from a fixed seed: the same sequence on every engine. */
static uint32_t kernel_rng = 0x2545F491u;

static inline uint32_t kernel_rand(void)
{
    uint32_t x = kernel_rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return kernel_rng = x;
}

#endif
