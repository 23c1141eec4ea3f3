// Portable vector building blocks for the hand-written CPU loops of the
// model (decode attention, fused SwiGLU, RMSNorm and masked softmax).
#pragma once

#include <cstdint>
#include <cstring>

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

// Integer vectors of the same 16 lanes, and 16 bfloat16 bit patterns.
typedef int32_t VecI16 __attribute__((vector_size(64)));
typedef uint32_t VecU32 __attribute__((vector_size(64)));
typedef uint16_t VecU16 __attribute__((vector_size(32)));

// Loads 16 values of float32 or bfloat16 (stored as its upper 16 bits) into
// float lanes.
R1_INLINE void load_lanes(Vec16& v, const float* p) { load(v, p); }

// The bfloat16 load widens in registers, because a cast between vector types
// of one size reinterprets the bits. Filling an array and copying it into the
// vector went through the stack in two halves, and the wide load after them
// stalled.
R1_INLINE void load_lanes(Vec16& v, const uint16_t* p) {
  VecU16 half;
  __builtin_memcpy(&half, p, sizeof half);
  v = (Vec16)(__builtin_convertvector(half, VecU32) << 16);
}

// Stores 16 float lanes as float32, or as bfloat16 rounded to nearest even
// with NaN kept NaN (the rounding of c10::BFloat16).
R1_INLINE void store_lanes(float* p, const Vec16& v) { store(p, v); }

R1_INLINE void store_lanes(uint16_t* p, const Vec16& v) {
  uint32_t bits[kLanes];
  std::memcpy(bits, &v, sizeof v);
  for (int64_t i = 0; i < kLanes; ++i) {
    const uint32_t b = bits[i];
    const bool nan = (b & 0x7fffffffu) > 0x7f800000u;
    p[i] = nan ? static_cast<uint16_t>(0x7fc0) : static_cast<uint16_t>((b + 0x7fffu + ((b >> 16) & 1u)) >> 16);
  }
}

// Replaces x by exp(x) in 16 lanes: x = n ln2 + r with |r| <= ln2 / 2, exp(r) by its
// Taylor series to r^6 (relative error about 2e-7), times 2^n built in the
// exponent bits. Inputs are clamped to [-87, 88], where 2^n stays normal.
R1_INLINE void exp_lanes(Vec16& x) {
  const Vec16 lo = Vec16{} - 87.0f, hi = Vec16{} + 88.0f;
  x = x < lo ? lo : x;
  x = x > hi ? hi : x;
  const float round_shift = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  Vec16 n = (x * 1.44269504f + round_shift) - round_shift;
  Vec16 r = x - n * 0.693145752f - n * 1.42860677e-6f;
  Vec16 p = Vec16{} + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  VecI16 exponent = (__builtin_convertvector(n, VecI16) + 127) << 23;
  Vec16 scale;
  std::memcpy(&scale, &exponent, sizeof scale);
  x = p * scale;
}

}  // namespace r1
