/* A SIMD guest: a checksum and two matrix multiplies, written with the
 * wasm_simd128.h intrinsics when built with -msimd128 and as plain loops
 * otherwise. Every kernel computes exactly (integers wrap, and each float
 * lane adds its products in the same order as the scalar loop), so both
 * builds print the same lines: the results, then "N passed, N failed"
 * for the checks against known values.
 *
 * usage: simd_kernels [REPEAT]   (REPEAT > 1 runs the kernels that many
 * times, as a benchmark; the results printed are the same) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

/* Plain C only (no WASI calls of its own), so the same source also builds
 * natively, which is where the known values below come from. */
static int g_passed, g_failed;
#define CHECK(cond)                                                    \
    do {                                                               \
        if (cond) {                                                    \
            g_passed++;                                                \
        } else {                                                       \
            g_failed++;                                                \
            printf("%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                              \
    } while (0)

#define NBYTES (64 * 1024)
#define N 64

static uint8_t buf[NBYTES];
static float fa[N * N], fb[N * N], fc[N * N];
static int32_t ia[N * N], ib[N * N], ic[N * N];

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

static void fill(void)
{
    uint32_t s = 12345;
    for (int i = 0; i < NBYTES; i++)
        buf[i] = (uint8_t)(lcg(&s) >> 16); /* the high bits vary most */
    for (int i = 0; i < N * N; i++) {
        fa[i] = (float)(lcg(&s) % 2001) / 1000.0f - 1.0f;
        fb[i] = (float)(lcg(&s) % 2001) / 1000.0f - 1.0f;
        ia[i] = (int32_t)(lcg(&s) % 20001) - 10000;
        ib[i] = (int32_t)(lcg(&s) % 20001) - 10000;
    }
}

/* Sum of the bytes, sum weighted by (i % 16) + 1, and sum of squares,
 * each modulo 2^32. */
typedef struct sums {
    uint32_t s1, s2, s3;
} sums;

static sums checksum(const uint8_t *p, int n)
{
    sums r = {0, 0, 0};
#ifdef __wasm_simd128__
    const v128_t wlo = wasm_i16x8_make(1, 2, 3, 4, 5, 6, 7, 8);
    const v128_t whi = wasm_i16x8_make(9, 10, 11, 12, 13, 14, 15, 16);
    v128_t a1 = wasm_i32x4_splat(0), a2 = a1, a3 = a1;
    for (int i = 0; i < n; i += 16) {
        v128_t b = wasm_v128_load(p + i);
        v128_t lo = wasm_u16x8_extend_low_u8x16(b);
        v128_t hi = wasm_u16x8_extend_high_u8x16(b);
        a1 = wasm_i32x4_add(a1, wasm_u32x4_extadd_pairwise_u16x8(
                                    wasm_i16x8_add(lo, hi)));
        v128_t wl = wasm_i16x8_mul(lo, wlo), wh = wasm_i16x8_mul(hi, whi);
        a2 = wasm_i32x4_add(a2, wasm_u32x4_extadd_pairwise_u16x8(wl));
        a2 = wasm_i32x4_add(a2, wasm_u32x4_extadd_pairwise_u16x8(wh));
        a3 = wasm_i32x4_add(a3, wasm_i32x4_dot_i16x8(lo, lo));
        a3 = wasm_i32x4_add(a3, wasm_i32x4_dot_i16x8(hi, hi));
    }
    for (int l = 0; l < 4; l++) {
        r.s1 += (uint32_t)wasm_i32x4_extract_lane(a1, 0);
        r.s2 += (uint32_t)wasm_i32x4_extract_lane(a2, 0);
        r.s3 += (uint32_t)wasm_i32x4_extract_lane(a3, 0);
        /* rotate the next lane into lane 0 */
        a1 = wasm_i32x4_shuffle(a1, a1, 1, 2, 3, 0);
        a2 = wasm_i32x4_shuffle(a2, a2, 1, 2, 3, 0);
        a3 = wasm_i32x4_shuffle(a3, a3, 1, 2, 3, 0);
    }
#else
    for (int i = 0; i < n; i++) {
        uint32_t b = p[i];
        r.s1 += b;
        r.s2 += b * (uint32_t)(i % 16 + 1);
        r.s3 += b * b;
    }
#endif
    return r;
}

/* C = A B for N x N floats; each C element sums over k in order. */
static void matmul_f32(const float *a, const float *b, float *c)
{
    for (int i = 0; i < N; i++) {
#ifdef __wasm_simd128__
        for (int j = 0; j < N; j += 4) {
            v128_t acc = wasm_f32x4_splat(0.0f);
            for (int k = 0; k < N; k++)
                acc = wasm_f32x4_add(
                    acc, wasm_f32x4_mul(wasm_f32x4_splat(a[i * N + k]),
                                        wasm_v128_load(&b[k * N + j])));
            wasm_v128_store(&c[i * N + j], acc);
        }
#else
        for (int j = 0; j < N; j++) {
            float acc = 0.0f;
            for (int k = 0; k < N; k++)
                acc = acc + a[i * N + k] * b[k * N + j];
            c[i * N + j] = acc;
        }
#endif
    }
}

/* C = A B for N x N 32-bit integers (wrapping). */
static void matmul_i32(const int32_t *a, const int32_t *b, int32_t *c)
{
    for (int i = 0; i < N; i++) {
#ifdef __wasm_simd128__
        for (int j = 0; j < N; j += 4) {
            v128_t acc = wasm_i32x4_splat(0);
            for (int k = 0; k < N; k++)
                acc = wasm_i32x4_add(
                    acc, wasm_i32x4_mul(wasm_i32x4_splat(a[i * N + k]),
                                        wasm_v128_load(&b[k * N + j])));
            wasm_v128_store(&c[i * N + j], acc);
        }
#else
        for (int j = 0; j < N; j++) {
            uint32_t acc = 0;
            for (int k = 0; k < N; k++)
                acc += (uint32_t)a[i * N + k] * (uint32_t)b[k * N + j];
            c[i * N + j] = (int32_t)acc;
        }
#endif
    }
}

/* FNV-1a over the bytes of a result. */
static uint32_t fnv(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 16777619u;
    return h;
}

int main(int argc, char **argv)
{
    int repeat = argc > 1 ? atoi(argv[1]) : 1;
    if (repeat < 1)
        repeat = 1;
    fill();
    sums s = {0, 0, 0};
    for (int r = 0; r < repeat; r++) {
        s = checksum(buf, NBYTES);
        matmul_f32(fa, fb, fc);
        matmul_i32(ia, ib, ic);
    }
    uint32_t hf = fnv(fc, sizeof fc), hi = fnv(ic, sizeof ic);
    printf("checksum %08x %08x %08x\n", (unsigned)s.s1, (unsigned)s.s2,
           (unsigned)s.s3);
    printf("matmul f32 %08x c[0]=%.9g c[last]=%.9g\n", (unsigned)hf,
           (double)fc[0], (double)fc[N * N - 1]);
    printf("matmul i32 %08x c[0]=%d\n", (unsigned)hi, (int)ic[0]);
    /* Known values, from the scalar build compiled natively. */
    CHECK(s.s1 == 0x007f535du);
    CHECK(s.s2 == 0x043b0006u);
    CHECK(s.s3 == 0x54a5275bu);
    CHECK(hf == 0x866699c9u);
    CHECK(hi == 0x84c182d3u);
    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed != 0;
}
