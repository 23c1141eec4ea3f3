// Parity of r1's decoder with transformers on tiny random-weight checkpoints
// of each family (qwen2: q/k/v bias and tied embeddings; llama: GQA, untied
// embeddings, llama3 rope scaling, sharded fp16 weights; qwen3: q/k norm and
// head_dim != hidden_size / num_attention_heads). The references come from
// scripts/fixtures/make_hf_fixtures.py (transformers 5.25, eager attention,
// float32).
#include <gtest/gtest.h>

#include "io/hf_checkpoint.h"
#include "io/hf_fixtures.h"

namespace r1 {
namespace {

using test::hf_fixture;
using test::hf_reference;

class HfParity : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    torch::manual_seed(0);
    loaded_ = load_hf_model(hf_fixture(GetParam()));
    reference_ = hf_reference(GetParam());
  }
  HfModel loaded_;
  std::map<std::string, torch::Tensor> reference_;
};

// Greatest |a - b| over the slots where mask [B,T] is true; a, b [B,T,...].
double masked_max_diff(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& mask) {
  auto rows = mask.to(torch::kBool);
  return (a.index({rows}) - b.index({rows})).abs().max().item<double>();
}

TEST_P(HfParity, LogitsMatchOnPaddedBatch) {
  torch::NoGradGuard no_grad;
  auto tokens = reference_["batch_tokens"];
  auto mask = reference_["batch_mask"].to(torch::kBool);
  auto logits = loaded_.model->forward(tokens, positions_from_mask(mask), mask);
  ASSERT_EQ(logits.sizes(), reference_["batch_logits"].sizes());
  double diff = masked_max_diff(logits, reference_["batch_logits"], mask);
  RecordProperty("max_abs_logit_diff", std::to_string(diff));
  std::printf("%s: max |logit - transformers| = %.3g\n", GetParam().c_str(), diff);
  EXPECT_LE(diff, 1e-4);
}

TEST_P(HfParity, GreedyMatchesWithKVCache) {
  torch::NoGradGuard no_grad;
  auto prompt = reference_["prompt_tokens"];
  auto mask = reference_["prompt_mask"].to(torch::kBool);
  auto expected = reference_["greedy_tokens"];
  const int64_t batch = prompt.size(0), steps = expected.size(1);

  // prefill the left-padded prompts, then feed one token per step
  KVCache cache = loaded_.model->make_cache(batch, prompt.size(1) + steps);
  auto positions = positions_from_mask(mask);
  auto logits = loaded_.model->forward(prompt, positions, mask, &cache);
  auto next_position = positions.select(1, -1) + 1;  // [B]
  std::vector<torch::Tensor> generated;
  for (int64_t step = 0; step < steps; ++step) {
    auto next = logits.select(1, -1).argmax(-1);  // [B]
    generated.push_back(next);
    mask = torch::cat({mask, torch::ones({batch, 1}, torch::kBool)}, 1);
    logits = loaded_.model->forward(next.unsqueeze(1), next_position.unsqueeze(1), mask, &cache);
    next_position = next_position + 1;
  }
  auto tokens = torch::stack(generated, 1);
  EXPECT_TRUE(torch::equal(tokens, expected)) << "r1:\n" << tokens << "\ntransformers:\n" << expected;
}

TEST_P(HfParity, CompletionLogprobsMatch) {
  torch::NoGradGuard no_grad;
  auto tokens = reference_["sequence_tokens"];
  auto mask = reference_["sequence_mask"].to(torch::kBool);
  auto logprobs = torch::log_softmax(loaded_.model->forward(tokens, positions_from_mask(mask), mask), -1);

  // log p(token t | tokens before t) at every completion token
  auto token_logprobs = torch::zeros(tokens.sizes());
  token_logprobs.narrow(1, 1, tokens.size(1) - 1)
      .copy_(logprobs.narrow(1, 0, tokens.size(1) - 1)
                 .gather(-1, tokens.narrow(1, 1, tokens.size(1) - 1).unsqueeze(-1))
                 .squeeze(-1));
  double diff = masked_max_diff(token_logprobs, reference_["token_logprobs"], reference_["completion_mask"]);
  std::printf("%s: max |logprob - transformers| = %.3g\n", GetParam().c_str(), diff);
  EXPECT_LE(diff, 1e-4);
}

TEST_P(HfParity, SftGradientsMatch) {
  auto tokens = reference_["batch_tokens"];
  auto mask = reference_["batch_mask"].to(torch::kBool);
  const int64_t T = tokens.size(1);

  // mean next-token cross-entropy over pairs whose both tokens are real
  auto logits = loaded_.model->forward(tokens, positions_from_mask(mask), mask);
  auto losses = torch::nn::functional::cross_entropy(
      logits.narrow(1, 0, T - 1).reshape({-1, logits.size(-1)}), tokens.narrow(1, 1, T - 1).reshape({-1}),
      torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
  auto valid = mask.narrow(1, 0, T - 1).logical_and(mask.narrow(1, 1, T - 1)).reshape({-1}).to(torch::kFloat32);
  auto loss = (losses * valid).sum() / valid.sum();
  loss.backward();

  double loss_diff = std::abs(loss.item<double>() - reference_["sft_loss"].item<double>());
  std::printf("%s: |loss - transformers| = %.3g\n", GetParam().c_str(), loss_diff);
  EXPECT_LE(loss_diff, 1e-5);

  double worst = 0;
  int checked = 0;
  for (const auto& item : loaded_.model->named_parameters()) {
    auto found = reference_.find("grad." + item.key());
    ASSERT_NE(found, reference_.end()) << "no reference gradient for " << item.key();
    const auto& expected = found->second;
    auto grad = item.value().grad();
    ASSERT_TRUE(grad.defined()) << item.key();
    double scale = expected.abs().max().item<double>();
    double relative = (grad - expected).abs().max().item<double>() / std::max(scale, 1e-12);
    worst = std::max(worst, relative);
    EXPECT_LE(relative, 1e-4) << item.key();
    ++checked;
  }
  std::printf("%s: %d gradients, max relative error %.3g\n", GetParam().c_str(), checked, worst);
}

INSTANTIATE_TEST_SUITE_P(Families, HfParity, ::testing::Values("qwen2", "llama", "qwen3"));

// Module::to(kBFloat16) also rounds the rotary inverse-frequency buffer; the
// decoder must still use float32 frequencies, as a bf16 load does.
TEST(HfParityDtype, ModuleToKeepsFloat32Rope) {
  torch::NoGradGuard no_grad;
  auto reference = hf_reference("llama");
  auto mask = reference["batch_mask"].to(torch::kBool);
  auto positions = positions_from_mask(mask);

  HfModel converted = load_hf_model(hf_fixture("llama"));
  converted.model->to(torch::kBFloat16);
  HfLoadOptions bf16;
  bf16.dtype = torch::kBFloat16;
  HfModel loaded = load_hf_model(hf_fixture("llama"), bf16);

  auto from_converted = converted.model->forward(reference["batch_tokens"], positions, mask);
  auto from_loaded = loaded.model->forward(reference["batch_tokens"], positions, mask);
  EXPECT_TRUE(torch::equal(from_converted, from_loaded));
}

TEST(HfParityRealData, TinyLlamaRandomMatchesTransformers) {
  R1_REQUIRE_REAL_DATA("tiny-llama-random");
  torch::NoGradGuard no_grad;
  auto reference = test::read_tensors(test::fixture_dir() / "hf" / "tiny_llama_random_reference.safetensors");
  HfModel loaded = load_hf_model(test::real_data_dir() / "tiny-llama-random");
  EXPECT_EQ(loaded.config.vocab_size, 16);
  EXPECT_EQ(loaded.config.torch_dtype, "bfloat16");

  auto mask = reference["mask"].to(torch::kBool);
  auto logits = loaded.model->forward(reference["tokens"], positions_from_mask(mask), mask);
  EXPECT_LE(masked_max_diff(logits, reference["logits"], mask), 1e-4);

  // in its stored dtype it runs and stays close to the float32 result
  HfLoadOptions bf16;
  bf16.dtype = torch::kBFloat16;
  HfModel loaded_bf16 = load_hf_model(test::real_data_dir() / "tiny-llama-random", bf16);
  auto logits_bf16 = loaded_bf16.model->forward(reference["tokens"], positions_from_mask(mask), mask);
  EXPECT_EQ(logits_bf16.scalar_type(), torch::kBFloat16);
  EXPECT_TRUE(torch::isfinite(logits_bf16).all().item<bool>());
  EXPECT_LE(masked_max_diff(logits_bf16.to(torch::kFloat32), reference["logits"], mask), 0.1);
}

}  // namespace
}  // namespace r1
