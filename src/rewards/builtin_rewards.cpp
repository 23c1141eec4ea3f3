#include <memory>

#include "rewards/accuracy_reward.h"
#include "rewards/external_reward.h"
#include "rewards/format_reward.h"
#include "rewards/language_reward.h"
#include "rewards/length_reward.h"
#include "rewards/reward.h"

namespace r1::rewards {

void register_builtin_rewards(RewardRegistry& registry) {
  registry.add("accuracy", "1 when the final answer is mathematically equivalent to the gold answer, else 0",
               [](const nlohmann::json& options) { return std::make_unique<AccuracyReward>(options); });
  registry.add("format", "1 for exactly one <think>...</think> then one <answer>...</answer>, else 0",
               [](const nlohmann::json& options) { return std::make_unique<FormatReward>(options); });
  registry.add("language", "share of chain-of-thought words in the target language (0..1)",
               [](const nlohmann::json& options) { return std::make_unique<LanguageReward>(options); });
  registry.add("length", "DAPO soft over-length penalty (-1..0)",
               [](const nlohmann::json& options) { return std::make_unique<SoftOverlongReward>(options); });
  registry.add("cosine", "cosine length-scaled correctness reward",
               [](const nlohmann::json& options) { return std::make_unique<CosineLengthReward>(options); });
  registry.add("repetition", "n-gram repetition penalty (max_penalty..0)",
               [](const nlohmann::json& options) { return std::make_unique<RepetitionReward>(options); });
  registry.add("external", "a plug-in process speaking JSON lines on stdin/stdout",
               [](const nlohmann::json& options) { return std::make_unique<ExternalReward>(options); });
}

}  // namespace r1::rewards
