#include "trainers/grpo_loss.h"

#include "util/error.h"

namespace r1 {

LossType parse_loss_type(const std::string& name) {
  if (name == "grpo") return LossType::kGRPO;
  if (name == "dapo") return LossType::kDAPO;
  if (name == "dr_grpo") return LossType::kDrGRPO;
  fail("unknown loss type '{}'; expected grpo, dapo or dr_grpo", name);
}

std::string loss_type_name(LossType type) {
  switch (type) {
    case LossType::kGRPO: return "grpo";
    case LossType::kDAPO: return "dapo";
    case LossType::kDrGRPO: return "dr_grpo";
  }
  return "grpo";
}

torch::Tensor group_advantages(const torch::Tensor& rewards, int64_t group_size, bool scale_by_std) {
  if (group_size < 1 || rewards.size(0) % group_size != 0)
    fail("group_advantages: {} rewards do not split into groups of {}", rewards.size(0), group_size);
  auto grouped = rewards.to(torch::kFloat32).view({-1, group_size});  // [B/G, G]
  auto centered = grouped - grouped.mean(1, /*keepdim=*/true);
  if (scale_by_std && group_size > 1) centered = centered / (grouped.std(1, /*unbiased=*/true, true) + 1e-4);
  return centered.reshape({-1});
}

torch::Tensor balance_advantages_by_length(const torch::Tensor& advantages, const torch::Tensor& lengths,
                                           int64_t group_size) {
  if (group_size < 1 || advantages.size(0) % group_size != 0 || lengths.size(0) != advantages.size(0))
    fail("balance_advantages_by_length: {} advantages and {} lengths do not split into groups of {}",
         advantages.size(0), lengths.size(0), group_size);
  auto grouped = advantages.to(torch::kFloat64).view({-1, group_size});     // [B/G, G]
  auto token_counts = lengths.to(torch::kFloat64).view({-1, group_size});   // [B/G, G]
  auto total = token_counts.sum(1, /*keepdim=*/true).clamp_min(1.0);       // [B/G, 1]
  auto shift = (grouped * token_counts).sum(1, /*keepdim=*/true) / total;  // token-weighted mean [B/G, 1]
  return (grouped - shift).reshape({-1}).to(advantages.scalar_type());
}

GRPOLossOutput grpo_loss(const torch::Tensor& logprobs, const torch::Tensor& old_logprobs,
                         const torch::Tensor& ref_logprobs, const torch::Tensor& advantages,
                         const torch::Tensor& mask, const GRPOLossOptions& options, double token_count_total,
                         double sequence_count_total) {
  // clipped surrogate, per token: [B,T]
  auto advantage = advantages.view({-1, 1});
  auto ratio = torch::exp(logprobs - old_logprobs);
  auto unclipped = ratio * advantage;
  auto clipped = torch::clamp(ratio, 1.0 - options.epsilon_low, 1.0 + options.epsilon_high) * advantage;
  auto objective = torch::min(unclipped, clipped);

  // k3 estimator of KL(pi_theta || pi_ref): exp(d) - d - 1 with d = ref - logp
  torch::Tensor kl = torch::zeros_like(logprobs);
  if (options.beta != 0) {
    if (!ref_logprobs.defined()) fail("grpo_loss: beta={} needs reference log-probabilities", options.beta);
    auto delta = ref_logprobs - logprobs;
    kl = torch::exp(delta) - delta - 1.0;
    objective = objective - options.beta * kl;
  }
  auto per_token = -objective * mask;

  // aggregation of the variant
  torch::Tensor loss;
  const double tokens = token_count_total > 0 ? token_count_total : mask.sum().item<double>();
  const double sequences = sequence_count_total > 0 ? sequence_count_total : static_cast<double>(mask.size(0));
  switch (options.type) {
    case LossType::kGRPO: {
      auto lengths = mask.sum(1).clamp_min(1.0);
      loss = (per_token.sum(1) / lengths).sum() / sequences;
      break;
    }
    case LossType::kDAPO: loss = per_token.sum() / std::max(tokens, 1.0); break;
    case LossType::kDrGRPO: {
      const double length = options.max_completion_length > 0 ? options.max_completion_length : mask.size(1);
      loss = per_token.sum() / (sequences * length);
      break;
    }
  }

  // statistics over real tokens
  GRPOLossOutput out;
  out.loss = loss;
  torch::NoGradGuard no_grad;
  const double count = std::max(mask.sum().item<double>(), 1.0);
  out.kl = (kl * mask).sum().item<double>() / count;
  auto low = (ratio < 1.0 - options.epsilon_low).logical_and(advantage < 0);
  auto high = (ratio > 1.0 + options.epsilon_high).logical_and(advantage > 0);
  out.clip_fraction = (low.logical_or(high).to(torch::kFloat32) * mask).sum().item<double>() / count;
  out.ratio_mean = (ratio * mask).sum().item<double>() / count;
  return out;
}

}  // namespace r1
