#include "chat/chat_template.h"

#include <fstream>
#include <sstream>

#include "chat/jinja_template.h"
#include "util/error.h"

namespace r1 {

namespace {

using ordered_json = nlohmann::ordered_json;

// The names transformers reads a message's reasoning from, in priority order.
const char* const kReasoningFields[] = {"reasoning_content", "thinking", "reasoning"};

// Applies the message clean-up of transformers 5's apply_chat_template:
// drop null-valued keys, then alias the reasoning fields.
ordered_json normalize_message(const ordered_json& message) {
  ordered_json cleaned = ordered_json::object();
  for (const auto& [key, value] : message.items()) {
    if (!value.is_null()) cleaned[key] = value;
  }

  const ordered_json* reasoning = nullptr;
  for (const char* field : kReasoningFields) {
    if (cleaned.contains(field)) {
      reasoning = &cleaned[field];
      break;
    }
  }
  if (reasoning == nullptr) return cleaned;

  // Python: {"thinking": reasoning, **message, "reasoning_content": reasoning}
  const ordered_json reasoning_value = *reasoning;
  ordered_json aliased = ordered_json::object();
  aliased["thinking"] = reasoning_value;
  for (const auto& [key, value] : cleaned.items()) aliased[key] = value;
  aliased["reasoning_content"] = reasoning_value;
  return aliased;
}

// A special token in tokenizer_config.json: a string, null, or an
// AddedToken object {"content": "...", ...}.
std::optional<std::string> read_token(const ordered_json& config, const std::string& key) {
  if (!config.contains(key) || config[key].is_null()) return std::nullopt;
  const ordered_json& token = config[key];
  if (token.is_string()) return token.get<std::string>();
  if (token.is_object() && token.contains("content") && token["content"].is_string()) {
    return token["content"].get<std::string>();
  }
  fail("tokenizer_config.json: {} must be a string, null or an object with a \"content\" string, got {}", key,
       token.dump());
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream) fail("cannot open {}; check that the file exists and is readable", path.string());
  std::ostringstream buffer;
  buffer << stream.rdbuf();
  return buffer.str();
}

}  // namespace

ChatTemplate::ChatTemplate(std::string source, std::optional<std::string> bos_token, std::optional<std::string> eos_token)
    : source_(std::move(source)),
      bos_token_(std::move(bos_token)),
      eos_token_(std::move(eos_token)),
      template_(std::make_shared<const jinja::Template>(source_)) {}

void ChatTemplate::set_variable(const std::string& name, nlohmann::ordered_json value) {
  for (auto& entry : variables_) {
    if (entry.first == name) {
      entry.second = std::move(value);
      return;
    }
  }
  variables_.emplace_back(name, std::move(value));
}

std::string ChatTemplate::render(const nlohmann::ordered_json& messages, bool add_generation_prompt,
                                 const nlohmann::ordered_json& extra) const {
  if (!messages.is_array()) fail("chat template: messages must be a JSON array of objects, got {}", messages.type_name());
  if (!extra.is_object()) fail("chat template: extra variables must be a JSON object, got {}", extra.type_name());

  // Special tokens first, so that `extra` can override them.
  jinja::Dict variables;
  if (bos_token_) variables.set("bos_token", jinja::Value(*bos_token_));
  if (eos_token_) variables.set("eos_token", jinja::Value(*eos_token_));
  for (const auto& [name, value] : variables_) variables.set(name, jinja::from_json(value));

  ordered_json normalized = ordered_json::array();
  for (size_t i = 0; i < messages.size(); ++i) {
    if (!messages[i].is_object()) {
      fail("chat template: message {} must be an object with \"role\" and \"content\", got {}", i, messages[i].dump());
    }
    normalized.push_back(normalize_message(messages[i]));
  }
  variables.set("messages", jinja::from_json(normalized));
  variables.set("tools", jinja::Value::none());
  variables.set("documents", jinja::Value::none());
  variables.set("add_generation_prompt", jinja::Value(add_generation_prompt));
  for (const auto& [key, value] : extra.items()) variables.set(key, jinja::from_json(value));

  return template_->render(variables);
}

ChatTemplate chat_template_from_config(const nlohmann::ordered_json& config, const std::string& name) {
  if (!config.is_object()) fail("tokenizer_config.json must contain a JSON object, got {}", config.type_name());
  if (!config.contains("chat_template") || config["chat_template"].is_null()) {
    fail("tokenizer_config.json has no chat_template; pass the template text to ChatTemplate directly");
  }

  // chat_template: a string, or a list of named templates.
  const ordered_json& entry = config["chat_template"];
  std::string source;
  if (entry.is_string()) {
    source = entry.get<std::string>();
  } else if (entry.is_array()) {
    std::string available;
    for (const auto& item : entry) {
      if (!item.is_object() || !item.contains("name") || !item.contains("template")) {
        fail("tokenizer_config.json: chat_template list entries need \"name\" and \"template\", got {}", item.dump());
      }
      const std::string item_name = item["name"].get<std::string>();
      available += (available.empty() ? "" : ", ") + item_name;
      if (item_name == name) source = item["template"].get<std::string>();
    }
    if (source.empty()) fail("tokenizer_config.json has no chat template named '{}'; available: {}", name, available);
  } else {
    fail("tokenizer_config.json: chat_template must be a string or a list of named templates, got {}", entry.type_name());
  }

  ChatTemplate chat_template(source, read_token(config, "bos_token"), read_token(config, "eos_token"));
  for (const char* key : {"unk_token", "pad_token", "sep_token", "cls_token", "mask_token"}) {
    if (auto token = read_token(config, key)) chat_template.set_variable(key, *token);
  }
  if (config.contains("additional_special_tokens") && config["additional_special_tokens"].is_array()) {
    ordered_json tokens = ordered_json::array();
    for (const auto& token : config["additional_special_tokens"]) {
      tokens.push_back(token.is_object() && token.contains("content") ? token["content"] : token);
    }
    chat_template.set_variable("additional_special_tokens", tokens);
  }
  return chat_template;
}

ChatTemplate load_chat_template(const std::filesystem::path& tokenizer_config_path, const std::string& name) {
  ordered_json config;
  try {
    config = ordered_json::parse(read_file(tokenizer_config_path));
  } catch (const ordered_json::parse_error& error) {
    fail("{} is not valid JSON: {}", tokenizer_config_path.string(), error.what());
  }

  // Newer transformers versions save the template next to the config.
  const std::filesystem::path jinja_path = tokenizer_config_path.parent_path() / "chat_template.jinja";
  if ((!config.contains("chat_template") || config["chat_template"].is_null()) && std::filesystem::exists(jinja_path)) {
    config["chat_template"] = read_file(jinja_path);
  }
  if (!config.contains("chat_template") || config["chat_template"].is_null()) {
    fail("{} has no chat_template and there is no {} beside it; use a tokenizer that ships a chat template",
         tokenizer_config_path.string(), jinja_path.filename().string());
  }
  return chat_template_from_config(config, name);
}

}  // namespace r1
