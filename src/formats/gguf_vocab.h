// Tokenizer metadata of a GGUF file (the tokenizer.ggml.* keys) built from a
// Hugging Face byte-level BPE tokenizer (tokenizer.json and
// tokenizer_config.json), laid out as llama.cpp's convert_hf_to_gguf.py
// writes it for GPT-2-style tokenizers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "formats/gguf.h"

namespace r1::gguf {

// llama.cpp's token types (tokenizer.ggml.token_type values).
enum TokenType : int32_t {
  kNormal = 1,
  kUnknown = 2,
  kControl = 3,
  kUserDefined = 4,
  kUnused = 5,
  kByte = 6,
};

struct GgufVocab {
  std::vector<std::string> tokens;  // one per embedding row; "[PAD<id>]" fills unused ids
  std::vector<int32_t> token_types;
  std::vector<std::string> merges;  // "left right"
  std::string pre;                  // pre-tokenizer name, e.g. "qwen2", "llama-bpe", "gpt-2"
  std::optional<uint32_t> bos_id, eos_id, pad_id, unk_id;
  std::optional<bool> add_bos, add_eos;
  std::string chat_template;  // empty when the tokenizer has none
};

// Special-token ids from the model's config.json, used where
// tokenizer_config.json names no token.
struct ConfigTokenIds {
  std::optional<int64_t> bos, eos, pad;
};

// Reads <folder>/tokenizer.json (and tokenizer_config.json when present).
// vocab_size is the model's embedding row count, which may exceed the
// tokenizer's size. `pre` overrides the detected pre-tokenizer name when not
// empty. Throws r1::Error naming the file for a missing file, a model type
// other than BPE, or an id outside vocab_size.
GgufVocab read_hf_vocab(const std::filesystem::path& folder, int64_t vocab_size, const ConfigTokenIds& config_ids,
                        const std::string& pre = "");

// The pre-tokenizer name llama.cpp uses for this tokenizer.json pre_tokenizer:
// "llama-bpe" (Llama 3 digit groups of 1-3), "qwen2" (single digits),
// "gpt-2" (plain byte-level), or "default" for any other pre-tokenizer.
std::string detect_pre_tokenizer(const nlohmann::json& tokenizer_json);

// Sets tokenizer.ggml.model = "gpt2" and the other tokenizer.ggml.* keys.
void add_vocab_metadata(GgufWriter& writer, const GgufVocab& vocab);

}  // namespace r1::gguf
