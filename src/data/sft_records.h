// Supervised fine-tuning records and their tokenization with a loss mask.
//
// A JSONL file has one record per line, in either form:
//   {"messages": [{"role": "user", "content": "..."}, {"role": "assistant", "content": "..."}]}
//     rendered with the model's chat template; the assistant messages are the targets;
//   {"prompt": "...", "completion": "..."}
//     the prompt text followed by the completion text and the end-of-sequence
//     token; the completion and that token are the targets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chat/chat_template.h"
#include "tokenizer/tokenizer.h"

namespace r1 {

struct SftRecord {
  nlohmann::ordered_json messages;  // array of {role, content, ...}; null for prompt-completion records
  std::string prompt;
  std::string completion;
  std::string source;  // "file:line", for messages about this record

  bool is_chat() const { return !messages.is_null(); }
};

// Reads the records of a JSONL file. Throws r1::Error naming the file and
// line for a missing or empty file, malformed JSON, a record with neither
// "messages" nor "prompt" and "completion", a message without a string role
// and content, or a conversation without an assistant message.
std::vector<SftRecord> load_sft_records(const std::string& path);

struct SftExample {
  std::vector<int64_t> tokens;
  std::vector<uint8_t> targets;  // one flag per token: 1 on completion and assistant tokens
  bool truncated = false;        // cut to the maximum length
  std::string source;
};

struct SftEncodeOptions {
  // Renders chat records; chat records fail without one.
  const ChatTemplate* chat_template = nullptr;
  // Appended to the completion of prompt-completion records as a target, so
  // the model learns to stop; nullopt appends nothing.
  std::optional<int64_t> eos_id;
  // Sequences longer than this keep their first max_length tokens; 0 keeps all.
  int64_t max_length = 0;
};

// Tokenizes a record and marks its target tokens. Chat records: every
// assistant message, as the template renders it after the generation prompt
// (including the template's end-of-turn tokens), is a target. Throws
// r1::Error naming record.source when the template renders an assistant
// message differently inside the whole conversation than after the messages
// before it (templates that drop the reasoning of earlier turns do this).
//
// NOTE: the text is encoded in spans (prompt, target, prompt, ...), so a
// token that would merge across a span boundary is split there. Chat
// templates end each span with a newline or a special token, where the
// byte-level pretokenizers split anyway.
SftExample encode_sft_record(const SftRecord& record, const Tokenizer& tokenizer, const SftEncodeOptions& options);

}  // namespace r1
