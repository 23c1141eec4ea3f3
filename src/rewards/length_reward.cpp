#include "rewards/length_reward.h"

#include <cctype>
#include <cmath>
#include <functional>
#include <unordered_set>
#include <vector>

#include "util/error.h"

namespace r1::rewards {

int64_t count_code_points(std::string_view text) {
  int64_t count = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

int64_t completion_length(const RewardInput& input) {
  return input.completion_tokens >= 0 ? input.completion_tokens : count_code_points(input.completion);
}

double soft_overlong_penalty(int64_t length, int64_t max_length, int64_t cache_length) {
  int64_t safe_length = max_length - cache_length;
  if (length <= safe_length) return 0.0;
  if (length > max_length) return -1.0;
  return static_cast<double>(safe_length - length) / static_cast<double>(cache_length);
}

SoftOverlongReward::SoftOverlongReward(const nlohmann::json& options) {
  max_length_ = options.value("max_length", int64_t{4096});
  cache_length_ = options.value("cache_length", int64_t{512});
  if (max_length_ <= 0 || cache_length_ <= 0 || cache_length_ > max_length_) {
    fail("invalid length options max_length={} cache_length={}; need 0 < cache_length <= max_length", max_length_,
         cache_length_);
  }
}

RewardResult SoftOverlongReward::score(const RewardInput& input) const {
  RewardResult result;
  int64_t length = completion_length(input);
  result.value = soft_overlong_penalty(length, max_length_, cache_length_);
  result.details["length"] = length;
  return result;
}

double cosine_length_reward(int64_t length, bool correct, bool truncated, const CosineOptions& options) {
  if (truncated || length > options.max_length) return options.exceed;
  double progress = static_cast<double>(length) / static_cast<double>(options.max_length);
  double at_zero = correct ? options.correct_short : options.wrong_short;
  double at_max = correct ? options.correct_long : options.wrong_long;
  return at_max + (at_zero - at_max) * 0.5 * (1.0 + std::cos(M_PI * progress));
}

CosineLengthReward::CosineLengthReward(const nlohmann::json& options)
    : accuracy_(options.value("accuracy", nlohmann::json::object())) {
  options_.max_length = options.value("max_length", options_.max_length);
  options_.correct_short = options.value("correct_short", options_.correct_short);
  options_.correct_long = options.value("correct_long", options_.correct_long);
  options_.wrong_short = options.value("wrong_short", options_.wrong_short);
  options_.wrong_long = options.value("wrong_long", options_.wrong_long);
  options_.exceed = options.value("exceed", options_.exceed);
  if (options_.max_length <= 0) fail("cosine option max_length must be positive, got {}", options_.max_length);
}

RewardResult CosineLengthReward::score(const RewardInput& input) const {
  RewardResult result = accuracy_.score(input);
  int64_t length = completion_length(input);
  bool correct = result.correct.value_or(false);
  result.value = cosine_length_reward(length, correct, input.truncated, options_);
  result.details["length"] = length;
  return result;
}

double repetition_penalty(std::string_view text, int ngram_size, double max_penalty) {
  // Words are whitespace-separated and lowercased (ASCII).
  std::vector<std::string> words;
  std::string current;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!current.empty()) words.push_back(std::move(current));
      current.clear();
    } else {
      current += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  if (!current.empty()) words.push_back(std::move(current));
  if (static_cast<int>(words.size()) < ngram_size) return 0.0;

  std::unordered_set<std::string> distinct;
  size_t total = words.size() - static_cast<size_t>(ngram_size) + 1;
  for (size_t i = 0; i < total; ++i) {
    std::string ngram;
    for (int k = 0; k < ngram_size; ++k) {
      ngram += words[i + static_cast<size_t>(k)];
      ngram += '\x1f';
    }
    distinct.insert(std::move(ngram));
  }
  return max_penalty * (1.0 - static_cast<double>(distinct.size()) / static_cast<double>(total));
}

RepetitionReward::RepetitionReward(const nlohmann::json& options) {
  ngram_size_ = options.value("ngram_size", 3);
  max_penalty_ = options.value("max_penalty", -1.0);
  if (ngram_size_ < 1) fail("repetition option ngram_size must be >= 1, got {}", ngram_size_);
  if (max_penalty_ > 0) fail("repetition option max_penalty must be <= 0, got {}", max_penalty_);
}

RewardResult RepetitionReward::score(const RewardInput& input) const {
  RewardResult result;
  result.value = repetition_penalty(input.completion, ngram_size_, max_penalty_);
  return result;
}

}  // namespace r1::rewards
