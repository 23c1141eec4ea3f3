#include "tokenizer/byte_tokenizer.h"

#include "util/error.h"

namespace r1 {

const std::array<std::string, ByteTokenizer::kNumSpecial>& ByteTokenizer::special_tokens() {
  static const std::array<std::string, kNumSpecial> tokens = {"<pad>",   "<bos>",    "<eos>",    "<think>",
                                                              "</think>", "<answer>", "</answer>"};
  return tokens;
}

std::vector<int64_t> ByteTokenizer::encode(const std::string& text, bool add_special) const {
  std::vector<int64_t> ids;
  ids.reserve(text.size() + 1);
  if (add_special) ids.push_back(kBos);
  const auto& specials = special_tokens();
  size_t i = 0;
  while (i < text.size()) {
    // special tokens written in the text are matched before bytes
    bool matched = false;
    if (text[i] == '<') {
      for (int64_t id = 0; id < kNumSpecial; ++id) {
        if (text.compare(i, specials[id].size(), specials[id]) == 0) {
          ids.push_back(id);
          i += specials[id].size();
          matched = true;
          break;
        }
      }
    }
    if (!matched) {
      ids.push_back(kNumSpecial + static_cast<unsigned char>(text[i]));
      ++i;
    }
  }
  return ids;
}

std::string ByteTokenizer::decode(const std::vector<int64_t>& ids, bool skip_special) const {
  std::string text;
  text.reserve(ids.size());
  for (int64_t id : ids) {
    if (id < 0 || id >= kVocabSize) fail("byte tokenizer: token id {} is outside the vocabulary [0, {})", id, kVocabSize);
    if (id < kNumSpecial) {
      if (!skip_special) text += special_tokens()[id];
    } else {
      text.push_back(static_cast<char>(id - kNumSpecial));
    }
  }
  return text;
}

std::optional<int64_t> ByteTokenizer::token_to_id(const std::string& token) const {
  for (int64_t id = 0; id < kNumSpecial; ++id)
    if (special_tokens()[id] == token) return id;
  if (token.size() == 1) return kNumSpecial + static_cast<unsigned char>(token[0]);
  return std::nullopt;
}

std::string ByteTokenizer::id_to_token(int64_t id) const { return decode({id}); }

}  // namespace r1
