/* Operand readers of the SIMD handlers: one macro per KIND of
 * simd_ops.def, expanded inside run.c's dispatch function (they use its
 * SLOT, OPD, NEXT and EFFECTIVE_ADDR). A v128 lives in two consecutive
 * frame cells; cells are 8-byte aligned, so values move with memcpy
 * (one unaligned vector load or store). Only run.c includes this. */
#ifndef EBB_INTERP_SIMD_RUN_H
#define EBB_INTERP_SIMD_RUN_H

#include "simd.h"

#define SIMD_GET(v, i)                  \
    simd_v128 v;                        \
    memcpy(&v, &fp[OPD(i)], sizeof v)
#define SIMD_PUT(i, v) memcpy(&fp[OPD(i)], &(v), sizeof(v))

#define SIMD_RUN_UN(...)                \
    {                                   \
        SIMD_GET(a, 1);                 \
        simd_v128 r;                    \
        __VA_ARGS__                     \
        SIMD_PUT(0, r);                 \
        NEXT(2);                        \
    }
#define SIMD_RUN_BIN(...)               \
    {                                   \
        SIMD_GET(a, 1);                 \
        SIMD_GET(b, 2);                 \
        simd_v128 r;                    \
        __VA_ARGS__                     \
        SIMD_PUT(0, r);                 \
        NEXT(3);                        \
    }
#define SIMD_RUN_TERN(...)              \
    {                                   \
        SIMD_GET(a, 1);                 \
        SIMD_GET(b, 2);                 \
        SIMD_GET(c, 3);                 \
        simd_v128 r;                    \
        __VA_ARGS__                     \
        SIMD_PUT(0, r);                 \
        NEXT(4);                        \
    }
#define SIMD_RUN_SHIFT(...)             \
    {                                   \
        SIMD_GET(a, 1);                 \
        uint32_t n = (uint32_t)SLOT(2); \
        simd_v128 r;                    \
        __VA_ARGS__                     \
        SIMD_PUT(0, r);                 \
        NEXT(3);                        \
    }
#define SIMD_RUN_TEST(...)              \
    {                                   \
        SIMD_GET(a, 1);                 \
        uint32_t r;                     \
        __VA_ARGS__                     \
        SLOT(0) = r;                    \
        NEXT(2);                        \
    }
#define SIMD_RUN_SPLAT(...)             \
    {                                   \
        uint64_t x = SLOT(1);           \
        simd_v128 r;                    \
        __VA_ARGS__                     \
        SIMD_PUT(0, r);                 \
        NEXT(2);                        \
    }
#define SIMD_RUN_EXTRACT(...)           \
    {                                   \
        SIMD_GET(a, 1);                 \
        uint32_t lane = OPD(2);         \
        uint64_t r;                     \
        __VA_ARGS__                     \
        SLOT(0) = r;                    \
        NEXT(3);                        \
    }
#define SIMD_RUN_REPLACE(...)           \
    {                                   \
        SIMD_GET(r, 1);                 \
        uint64_t x = SLOT(2);           \
        uint32_t lane = OPD(3);         \
        __VA_ARGS__                     \
        SIMD_PUT(0, r);                 \
        NEXT(4);                        \
    }
#define SIMD_RUN_SHUFFLE(...)                               \
    {                                                       \
        SIMD_GET(a, 1);                                     \
        SIMD_GET(b, 2);                                     \
        uint8_t idx[16];                                    \
        memcpy(idx, &OPD(3), sizeof idx);                   \
        simd_v128 r;                                        \
        __VA_ARGS__                                         \
        SIMD_PUT(0, r);                                     \
        NEXT(7);                                            \
    }
#define SIMD_RUN_LOAD(bytes, ...)                           \
    {                                                       \
        EFFECTIVE_ADDR(ea, 1, 2, bytes, 1);                    \
        const uint8_t *p = membase + ea;                    \
        simd_v128 r;                                        \
        __VA_ARGS__                                         \
        SIMD_PUT(0, r);                                     \
        NEXT(3);                                            \
    }
#define SIMD_RUN_LOAD_LANE(bytes, ...)                      \
    {                                                       \
        EFFECTIVE_ADDR(ea, 1, 3, bytes, 1);                    \
        const uint8_t *p = membase + ea;                    \
        SIMD_GET(r, 2);                                     \
        uint32_t lane = OPD(4);                             \
        __VA_ARGS__                                         \
        SIMD_PUT(0, r);                                     \
        NEXT(5);                                            \
    }
#define SIMD_RUN_STORE(bytes, ...)                          \
    {                                                       \
        EFFECTIVE_ADDR(ea, 0, 2, bytes, 1);                    \
        uint8_t *p = membase + ea;                          \
        SIMD_GET(a, 1);                                     \
        __VA_ARGS__                                         \
        NEXT(3);                                            \
    }
#define SIMD_RUN_STORE_LANE(bytes, ...)                     \
    {                                                       \
        EFFECTIVE_ADDR(ea, 0, 2, bytes, 1);                    \
        uint8_t *p = membase + ea;                          \
        SIMD_GET(a, 1);                                     \
        uint32_t lane = OPD(3);                             \
        __VA_ARGS__                                         \
        NEXT(4);                                            \
    }
#define SIMD_RUN_X2(...) { __VA_ARGS__ }
#define SIMD_RUN_X4(...) { __VA_ARGS__ }

#endif
