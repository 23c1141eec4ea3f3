// The GRPO objective and its variants (DAPO, Dr. GRPO), as pure functions of
// per-token log-probabilities, so they can be tested on hand-computed values.
//
// Dimension letters: B completions (groups of G consecutive rows), T
// completion tokens.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

namespace r1 {

enum class LossType {
  kGRPO,    // std-normalised advantages; mean over each sequence's tokens, then over sequences
  kDAPO,    // std-normalised advantages; mean over all tokens of the batch
  kDrGRPO,  // advantages not divided by std; token sum divided by B * max_completion_length
};

LossType parse_loss_type(const std::string& name);  // "grpo", "dapo", "dr_grpo"
std::string loss_type_name(LossType type);

struct GRPOLossOptions {
  LossType type = LossType::kGRPO;
  double epsilon_low = 0.2;   // ratio clipped below at 1 - epsilon_low
  double epsilon_high = 0.2;  // and above at 1 + epsilon_high (DAPO's clip-higher raises it)
  double beta = 0.04;         // weight of the k3 KL penalty to the reference policy
  int64_t max_completion_length = 0;  // Dr. GRPO's constant normaliser
};

// Group-relative advantages of rewards [B] in groups of `group_size`
// consecutive rows: (r - mean) / (std + 1e-4) with the unbiased std, or
// r - mean when scale_by_std is false. Returns [B].
torch::Tensor group_advantages(const torch::Tensor& rewards, int64_t group_size, bool scale_by_std);

// Shifts each group's advantages [B] by one amount per group so that, weighted
// by the completions' token counts (lengths [B]), they sum to zero:
//   A_i - sum_j(A_j * L_j) / sum_j(L_j)   over the completions j of i's group.
// Under a token-level loss (DAPO, Dr. GRPO) a token that every completion
// contains then gets no net push. Without the shift, when the failed
// completions are the longer ones, their negative advantages outweigh the
// positive ones on such tokens and lower their probability. Returns [B].
torch::Tensor balance_advantages_by_length(const torch::Tensor& advantages, const torch::Tensor& lengths,
                                           int64_t group_size);

struct GRPOLossOutput {
  torch::Tensor loss;      // scalar to minimise
  double kl = 0;           // mean per-token k3 KL
  double clip_fraction = 0;  // share of tokens where the clipped term was chosen
  double ratio_mean = 0;
};

// logprobs/old_logprobs/ref_logprobs/mask [B,T], advantages [B].
// ref_logprobs may be undefined when beta is 0. `token_count_total` and
// `sequence_count_total` are the normalisers of the whole batch, so several
// micro-batches add up to the loss of the batch (pass 0 to use this slice's).
GRPOLossOutput grpo_loss(const torch::Tensor& logprobs, const torch::Tensor& old_logprobs,
                         const torch::Tensor& ref_logprobs, const torch::Tensor& advantages,
                         const torch::Tensor& mask, const GRPOLossOptions& options, double token_count_total = 0,
                         double sequence_count_total = 0);

}  // namespace r1
