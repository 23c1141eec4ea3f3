// Incremental decoding with the KV cache against one full forward pass over
// the same tokens: prefill plus one token at a time, with left-padded prompts
// of different lengths, and after KVCache::repeat_rows and select_rows.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "model/tiny_models.h"
#include "model/transformer.h"
#include "sampling/generate.h"
#include "util/error.h"

namespace r1 {
namespace {

constexpr double kTolerance = 1e-5;  // float32 logits

using Rows = std::vector<std::vector<int64_t>>;

class KVCacheTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    torch::manual_seed(5);
    config_ = test::tiny_config(GetParam());
    model_ = Transformer(config_);
    model_->init_weights(3);
    // larger weights than the training init, so logits differ visibly between tokens
    torch::NoGradGuard no_grad;
    for (auto& p : model_->parameters()) p.mul_(5.0);
  }

  Rows random_rows(const std::vector<int64_t>& lengths) {
    Rows rows;
    for (int64_t n : lengths) {
      auto t = torch::randint(3, config_.vocab_size, {n}, torch::kLong);
      rows.emplace_back(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + n);
    }
    return rows;
  }

  ModelConfig config_;
  Transformer model_{nullptr};
};

// Max |a-b| over the real (mask true) slots of [B,T,V] logits.
double max_difference(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& mask) {
  auto diff = (a - b).abs().amax(-1);  // [B,T]
  return (diff * mask.to(diff.dtype())).max().item<double>();
}

TEST_P(KVCacheTest, IncrementalMatchesFullForward) {
  torch::NoGradGuard no_grad;
  // prompts of lengths 5, 3 and 1, each followed by the same number of new tokens
  Rows prompts = random_rows({5, 3, 1});
  Rows continuations = random_rows({4, 4, 4});
  Rows full = prompts;
  for (size_t r = 0; r < full.size(); ++r) full[r].insert(full[r].end(), continuations[r].begin(), continuations[r].end());

  torch::Tensor tokens, mask;
  left_pad_batch(full, 0, tokens, mask);  // [3,9]
  auto positions = positions_from_mask(mask);
  auto reference = model_->forward(tokens, positions, mask);  // [3,9,V]

  // prefill the left-padded prompts, then feed one token per step
  const int64_t P = 5, T = tokens.size(1);
  KVCache cache = model_->make_cache(3, T);
  auto prefill = model_->forward(tokens.narrow(1, 0, P), positions.narrow(1, 0, P), mask.narrow(1, 0, P), &cache);
  EXPECT_EQ(cache.length, P);
  double worst = max_difference(prefill, reference.narrow(1, 0, P), mask.narrow(1, 0, P));
  EXPECT_LT(worst, kTolerance) << "prefill";
  for (int64_t t = P; t < T; ++t) {
    auto step = model_->forward(tokens.narrow(1, t, 1), positions.narrow(1, t, 1), mask.narrow(1, 0, t + 1), &cache);
    const double difference = max_difference(step, reference.narrow(1, t, 1), mask.narrow(1, t, 1));
    EXPECT_LT(difference, kTolerance) << "step " << t;
    worst = std::max(worst, difference);
  }
  EXPECT_EQ(cache.length, T);
  // the check must not pass trivially: logits vary across the vocabulary
  EXPECT_GT(reference.std().item<double>(), 0.1);
  std::printf("%s: max |incremental - full| = %.3g\n", GetParam().c_str(), worst);
}

TEST_P(KVCacheTest, RepeatRowsSharesPrefill) {
  torch::NoGradGuard no_grad;
  const int64_t G = 3;
  Rows prompts = random_rows({4, 2});
  Rows continuations = random_rows({3, 3, 3, 3, 3, 3});  // row p*G+g continues prompt p

  Rows full;
  for (size_t p = 0; p < prompts.size(); ++p) {
    for (int64_t g = 0; g < G; ++g) {
      auto row = prompts[p];
      const auto& c = continuations[p * G + g];
      row.insert(row.end(), c.begin(), c.end());
      full.push_back(row);
    }
  }
  torch::Tensor tokens, mask;
  left_pad_batch(full, 0, tokens, mask);  // [6,7]
  auto positions = positions_from_mask(mask);
  auto reference = model_->forward(tokens, positions, mask);

  // one prefill per prompt, then G copies of each cache row
  torch::Tensor prompt_tokens, prompt_mask;
  left_pad_batch(prompts, 0, prompt_tokens, prompt_mask);  // [2,4]
  KVCache cache = model_->make_cache(2, tokens.size(1));
  model_->forward(prompt_tokens, positions_from_mask(prompt_mask), prompt_mask, &cache);
  cache.repeat_rows(G);
  EXPECT_EQ(cache.batch_size(), 2 * G);
  EXPECT_EQ(cache.length, 4);

  for (int64_t t = 4; t < tokens.size(1); ++t) {
    auto step = model_->forward(tokens.narrow(1, t, 1), positions.narrow(1, t, 1), mask.narrow(1, 0, t + 1), &cache);
    EXPECT_LT(max_difference(step, reference.narrow(1, t, 1), mask.narrow(1, t, 1)), kTolerance) << "step " << t;
  }
}

TEST_P(KVCacheTest, SelectRowsKeepsRemainingRows) {
  torch::NoGradGuard no_grad;
  Rows prompts = random_rows({3, 5, 2});
  Rows continuations = random_rows({4, 4, 4});
  Rows full = prompts;
  for (size_t r = 0; r < full.size(); ++r) full[r].insert(full[r].end(), continuations[r].begin(), continuations[r].end());
  torch::Tensor tokens, mask;
  left_pad_batch(full, 0, tokens, mask);  // [3,9]
  auto positions = positions_from_mask(mask);
  auto reference = model_->forward(tokens, positions, mask);

  // prefill and two steps with all rows, then drop row 1 and reorder to {2, 0}
  const int64_t P = 5, T = tokens.size(1);
  KVCache cache = model_->make_cache(3, T);
  model_->forward(tokens.narrow(1, 0, P), positions.narrow(1, 0, P), mask.narrow(1, 0, P), &cache);
  for (int64_t t = P; t < P + 2; ++t)
    model_->forward(tokens.narrow(1, t, 1), positions.narrow(1, t, 1), mask.narrow(1, 0, t + 1), &cache);

  auto rows = torch::tensor({2, 0}, torch::kLong);
  cache.select_rows(rows);
  EXPECT_EQ(cache.batch_size(), 2);
  EXPECT_EQ(cache.length, P + 2);
  auto kept_tokens = tokens.index_select(0, rows), kept_mask = mask.index_select(0, rows);
  auto kept_positions = positions.index_select(0, rows), kept_reference = reference.index_select(0, rows);
  for (int64_t t = P + 2; t < T; ++t) {
    auto step = model_->forward(kept_tokens.narrow(1, t, 1), kept_positions.narrow(1, t, 1),
                                kept_mask.narrow(1, 0, t + 1), &cache);
    EXPECT_LT(max_difference(step, kept_reference.narrow(1, t, 1), kept_mask.narrow(1, t, 1)), kTolerance)
        << "step " << t;
  }
}

TEST_P(KVCacheTest, RejectsOverflowAndBadMask) {
  torch::NoGradGuard no_grad;
  KVCache cache = model_->make_cache(1, 3);
  auto tokens = torch::ones({1, 4}, torch::kLong);
  auto mask = torch::ones({1, 4}, torch::kBool);
  EXPECT_THROW(model_->forward(tokens, positions_from_mask(mask), mask, &cache), Error);
  EXPECT_THROW(model_->forward(tokens, positions_from_mask(mask), torch::ones({1, 3}, torch::kBool)), Error);
}

INSTANTIATE_TEST_SUITE_P(Families, KVCacheTest, ::testing::Values("llama", "qwen2", "qwen3"));

}  // namespace
}  // namespace r1
