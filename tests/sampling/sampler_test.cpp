// Sampling: the filtered distributions of temperature, top-k, top-p and min-p
// on a hand-made distribution, the repetition penalty, and reproducible
// seeded generation.
#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <vector>

#include "model/tiny_models.h"
#include "sampling/generate.h"
#include "sampling/sampler.h"
#include "util/error.h"

namespace r1 {
namespace {

// logits = log p for p = 0.5 0.2 0.15 0.1 0.05
torch::Tensor hand_logits() { return torch::tensor({0.5, 0.2, 0.15, 0.1, 0.05}).log().view({1, 5}); }

void expect_probabilities(const torch::Tensor& probs, const std::vector<double>& expected, const char* label) {
  ASSERT_EQ(probs.size(1), static_cast<int64_t>(expected.size())) << label;
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_NEAR(probs[0][i].item<double>(), expected[i], 1e-6) << label << ", token " << i;
}

SamplingParams params(double temperature, double top_p, int64_t top_k, double min_p) {
  SamplingParams p;
  p.temperature = temperature;
  p.top_p = top_p;
  p.top_k = top_k;
  p.min_p = min_p;
  return p;
}

TEST(SamplingProbabilities, HandMadeDistribution) {
  auto logits = hand_logits();
  // no filter: the distribution itself
  expect_probabilities(sampling_probabilities(logits, params(1, 1, 0, 0)), {0.5, 0.2, 0.15, 0.1, 0.05}, "plain");
  // top-k 2: 0.5 and 0.2, renormalised by 0.7
  expect_probabilities(sampling_probabilities(logits, params(1, 1, 2, 0)), {5.0 / 7, 2.0 / 7, 0, 0, 0}, "top_k=2");
  // top-p 0.75: masses before each token 0, 0.5, 0.7, 0.85: the first three stay, /0.85
  expect_probabilities(sampling_probabilities(logits, params(1, 0.75, 0, 0)),
                       {0.5 / 0.85, 0.2 / 0.85, 0.15 / 0.85, 0, 0}, "top_p=0.75");
  // top-p 0.3: only the first token (mass before the second is 0.5)
  expect_probabilities(sampling_probabilities(logits, params(1, 0.3, 0, 0)), {1, 0, 0, 0, 0}, "top_p=0.3");
  // min-p 0.25: threshold 0.125 keeps 0.5, 0.2, 0.15
  expect_probabilities(sampling_probabilities(logits, params(1, 1, 0, 0.25)),
                       {0.5 / 0.85, 0.2 / 0.85, 0.15 / 0.85, 0, 0}, "min_p=0.25");
  // min-p 0.35: threshold 0.175 keeps 0.5, 0.2
  expect_probabilities(sampling_probabilities(logits, params(1, 1, 0, 0.35)), {5.0 / 7, 2.0 / 7, 0, 0, 0},
                       "min_p=0.35");
  // top-k 3 then top-p 0.9 over the renormalised 0.5/0.85, 0.2/0.85, 0.15/0.85:
  // top-p works on the full distribution's masses 0, 0.5, 0.7 here, all < 0.9,
  // so the three top-k tokens stay
  expect_probabilities(sampling_probabilities(logits, params(1, 0.9, 3, 0)),
                       {0.5 / 0.85, 0.2 / 0.85, 0.15 / 0.85, 0, 0}, "top_k=3,top_p=0.9");
}

TEST(SamplingProbabilities, Temperature) {
  // temperature 2: p^(1/2) renormalised
  std::vector<double> p = {0.5, 0.2, 0.15, 0.1, 0.05}, expected;
  double total = 0;
  for (double v : p) total += std::sqrt(v);
  for (double v : p) expected.push_back(std::sqrt(v) / total);
  expect_probabilities(sampling_probabilities(hand_logits(), params(2, 1, 0, 0)), expected, "temperature=2");
}

TEST(SampleTokens, GreedyIsArgmax) {
  auto generator = at::detail::createCPUGenerator(1);
  auto logits = torch::randn({8, 30});
  auto tokens = sample_tokens(logits, params(0, 1, 0, 0), generator);
  EXPECT_TRUE(torch::equal(tokens, logits.argmax(-1)));
}

TEST(SampleTokens, RepetitionPenaltyAsHuggingFace) {
  // Seen tokens: positive logits are divided by the penalty, negative ones
  // multiplied. logits 2.0 -1.0 0.5 1.8, seen {0, 1}, penalty 2:
  // 1.0 -2.0 0.5 1.8, so the argmax moves from token 0 to token 3.
  auto generator = at::detail::createCPUGenerator(1);
  SamplingParams greedy = params(0, 1, 0, 0);
  auto logits = torch::tensor({2.0, -1.0, 0.5, 1.8}).view({1, 4});
  auto previous = torch::tensor({0, 1}, torch::kLong).view({1, 2});
  EXPECT_EQ(sample_tokens(logits, greedy, generator, previous).item<int64_t>(), 0);
  greedy.repetition_penalty = 2.0;
  EXPECT_EQ(sample_tokens(logits, greedy, generator, previous).item<int64_t>(), 3);

  // negative logits: -1 -1.5 -3 with token 0 seen: -2 -1.5 -3, argmax 1
  auto negative = torch::tensor({-1.0, -1.5, -3.0}).view({1, 3});
  EXPECT_EQ(sample_tokens(negative, greedy, generator, torch::tensor({0}, torch::kLong).view({1, 1})).item<int64_t>(), 1);
  // a token seen twice is penalised once: 2.0 / 2 = 1.0 < 1.8
  auto twice = torch::tensor({0, 0}, torch::kLong).view({1, 2});
  EXPECT_EQ(sample_tokens(logits, greedy, generator, twice).item<int64_t>(), 3);
}

TEST(SampleTokens, FrequenciesFollowDistribution) {
  // 40000 draws from 0.5 0.2 0.15 0.1 0.05: each frequency within 0.01 (the
  // standard error is at most 0.0025)
  auto generator = at::detail::createCPUGenerator(42);
  auto logits = hand_logits().expand({40000, 5}).contiguous();
  auto tokens = sample_tokens(logits, params(1, 1, 0, 0), generator);
  auto counts = torch::bincount(tokens, {}, 5).to(torch::kFloat64) / 40000.0;
  std::vector<double> p = {0.5, 0.2, 0.15, 0.1, 0.05};
  for (int64_t i = 0; i < 5; ++i) EXPECT_NEAR(counts[i].item<double>(), p[i], 0.01) << "token " << i;

  // with top-k 2 the other tokens never appear
  auto filtered = sample_tokens(logits, params(1, 1, 2, 0), generator);
  EXPECT_EQ(filtered.max().item<int64_t>(), 1);
}

TEST(SamplingParams, ValidateRejectsBadValues) {
  EXPECT_NO_THROW(params(0.7, 0.95, 20, 0.05).validate());
  EXPECT_THROW(params(-1, 1, 0, 0).validate(), Error);
  EXPECT_THROW(params(1, 0, 0, 0).validate(), Error);
  EXPECT_THROW(params(1, 1.5, 0, 0).validate(), Error);
  EXPECT_THROW(params(1, 1, -2, 0).validate(), Error);
  EXPECT_THROW(params(1, 1, 0, 1.0).validate(), Error);
  SamplingParams penalty;
  penalty.repetition_penalty = 0;
  EXPECT_THROW(penalty.validate(), Error);
}

class GenerateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    torch::manual_seed(0);
    model_ = Transformer(test::tiny_config("llama"));
    model_->init_weights(9);
    torch::NoGradGuard no_grad;
    for (auto& p : model_->parameters()) p.mul_(5.0);  // a less uniform distribution
  }

  std::vector<Completion> run(uint64_t seed, double temperature, int64_t workers = 1) {
    GenerationOptions options;
    options.max_new_tokens = 12;
    options.sampling.temperature = temperature;
    options.num_samples = 3;
    options.workers = workers;
    auto generator = at::detail::createCPUGenerator(seed);
    return generate(model_, prompts_, options, generator);
  }

  Transformer model_{nullptr};
  std::vector<std::vector<int64_t>> prompts_ = {{1, 5, 7, 9}, {1, 4}, {1, 11, 12}};
};

TEST_F(GenerateTest, SameSeedSameTokens) {
  auto first = run(123, 1.0), again = run(123, 1.0), other = run(124, 1.0);
  ASSERT_EQ(first.size(), 9u);
  bool differs = false;
  for (size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].tokens, again[i].tokens) << "completion " << i;
    EXPECT_EQ(first[i].tokens.size(), 12u);
    differs = differs || first[i].tokens != other[i].tokens;
  }
  EXPECT_TRUE(differs) << "seeds 123 and 124 gave identical completions";
}

TEST_F(GenerateTest, GreedyMatchesArgmaxOfFullForward) {
  auto completions = run(1, 0.0);
  ASSERT_EQ(completions.size(), 9u);
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < completions.size(); ++i) {
    // every generated token is the argmax after prompt + earlier tokens
    std::vector<int64_t> sequence = prompts_[i / 3];
    for (int64_t token : completions[i].tokens) {
      auto tokens = torch::tensor(sequence, torch::kLong).view({1, -1});
      auto mask = torch::ones_like(tokens, torch::kBool);
      auto logits = model_->forward(tokens, positions_from_mask(mask), mask);
      EXPECT_EQ(token, logits[0][-1].argmax().item<int64_t>()) << "completion " << i << " at " << sequence.size();
      sequence.push_back(token);
    }
    // the G greedy samples of one prompt agree
    EXPECT_EQ(completions[i].tokens, completions[(i / 3) * 3].tokens);
  }
}

// With workers, each chunk of prompts draws from its own seed. The samples
// are reproducible for a given worker count, and greedy decoding does not
// depend on it.
TEST_F(GenerateTest, WorkersAreReproducible) {
  auto first = run(123, 1.0, 2), again = run(123, 1.0, 2);
  ASSERT_EQ(first.size(), 9u);
  for (size_t i = 0; i < first.size(); ++i) EXPECT_EQ(first[i].tokens, again[i].tokens) << "completion " << i;

  auto greedy = run(1, 0.0, 1), greedy_workers = run(1, 0.0, 3);
  ASSERT_EQ(greedy_workers.size(), 9u);
  for (size_t i = 0; i < greedy.size(); ++i) EXPECT_EQ(greedy[i].tokens, greedy_workers[i].tokens) << "completion " << i;
}

TEST_F(GenerateTest, SeededRowsDoNotDependOnWorkers) {
  GenerationOptions options;
  options.max_new_tokens = 12;
  options.num_samples = 3;
  const std::vector<uint64_t> seeds = {11, 12, 13, 21, 22, 23, 31, 32, 33};
  auto one_worker = generate_seeded(model_, prompts_, options, seeds);
  options.workers = 2;
  options.max_batch_rows = 3;  // one prompt per chunk
  auto two_workers = generate_seeded(model_, prompts_, options, seeds);
  ASSERT_EQ(two_workers.size(), 9u);
  for (size_t i = 0; i < one_worker.size(); ++i)
    EXPECT_EQ(one_worker[i].tokens, two_workers[i].tokens) << "completion " << i;

  options.workers = 0;
  EXPECT_THROW(generate_seeded(model_, prompts_, options, seeds), Error);
}

TEST_F(GenerateTest, StopTokenEndsRow) {
  // the greedy continuation's third token becomes a stop token
  auto greedy = run(1, 0.0);
  const int64_t stop = greedy[0].tokens[2];
  GenerationOptions options;
  options.max_new_tokens = 12;
  options.sampling.temperature = 0;
  options.stop_token_ids = {stop};
  auto generator = at::detail::createCPUGenerator(1);
  auto stopped = generate(model_, {prompts_[0]}, options, generator);
  ASSERT_EQ(stopped.size(), 1u);
  EXPECT_TRUE(stopped[0].stopped);
  // ends at the first occurrence of the stop token, which it includes
  size_t first = 0;
  while (greedy[0].tokens[first] != stop) ++first;
  EXPECT_EQ(stopped[0].tokens.size(), first + 1);
  EXPECT_EQ(stopped[0].tokens.back(), stop);
}

}  // namespace
}  // namespace r1
