// The fused masked softmax against softmax(scores + bias) computed by LibTorch
// in float64, forward and backward, with causal and padding masks, key counts
// around the 16-lane blocks and bias rows sliced out of a larger mask.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <limits>

#include "model/masked_softmax.h"

namespace r1 {
namespace {

constexpr float kMinusInf = -std::numeric_limits<float>::infinity();

// Returns a causal mask [B,1,1,t,s] with the queries at the last key slots
// and the first `padding` * b keys of row b hidden. It is cut out of a wider
// mask, so its rows are strided like the slices the attention passes.
torch::Tensor causal_bias(int64_t batch, int64_t queries, int64_t keys, int64_t padding) {
  auto full = torch::zeros({batch, 1, 1, queries + 3, keys + 5});
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t q = 0; q < queries; ++q)
      for (int64_t k = 0; k < keys; ++k) {
        const bool future = k > keys - queries + q;
        const bool padded = k < padding * b && k != keys - queries + q;
        if (future || padded) full[b][0][0][q + 1][k + 2] = kMinusInf;
      }
  return full.narrow(3, 1, queries).narrow(4, 2, keys);
}

struct Result {
  torch::Tensor probs, grad;
};

template <class F>
Result run(const torch::Tensor& scores, const torch::Tensor& upstream, const F& f) {
  auto x = scores.detach().clone().requires_grad_(true);
  auto probs = f(x);
  probs.backward(upstream);
  return {probs.detach(), x.grad()};
}

void expect_matches_reference(torch::Dtype dtype, int64_t queries, int64_t keys, double tolerance) {
  torch::manual_seed(11);
  const int64_t batch = 2;
  auto scores = (torch::randn({batch, 2, 3, queries, keys}) * 3).to(dtype);
  auto bias = causal_bias(batch, queries, keys, 2).to(dtype);
  auto upstream = torch::randn({batch, 2, 3, queries, keys}).to(dtype);
  ASSERT_TRUE(masked_softmax_fused_applies(scores, bias));

  Result fused = run(scores, upstream, [&](const torch::Tensor& x) { return masked_softmax(x, bias); });
  Result reference = run(scores.to(torch::kFloat64), upstream.to(torch::kFloat64), [&](const torch::Tensor& x) {
    return torch::softmax(x + bias.to(torch::kFloat64), -1);
  });

  EXPECT_EQ(fused.probs.scalar_type(), dtype);
  EXPECT_EQ(fused.grad.scalar_type(), dtype);
  const double scale = reference.grad.abs().max().item<double>();
  const double probs_error = (fused.probs.to(torch::kFloat64) - reference.probs).abs().max().item<double>();
  const double grad_error = (fused.grad.to(torch::kFloat64) - reference.grad).abs().max().item<double>();
  EXPECT_LT(probs_error, tolerance) << queries << " queries, " << keys << " keys";
  EXPECT_LE(grad_error, tolerance * scale) << queries << " queries, " << keys << " keys";

  // masked keys get exactly zero probability and zero gradient
  auto hidden = bias.expand_as(scores).eq(kMinusInf);
  EXPECT_EQ(fused.probs.masked_select(hidden).abs().sum().item<double>(), 0.0);
  EXPECT_EQ(fused.grad.masked_select(hidden).abs().sum().item<double>(), 0.0);
}

TEST(MaskedSoftmax, Float32MatchesLibTorch) {
  for (auto [queries, keys] : std::vector<std::pair<int64_t, int64_t>>{{1, 1}, {3, 15}, {4, 16}, {5, 17}, {9, 70}})
    expect_matches_reference(torch::kFloat32, queries, keys, 1e-6);
}

TEST(MaskedSoftmax, BFloat16MatchesLibTorch) {
  // inputs and outputs rounded to bfloat16: relative error 2^-8 on the
  // probabilities (at most 1) and on the gradients
  for (auto [queries, keys] : std::vector<std::pair<int64_t, int64_t>>{{2, 7}, {4, 16}, {6, 33}, {8, 100}})
    expect_matches_reference(torch::kBFloat16, queries, keys, 1.0 / 64);
}

TEST(MaskedSoftmax, BroadcastsOneBiasOverTheBatch) {
  torch::manual_seed(3);
  auto scores = torch::randn({3, 4, 5, 20});
  auto bias = causal_bias(1, 5, 20, 0).view({1, 1, 5, 20});
  auto got = masked_softmax(scores, bias);
  auto want = torch::softmax(scores + bias, -1);
  EXPECT_LT((got - want).abs().max().item<double>(), 1e-6);
}

TEST(MaskedSoftmax, RowWithEveryKeyMaskedGivesZeros) {
  auto scores = torch::randn({1, 1, 2, 18});
  auto bias = torch::zeros({1, 1, 2, 18});
  bias[0][0][1].fill_(kMinusInf);
  auto probs = masked_softmax(scores, bias);
  EXPECT_NEAR(probs[0][0][0].sum().item<double>(), 1.0, 1e-6);
  EXPECT_EQ(probs[0][0][1].abs().sum().item<double>(), 0.0);
}

TEST(MaskedSoftmax, OtherDtypesAndShapesUseLibTorch) {
  torch::manual_seed(5);
  auto scores = torch::randn({2, 3, 4, 9}, torch::kFloat64);
  auto bias = torch::zeros({2, 1, 4, 9}, torch::kFloat64);
  EXPECT_FALSE(masked_softmax_fused_applies(scores, bias));
  EXPECT_TRUE(torch::allclose(masked_softmax(scores, bias), torch::softmax(scores, -1)));

  // a bias that varies over heads is not the fused layout
  auto per_head = torch::randn({2, 3, 4, 9});
  auto scores32 = scores.to(torch::kFloat32);
  EXPECT_FALSE(masked_softmax_fused_applies(scores32, per_head));
  EXPECT_TRUE(torch::allclose(masked_softmax(scores32, per_head), torch::softmax(scores32 + per_head, -1)));

  // a bias in another dtype than the scores
  EXPECT_FALSE(masked_softmax_fused_applies(scores32, per_head.to(torch::kBFloat16)));
}

TEST(MaskedSoftmax, NoGradModeMatchesLibTorch) {
  auto scores = torch::randn({1, 2, 3, 40}).requires_grad_(true);
  auto bias = torch::zeros({1, 1, 3, 40});
  torch::NoGradGuard no_grad;
  auto probs = masked_softmax(scores, bias);
  EXPECT_FALSE(probs.requires_grad());
  EXPECT_LT((probs - torch::softmax(scores.detach(), -1)).abs().max().item<double>(), 1e-6);
}

}  // namespace
}  // namespace r1
