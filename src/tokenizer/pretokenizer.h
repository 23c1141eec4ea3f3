// The regex split step of byte-level BPE pre-tokenization, hand-written for
// the patterns that GPT-2, Llama 3 (the tiktoken cl100k pattern) and
// Qwen2/Qwen3 use. It returns the same pieces as Hugging Face tokenizers
// (Oniguruma, Split with behavior "Isolated") for those exact patterns, and is
// several times faster than a general regex engine.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace r1 {

enum class SplitPattern {
  // 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
  kGpt2,
  // (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
  //  ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
  kLlama3,
  // The Llama 3 pattern with single digits: \p{N} in place of \p{N}{1,3}.
  kQwen2,
};

// Returns the pattern whose regex source is exactly regex, or nullopt.
std::optional<SplitPattern> recognize_split_pattern(std::string_view regex);

// Returns the regex source of a pattern.
std::string split_pattern_regex(SplitPattern pattern);

// Splits text into consecutive pieces that cover it, as the pattern's
// matches. Invalid UTF-8 bytes count as single characters outside \p{L},
// \p{N} and \s.
void split_pretokens(std::string_view text, SplitPattern pattern, std::vector<std::string_view>& pieces);

}  // namespace r1
