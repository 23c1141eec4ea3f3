// Reading Hugging Face tokenizer files into a BpeTokenizerConfig.
#pragma once

#include <filesystem>

#include "tokenizer/bpe_tokenizer.h"

namespace r1 {

// Reads a tokenizer.json of a byte-level BPE tokenizer. Supported parts:
// model BPE (merges as "a b" strings or ["a", "b"] pairs), normalizer NFC or
// none, pre-tokenizer ByteLevel and Split with the GPT-2, Llama 3 or Qwen2
// regex (also inside Sequence), decoder ByteLevel, post-processor ByteLevel
// or TemplateProcessing. Anything else raises r1::Error naming the part.
BpeTokenizerConfig read_tokenizer_json(const std::filesystem::path& path);

// Reads GPT-2's vocab.json (token to id) and merges.txt (one "a b" pair per
// line after a "#version" header) with GPT-2's pre-tokenizer. <|endoftext|>
// becomes a special added token and the bos, eos and pad token.
BpeTokenizerConfig read_gpt2_vocab_and_merges(const std::filesystem::path& vocab_path,
                                              const std::filesystem::path& merges_path);

// Applies tokenizer_config.json: bos_token, eos_token, pad_token (strings or
// {"content": ...} objects), add_bos_token and add_eos_token.
void apply_tokenizer_config(const std::filesystem::path& path, BpeTokenizerConfig& config);

}  // namespace r1
