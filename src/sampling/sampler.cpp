#include "sampling/sampler.h"

#include "util/error.h"

namespace r1 {

void SamplingParams::validate() const {
  if (temperature < 0) fail("sampling: temperature={} must be >= 0 (0 means greedy)", temperature);
  if (!(top_p > 0 && top_p <= 1)) fail("sampling: top_p={} must be in (0, 1]", top_p);
  if (top_k < 0) fail("sampling: top_k={} must be >= 0 (0 disables it)", top_k);
  if (min_p < 0 || min_p >= 1) fail("sampling: min_p={} must be in [0, 1)", min_p);
  if (repetition_penalty <= 0) fail("sampling: repetition_penalty={} must be > 0 (1 disables it)", repetition_penalty);
}

namespace {

// The repetition penalty of the CTRL paper as Hugging Face applies it: a seen
// token's positive logit is divided by the penalty, a negative one multiplied.
torch::Tensor apply_repetition_penalty(torch::Tensor logits, const torch::Tensor& previous, double penalty) {
  if (penalty == 1.0 || !previous.defined() || previous.numel() == 0) return logits;
  auto seen = logits.gather(1, previous);
  auto penalized = torch::where(seen > 0, seen / penalty, seen * penalty);
  return logits.scatter(1, previous, penalized);
}

}  // namespace

torch::Tensor sampling_probabilities(const torch::Tensor& logits, const SamplingParams& params) {
  auto scaled = logits.to(torch::kFloat32) / std::max(params.temperature, 1e-6);
  auto probs = torch::softmax(scaled, -1);  // [B,V]
  const int64_t V = probs.size(1);

  // top-k, then top-p on the sorted probabilities
  if ((params.top_k > 0 && params.top_k < V) || params.top_p < 1.0) {
    auto [sorted, order] = probs.sort(-1, /*descending=*/true);
    auto keep = torch::ones_like(sorted, torch::kBool);
    if (params.top_k > 0 && params.top_k < V) keep.narrow(1, params.top_k, V - params.top_k).fill_(false);
    if (params.top_p < 1.0) {
      // keep a token while the mass before it is below top_p (the first always)
      auto mass_before = sorted.cumsum(-1) - sorted;
      keep = keep.logical_and(mass_before < params.top_p);
    }
    auto kept_sorted = sorted * keep;
    probs = torch::zeros_like(probs).scatter(1, order, kept_sorted);
  }

  // min-p relative to the most likely token
  if (params.min_p > 0) {
    auto threshold = std::get<0>(probs.max(-1, /*keepdim=*/true)) * params.min_p;
    probs = probs * (probs >= threshold);
  }
  return probs / probs.sum(-1, /*keepdim=*/true);
}

torch::Tensor sample_tokens(const torch::Tensor& logits, const SamplingParams& params, at::Generator& generator,
                            const torch::Tensor& previous) {
  if (params.temperature == 0) return sample_tokens_with_uniforms(logits, params, torch::Tensor(), previous);
  auto uniform = torch::rand({logits.size(0), 1}, generator, torch::kFloat32);  // [B,1] on CPU
  return sample_tokens_with_uniforms(logits, params, uniform, previous);
}

torch::Tensor sample_tokens_with_uniforms(const torch::Tensor& logits, const SamplingParams& params,
                                          const torch::Tensor& uniform, const torch::Tensor& previous) {
  auto adjusted = apply_repetition_penalty(logits.to(torch::kFloat32), previous, params.repetition_penalty);
  if (params.temperature == 0) return adjusted.argmax(-1);

  // inverse-CDF sampling with one CPU uniform per row
  auto probs = sampling_probabilities(adjusted, params);  // [B,V]
  auto cdf = probs.cumsum(-1);                            // [B,V]
  auto scaled = uniform.to(probs.device()) * cdf.narrow(1, cdf.size(1) - 1, 1);
  auto tokens = torch::searchsorted(cdf, scaled, /*out_int32=*/false, /*right=*/true).squeeze(1);
  // guard against rounding at the end of the distribution
  return tokens.clamp_max(probs.size(1) - 1);
}

float counter_uniform(uint64_t seed, uint64_t step) {
  // SplitMix64 of the pair, then the top 24 bits as a float in [0, 1)
  uint64_t z = seed + (step + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<float>(z >> 40) / static_cast<float>(1ull << 24);
}

}  // namespace r1
