/* The v128 value of the SIMD handlers (simd_ops.def) and the lane helpers
 * they share. One small header hides the host's vector support: with GCC
 * or Clang, whole-vector operations use their vector extensions (SSE2 on
 * x86-64, NEON on aarch64, whatever the target offers); elsewhere, or with
 * -DEBB_NO_VECTOR, the same operations run lane by lane in plain C. Both
 * give Wasm's results bit for bit: only operations whose C vector form is
 * exactly Wasm's are written both ways.
 *
 * Lanes are in memory order: lane 0 is the lowest address of a v128 in
 * linear memory and the low bytes of its first frame cell. That is the
 * host's own lane order on little-endian targets, the only ones ebb runs
 * on. */
#ifndef EBB_INTERP_SIMD_H
#define EBB_INTERP_SIMD_H

#include <stdint.h>
#include <string.h>

#include "numeric.h"

#if (defined(__GNUC__) || defined(__clang__)) && !defined(EBB_NO_VECTOR)
#define SIMD_VEC 1
typedef uint8_t simd_u8x16 __attribute__((vector_size(16)));
typedef int8_t simd_i8x16 __attribute__((vector_size(16)));
typedef uint16_t simd_u16x8 __attribute__((vector_size(16)));
typedef int16_t simd_i16x8 __attribute__((vector_size(16)));
typedef uint32_t simd_u32x4 __attribute__((vector_size(16)));
typedef int32_t simd_i32x4 __attribute__((vector_size(16)));
typedef uint64_t simd_u64x2 __attribute__((vector_size(16)));
typedef int64_t simd_i64x2 __attribute__((vector_size(16)));
typedef float simd_f32x4 __attribute__((vector_size(16)));
typedef double simd_f64x2 __attribute__((vector_size(16)));
#endif

typedef union simd_v128 {
    uint8_t u8[16];
    int8_t i8[16];
    uint16_t u16[8];
    int16_t i16[8];
    uint32_t u32[4];
    int32_t i32[4];
    uint64_t u64[2];
    int64_t i64[2];
    float f32[4];
    double f64[2];
#ifdef SIMD_VEC
    simd_u8x16 vu8;
    simd_i8x16 vi8;
    simd_u16x8 vu16;
    simd_i16x8 vi16;
    simd_u32x4 vu32;
    simd_i32x4 vi32;
    simd_u64x2 vu64;
    simd_i64x2 vi64;
    simd_f32x4 vf32;
    simd_f64x2 vf64;
#endif
} simd_v128;

/* VEC(vector statement, lane statement): the first with vector
 * extensions, else the second. LANES(n, stmt) runs stmt for i = 0..n-1. */
#ifdef SIMD_VEC
#define VEC(v, l) v
#else
#define VEC(v, l) l
#endif
#define LANES(n, ...)                      \
    for (int i = 0; i < (n); i++) {        \
        __VA_ARGS__;                       \
    }

/* A mask vector's lanes are all ones or all zeros: blend picks x where the
 * mask is set, y elsewhere (bitwise, so NaN payloads pass untouched). */
#define VBLEND(m, x, y) (((x) & (m)) | ((y) & ~(m)))

/* Saturation of a wider intermediate to a lane type. */
static inline int8_t simd_sat_s8(int32_t x)
{
    return (int8_t)(x < INT8_MIN ? INT8_MIN : x > INT8_MAX ? INT8_MAX : x);
}
static inline uint8_t simd_sat_u8(int32_t x)
{
    return (uint8_t)(x < 0 ? 0 : x > UINT8_MAX ? UINT8_MAX : x);
}
static inline int16_t simd_sat_s16(int32_t x)
{
    return (int16_t)(x < INT16_MIN ? INT16_MIN : x > INT16_MAX ? INT16_MAX : x);
}
static inline uint16_t simd_sat_u16(int32_t x)
{
    return (uint16_t)(x < 0 ? 0 : x > UINT16_MAX ? UINT16_MAX : x);
}

/* i16x8.q15mulr_sat_s: rounding Q15 multiply; only -1 * -1 saturates.
 * The product is at most 2^30 in magnitude, so int32 holds it; >> of a
 * negative int is arithmetic on every compiler ebb supports (iops.def
 * relies on it for shr_s too). */
static inline int16_t simd_q15mulr(int16_t a, int16_t b)
{
    return simd_sat_s16(((int32_t)a * b + 0x4000) >> 15);
}

#endif
