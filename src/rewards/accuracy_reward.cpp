#include "rewards/accuracy_reward.h"

#include "util/error.h"

namespace r1::rewards {

math::CheckOptions parse_check_options(const nlohmann::json& options) {
  math::CheckOptions check;
  try {
    if (options.contains("dataset")) check.extractors = math::default_extractors(options.at("dataset").get<std::string>());
    if (options.contains("extractors")) {
      check.extractors.clear();
      for (const auto& name : options.at("extractors")) check.extractors.push_back(math::parse_extractor(name.get<std::string>()));
      if (check.extractors.empty()) fail("accuracy option 'extractors' is empty; list at least one extractor");
    }
    if (options.contains("time_ms")) check.limits.time_ms = options.at("time_ms").get<double>();
    if (options.contains("max_answer_bytes")) check.limits.max_answer_bytes = options.at("max_answer_bytes").get<size_t>();
  } catch (const nlohmann::json::exception& e) {
    fail("invalid accuracy options {}: {}", options.dump(), e.what());
  }
  if (!(check.limits.time_ms > 0)) fail("accuracy option time_ms must be positive, got {}", check.limits.time_ms);
  return check;
}

AccuracyReward::AccuracyReward(const nlohmann::json& options) : options_(parse_check_options(options)) {
  correct_value_ = options.value("correct_value", 1.0);
  incorrect_value_ = options.value("incorrect_value", 0.0);
}

RewardResult AccuracyReward::score(const RewardInput& input) const {
  math::CheckResult check =
      math::check_completion(input.completion, input.reference.answer, options_, input.truncated);
  RewardResult result;
  result.correct = check.correct;
  result.value = check.correct ? correct_value_ : incorrect_value_;
  if (!check.extracted.empty()) result.extracted = check.extracted;
  if (!check.extractor.empty()) result.details["extractor"] = check.extractor;
  if (!check.detail.empty()) result.details["reason"] = check.detail;
  result.details["seconds"] = check.seconds;
  switch (check.status) {
    case math::CheckStatus::kOk:
    case math::CheckStatus::kNoAnswer: result.status = RewardStatus::kOk; break;
    case math::CheckStatus::kGoldUnparseable: result.status = RewardStatus::kGoldUnparseable; break;
    case math::CheckStatus::kLimitExceeded: result.status = RewardStatus::kLimitExceeded; break;
  }
  return result;
}

}  // namespace r1::rewards
