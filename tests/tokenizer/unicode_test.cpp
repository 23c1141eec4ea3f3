#include <string>

#include <gtest/gtest.h>

#include "tokenizer/unicode.h"

namespace r1 {
namespace {

uint32_t decode_at(const std::string& text, size_t pos, int& length) { return decode_utf8(text, pos, length); }

TEST(DecodeUtf8, WellFormedSequences) {
  int length = 0;
  EXPECT_EQ(decode_at("A", 0, length), 'A');
  EXPECT_EQ(length, 1);
  EXPECT_EQ(decode_at("\xC3\xA9", 0, length), 0xE9u);
  EXPECT_EQ(length, 2);
  EXPECT_EQ(decode_at("\xED\x95\x9C", 0, length), 0xD55Cu);  // 한
  EXPECT_EQ(length, 3);
  EXPECT_EQ(decode_at("\xF0\x9F\x98\x80", 0, length), 0x1F600u);  // 😀
  EXPECT_EQ(length, 4);
}

TEST(DecodeUtf8, InvalidBytesDecodeAlone) {
  int length = 0;
  for (const std::string bad : {"\x80", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xFF",
                                "\xC3", "\xF0\x9F\x98"}) {
    EXPECT_EQ(decode_at(bad, 0, length), kInvalidUtf8) << bad.size() << "-byte input";
    EXPECT_EQ(length, 1);
  }
}

TEST(AppendUtf8, RoundTripsEveryPlane) {
  for (uint32_t code_point : {0x41u, 0xE9u, 0x800u, 0xFFFDu, 0x10000u, 0x10FFFFu}) {
    std::string text;
    append_utf8(code_point, text);
    int length = 0;
    EXPECT_EQ(decode_utf8(text, 0, length), code_point);
    EXPECT_EQ(static_cast<size_t>(length), text.size());
  }
}

TEST(Classify, MatchesRegexClasses) {
  EXPECT_EQ(classify('a'), CharClass::kLetter);
  EXPECT_EQ(classify(0xD55C), CharClass::kLetter);   // Hangul syllable
  EXPECT_EQ(classify(0x4E2D), CharClass::kLetter);   // CJK ideograph
  EXPECT_EQ(classify('7'), CharClass::kNumber);
  EXPECT_EQ(classify(0x00BD), CharClass::kNumber);   // ½ (No)
  EXPECT_EQ(classify(0x216B), CharClass::kNumber);   // Ⅻ (Nl)
  EXPECT_EQ(classify(0x3000), CharClass::kWhitespace);
  EXPECT_EQ(classify(0x0085), CharClass::kWhitespace);
  EXPECT_EQ(classify(0x000B), CharClass::kWhitespace);
  EXPECT_EQ(classify(0x001C), CharClass::kOther);  // not White_Space, although Python's str.isspace() returns True
  EXPECT_EQ(classify(0x200B), CharClass::kOther);  // zero width space is not White_Space
  EXPECT_EQ(classify(0x0301), CharClass::kOther);  // combining mark
  EXPECT_EQ(classify(0x1F600), CharClass::kOther);
  EXPECT_EQ(classify(0x20000), CharClass::kLetter);  // CJK extension B
  EXPECT_EQ(classify(kInvalidUtf8), CharClass::kOther);
}

TEST(NormalizeNfc, ComposesAndKeepsInvalidBytes) {
  EXPECT_EQ(normalize_nfc("cafe\xCC\x81"), "caf\xC3\xA9");
  EXPECT_EQ(normalize_nfc("\xE1\x84\x80\xE1\x85\xA1"), "\xEA\xB0\x80");  // conjoining jamo to 가
  EXPECT_EQ(normalize_nfc("plain ascii"), "plain ascii");
  EXPECT_EQ(normalize_nfc("e\xCC\x81\xFF" "e\xCC\x81"), "\xC3\xA9\xFF\xC3\xA9");
  EXPECT_EQ(normalize_nfc(""), "");
}

}  // namespace
}  // namespace r1
