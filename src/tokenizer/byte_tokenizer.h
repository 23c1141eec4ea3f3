// The built-in tokenizer of the demo model: one token per byte plus special
// tokens for the reasoning tags, so any UTF-8 text encodes and the tags cost
// one token each.
//
//   id 0 <pad>, 1 <bos>, 2 <eos>, 3 <think>, 4 </think>, 5 <answer>,
//   6 </answer>, then byte b has id 7 + b (263 ids in all).
#pragma once

#include <array>
#include <string>

#include "tokenizer/tokenizer.h"

namespace r1 {

class ByteTokenizer : public Tokenizer {
 public:
  static constexpr int64_t kPad = 0, kBos = 1, kEos = 2, kThink = 3, kThinkEnd = 4, kAnswer = 5, kAnswerEnd = 6;
  static constexpr int64_t kNumSpecial = 7;
  static constexpr int64_t kVocabSize = kNumSpecial + 256;

  std::vector<int64_t> encode(const std::string& text, bool add_special = false) const override;
  std::string decode(const std::vector<int64_t>& ids, bool skip_special = false) const override;
  int64_t vocab_size() const override { return kVocabSize; }
  std::optional<int64_t> token_to_id(const std::string& token) const override;
  std::string id_to_token(int64_t id) const override;
  std::optional<int64_t> bos_id() const override { return kBos; }
  std::optional<int64_t> eos_id() const override { return kEos; }
  std::optional<int64_t> pad_id() const override { return kPad; }

  // Written forms of the special tokens, indexed by id.
  static const std::array<std::string, kNumSpecial>& special_tokens();
};

}  // namespace r1
