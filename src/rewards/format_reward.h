// The "format" reward: 1 when the completion is exactly one
// <think>...</think> followed by exactly one <answer>...</answer>, else 0.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "rewards/reward.h"

namespace r1::rewards {

struct FormatOptions {
  // The chat template opens <think> in the prompt, so the completion starts
  // inside the thinking block and must not open it again.
  bool think_in_prompt = false;
  // Allowed after </answer>, besides whitespace.
  std::vector<std::string> end_tokens = {"<|im_end|>", "<|endoftext|>", "</s>", "<|eot_id|>", "<|end_of_text|>"};
};

// Whether `completion` has the think-then-answer format: whitespace may
// surround the blocks, contents may span lines, tags never nest or repeat,
// and nothing but end tokens and whitespace follows </answer>.
bool has_think_answer_format(std::string_view completion, const FormatOptions& options);

class FormatReward : public RewardFunction {
 public:
  // Options: "think_in_prompt" (bool), "end_tokens" (list of strings).
  explicit FormatReward(const nlohmann::json& options = nlohmann::json::object());
  std::string name() const override { return "format"; }
  RewardResult score(const RewardInput& input) const override;

 private:
  FormatOptions options_;
};

}  // namespace r1::rewards
