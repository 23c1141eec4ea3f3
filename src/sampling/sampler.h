// Next-token sampling: temperature, top-k, top-p (nucleus), min-p and a
// repetition penalty, with a seeded generator so runs are reproducible.
//
// Dimension letters: B batch rows, V vocab.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace r1 {

struct SamplingParams {
  double temperature = 1.0;         // 0 means greedy (argmax)
  double top_p = 1.0;               // keep the smallest set of tokens with this much mass
  int64_t top_k = 0;                // keep the k most likely tokens; 0 keeps all
  double min_p = 0.0;               // drop tokens below min_p * (max probability)
  double repetition_penalty = 1.0;  // >1 discourages tokens already in the sequence

  // Throws r1::Error naming the bad field.
  void validate() const;
};

// Draws one token per row. logits [B,V] (any float dtype, any device);
// previous [B,L] int64 token history for the repetition penalty (may be
// undefined). Uniform draws come from `generator` (CPU), so the result is the
// same on every device for the same seed up to floating-point ties.
// Returns [B] int64 on the logits' device.
torch::Tensor sample_tokens(const torch::Tensor& logits, const SamplingParams& params, at::Generator& generator,
                            const torch::Tensor& previous = {});

// The same with the uniform draws given: uniform [B,1] float32 on the CPU,
// each in [0, 1). Row b takes the token where the cumulative distribution
// first exceeds uniform[b], so a row's token depends only on its own logits
// and its own draw.
torch::Tensor sample_tokens_with_uniforms(const torch::Tensor& logits, const SamplingParams& params,
                                          const torch::Tensor& uniform, const torch::Tensor& previous = {});

// A uniform draw in [0, 1) that depends only on (seed, step): a counter-based
// generator (SplitMix64), for draws that must not depend on batch layout.
float counter_uniform(uint64_t seed, uint64_t step);

// Applies temperature, top-k, top-p and min-p and returns the resulting
// probabilities [B,V] (float32), for tests and for computing the sampling
// distribution.
torch::Tensor sampling_probabilities(const torch::Tensor& logits, const SamplingParams& params);

}  // namespace r1
