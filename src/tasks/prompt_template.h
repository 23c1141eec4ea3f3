// Prompt templates for question-answer tasks: a template is text with one or
// more "{question}" placeholders, chosen by name or given verbatim.
#pragma once

#include <string>
#include <vector>

namespace r1 {

// Built-in template names:
//   "r1"   - the R1-Zero plain-text template: the assistant reasons inside
//            <think></think> and answers inside <answer></answer>, then
//            "User: {question}" and "Assistant:";
//   "math" - the question followed by a request for the final answer in \boxed{};
//   "raw"  - the question alone.
std::vector<std::string> prompt_template_names();

// Resolves a template name, or returns `name_or_text` itself when it contains
// "{question}". Throws r1::Error for an unknown name without a placeholder.
std::string resolve_prompt_template(const std::string& name_or_text);

// Replaces every "{question}" in `template_text` with `question`.
std::string render_prompt(const std::string& template_text, const std::string& question);

}  // namespace r1
