#include "tasks/prompt_template.h"

#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "util/error.h"

namespace r1 {

namespace {

const std::string kQuestionPlaceholder = "{question}";

const std::map<std::string, std::string>& builtin_templates() {
  static const std::map<std::string, std::string> templates = {
      {"r1",
       "A conversation between a User and an Assistant. The User asks a question and the Assistant "
       "solves it. The Assistant first reasons about the problem step by step and then gives the "
       "final answer. The reasoning goes inside <think> </think> tags and the final answer inside "
       "<answer> </answer> tags, like this: <think> reasoning </think> <answer> answer </answer>.\n"
       "User: {question}\n"
       "Assistant:"},
      {"math", "{question}\nReason step by step, and put your final answer within \\boxed{}."},
      {"raw", "{question}"},
  };
  return templates;
}

}  // namespace

std::vector<std::string> prompt_template_names() {
  std::vector<std::string> names;
  for (const auto& entry : builtin_templates()) names.push_back(entry.first);
  return names;
}

std::string resolve_prompt_template(const std::string& name_or_text) {
  auto found = builtin_templates().find(name_or_text);
  if (found != builtin_templates().end()) return found->second;
  if (name_or_text.find(kQuestionPlaceholder) != std::string::npos) return name_or_text;
  fail("unknown prompt template '{}': use one of {} or a template text containing {}", name_or_text,
       fmt::join(prompt_template_names(), ", "), kQuestionPlaceholder);
}

std::string render_prompt(const std::string& template_text, const std::string& question) {
  std::string rendered;
  size_t start = 0;
  while (true) {
    size_t found = template_text.find(kQuestionPlaceholder, start);
    if (found == std::string::npos) break;
    rendered.append(template_text, start, found - start);
    rendered += question;
    start = found + kQuestionPlaceholder.size();
  }
  rendered.append(template_text, start, std::string::npos);
  return rendered;
}

}  // namespace r1
