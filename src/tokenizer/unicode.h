// UTF-8 decoding and the Unicode character classes that the pre-tokenizer
// patterns of byte-level BPE tokenizers test: \p{L}, \p{N} and \s.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace r1 {

// Marks a byte that does not start a well-formed UTF-8 sequence.
inline constexpr uint32_t kInvalidUtf8 = 0xFFFFFFFF;

// Decodes the character at text[pos]. Returns its code point and sets length
// to its byte count. A byte that does not start a well-formed sequence (RFC
// 3629: no overlong forms, no surrogates, nothing above U+10FFFF) decodes
// alone as kInvalidUtf8 with length 1.
uint32_t decode_utf8(std::string_view text, size_t pos, int& length);

// Appends the UTF-8 form of a code point.
void append_utf8(uint32_t code_point, std::string& out);

enum class CharClass : uint8_t {
  kLetter,      // \p{L}: general category L*
  kNumber,      // \p{N}: general category N*
  kWhitespace,  // \s: Unicode White_Space (\r and \n included)
  kOther,       // everything else, invalid UTF-8 bytes included
};

// Classifies a code point (kInvalidUtf8 is kOther).
CharClass classify(uint32_t code_point);

// Returns text in Unicode Normalization Form C. Bytes that are not valid
// UTF-8 are kept in place, and the valid runs between them are normalized
// one by one, so invalid input still round-trips.
std::string normalize_nfc(std::string_view text);

}  // namespace r1
