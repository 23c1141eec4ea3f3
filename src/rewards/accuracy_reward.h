// The "accuracy" reward: 1 when the completion's final answer is equivalent
// to the gold answer, else 0, using the math answer checker.
#pragma once

#include <memory>

#include <nlohmann/json.hpp>

#include "rewards/math/checker.h"
#include "rewards/reward.h"

namespace r1::rewards {

// Options (all optional):
//   "dataset": "math" (default), "gsm8k" or "choice": picks the extractor order;
//   "extractors": ["boxed", "answer_tag", "gsm8k", "phrase", "choice"] in priority order;
//   "time_ms", "max_answer_bytes": hard limits of one check;
//   "correct_value" (1.0), "incorrect_value" (0.0).
math::CheckOptions parse_check_options(const nlohmann::json& options);

class AccuracyReward : public RewardFunction {
 public:
  explicit AccuracyReward(const nlohmann::json& options = nlohmann::json::object());
  std::string name() const override { return "accuracy"; }
  RewardResult score(const RewardInput& input) const override;

 private:
  math::CheckOptions options_;
  double correct_value_ = 1.0;
  double incorrect_value_ = 0.0;
};

}  // namespace r1::rewards
