// Portable vector building blocks for the hand-written CPU loops of the
// model (decode attention, fused SwiGLU and RMSNorm).
#pragma once

#include <cstdint>

namespace r1 {

// x86-64 builds compile a function marked R1_CPU_CLONES three times
// (AVX-512, AVX2 and the baseline) and pick one when the program starts, so a
// portable binary still uses the wide registers of the CPU it runs on.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define R1_CPU_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define R1_CPU_CLONES
#endif

// Helpers of such functions must be inlined into each clone: a helper
// compiled on its own targets the baseline, and passing vectors to it goes
// through memory.
#if defined(__GNUC__)
#define R1_INLINE inline __attribute__((always_inline))
#else
#define R1_INLINE inline
#endif

// 16 floats as one value. GCC and Clang map it onto one AVX-512 register,
// two AVX2 registers or four SSE registers, whichever the clone targets, and
// keep accumulators of this type in registers across loops.
typedef float Vec16 __attribute__((vector_size(64)));
constexpr int64_t kLanes = 16;

// Vectors pass by reference: passing them by value would depend on the
// clone's calling convention.
R1_INLINE void load(Vec16& v, const float* p) { __builtin_memcpy(&v, p, sizeof v); }

R1_INLINE void store(float* p, const Vec16& v) { __builtin_memcpy(p, &v, sizeof v); }

}  // namespace r1
