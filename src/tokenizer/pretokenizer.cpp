#include "tokenizer/pretokenizer.h"

#include <cstdint>

#include "tokenizer/unicode.h"

namespace r1 {
namespace {

constexpr const char* kGpt2Regex =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
constexpr const char* kLlama3Regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kQwen2Regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// The text decoded once: code point, class and byte offset of each character.
struct DecodedText {
  std::vector<uint32_t> code_points;
  std::vector<CharClass> classes;
  std::vector<uint32_t> offsets;  // one more entry than characters: the end

  void decode(std::string_view text) {
    code_points.clear();
    classes.clear();
    offsets.clear();
    size_t pos = 0;
    while (pos < text.size()) {
      int length = 0;
      const uint32_t code_point = decode_utf8(text, pos, length);
      code_points.push_back(code_point);
      classes.push_back(classify(code_point));
      offsets.push_back(static_cast<uint32_t>(pos));
      pos += length;
    }
    offsets.push_back(static_cast<uint32_t>(pos));
  }
};

// Matches the alternatives of one pattern at a character index. Each
// match_* function returns the end index of its match, or 0 when it does
// not match (no alternative matches the empty string, and a match always
// ends after its start).
class Matcher {
 public:
  explicit Matcher(const DecodedText& text) : cp_(text.code_points), class_(text.classes), n_(cp_.size()) {}

  bool is(size_t i, CharClass c) const { return i < n_ && class_[i] == c; }
  bool is_newline(size_t i) const { return i < n_ && (cp_[i] == '\r' || cp_[i] == '\n'); }

  size_t skip(size_t i, CharClass c) const {
    while (is(i, c)) ++i;
    return i;
  }

  // 's|'t|'re|'ve|'m|'ll|'d, case-insensitive under Unicode case folding
  // when ignore_case is set (so U+017F LATIN SMALL LETTER LONG S matches s).
  size_t match_contraction(size_t i, bool ignore_case) const {
    if (cp_[i] != '\'' || i + 1 >= n_) return 0;
    auto fold = [&](uint32_t c) -> uint32_t {
      if (!ignore_case) return c;
      if (c >= 'A' && c <= 'Z') return c + ('a' - 'A');
      if (c == 0x17F) return 's';
      return c;
    };
    const uint32_t first = fold(cp_[i + 1]);
    if (first == 's' || first == 't' || first == 'm' || first == 'd') return i + 2;
    if (i + 2 >= n_) return 0;
    const uint32_t second = fold(cp_[i + 2]);
    if ((first == 'r' || first == 'v') && second == 'e') return i + 3;
    if (first == 'l' && second == 'l') return i + 3;
    return 0;
  }

  // " ?X+" for a class X: an optional leading space, then a run of X.
  size_t match_space_run(size_t i, CharClass c) const {
    if (cp_[i] == ' ' && is(i + 1, c)) return skip(i + 1, c);
    if (is(i, c)) return skip(i, c);
    return 0;
  }

  // [^\r\n\p{L}\p{N}]?\p{L}+
  size_t match_prefixed_letters(size_t i) const {
    const bool prefix = !is(i, CharClass::kLetter) && !is(i, CharClass::kNumber) && !is_newline(i);
    if (prefix && is(i + 1, CharClass::kLetter)) return skip(i + 1, CharClass::kLetter);
    if (is(i, CharClass::kLetter)) return skip(i, CharClass::kLetter);
    return 0;
  }

  // \p{N}{1,max_digits}
  size_t match_digits(size_t i, size_t max_digits) const {
    size_t end = i;
    while (end - i < max_digits && is(end, CharClass::kNumber)) ++end;
    return end == i ? 0 : end;
  }

  // " ?[^\s\p{L}\p{N}]+[\r\n]*"
  size_t match_symbols_then_newlines(size_t i) const {
    size_t end = match_space_run(i, CharClass::kOther);
    if (end == 0) return 0;
    while (is_newline(end)) ++end;
    return end;
  }

  // \s*[\r\n]+ : the whitespace run up to and including its last newline.
  size_t match_whitespace_to_newline(size_t i) const {
    const size_t run_end = skip(i, CharClass::kWhitespace);
    for (size_t k = run_end; k > i; --k) {
      if (is_newline(k - 1)) return k;
    }
    return 0;
  }

  // \s+(?!\S) : a whitespace run that ends the text, or the run minus its
  // last character so that the last one can prefix the next word.
  size_t match_whitespace_not_before_text(size_t i) const {
    const size_t run_end = skip(i, CharClass::kWhitespace);
    if (run_end == i) return 0;
    if (run_end == n_) return run_end;
    return run_end - 1 > i ? run_end - 1 : 0;
  }

  // \s+
  size_t match_whitespace(size_t i) const { return is(i, CharClass::kWhitespace) ? skip(i, CharClass::kWhitespace) : 0; }

  size_t size() const { return n_; }

 private:
  const std::vector<uint32_t>& cp_;
  const std::vector<CharClass>& class_;
  size_t n_;
};

size_t match_gpt2(const Matcher& m, size_t i) {
  size_t end = m.match_contraction(i, false);
  if (end == 0) end = m.match_space_run(i, CharClass::kLetter);
  if (end == 0) end = m.match_space_run(i, CharClass::kNumber);
  if (end == 0) end = m.match_space_run(i, CharClass::kOther);
  if (end == 0) end = m.match_whitespace_not_before_text(i);
  if (end == 0) end = m.match_whitespace(i);
  return end;
}

size_t match_llama3_family(const Matcher& m, size_t i, size_t max_digits) {
  size_t end = m.match_contraction(i, true);
  if (end == 0) end = m.match_prefixed_letters(i);
  if (end == 0) end = m.match_digits(i, max_digits);
  if (end == 0) end = m.match_symbols_then_newlines(i);
  if (end == 0) end = m.match_whitespace_to_newline(i);
  if (end == 0) end = m.match_whitespace_not_before_text(i);
  if (end == 0) end = m.match_whitespace(i);
  return end;
}

}  // namespace

std::optional<SplitPattern> recognize_split_pattern(std::string_view regex) {
  if (regex == kGpt2Regex) return SplitPattern::kGpt2;
  if (regex == kLlama3Regex) return SplitPattern::kLlama3;
  if (regex == kQwen2Regex) return SplitPattern::kQwen2;
  return std::nullopt;
}

std::string split_pattern_regex(SplitPattern pattern) {
  switch (pattern) {
    case SplitPattern::kGpt2:
      return kGpt2Regex;
    case SplitPattern::kLlama3:
      return kLlama3Regex;
    case SplitPattern::kQwen2:
      return kQwen2Regex;
  }
  return "";
}

void split_pretokens(std::string_view text, SplitPattern pattern, std::vector<std::string_view>& pieces) {
  thread_local DecodedText decoded;
  decoded.decode(text);
  const Matcher matcher(decoded);

  // Every character is matched by some alternative (the last ones take any
  // whitespace, and the symbol alternative takes everything else), so the
  // matches tile the text. A failed match would be a bug, and it falls back
  // to a one-character piece so that no byte is lost.
  size_t i = 0;
  while (i < matcher.size()) {
    size_t end = 0;
    switch (pattern) {
      case SplitPattern::kGpt2:
        end = match_gpt2(matcher, i);
        break;
      case SplitPattern::kLlama3:
        end = match_llama3_family(matcher, i, 3);
        break;
      case SplitPattern::kQwen2:
        end = match_llama3_family(matcher, i, 1);
        break;
    }
    if (end <= i) end = i + 1;
    const uint32_t begin_byte = decoded.offsets[i];
    const uint32_t end_byte = decoded.offsets[end];
    pieces.push_back(text.substr(begin_byte, end_byte - begin_byte));
    i = end;
  }
}

}  // namespace r1
