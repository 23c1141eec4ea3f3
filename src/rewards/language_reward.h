// The "language" reward: the share of words in the chain of thought that are
// in the target language, which DeepSeek-R1 added to stop language mixing,
// and a mixed-language filter built on it for rejection sampling.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "rewards/reward.h"

namespace r1::rewards {

struct LanguageCount {
  size_t target_words = 0;
  size_t total_words = 0;
  double share() const { return total_words == 0 ? 0.0 : static_cast<double>(target_words) / total_words; }
};

// Counts words of `text` and those in `language` (ISO 639-1: en, fr, de, es,
// it, pt, zh, ja, ko, ru, uk, el, ar, fa, he, hi, th). Words are identified by
// script: every Han, Hiragana or Katakana character counts as one word, other
// scripts count runs of letters. Math ($...$, \(...\), \[...\], LaTeX
// commands), numbers and single ASCII letters are not words. For en, fr, de
// and es, a Latin word that is a common function word of another of these
// languages only ("und", "les", "los") counts as foreign. Throws r1::Error for
// an unknown language.
LanguageCount count_language_words(std::string_view text, const std::string& language);

// The text of the chain of thought: what lies inside <think>...</think> (or
// before </think> when the prompt opened the block); the whole text when
// there is no think tag.
std::string_view chain_of_thought(std::string_view completion);

// Whether the chain of thought mixes languages: fewer than `min_share` of its
// words are in `language`. Texts without words are not mixed.
bool is_language_mixed(std::string_view completion, const std::string& language, double min_share = 0.95);

class LanguageReward : public RewardFunction {
 public:
  // Options: "language" (default "en"), "scope": "think" (default) or "completion".
  explicit LanguageReward(const nlohmann::json& options = nlohmann::json::object());
  std::string name() const override { return "language"; }
  RewardResult score(const RewardInput& input) const override;

 private:
  std::string language_ = "en";
  bool whole_completion_ = false;
};

}  // namespace r1::rewards
