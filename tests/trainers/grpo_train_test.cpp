// A few GRPO steps end to end on a tiny model and a few Countdown problems:
// rollouts, rewards, the loss and the optimizer run, the weights move and
// every step writes a complete JSONL record.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "io/checkpoint.h"
#include "model/transformer.h"
#include "tasks/countdown_task.h"
#include "tokenizer/byte_tokenizer.h"
#include "trainers/grpo.h"
#include "util/error.h"
#include "util/jsonl_log.h"

namespace r1 {
namespace {

// Countdown with an extra reward component, the share of digits in the
// completion, so an untrained model's groups already have different rewards
// and therefore non-zero advantages.
class ShapedCountdownTask : public CountdownTask {
 public:
  using CountdownTask::CountdownTask;
  ScoredCompletion score(size_t i, const std::string& completion) const override {
    ScoredCompletion scored = CountdownTask::score(i, completion);
    double digits = 0;
    for (char c : completion) digits += std::isdigit(static_cast<unsigned char>(c)) ? 1 : 0;
    scored.components["digits"] = completion.empty() ? 0.0 : digits / static_cast<double>(completion.size());
    scored.reward += scored.components["digits"];
    return scored;
  }
};

// Countdown that records the truncation flags the trainer passes.
class FlagRecordingTask : public CountdownTask {
 public:
  using CountdownTask::CountdownTask;
  std::vector<ScoredCompletion> score_all(const std::vector<size_t>& problems,
                                          const std::vector<std::string>& completions,
                                          const std::vector<bool>& truncated) const override {
    calls.push_back({completions, truncated});
    return CountdownTask::score_all(problems, completions, truncated);
  }
  mutable std::vector<std::pair<std::vector<std::string>, std::vector<bool>>> calls;
};

ModelConfig byte_model_config() {
  ModelConfig config;
  config.model_type = "qwen2";
  config.vocab_size = ByteTokenizer::kVocabSize;
  config.hidden_size = 32;
  config.intermediate_size = 64;
  config.num_hidden_layers = 2;
  config.num_attention_heads = 4;
  config.num_key_value_heads = 2;
  config.max_position_embeddings = 128;
  config.attention_bias = true;
  config.tie_word_embeddings = true;
  return config;
}

TEST(GRPOTraining, FewStepsChangeWeightsAndLog) {
  torch::manual_seed(0);
  const auto dir = std::filesystem::temp_directory_path() / ("r1_grpo_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto log_path = dir / "log.jsonl";

  Transformer policy(byte_model_config());
  policy->init_weights(1);
  Transformer before = clone_model(policy);
  Transformer reference = clone_model(policy);
  ByteTokenizer tokenizer;
  ShapedCountdownTask task({{{15, 3, 1, 7}, 46}, {{2, 3, 4}, 24}, {{9, 3, 4}, 48}});

  GRPOOptions options;
  options.steps = 3;
  options.prompts_per_step = 2;
  options.group_size = 4;
  options.micro_batch_rows = 3;  // uneven micro-batches exercise accumulation
  options.workers = 2;           // rollout chunks and micro-batches on two threads
  options.max_new_tokens = 16;
  options.lr = 1e-3;
  options.loss.beta = 0.04;
  options.seed = 5;
  int64_t callbacks = 0;
  {
    JsonlLog log(log_path.string());
    train_grpo(policy, reference, tokenizer, task, options, &log, [&](const GRPOStepStats& stats) {
      ++callbacks;
      EXPECT_EQ(stats.step, callbacks);
    });
  }
  EXPECT_EQ(callbacks, 3);

  // the weights moved; the reference did not
  double moved = 0, reference_moved = 0;
  auto after = policy->named_parameters(), start = before->named_parameters(), ref = reference->named_parameters();
  for (const auto& item : start) {
    moved = std::max(moved, (after[item.key()] - item.value()).abs().max().item<double>());
    reference_moved = std::max(reference_moved, (ref[item.key()] - item.value()).abs().max().item<double>());
  }
  EXPECT_GT(moved, 1e-5);
  EXPECT_EQ(reference_moved, 0.0);
  for (const auto& p : policy->parameters()) EXPECT_TRUE(torch::isfinite(p).all().item<bool>());

  // one record per step with finite figures
  std::ifstream in(log_path);
  std::string line;
  int64_t records = 0;
  while (std::getline(in, line)) {
    auto record = nlohmann::json::parse(line);
    ++records;
    EXPECT_EQ(record.at("stage"), "grpo");
    EXPECT_EQ(record.at("step").get<int64_t>(), records);
    for (const char* field : {"loss", "kl", "reward_mean", "reward_std", "accuracy", "response_length",
                              "clip_fraction", "grad_norm", "lr", "rewards/digits/mean",
                              "rewards/digits/std", "rewards/format/mean", "rewards/format/std"}) {
      ASSERT_TRUE(record.contains(field)) << field << " missing in " << line;
      EXPECT_TRUE(std::isfinite(record.at(field).get<double>())) << field << " in " << line;
    }
    EXPECT_GT(record.at("grad_norm").get<double>(), 0.0) << line;
    EXPECT_GT(record.at("response_length").get<double>(), 0.0) << line;
    EXPECT_LE(record.at("response_length").get<double>(), 16.0) << line;
    EXPECT_GE(record.at("kl").get<double>(), 0.0) << line;
    EXPECT_EQ(record.at("groups_kept").get<int64_t>(), 2) << line;
  }
  EXPECT_EQ(records, 3);
  std::filesystem::remove_all(dir);
}

// Every completion's truncation flag reaches the rewards: an untrained model
// rarely emits its end token, so with a budget of 12 tokens most completions
// are cut off.
TEST(GRPOTraining, PassesTruncationFlagsToRewards) {
  torch::manual_seed(0);
  Transformer policy(byte_model_config());
  policy->init_weights(2);
  Transformer reference = clone_model(policy);
  ByteTokenizer tokenizer;
  FlagRecordingTask task({{{2, 3, 4}, 24}, {{9, 3, 4}, 48}});

  GRPOOptions options;
  options.steps = 2;
  options.prompts_per_step = 2;
  options.group_size = 3;
  options.max_new_tokens = 12;
  options.lr = 1e-3;
  train_grpo(policy, reference, tokenizer, task, options, nullptr);

  ASSERT_EQ(task.calls.size(), 2u);
  int64_t truncated = 0;
  for (const auto& [texts, flags] : task.calls) {
    ASSERT_EQ(flags.size(), 6u);
    ASSERT_EQ(texts.size(), 6u);
    for (bool flag : flags) truncated += flag ? 1 : 0;
  }
  EXPECT_GT(truncated, 0);
}

TEST(GRPOTraining, RejectsInvalidOptions) {
  Transformer policy(byte_model_config());
  Transformer reference = clone_model(policy);
  ByteTokenizer tokenizer;
  ShapedCountdownTask task({{{2, 3, 4}, 24}});
  GRPOOptions options;
  options.steps = 1;
  options.lr = 0;
  EXPECT_THROW(train_grpo(policy, reference, tokenizer, task, options, nullptr), Error);
  options.lr = 1e-3;
  options.loss.beta = -1;
  EXPECT_THROW(train_grpo(policy, reference, tokenizer, task, options, nullptr), Error);
  options.loss.beta = 0.04;
  options.adam_epsilon = 0;
  EXPECT_THROW(validate_grpo_options(options), Error);
  options.adam_epsilon = 1e-8;
  options.adam_beta2 = 1;
  EXPECT_THROW(validate_grpo_options(options), Error);
  options.adam_beta2 = 0.99;
  options.workers = 0;
  EXPECT_THROW(validate_grpo_options(options), Error);
  options.workers = 2;
  EXPECT_NO_THROW(validate_grpo_options(options));
}

}  // namespace
}  // namespace r1
