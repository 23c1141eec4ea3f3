// Byte-level BPE tokenizer of GPT-2, Llama 3, Qwen2/Qwen3 and the
// DeepSeek-R1 distills built on them. Encoding follows the Hugging Face
// tokenizers pipeline: added tokens split the raw text, each remaining part
// is normalized (NFC for Qwen), split by the pre-tokenizer regex, mapped to
// the byte-level alphabet and merged by the BPE model.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tokenizer/added_vocabulary.h"
#include "tokenizer/bpe_model.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/tokenizer.h"

namespace r1 {

// Everything that defines a byte-level BPE tokenizer, as read from
// tokenizer.json (or vocab.json + merges.txt) and tokenizer_config.json.
struct BpeTokenizerConfig {
  std::unordered_map<std::string, int64_t> vocab;
  std::vector<std::pair<std::string, std::string>> merges;  // rank order
  bool ignore_merges = false;
  std::vector<AddedToken> added_tokens;

  bool nfc = false;  // normalizer: NFC or none

  // Pre-tokenizer: the regex splits in order, then the byte-level mapping.
  // byte_level_regex is the split that a ByteLevel step with use_regex runs.
  std::vector<SplitPattern> splits;
  bool add_prefix_space = false;
  std::optional<SplitPattern> byte_level_regex;

  // Tokens that encode(add_special = true) puts around the text.
  std::vector<std::string> prefix_tokens;
  std::vector<std::string> suffix_tokens;

  std::optional<std::string> bos_token;
  std::optional<std::string> eos_token;
  std::optional<std::string> pad_token;
};

class BpeTokenizer : public Tokenizer {
 public:
  explicit BpeTokenizer(BpeTokenizerConfig config);

  // Encodes text. Invalid UTF-8 bytes are kept: each one is a character of
  // its own outside \p{L}, \p{N} and \s, and maps to its byte-level token, so
  // decode(encode(x)) == x for any bytes.
  std::vector<int64_t> encode(const std::string& text, bool add_special = false) const override;

  // Decodes ids to bytes. The result is the exact bytes that were encoded,
  // so a slice of ids can end inside a UTF-8 character. Ids outside
  // [0, vocab_size()) are skipped, as Hugging Face tokenizers does, because
  // a model's embedding often has more rows than the tokenizer has tokens.
  std::string decode(const std::vector<int64_t>& ids, bool skip_special = false) const override;

  int64_t vocab_size() const override { return static_cast<int64_t>(token_text_.size()); }
  std::optional<int64_t> token_to_id(const std::string& token) const override;
  std::string id_to_token(int64_t id) const override;
  std::optional<int64_t> bos_id() const override { return bos_id_; }
  std::optional<int64_t> eos_id() const override { return eos_id_; }
  std::optional<int64_t> pad_id() const override { return pad_id_; }

  // Whether an id is an added token flagged special.
  bool is_special(int64_t id) const;

 private:
  void encode_plain(std::string_view text, std::vector<int64_t>& ids) const;
  void encode_normalized(std::string_view text, std::vector<int64_t>& ids) const;
  std::optional<int64_t> required_token(const std::optional<std::string>& token, const char* role) const;

  BpeModel model_;
  AddedVocabulary added_;
  std::unordered_map<std::string, int64_t> added_ids_;
  bool nfc_;
  std::vector<SplitPattern> splits_;
  bool add_prefix_space_;
  std::optional<SplitPattern> byte_level_regex_;

  std::vector<std::string> token_text_;     // by id; empty for unused ids
  std::vector<std::string> decoded_bytes_;  // by id: the bytes decode writes
  std::vector<bool> special_;               // by id
  std::vector<int64_t> prefix_ids_;
  std::vector<int64_t> suffix_ids_;
  std::optional<int64_t> bos_id_;
  std::optional<int64_t> eos_id_;
  std::optional<int64_t> pad_id_;
};

}  // namespace r1
