/* Float helpers with Wasm's exact semantics, for the handlers in
 * iops.def. Floats travel as raw bits; these work on C floats only where
 * the C operation is already exact and bit-faithful. */
#ifndef EBB_INTERP_NUMERIC_H
#define EBB_INTERP_NUMERIC_H

#include <math.h>
#include <stdint.h>
#include <string.h>

static inline float num_f32(uint32_t b) { float f; memcpy(&f, &b, 4); return f; }
static inline double num_f64(uint64_t b) { double d; memcpy(&d, &b, 8); return d; }
static inline uint32_t num_f32_bits(float f) { uint32_t b; memcpy(&b, &f, 4); return b; }
static inline uint64_t num_f64_bits(double d) { uint64_t b; memcpy(&b, &d, 8); return b; }

/* Rounding functions must return a quiet NaN for a NaN operand; x + x
 * quiets a signalling NaN and keeps the payload. */
static inline float num_ceil32(float x) { return x != x ? x + x : ceilf(x); }
static inline float num_floor32(float x) { return x != x ? x + x : floorf(x); }
static inline float num_trunc32(float x) { return x != x ? x + x : truncf(x); }
/* The default rounding mode is round-half-even, which `nearest` needs. */
static inline float num_nearest32(float x) { return x != x ? x + x : nearbyintf(x); }
static inline float num_sqrt32(float x) { return x != x ? x + x : sqrtf(x); }
static inline double num_ceil64(double x) { return x != x ? x + x : ceil(x); }
static inline double num_floor64(double x) { return x != x ? x + x : floor(x); }
static inline double num_trunc64(double x) { return x != x ? x + x : trunc(x); }
static inline double num_nearest64(double x) { return x != x ? x + x : nearbyint(x); }
static inline double num_sqrt64(double x) { return x != x ? x + x : sqrt(x); }

/* Wasm min/max propagate NaN (C fmin/fmax do not) and order -0 < +0. */
static inline float num_min32(float x, float y)
{
    if (x != x || y != y)
        return x + y;
    if (x == 0 && y == 0)
        return signbit(x) ? x : y;
    return x < y ? x : y;
}
static inline float num_max32(float x, float y)
{
    if (x != x || y != y)
        return x + y;
    if (x == 0 && y == 0)
        return signbit(x) ? y : x;
    return x > y ? x : y;
}
static inline double num_min64(double x, double y)
{
    if (x != x || y != y)
        return x + y;
    if (x == 0 && y == 0)
        return signbit(x) ? x : y;
    return x < y ? x : y;
}
static inline double num_max64(double x, double y)
{
    if (x != x || y != y)
        return x + y;
    if (x == 0 && y == 0)
        return signbit(x) ? y : x;
    return x > y ? x : y;
}

/* Saturating truncation (f32 operands are widened exactly to double). */
static inline int32_t num_sat_s32(double x)
{
    if (x != x)
        return 0;
    if (x <= -2147483648.0)
        return INT32_MIN;
    if (x >= 2147483647.0)
        return INT32_MAX;
    return (int32_t)x;
}
static inline uint32_t num_sat_u32(double x)
{
    if (!(x > -1.0))
        return 0;
    if (x >= 4294967295.0)
        return UINT32_MAX;
    return (uint32_t)x;
}
static inline int64_t num_sat_s64(double x)
{
    if (x != x)
        return 0;
    if (x < -9223372036854775808.0)
        return INT64_MIN;
    if (x >= 9223372036854775808.0)
        return INT64_MAX;
    return (int64_t)x;
}
static inline uint64_t num_sat_u64(double x)
{
    if (!(x > -1.0))
        return 0;
    if (x >= 18446744073709551616.0)
        return UINT64_MAX;
    return (uint64_t)x;
}

#endif
