// Chat templates of Hugging Face tokenizers: turn a conversation (a JSON array
// of {role, content, ...} messages) into the prompt text a model was trained
// on. The output matches transformers' apply_chat_template(..., tokenize=False)
// byte for byte for the Qwen2.5, Qwen3, Llama 3 and DeepSeek-R1-Distill
// templates under tests/data/chat.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace r1 {

namespace jinja {
class Template;
}

class ChatTemplate {
 public:
  // Parses the template text. bos_token and eos_token are the tokenizer's
  // special-token strings; nullopt leaves the variable undefined, as
  // transformers does when tokenizer_config.json has null there. Throws
  // r1::Error naming the line and column on a syntax error.
  ChatTemplate(std::string source, std::optional<std::string> bos_token, std::optional<std::string> eos_token);

  // Renders a conversation. `messages` is a JSON array of message objects;
  // `extra` contains further template variables such as {"enable_thinking":
  // false} or {"tools": [...]}, which override the special tokens.
  // Like transformers 5, keys whose value is null are dropped from each
  // message, and a message's reasoning given as "reasoning_content",
  // "thinking" or "reasoning" is copied to both "thinking" and
  // "reasoning_content". Throws r1::Error with the template line and column
  // on failure, including the template's own raise_exception() calls.
  std::string render(const nlohmann::ordered_json& messages, bool add_generation_prompt,
                     const nlohmann::ordered_json& extra = nlohmann::ordered_json::object()) const;

  // Adds a variable visible to every render, such as "pad_token". Variables
  // passed to render() take precedence.
  void set_variable(const std::string& name, nlohmann::ordered_json value);

  const std::string& source() const { return source_; }
  const std::optional<std::string>& bos_token() const { return bos_token_; }
  const std::optional<std::string>& eos_token() const { return eos_token_; }

 private:
  std::string source_;
  std::optional<std::string> bos_token_;
  std::optional<std::string> eos_token_;
  std::vector<std::pair<std::string, nlohmann::ordered_json>> variables_;
  std::shared_ptr<const jinja::Template> template_;
};

// Builds the chat template of a parsed tokenizer_config.json. chat_template
// is either a string or a list of {"name", "template"} objects, from which
// `name` is taken. bos_token, eos_token and the other special tokens may be
// strings, null or {"content": ...} objects.
ChatTemplate chat_template_from_config(const nlohmann::ordered_json& config, const std::string& name = "default");

// Reads tokenizer_config.json. When it has no chat_template, a
// chat_template.jinja file in the same folder is used, which is where newer
// transformers versions save it.
ChatTemplate load_chat_template(const std::filesystem::path& tokenizer_config_path, const std::string& name = "default");

}  // namespace r1
