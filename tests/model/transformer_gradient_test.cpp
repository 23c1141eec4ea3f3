// Backpropagation through the transformer checked against central finite
// differences in float64, for one tiny model of each family.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "model/tiny_models.h"
#include "model/transformer.h"

namespace r1 {
namespace {

// Central differences with step 1e-5 in float64 agree with backward to below
// 1e-7 relative on these models (gradients below 0.01 are compared against
// 0.01), so 1e-6 leaves a margin while any wrong backward formula or a silent
// float32 step shows up as 1e-4 or more.
constexpr double kStep = 1e-5;
constexpr double kRelativeTolerance = 1e-6;

class GradientCheck : public ::testing::TestWithParam<std::string> {};

TEST_P(GradientCheck, MatchesFiniteDifferences) {
  torch::manual_seed(11);
  ModelConfig config = test::tiny_config(GetParam());
  Transformer model(config);
  model->to(torch::kFloat64);

  // Random weights everywhere (biases and norms included), so no gradient is
  // trivially zero or symmetric.
  {
    torch::NoGradGuard no_grad;
    for (auto& p : model->named_parameters()) {
      auto& t = p.value();
      if (p.key().find("norm") != std::string::npos)
        t.copy_(1.0 + 0.2 * torch::randn_like(t));
      else
        t.copy_(0.3 * torch::randn_like(t));
    }
  }

  // The loss is a fixed random projection of the logits, so every output
  // contributes. Row 1 is left-padded by two slots; padded query slots get
  // zero weight.
  auto tokens = torch::randint(config.vocab_size, {2, 6}, torch::kLong);
  auto mask = torch::ones({2, 6}, torch::kBool);
  mask[1][0] = false;
  mask[1][1] = false;
  auto positions = positions_from_mask(mask);
  auto weights = torch::randn({2, 6, config.vocab_size}, torch::kFloat64) *
                 mask.to(torch::kFloat64).unsqueeze(-1);
  auto loss_of = [&]() { return (model->forward(tokens, positions, mask) * weights).sum(); };

  model->zero_grad();
  loss_of().backward();

  // Parameters to probe, by name part; each family lists what it has.
  std::vector<std::string> names = {"model.embed_tokens.weight",
                                    "model.layers.0.self_attn.q_proj.weight",
                                    "model.layers.0.self_attn.k_proj.weight",
                                    "model.layers.1.self_attn.v_proj.weight",
                                    "model.layers.0.self_attn.o_proj.weight",
                                    "model.layers.1.mlp.gate_proj.weight",
                                    "model.layers.0.mlp.up_proj.weight",
                                    "model.layers.1.mlp.down_proj.weight",
                                    "model.layers.0.input_layernorm.weight",
                                    "model.layers.1.post_attention_layernorm.weight",
                                    "model.norm.weight"};
  if (!config.tie_word_embeddings) names.push_back("lm_head.weight");
  if (config.attention_bias) {
    names.push_back("model.layers.0.self_attn.q_proj.bias");
    names.push_back("model.layers.1.self_attn.k_proj.bias");
    names.push_back("model.layers.0.self_attn.v_proj.bias");
  }
  if (config.qk_norm) {
    names.push_back("model.layers.0.self_attn.q_norm.weight");
    names.push_back("model.layers.1.self_attn.k_norm.weight");
  }

  auto parameters = model->named_parameters();
  double max_relative = 0;
  torch::NoGradGuard no_grad;
  for (const auto& name : names) {
    ASSERT_TRUE(parameters.contains(name)) << name;
    torch::Tensor param = parameters[name];
    torch::Tensor analytic = param.grad().reshape({-1});
    auto flat = param.view({-1});
    // four entries spread over the tensor, plus the one with the largest gradient
    std::vector<int64_t> entries = {0, flat.numel() / 3, (2 * flat.numel()) / 3, flat.numel() - 1,
                                    analytic.abs().argmax().item<int64_t>()};
    for (int64_t index : entries) {
      const double original = flat[index].item<double>();
      flat[index] = original + kStep;
      const double plus = loss_of().item<double>();
      flat[index] = original - kStep;
      const double minus = loss_of().item<double>();
      flat[index] = original;

      const double numeric = (plus - minus) / (2 * kStep);
      const double exact = analytic[index].item<double>();
      const double relative = std::abs(numeric - exact) / std::max({std::abs(numeric), std::abs(exact), 1e-2});
      max_relative = std::max(max_relative, relative);
      EXPECT_LT(relative, kRelativeTolerance)
          << name << "[" << index << "]: backward " << exact << ", finite difference " << numeric;
    }
  }
  std::printf("%s: max relative difference %.3g over %zu parameters\n", GetParam().c_str(), max_relative,
              names.size());
}

INSTANTIATE_TEST_SUITE_P(Families, GradientCheck, ::testing::Values("llama", "qwen2", "qwen3"));

}  // namespace
}  // namespace r1
