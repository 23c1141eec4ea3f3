#include "model/decode_attention.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "model/cpu_vector.h"
#include "util/error.h"

namespace r1 {

namespace {

// Adds weight * x[0..32) to the two accumulators of a 32-float block.
inline void add_scaled_block(Vec16& acc0, Vec16& acc1, float weight, const float* x) {
  Vec16 x0, x1;
  load(x0, x);
  load(x1, x + kLanes);
  acc0 += weight * x0;
  acc1 += weight * x1;
}

// Computes scores [G,S] = q [G,D] . keys_t [D,S] + bias [S] for one row and
// kv head. Rows of keys_t are C apart (the cache's capacity). Blocks may read
// slots S..C-1, which hold finite values, but do not store their scores.
R1_CPU_CLONES void score_keys(const float* q, const float* keys_t, const float* bias, float* scores, int64_t G,
                               int64_t S, int64_t D, int64_t C) {
  for (int64_t g = 0; g < G; ++g) {
    const float* query = q + g * D;
    float* row_scores = scores + g * S;
    int64_t s0 = 0;
    for (; s0 < S && s0 + 2 * kLanes <= C; s0 += 2 * kLanes) {
      Vec16 acc0 = {}, acc1 = {};
      for (int64_t d = 0; d < D; ++d) add_scaled_block(acc0, acc1, query[d], keys_t + d * C + s0);
      float block[2 * kLanes];
      store(block, acc0);
      store(block + kLanes, acc1);
      const int64_t n = std::min<int64_t>(2 * kLanes, S - s0);
      for (int64_t j = 0; j < n; ++j) row_scores[s0 + j] = block[j] + bias[s0 + j];
    }
    for (int64_t s = s0; s < S; ++s) {
      float acc = 0;
      for (int64_t d = 0; d < D; ++d) acc += query[d] * keys_t[d * C + s];
      row_scores[s] = acc + bias[s];
    }
  }
}

// Computes out [G,D] = probs [G,S] . values [S,D] for one row and kv head.
R1_CPU_CLONES void weigh_values(const float* probs, const float* values, float* out, int64_t G, int64_t S,
                                 int64_t D) {
  for (int64_t g = 0; g < G; ++g) {
    const float* p = probs + g * S;
    float* o = out + g * D;
    int64_t d0 = 0;
    for (; d0 + 2 * kLanes <= D; d0 += 2 * kLanes) {
      Vec16 acc0 = {}, acc1 = {};
      for (int64_t s = 0; s < S; ++s) add_scaled_block(acc0, acc1, p[s], values + s * D + d0);
      store(o + d0, acc0);
      store(o + d0 + kLanes, acc1);
    }
    for (int64_t d = d0; d < D; ++d) {
      float acc = 0;
      for (int64_t s = 0; s < S; ++s) acc += p[s] * values[s * D + d];
      o[d] = acc;
    }
  }
}

}  // namespace

bool decode_attention_applies(const torch::Tensor& q, const torch::Tensor& keys_t, const torch::Tensor& values,
                              const torch::Tensor& bias) {
  for (const auto* t : {&q, &keys_t, &values, &bias}) {
    if (!t->device().is_cpu() || t->scalar_type() != torch::kFloat32 || !t->is_contiguous() || t->requires_grad())
      return false;
  }
  return true;
}

torch::Tensor decode_attention(const torch::Tensor& q, const torch::Tensor& keys_t, const torch::Tensor& values,
                               int64_t S, const torch::Tensor& bias) {
  if (!decode_attention_applies(q, keys_t, values, bias))
    fail("decode_attention: needs contiguous float32 CPU tensors without gradients; use the batched matmul path");
  const int64_t B = q.size(0), Hkv = q.size(1), G = q.size(2), D = q.size(3), C = values.size(2);
  if (keys_t.sizes() != torch::IntArrayRef{B, Hkv, D, C} || values.sizes() != torch::IntArrayRef{B, Hkv, C, D})
    fail("decode_attention: keys_t [{}] and values [{}] do not match queries [{}]", fmt::join(keys_t.sizes(), ", "),
         fmt::join(values.sizes(), ", "), fmt::join(q.sizes(), ", "));
  if (S < 1 || S > C) fail("decode_attention: {} filled slots for a cache of {}", S, C);
  if (bias.dim() != 2 || bias.size(0) != B || bias.size(1) != S)
    fail("decode_attention: bias has shape [{}], expected [{}, {}]", fmt::join(bias.sizes(), ", "), B, S);

  // scores [B,Hkv,G,S], then one vectorised softmax over all of them
  auto scores = torch::empty({B, Hkv, G, S}, q.options());
  const float* q_data = q.data_ptr<float>();
  const float* k_data = keys_t.data_ptr<float>();
  const float* v_data = values.data_ptr<float>();
  const float* bias_data = bias.data_ptr<float>();
  float* score_data = scores.data_ptr<float>();
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < Hkv; ++h) {
      const int64_t bh = b * Hkv + h;
      score_keys(q_data + bh * G * D, k_data + bh * D * C, bias_data + b * S, score_data + bh * G * S, G, S, D, C);
    }
  auto probs = torch::softmax(scores, -1);

  // weighted values [B,Hkv,G,D]
  auto out = torch::empty({B, Hkv, G, D}, q.options());
  const float* prob_data = probs.data_ptr<float>();
  float* out_data = out.data_ptr<float>();
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < Hkv; ++h) {
      const int64_t bh = b * Hkv + h;
      weigh_values(prob_data + bh * G * S, v_data + bh * C * D, out_data + bh * G * D, G, S, D);
    }
  return out;
}

}  // namespace r1
