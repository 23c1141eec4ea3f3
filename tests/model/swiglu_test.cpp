// The fused SwiGLU against silu(gate) * up computed by LibTorch, forward and
// backward, in float32 and bfloat16, for sizes around the 16-lane blocks.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "model/swiglu.h"
#include "util/error.h"

namespace r1 {
namespace {

struct Grads {
  torch::Tensor out, gate, up;
};

// Runs f(gate, up) forward and backward with a fixed upstream gradient.
template <class F>
Grads run(const torch::Tensor& gate, const torch::Tensor& up, const torch::Tensor& upstream, const F& f) {
  auto g = gate.detach().clone().requires_grad_(true);
  auto u = up.detach().clone().requires_grad_(true);
  auto out = f(g, u);
  out.backward(upstream);
  return {out.detach(), g.grad(), u.grad()};
}

void expect_matches_reference(torch::Dtype dtype, std::vector<int64_t> shape, double tolerance) {
  torch::manual_seed(7);
  // values from -12 to 12 cover both tails of the sigmoid
  auto gate = (torch::randn(shape) * 4).clamp(-12, 12).to(dtype);
  auto up = torch::randn(shape).to(dtype);
  auto upstream = torch::randn(shape).to(dtype);
  ASSERT_TRUE(swiglu_fused_applies(gate, up));

  Grads fused = run(gate, up, upstream, [](auto& g, auto& u) { return swiglu(g, u); });
  // reference in float64
  Grads reference = run(gate.to(torch::kFloat64), up.to(torch::kFloat64), upstream.to(torch::kFloat64),
                        [](auto& g, auto& u) { return torch::silu(g) * u; });

  EXPECT_EQ(fused.out.scalar_type(), dtype);
  EXPECT_EQ(fused.gate.scalar_type(), dtype);
  for (auto [got, want, name] : {std::tuple{fused.out, reference.out, "out"},
                                 std::tuple{fused.gate, reference.gate, "d gate"},
                                 std::tuple{fused.up, reference.up, "d up"}}) {
    // relative error, with a floor of 1% of the mean magnitude where the
    // gradient of silu crosses zero (gate near -1.28)
    auto error = (got.to(torch::kFloat64) - want).abs() / (want.abs() + 0.01 * want.abs().mean());
    EXPECT_LT(error.max().item<double>(), tolerance) << name << " for " << shape.size() << "-d shape, numel "
                                                     << got.numel();
  }
}

TEST(SwiGLU, Float32MatchesLibTorch) {
  for (auto shape : std::vector<std::vector<int64_t>>{{1}, {15}, {16}, {17}, {3, 5, 33}, {2, 64, 384}})
    expect_matches_reference(torch::kFloat32, shape, 1e-5);
}

TEST(SwiGLU, BFloat16MatchesLibTorch) {
  // one bfloat16 rounding of the inputs' products: relative error 2^-8
  for (auto shape : std::vector<std::vector<int64_t>>{{7}, {16}, {40}, {4, 9, 48}})
    expect_matches_reference(torch::kBFloat16, shape, 1.0 / 128);
}

TEST(SwiGLU, LargeInputsStayFinite) {
  auto gate = torch::tensor({-1000.0f, -90.0f, -30.0f, 0.0f, 30.0f, 90.0f, 1000.0f});
  auto up = torch::ones_like(gate);
  auto out = swiglu(gate, up);
  auto want = torch::silu(gate);
  EXPECT_TRUE(torch::allclose(out, want, 1e-6, 1e-6)) << out << want;
}

TEST(SwiGLU, NonContiguousInputsAndNoGrad) {
  auto gate = torch::randn({6, 10}).t();
  auto up = torch::randn({6, 10}).t();
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::allclose(swiglu(gate, up), torch::silu(gate) * up, 1e-5, 1e-6));
}

TEST(SwiGLU, OtherDtypesUseLibTorch) {
  auto gate = torch::randn({5}, torch::kFloat64), up = torch::randn({5}, torch::kFloat64);
  EXPECT_FALSE(swiglu_fused_applies(gate, up));
  EXPECT_TRUE(torch::allclose(swiglu(gate, up), torch::silu(gate) * up));
}

TEST(SwiGLU, RejectsMismatchedShapes) {
  EXPECT_THROW(swiglu(torch::zeros({2, 3}), torch::zeros({2, 4})), Error);
}

}  // namespace
}  // namespace r1
