// The fused RMSNorm against the same formula in float64 LibTorch ops,
// forward and backward, for widths around the 16-lane blocks and for more
// rows than one backward chunk contains.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "model/rms_norm.h"
#include "util/error.h"

namespace r1 {
namespace {

torch::Tensor reference(const torch::Tensor& x, const torch::Tensor& weight, double eps) {
  return weight * (x * torch::rsqrt(x.pow(2).mean(-1, true) + eps));
}

void expect_matches_reference(std::vector<int64_t> shape) {
  torch::manual_seed(5);
  const double eps = 1e-6;
  auto x = torch::randn(shape) * 3;
  auto weight = torch::rand({shape.back()}) + 0.5;
  auto upstream = torch::randn(shape);
  ASSERT_TRUE(rms_norm_fused_applies(x, weight));

  auto xf = x.clone().requires_grad_(true), wf = weight.clone().requires_grad_(true);
  auto yf = rms_norm(xf, wf, eps);
  yf.backward(upstream);

  auto xr = x.to(torch::kFloat64).requires_grad_(true), wr = weight.to(torch::kFloat64).requires_grad_(true);
  auto yr = reference(xr, wr, eps);
  yr.backward(upstream.to(torch::kFloat64));

  auto close = [](const torch::Tensor& got, const torch::Tensor& want) {
    return torch::allclose(got.to(torch::kFloat64), want, 1e-4, 1e-5);
  };
  EXPECT_TRUE(close(yf, yr.detach())) << "output, numel " << x.numel();
  EXPECT_TRUE(close(xf.grad(), xr.grad())) << "input gradient, numel " << x.numel();
  EXPECT_TRUE(close(wf.grad(), wr.grad())) << "weight gradient, numel " << x.numel();
}

TEST(RMSNorm, Float32MatchesReference) {
  for (auto shape : std::vector<std::vector<int64_t>>{{1, 8}, {3, 37}, {2, 5, 128}, {600, 48}, {2, 300, 17}})
    expect_matches_reference(shape);
}

TEST(RMSNorm, NoGradMatchesReference) {
  auto x = torch::randn({4, 33}), weight = torch::rand({33});
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::allclose(rms_norm(x, weight, 1e-5), reference(x, weight, 1e-5), 1e-5, 1e-6));
}

TEST(RMSNorm, ZeroRowStaysFinite) {
  auto y = rms_norm(torch::zeros({2, 16}), torch::ones({16}), 1e-6);
  EXPECT_TRUE(torch::isfinite(y).all().item<bool>());
  EXPECT_EQ(y.abs().sum().item<float>(), 0.0f);
}

TEST(RMSNorm, BFloat16CastsBackBeforeTheWeight) {
  // the Hugging Face order: normalise in float32, round to bfloat16, scale
  auto x = torch::randn({3, 24}).to(torch::kBFloat16);
  auto weight = torch::rand({24}).to(torch::kBFloat16);
  EXPECT_FALSE(rms_norm_fused_applies(x, weight));
  auto x32 = x.to(torch::kFloat32);
  auto want = weight * (x32 * torch::rsqrt(x32.pow(2).mean(-1, true) + 1e-6)).to(torch::kBFloat16);
  EXPECT_TRUE(torch::equal(rms_norm(x, weight, 1e-6), want));
}

TEST(RMSNorm, RejectsWeightOfOtherWidth) {
  EXPECT_THROW(rms_norm(torch::zeros({2, 8}), torch::ones({7}), 1e-6), Error);
}

}  // namespace
}  // namespace r1
