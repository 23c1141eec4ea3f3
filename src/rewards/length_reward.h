// Length-shaped rewards: DAPO's soft over-length penalty ("length"), the
// cosine length-scaled correctness reward of Yeo et al. 2025, "Demystifying
// Long Chain-of-Thought Reasoning in LLMs" ("cosine"), and an n-gram
// repetition penalty ("repetition").
//
// Lengths are RewardInput::completion_tokens, or the completion's Unicode
// code points when that is -1, so set the limits in the same unit.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "rewards/accuracy_reward.h"
#include "rewards/reward.h"

namespace r1::rewards {

// Number of Unicode code points in UTF-8 text.
int64_t count_code_points(std::string_view text);
int64_t completion_length(const RewardInput& input);

// DAPO soft over-length penalty: 0 up to max_length - cache_length, then
// falling linearly to -1 at max_length, and -1 beyond.
double soft_overlong_penalty(int64_t length, int64_t max_length, int64_t cache_length);

class SoftOverlongReward : public RewardFunction {
 public:
  // Options: "max_length" (default 4096), "cache_length" (default 512).
  explicit SoftOverlongReward(const nlohmann::json& options = nlohmann::json::object());
  std::string name() const override { return "length"; }
  RewardResult score(const RewardInput& input) const override;

 private:
  int64_t max_length_ = 4096;
  int64_t cache_length_ = 512;
};

struct CosineOptions {
  int64_t max_length = 4096;
  double correct_short = 2.0;  // reward of a correct answer at length 0
  double correct_long = 1.0;   // ... at max_length
  double wrong_short = -10.0;  // reward of a wrong answer at length 0
  double wrong_long = 0.0;     // ... at max_length
  double exceed = -10.0;       // truncated or longer than max_length
};

// r(L) = long + (short - long) * (1 + cos(pi * L / max_length)) / 2, with the
// correct or the wrong pair of end values.
double cosine_length_reward(int64_t length, bool correct, bool truncated, const CosineOptions& options);

class CosineLengthReward : public RewardFunction {
 public:
  // Options: the CosineOptions fields by name, and "accuracy": options of the
  // accuracy check that decides correctness.
  explicit CosineLengthReward(const nlohmann::json& options = nlohmann::json::object());
  std::string name() const override { return "cosine"; }
  RewardResult score(const RewardInput& input) const override;

 private:
  CosineOptions options_;
  AccuracyReward accuracy_;
};

// Penalty for repeated word n-grams: max_penalty * (1 - distinct / total),
// where max_penalty <= 0; 0 when the text has fewer than n words.
double repetition_penalty(std::string_view text, int ngram_size, double max_penalty);

class RepetitionReward : public RewardFunction {
 public:
  // Options: "ngram_size" (default 3), "max_penalty" (default -1.0).
  explicit RepetitionReward(const nlohmann::json& options = nlohmann::json::object());
  std::string name() const override { return "repetition"; }
  RewardResult score(const RewardInput& input) const override;

 private:
  int ngram_size_ = 3;
  double max_penalty_ = -1.0;
};

}  // namespace r1::rewards
