// bf16-mixed training passes: the loss and its gradient stay close to the
// float32 ones, weights stay float32, autocast is off again after the scope,
// a pause gives float32 products, and --precision rejects unknown values.
#include <gtest/gtest.h>

#include <ATen/autocast_mode.h>

#include <vector>

#include "model/tiny_models.h"
#include "model/transformer.h"
#include "runtime/precision.h"
#include "trainers/lm_batch.h"
#include "trainers/logprobs.h"
#include "util/error.h"

namespace r1 {
namespace {

LMBatch random_batch() {
  torch::manual_seed(3);
  std::vector<LMExample> examples;
  for (int64_t b = 0; b < 3; ++b) {
    LMExample example;
    auto tokens = torch::randint(1, 20, {12}, torch::kLong);
    example.tokens.assign(tokens.data_ptr<int64_t>(), tokens.data_ptr<int64_t>() + 12);
    example.targets.assign(12, 1);
    example.targets[0] = 0;
    examples.push_back(example);
  }
  return make_lm_batch(examples, 0, torch::kCPU);
}

// Mean next-token loss and the flattened gradient of every parameter.
std::pair<double, torch::Tensor> loss_and_gradient(Transformer& model, Precision precision) {
  model->zero_grad();
  LMBatch batch = random_batch();
  torch::Tensor loss;
  {
    AutocastScope autocast(torch::kCPU, precision);
    LMLoss nll = lm_nll(model, batch);
    loss = nll.nll_sum / nll.target_tokens;
  }
  loss.backward();
  std::vector<torch::Tensor> grads;
  for (const auto& p : model->parameters()) grads.push_back(p.grad().flatten().clone());
  return {loss.item<double>(), torch::cat(grads)};
}

TEST(Precision, BFloat16MixedStaysCloseToFloat32) {
  torch::manual_seed(1);
  Transformer model(test::tiny_config("qwen2"));
  auto [loss32, grad32] = loss_and_gradient(model, Precision::kFloat32);
  auto [loss16, grad16] = loss_and_gradient(model, Precision::kBFloat16Mixed);

  EXPECT_NE(loss16, loss32) << "bf16-mixed gave the float32 loss exactly; autocast did not run";
  EXPECT_NEAR(loss16, loss32, 2e-2 * std::abs(loss32));
  const double cosine = (grad16 * grad32).sum().item<double>() / (grad16.norm() * grad32.norm()).item<double>();
  EXPECT_GT(cosine, 0.99);
  for (const auto& p : model->parameters()) {
    EXPECT_EQ(p.scalar_type(), torch::kFloat32);
    EXPECT_EQ(p.grad().scalar_type(), torch::kFloat32);
  }
}

TEST(Precision, ScopeRestoresAutocastState) {
  EXPECT_FALSE(at::autocast::is_cpu_enabled());
  {
    AutocastScope outer(torch::kCPU, Precision::kBFloat16Mixed);
    EXPECT_TRUE(at::autocast::is_cpu_enabled());
    {
      AutocastScope inner(torch::kCPU, Precision::kFloat32);
      EXPECT_TRUE(at::autocast::is_cpu_enabled());
      auto product = torch::mm(torch::ones({2, 2}), torch::ones({2, 2}));
      EXPECT_EQ(product.scalar_type(), torch::kBFloat16);
    }
    EXPECT_TRUE(at::autocast::is_cpu_enabled());
  }
  EXPECT_FALSE(at::autocast::is_cpu_enabled());
  auto product = torch::mm(torch::ones({2, 2}), torch::ones({2, 2}));
  EXPECT_EQ(product.scalar_type(), torch::kFloat32);
}

// A pause inside a bf16-mixed scope gives float32 products, and autocast is
// on again after it.
TEST(Precision, PauseRunsFloat32Products) {
  AutocastScope autocast(torch::kCPU, Precision::kBFloat16Mixed);
  {
    AutocastPause pause;
    EXPECT_FALSE(at::autocast::is_cpu_enabled());
    EXPECT_EQ(torch::mm(torch::ones({2, 2}), torch::ones({2, 2})).scalar_type(), torch::kFloat32);
  }
  EXPECT_TRUE(at::autocast::is_cpu_enabled());
  EXPECT_EQ(torch::mm(torch::ones({2, 2}), torch::ones({2, 2})).scalar_type(), torch::kBFloat16);
}

// product_dtype names the dtype that torch::mm returns, with and without
// autocast, so the attention mask can be built in the scores' dtype.
TEST(Precision, ProductDtypeMatchesTheProducts) {
  auto ones = torch::ones({2, 2});
  EXPECT_EQ(product_dtype(torch::kCPU, torch::kFloat32), torch::mm(ones, ones).scalar_type());
  EXPECT_EQ(product_dtype(torch::kCPU, torch::kBFloat16), torch::kBFloat16);
  AutocastScope autocast(torch::kCPU, Precision::kBFloat16Mixed);
  EXPECT_EQ(product_dtype(torch::kCPU, torch::kFloat32), torch::mm(ones, ones).scalar_type());
  EXPECT_EQ(product_dtype(torch::kCPU, torch::kFloat32), torch::kBFloat16);
}

// GRPO's log-probabilities under bf16-mixed: float32, zero on padding, close
// to the float32 pass, and differentiable.
TEST(Precision, CompletionLogprobsUnderBFloat16Mixed) {
  torch::manual_seed(2);
  Transformer model(test::tiny_config("qwen2"));
  SequenceBatch batch = make_sequence_batch({{1, 2, 3}, {4, 5}}, {{6, 7, 8, 9}, {10, 11}}, 0, torch::kCPU);
  torch::Tensor full = completion_logprobs(model, batch).detach();  // [2,4]
  torch::Tensor mixed;
  {
    AutocastScope autocast(torch::kCPU, Precision::kBFloat16Mixed);
    mixed = completion_logprobs(model, batch);
  }
  EXPECT_EQ(mixed.scalar_type(), torch::kFloat32);
  EXPECT_EQ(mixed[1][2].item<float>(), 0.0f);
  EXPECT_EQ(mixed[1][3].item<float>(), 0.0f);
  EXPECT_LT((mixed.detach() - full).abs().max().item<double>(), 5e-2);
  mixed.sum().backward();
  for (const auto& p : model->parameters()) ASSERT_TRUE(p.grad().defined());
}

TEST(Precision, ParsesNamesAndRejectsOthers) {
  EXPECT_EQ(parse_precision("fp32", torch::kCPU), Precision::kFloat32);
  EXPECT_EQ(parse_precision("bf16-mixed", torch::kCPU), Precision::kBFloat16Mixed);
  EXPECT_EQ(parse_precision("auto", torch::kCPU),
            cpu_has_native_bf16() ? Precision::kBFloat16Mixed : Precision::kFloat32);
  EXPECT_EQ(precision_name(Precision::kBFloat16Mixed), "bf16-mixed");
  try {
    parse_precision("fp16", torch::kCPU);
    FAIL() << "fp16 was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'fp16'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("bf16-mixed"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace r1
