// Added tokens (special tokens such as "<|im_end|>" and extra tokens such as
// "<think>"): they are never split, and they are found in the text before BPE
// runs. Matching follows Hugging Face tokenizers: leftmost-longest among the
// tokens, with the lstrip, rstrip and single_word flags of each token.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace r1 {

struct AddedToken {
  std::string content;
  int64_t id = 0;
  bool special = false;      // dropped by decode with skip_special
  bool lstrip = false;       // the match also takes the whitespace on its left
  bool rstrip = false;       // the match also takes the whitespace on its right
  bool single_word = false;  // matches only where no word character touches it
  bool normalized = false;   // matched in the normalized text, not the raw text
};

// One part of a split text: plain text (token_id < 0) or one added token.
struct TextSegment {
  std::string_view text;
  int64_t token_id = -1;
};

class AddedVocabulary {
 public:
  AddedVocabulary() = default;
  explicit AddedVocabulary(std::vector<AddedToken> tokens);

  // Splits text at the added tokens whose `normalized` flag equals
  // normalized, appending the segments in order. Empty plain segments are
  // left out.
  void split(std::string_view text, bool normalized, std::vector<TextSegment>& segments) const;

  bool has_normalized_tokens() const { return !normalized_.empty(); }
  const std::vector<AddedToken>& tokens() const { return tokens_; }

 private:
  // Tokens of one kind (normalized or not) grouped by first byte, longest first.
  struct Group {
    std::vector<std::vector<size_t>> by_first_byte = std::vector<std::vector<size_t>>(256);
    bool empty() const;
  };

  // Finds the leftmost-longest match at or after from. Returns false if none.
  bool find_next(std::string_view text, size_t from, const Group& group, size_t& begin, size_t& end,
                 size_t& token_index) const;

  std::vector<AddedToken> tokens_;
  Group raw_;
  Group normalized_;
};

}  // namespace r1
