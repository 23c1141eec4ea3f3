// The tokenizer interface shared by the built-in byte tokenizer and the
// byte-level BPE tokenizers of Hugging Face models.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace r1 {

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  // Encodes UTF-8 text (or any bytes) into token ids. Special tokens written
  // in the text (such as "<think>") become their ids. With add_special, the
  // tokenizer's begin-of-sequence token is prepended where it has one.
  virtual std::vector<int64_t> encode(const std::string& text, bool add_special = false) const = 0;

  // Decodes ids back to text. With skip_special, special tokens are dropped.
  virtual std::string decode(const std::vector<int64_t>& ids, bool skip_special = false) const = 0;

  virtual int64_t vocab_size() const = 0;

  // The id of a token given by its text form, if the vocabulary has it.
  virtual std::optional<int64_t> token_to_id(const std::string& token) const = 0;

  // The text form of one token id (special tokens in their written form).
  virtual std::string id_to_token(int64_t id) const = 0;

  virtual std::optional<int64_t> bos_id() const = 0;
  virtual std::optional<int64_t> eos_id() const = 0;
  virtual std::optional<int64_t> pad_id() const = 0;
};

}  // namespace r1
