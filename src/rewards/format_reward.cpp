#include "rewards/format_reward.h"

#include <cctype>

#include "util/error.h"

namespace r1::rewards {

namespace {

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

size_t skip_spaces(std::string_view text, size_t position) {
  while (position < text.size() && is_space(text[position])) ++position;
  return position;
}

bool contains_any_tag(std::string_view text) {
  for (std::string_view tag : {"<think>", "</think>", "<answer>", "</answer>"}) {
    if (text.find(tag) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

bool has_think_answer_format(std::string_view completion, const FormatOptions& options) {
  size_t position = skip_spaces(completion, 0);

  // <think> ... </think>
  if (!options.think_in_prompt) {
    if (completion.substr(position, 7) != "<think>") return false;
    position += 7;
  }
  size_t think_close = completion.find("</think>", position);
  if (think_close == std::string_view::npos) return false;
  if (contains_any_tag(completion.substr(position, think_close - position))) return false;
  position = skip_spaces(completion, think_close + 8);

  // <answer> ... </answer>
  if (completion.substr(position, 8) != "<answer>") return false;
  position += 8;
  size_t answer_close = completion.find("</answer>", position);
  if (answer_close == std::string_view::npos) return false;
  if (contains_any_tag(completion.substr(position, answer_close - position))) return false;
  position = answer_close + 9;

  // Only whitespace and end tokens may follow.
  while (true) {
    position = skip_spaces(completion, position);
    if (position == completion.size()) return true;
    bool matched = false;
    for (const std::string& token : options.end_tokens) {
      if (!token.empty() && completion.substr(position, token.size()) == token) {
        position += token.size();
        matched = true;
        break;
      }
    }
    if (!matched) return false;
  }
}

FormatReward::FormatReward(const nlohmann::json& options) {
  try {
    options_.think_in_prompt = options.value("think_in_prompt", false);
    if (options.contains("end_tokens")) options_.end_tokens = options.at("end_tokens").get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& e) {
    fail("invalid format options {}: {}; expected think_in_prompt (bool) and end_tokens (list of strings)",
         options.dump(), e.what());
  }
}

RewardResult FormatReward::score(const RewardInput& input) const {
  RewardResult result;
  result.value = has_think_answer_format(input.completion, options_) ? 1.0 : 0.0;
  return result;
}

}  // namespace r1::rewards
