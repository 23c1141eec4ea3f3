// The GRPO objective on a small batch whose values are worked out by hand in
// the comments: group advantages, clipping on both sides, the k3 KL penalty,
// masking, the three aggregations and the gradient.
#include <gtest/gtest.h>

#include <cmath>

#include "trainers/grpo_loss.h"
#include "util/error.h"

namespace r1 {
namespace {

torch::Tensor tensor(std::vector<double> values, std::vector<int64_t> shape) {
  return torch::tensor(values, torch::kFloat64).view(shape);
}

// Two completions of three tokens whose ratios pi/pi_old are chosen per token:
//   row 0, advantage +1, ratios 1.5 1.1 0.5
//   row 1, advantage -1, ratios 0.5 1.5 0.9
// old_logprobs are -1 everywhere and logprobs = -1 + log(ratio).
struct ClipCase {
  torch::Tensor old_logprobs = torch::full({2, 3}, -1.0, torch::kFloat64);
  torch::Tensor logprobs = old_logprobs + tensor({1.5, 1.1, 0.5, 0.5, 1.5, 0.9}, {2, 3}).log();
  torch::Tensor advantages = tensor({1.0, -1.0}, {2});
  // row 1's last token is padding
  torch::Tensor mask = tensor({1, 1, 1, 1, 1, 0}, {2, 3});
};

GRPOLossOptions no_kl(LossType type) {
  GRPOLossOptions options;
  options.type = type;
  options.beta = 0.0;
  options.epsilon_low = 0.2;
  options.epsilon_high = 0.2;
  return options;
}

TEST(GroupAdvantages, ScaledByUnbiasedStd) {
  // group [1 0 0 1]: mean 0.5, unbiased var = 4 * 0.25 / 3 = 1/3, std 0.5773503;
  // advantage = +-0.5 / (0.5773503 + 1e-4) = +-0.8658753.
  // group [3 1 2 2]: mean 2, deviations 1 -1 0 0, var = 2/3, std 0.8164966;
  // advantage = 1 / 0.8165966 = 1.2245897.
  // group [2 2 2 2]: all deviations 0, so 0 / 1e-4 = 0.
  auto rewards = torch::tensor({1.0, 0.0, 0.0, 1.0, 3.0, 1.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0});
  auto advantages = group_advantages(rewards, 4, /*scale_by_std=*/true);
  const double a = 0.5 / (std::sqrt(1.0 / 3.0) + 1e-4);
  const double b = 1.0 / (std::sqrt(2.0 / 3.0) + 1e-4);
  std::vector<double> expected = {a, -a, -a, a, b, -b, 0, 0, 0, 0, 0, 0};
  ASSERT_EQ(advantages.numel(), 12);
  for (int64_t i = 0; i < 12; ++i) EXPECT_NEAR(advantages[i].item<double>(), expected[i], 1e-5) << "row " << i;
}

TEST(GroupAdvantages, DrGRPOWithoutStd) {
  // only the group mean is subtracted: [1 0 0 1] - 0.5, [3 1 2 2] - 2
  auto rewards = torch::tensor({1.0, 0.0, 0.0, 1.0, 3.0, 1.0, 2.0, 2.0});
  auto advantages = group_advantages(rewards, 4, /*scale_by_std=*/false);
  std::vector<double> expected = {0.5, -0.5, -0.5, 0.5, 1, -1, 0, 0};
  for (int64_t i = 0; i < 8; ++i) EXPECT_NEAR(advantages[i].item<double>(), expected[i], 1e-6) << "row " << i;
}

TEST(GroupAdvantages, RejectsUnevenGroups) {
  EXPECT_THROW(group_advantages(torch::zeros({5}), 2, true), Error);
}

// Group 0: advantages +1 and -1 on completions of 2 and 6 tokens. The
// token-weighted mean is (2 - 6) / 8 = -0.5, so both rise by 0.5, and then
// 1.5 * 2 - 0.5 * 6 = 0. Group 1 has equal lengths and stays as it is.
TEST(LengthBalancedAdvantages, TokenWeightedSumIsZeroPerGroup) {
  auto advantages = tensor({1.0, -1.0, 0.5, -0.5}, {4}).to(torch::kFloat32);
  auto lengths = tensor({2, 6, 4, 4}, {4});
  auto balanced = balance_advantages_by_length(advantages, lengths, 2);
  EXPECT_EQ(balanced.scalar_type(), torch::kFloat32);
  const std::vector<float> expected = {1.5f, -0.5f, 0.5f, -0.5f};
  for (int64_t i = 0; i < 4; ++i) EXPECT_FLOAT_EQ(balanced[i].item<float>(), expected[i]) << i;

  EXPECT_THROW(balance_advantages_by_length(advantages, torch::ones({3}), 2), Error);
}

TEST(GRPOLoss, ClippingAndGRPOAggregation) {
  // objective min(r*A, clip(r, 0.8, 1.2)*A) per token:
  //   row 0 (A=+1): r=1.5 -> min(1.5, 1.2) = 1.2 (clipped above)
  //                 r=1.1 -> 1.1 (inside the range)
  //                 r=0.5 -> min(0.5, 0.8) = 0.5 (below, but A>0: unclipped)
  //   row 1 (A=-1): r=0.5 -> min(-0.5, -0.8) = -0.8 (clipped below)
  //                 r=1.5 -> min(-1.5, -1.2) = -1.5 (above, but A<0: unclipped)
  //                 r=0.9 -> padding
  // loss per token = -objective: row 0 [-1.2 -1.1 -0.5], row 1 [0.8 1.5 .]
  // grpo: row means -2.8/3 and 2.3/2, then the mean over 2 rows:
  //   (-0.9333333 + 1.15) / 2 = 0.1083333
  ClipCase c;
  GRPOLossOutput out = grpo_loss(c.logprobs, c.old_logprobs, {}, c.advantages, c.mask, no_kl(LossType::kGRPO));
  EXPECT_NEAR(out.loss.item<double>(), (-2.8 / 3.0 + 2.3 / 2.0) / 2.0, 1e-9);
  // clipped tokens: row 0 token 0 and row 1 token 0, of 5 real tokens
  EXPECT_NEAR(out.clip_fraction, 2.0 / 5.0, 1e-9);
  // ratios of real tokens: (1.5 + 1.1 + 0.5 + 0.5 + 1.5) / 5
  EXPECT_NEAR(out.ratio_mean, 5.1 / 5.0, 1e-9);
  EXPECT_NEAR(out.kl, 0.0, 1e-12);
}

TEST(GRPOLoss, DAPOTokenMean) {
  // token sum -2.8 + 2.3 = -0.5 over 5 real tokens
  ClipCase c;
  GRPOLossOutput out = grpo_loss(c.logprobs, c.old_logprobs, {}, c.advantages, c.mask, no_kl(LossType::kDAPO));
  EXPECT_NEAR(out.loss.item<double>(), -0.5 / 5.0, 1e-9);
}

TEST(GRPOLoss, DrGRPOConstantNormaliser) {
  // token sum -0.5 over B * max_completion_length = 2 * 4
  ClipCase c;
  GRPOLossOptions options = no_kl(LossType::kDrGRPO);
  options.max_completion_length = 4;
  GRPOLossOutput out = grpo_loss(c.logprobs, c.old_logprobs, {}, c.advantages, c.mask, options);
  EXPECT_NEAR(out.loss.item<double>(), -0.5 / 8.0, 1e-9);
}

TEST(GRPOLoss, BatchNormalisersOverride) {
  // micro-batch normalisers: dapo divides by the given 10 tokens, grpo by 4 sequences
  ClipCase c;
  GRPOLossOutput dapo = grpo_loss(c.logprobs, c.old_logprobs, {}, c.advantages, c.mask, no_kl(LossType::kDAPO), 10, 4);
  EXPECT_NEAR(dapo.loss.item<double>(), -0.5 / 10.0, 1e-9);
  GRPOLossOutput grpo = grpo_loss(c.logprobs, c.old_logprobs, {}, c.advantages, c.mask, no_kl(LossType::kGRPO), 10, 4);
  EXPECT_NEAR(grpo.loss.item<double>(), (-2.8 / 3.0 + 2.3 / 2.0) / 4.0, 1e-9);
}

TEST(GRPOLoss, AsymmetricClipHigher) {
  // epsilon_high 0.6: row 0 token 0 (r=1.5) is no longer clipped, so its
  // objective becomes 1.5 and row 0's loss mean is -(1.5+1.1+0.5)/3.
  ClipCase c;
  GRPOLossOptions options = no_kl(LossType::kGRPO);
  options.epsilon_high = 0.6;
  GRPOLossOutput out = grpo_loss(c.logprobs, c.old_logprobs, {}, c.advantages, c.mask, options);
  EXPECT_NEAR(out.loss.item<double>(), (-3.1 / 3.0 + 2.3 / 2.0) / 2.0, 1e-9);
  EXPECT_NEAR(out.clip_fraction, 1.0 / 5.0, 1e-9);
}

TEST(GRPOLoss, PaddingDoesNotChangeLoss) {
  ClipCase c;
  for (LossType type : {LossType::kGRPO, LossType::kDAPO, LossType::kDrGRPO}) {
    GRPOLossOptions options = no_kl(type);
    options.beta = 0.04;
    auto ref = c.logprobs - 0.1;
    GRPOLossOutput base = grpo_loss(c.logprobs, c.old_logprobs, ref, c.advantages, c.mask, options);

    // wild values at the one padded slot (row 1, token 2)
    auto logprobs = c.logprobs.clone(), old_logprobs = c.old_logprobs.clone(), ref2 = ref.clone();
    logprobs[1][2] = 7.0;
    old_logprobs[1][2] = -20.0;
    ref2[1][2] = -15.0;
    GRPOLossOutput padded = grpo_loss(logprobs, old_logprobs, ref2, c.advantages, c.mask, options);
    EXPECT_NEAR(padded.loss.item<double>(), base.loss.item<double>(), 1e-12) << loss_type_name(type);
    EXPECT_NEAR(padded.kl, base.kl, 1e-12) << loss_type_name(type);
    EXPECT_NEAR(padded.clip_fraction, base.clip_fraction, 1e-12) << loss_type_name(type);
  }
}

TEST(GRPOLoss, K3KLWeightedByBeta) {
  // ratio 1 and advantage 0, so only the KL term remains: loss = beta * mean k3.
  // d = ref - logp = 0.5:  exp(0.5) - 0.5 - 1 = 1.6487213 - 1.5 = 0.1487213
  // d = -0.3:             exp(-0.3) + 0.3 - 1 = 0.7408182 - 0.7 = 0.0408182
  // mean 0.0947697, times beta 0.1 = 0.00947697
  auto logprobs = tensor({-1.0, -2.0}, {1, 2});
  auto ref = logprobs + tensor({0.5, -0.3}, {1, 2});
  GRPOLossOptions options = no_kl(LossType::kGRPO);
  options.beta = 0.1;
  GRPOLossOutput out = grpo_loss(logprobs, logprobs, ref, tensor({0.0}, {1}), torch::ones({1, 2}, torch::kFloat64),
                                 options);
  const double k3 = ((std::exp(0.5) - 0.5 - 1.0) + (std::exp(-0.3) + 0.3 - 1.0)) / 2.0;
  EXPECT_NEAR(out.kl, k3, 1e-12);
  EXPECT_NEAR(out.loss.item<double>(), 0.1 * k3, 1e-12);
  EXPECT_NEAR(k3, 0.0947697, 1e-6);
}

TEST(GRPOLoss, KLNeedsReference) {
  ClipCase c;
  GRPOLossOptions options = no_kl(LossType::kGRPO);
  options.beta = 0.04;
  EXPECT_THROW(grpo_loss(c.logprobs, c.old_logprobs, {}, c.advantages, c.mask, options), Error);
}

TEST(GRPOLoss, GradientWithRespectToLogprobs) {
  // one row, A = 2, beta = 0.1, mask [1 1 0], grpo (divide by 2 tokens, 1 row)
  //   token 0: r = 1.1 (inside), d = ref - logp = 0.2
  //     d/dlogp of -r*A = -r*A = -2.2; of beta*k3 = beta*(1 - exp(d)) = 0.1*(1 - 1.2214028)
  //     gradient = (-2.2 - 0.0221403) / 2 = -1.1110701
  //   token 1: r = 1.5 clipped above with A > 0, so the surrogate is constant;
  //     d = -0.1: beta*(1 - exp(-0.1)) / 2 = 0.1*0.0951626/2 = 0.0047581
  //   token 2: padding, gradient 0
  auto old_logprobs = tensor({-1.0, -1.0, -1.0}, {1, 3});
  auto logprobs = (old_logprobs + tensor({1.1, 1.5, 1.0}, {1, 3}).log()).detach().requires_grad_(true);
  auto ref = logprobs.detach() + tensor({0.2, -0.1, 3.0}, {1, 3});
  GRPOLossOptions options = no_kl(LossType::kGRPO);
  options.beta = 0.1;
  GRPOLossOutput out =
      grpo_loss(logprobs, old_logprobs, ref, tensor({2.0}, {1}), tensor({1, 1, 0}, {1, 3}), options);
  out.loss.backward();
  auto grad = logprobs.grad();
  EXPECT_NEAR(grad[0][0].item<double>(), (-2.2 + 0.1 * (1.0 - std::exp(0.2))) / 2.0, 1e-9);
  EXPECT_NEAR(grad[0][1].item<double>(), 0.1 * (1.0 - std::exp(-0.1)) / 2.0, 1e-9);
  EXPECT_EQ(grad[0][2].item<double>(), 0.0);
  EXPECT_NEAR(grad[0][0].item<double>(), -1.1110701, 1e-6);
  EXPECT_NEAR(grad[0][1].item<double>(), 0.0047581, 1e-6);
}

TEST(LossType, ParseNames) {
  EXPECT_EQ(parse_loss_type("grpo"), LossType::kGRPO);
  EXPECT_EQ(parse_loss_type("dapo"), LossType::kDAPO);
  EXPECT_EQ(parse_loss_type("dr_grpo"), LossType::kDrGRPO);
  EXPECT_EQ(loss_type_name(LossType::kDrGRPO), "dr_grpo");
  EXPECT_THROW(parse_loss_type("ppo"), Error);
}

}  // namespace
}  // namespace r1
