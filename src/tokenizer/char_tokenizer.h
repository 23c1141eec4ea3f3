// The character tokenizer of verl's digit-completion test models (such as
// the random tiny Llama in TinyZero's tests): tokenizer_config.json lists the
// characters as "char_ords", and there is no tokenizer.json.
//
//   id 0 "S" (separator, the chat template's generation prompt), 1 "E" (end of
//   sequence), 2 "P" (padding), 3 "U" (unknown), then character i has id 4 + i.
//
// As in verl, the letters S, E, P and U in a text encode as those special
// tokens, and any other character outside the list encodes as U.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace r1 {

class CharTokenizer : public Tokenizer {
 public:
  static constexpr int64_t kSeparator = 0, kEos = 1, kPad = 2, kUnknown = 3, kNumSpecial = 4;

  // `characters` are Unicode code points; throws r1::Error for a repeated one.
  explicit CharTokenizer(std::vector<char32_t> characters);

  std::vector<int64_t> encode(const std::string& text, bool add_special = false) const override;
  std::string decode(const std::vector<int64_t>& ids, bool skip_special = false) const override;
  int64_t vocab_size() const override { return kNumSpecial + static_cast<int64_t>(characters_.size()); }
  std::optional<int64_t> token_to_id(const std::string& token) const override;
  std::string id_to_token(int64_t id) const override;
  std::optional<int64_t> bos_id() const override { return std::nullopt; }
  std::optional<int64_t> eos_id() const override { return kEos; }
  std::optional<int64_t> pad_id() const override { return kPad; }

 private:
  std::vector<char32_t> characters_;
  std::map<char32_t, int64_t> ids_;
};

// Whether tokenizer_config.json in `folder` describes a CharTokenizer (it has
// "char_ords").
bool has_char_tokenizer_config(const std::filesystem::path& folder);

// Reads the CharTokenizer of `folder`/tokenizer_config.json. Throws r1::Error
// naming the file when "char_ords" is missing or not a list of code points.
CharTokenizer load_char_tokenizer(const std::filesystem::path& folder);

}  // namespace r1
