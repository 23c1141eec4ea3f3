#include "tokenizer/added_vocabulary.h"

#include <algorithm>

#include "tokenizer/unicode.h"

namespace r1 {
namespace {

// The character that ends before byte offset `end`, or kInvalidUtf8.
uint32_t char_before(std::string_view text, size_t end) {
  if (end == 0) return kInvalidUtf8;
  size_t start = end - 1;
  while (start > 0 && end - start < 4 && (static_cast<uint8_t>(text[start]) & 0xC0) == 0x80) --start;
  int length = 0;
  const uint32_t code_point = decode_utf8(text, start, length);
  return start + length == end ? code_point : kInvalidUtf8;
}

uint32_t char_at(std::string_view text, size_t pos, int& length) {
  if (pos >= text.size()) {
    length = 0;
    return kInvalidUtf8;
  }
  return decode_utf8(text, pos, length);
}

bool is_word_char(uint32_t code_point) {
  if (code_point == '_') return true;
  const CharClass c = classify(code_point);
  return c == CharClass::kLetter || c == CharClass::kNumber;
}

bool is_whitespace(uint32_t code_point) { return classify(code_point) == CharClass::kWhitespace; }

}  // namespace

bool AddedVocabulary::Group::empty() const {
  return std::all_of(by_first_byte.begin(), by_first_byte.end(), [](const auto& list) { return list.empty(); });
}

AddedVocabulary::AddedVocabulary(std::vector<AddedToken> tokens) : tokens_(std::move(tokens)) {
  for (size_t i = 0; i < tokens_.size(); ++i) {
    if (tokens_[i].content.empty()) continue;
    Group& group = tokens_[i].normalized ? normalized_ : raw_;
    group.by_first_byte[static_cast<uint8_t>(tokens_[i].content[0])].push_back(i);
  }
  for (Group* group : {&raw_, &normalized_}) {
    for (auto& list : group->by_first_byte) {
      std::stable_sort(list.begin(), list.end(),
                       [&](size_t a, size_t b) { return tokens_[a].content.size() > tokens_[b].content.size(); });
    }
  }
}

bool AddedVocabulary::find_next(std::string_view text, size_t from, const Group& group, size_t& begin,
                                size_t& end, size_t& token_index) const {
  for (size_t pos = from; pos < text.size(); ++pos) {
    const auto& candidates = group.by_first_byte[static_cast<uint8_t>(text[pos])];
    for (size_t index : candidates) {
      const AddedToken& token = tokens_[index];
      if (text.compare(pos, token.content.size(), token.content) != 0) continue;
      const size_t token_end = pos + token.content.size();

      // single_word: no letter, digit or underscore may touch the match.
      if (token.single_word) {
        int length = 0;
        if (is_word_char(char_before(text, pos)) || is_word_char(char_at(text, token_end, length))) continue;
      }
      begin = pos;
      end = token_end;
      token_index = index;
      return true;
    }
  }
  return false;
}

void AddedVocabulary::split(std::string_view text, bool normalized, std::vector<TextSegment>& segments) const {
  const Group& group = normalized ? normalized_ : raw_;
  size_t cursor = 0;  // end of the previous segment
  size_t search = 0;
  size_t begin = 0;
  size_t end = 0;
  size_t index = 0;
  while (search < text.size() && find_next(text, search, group, begin, end, index)) {
    const AddedToken& token = tokens_[index];
    search = end;

    // lstrip and rstrip widen the match over adjacent whitespace, but never
    // into the previous match.
    if (token.lstrip) {
      while (begin > cursor) {
        size_t start = begin - 1;
        while (start > cursor && (static_cast<uint8_t>(text[start]) & 0xC0) == 0x80) --start;
        int length = 0;
        const uint32_t before = decode_utf8(text, start, length);
        if (start + length != begin || !is_whitespace(before)) break;
        begin = start;
      }
    }
    if (token.rstrip) {
      int length = 0;
      while (end < text.size() && is_whitespace(char_at(text, end, length))) end += length;
      search = end;
    }

    if (begin > cursor) segments.push_back(TextSegment{text.substr(cursor, begin - cursor), -1});
    segments.push_back(TextSegment{text.substr(begin, end - begin), token.id});
    cursor = end;
  }
  if (cursor < text.size()) segments.push_back(TextSegment{text.substr(cursor), -1});
}

}  // namespace r1
