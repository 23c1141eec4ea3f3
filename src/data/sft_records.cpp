#include "data/sft_records.h"

#include <fstream>

#include <fmt/format.h>

#include "util/error.h"

namespace r1 {

namespace {

// The string field `name` of `object`; throws r1::Error with the reason only
// (the caller adds file and line).
std::string string_field(const nlohmann::ordered_json& object, const std::string& name, const std::string& where) {
  if (!object.contains(name)) fail("{} has no '{}' field", where, name);
  const auto& value = object.at(name);
  if (!value.is_string()) fail("{} field '{}' must be a string, got {}", where, name, value.type_name());
  return value.get<std::string>();
}

SftRecord parse_record(const std::string& text) {
  nlohmann::ordered_json object;
  try {
    object = nlohmann::ordered_json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    fail("malformed JSON ({})", e.what());
  }
  if (!object.is_object()) fail("expected a JSON object, got {}", object.type_name());

  SftRecord record;
  if (object.contains("messages")) {
    const auto& messages = object.at("messages");
    if (!messages.is_array() || messages.empty())
      fail("'messages' must be a non-empty array of {{role, content}} objects, got {}", messages.dump());
    bool has_assistant = false;
    for (size_t m = 0; m < messages.size(); ++m) {
      if (!messages[m].is_object()) fail("message {} must be an object, got {}", m, messages[m].type_name());
      const std::string where = fmt::format("message {}", m);
      has_assistant |= string_field(messages[m], "role", where) == "assistant";
      string_field(messages[m], "content", where);
    }
    if (!has_assistant) fail("the conversation has no assistant message, so nothing would be trained");
    record.messages = messages;
    return record;
  }

  if (!object.contains("prompt") && !object.contains("completion"))
    fail("record has neither 'messages' nor 'prompt' and 'completion'; use one of the two forms");
  record.prompt = string_field(object, "prompt", "record");
  record.completion = string_field(object, "completion", "record");
  if (record.completion.empty()) fail("'completion' is empty, so nothing would be trained");
  return record;
}

// Appends the tokens of `text` to `example` with the given target flag.
void append_span(SftExample& example, const Tokenizer& tokenizer, const std::string& text, bool add_special,
                 bool target) {
  for (int64_t id : tokenizer.encode(text, add_special)) {
    example.tokens.push_back(id);
    example.targets.push_back(target ? 1 : 0);
  }
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.size() >= prefix.size() && text.compare(0, prefix.size(), prefix) == 0;
}

SftExample encode_chat(const SftRecord& record, const Tokenizer& tokenizer, const ChatTemplate& chat_template) {
  const std::string full = chat_template.render(record.messages, /*add_generation_prompt=*/false);

  // Character spans of the assistant messages: the text that rendering one
  // more assistant message adds after the generation prompt.
  std::vector<std::pair<size_t, size_t>> spans;  // [begin, end) in `full`
  nlohmann::ordered_json prefix = nlohmann::ordered_json::array();
  for (size_t m = 0; m < record.messages.size(); ++m) {
    const auto& message = record.messages[m];
    if (message.at("role") == "assistant") {
      const std::string before = chat_template.render(prefix, /*add_generation_prompt=*/true);
      nlohmann::ordered_json through = prefix;
      through.push_back(message);
      const std::string after = chat_template.render(through, /*add_generation_prompt=*/false);
      if (!starts_with(after, before) || !starts_with(full, after))
        fail("{}: the chat template renders assistant message {} differently inside the whole conversation; "
             "split the conversation into one record per assistant message",
             record.source, m);
      if (!spans.empty() && before.size() < spans.back().second)
        fail("{}: assistant message {} overlaps the one before it in the rendered text; split the conversation",
             record.source, m);
      spans.emplace_back(before.size(), after.size());
    }
    prefix.push_back(message);
  }

  // Encode prompt and target spans in order; the rendered text already
  // contains the template's special tokens.
  SftExample example;
  size_t cursor = 0;
  for (const auto& [begin, end] : spans) {
    if (begin > cursor) append_span(example, tokenizer, full.substr(cursor, begin - cursor), false, false);
    append_span(example, tokenizer, full.substr(begin, end - begin), false, true);
    cursor = end;
  }
  if (cursor < full.size()) append_span(example, tokenizer, full.substr(cursor), false, false);
  return example;
}

}  // namespace

std::vector<SftRecord> load_sft_records(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail("SFT data file {} not found or not readable; check the path", path);

  std::vector<SftRecord> records;
  std::string text;
  size_t line = 0;
  while (std::getline(in, text)) {
    ++line;
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) continue;
    try {
      SftRecord record = parse_record(text);
      record.source = fmt::format("{}:{}", path, line);
      records.push_back(std::move(record));
    } catch (const Error& e) {
      fail("{}:{}: {}", path, line, e.what());
    }
  }
  if (records.empty())
    fail("SFT data file {} is empty; expected one JSON object per line with 'messages' or 'prompt' and "
         "'completion'",
         path);
  return records;
}

SftExample encode_sft_record(const SftRecord& record, const Tokenizer& tokenizer, const SftEncodeOptions& options) {
  SftExample example;
  if (record.is_chat()) {
    if (options.chat_template == nullptr)
      fail("{}: a 'messages' record needs the model's chat template, but the model has none; use prompt-completion "
           "records",
           record.source);
    example = encode_chat(record, tokenizer, *options.chat_template);
  } else {
    append_span(example, tokenizer, record.prompt, /*add_special=*/true, false);
    append_span(example, tokenizer, record.completion, false, true);
    if (options.eos_id) {
      example.tokens.push_back(*options.eos_id);
      example.targets.push_back(1);
    }
  }
  example.source = record.source;

  if (options.max_length > 0 && static_cast<int64_t>(example.tokens.size()) > options.max_length) {
    example.tokens.resize(options.max_length);
    example.targets.resize(options.max_length);
    example.truncated = true;
  }
  return example;
}

}  // namespace r1
