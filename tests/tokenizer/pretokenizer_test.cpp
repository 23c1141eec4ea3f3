// Expected pieces come from Hugging Face tokenizers 0.23.3
// (pre_tokenizers.Split(Regex(pattern), "isolated").pre_tokenize_str).
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tokenizer/pretokenizer.h"

namespace r1 {
namespace {

std::vector<std::string> split(const std::string& text, SplitPattern pattern) {
  std::vector<std::string_view> pieces;
  split_pretokens(text, pattern, pieces);
  return {pieces.begin(), pieces.end()};
}

using Pieces = std::vector<std::string>;

TEST(SplitPretokens, QwenSingleDigitsAndContractions) {
  EXPECT_EQ(split("I'm 12345 years", SplitPattern::kQwen2), (Pieces{"I", "'m", " ", "1", "2", "3", "4", "5", " years"}));
  EXPECT_EQ(split("x'ſa y'Sa", SplitPattern::kQwen2), (Pieces{"x", "'\xC5\xBF", "a", " y", "'S", "a"}));
}

TEST(SplitPretokens, Llama3DigitGroups) {
  EXPECT_EQ(split("12345", SplitPattern::kLlama3), (Pieces{"123", "45"}));
  EXPECT_EQ(split("DON'T", SplitPattern::kLlama3), (Pieces{"DON", "'T"}));
}

TEST(SplitPretokens, WhitespaceRuns) {
  EXPECT_EQ(split("a  \n  \n  b", SplitPattern::kQwen2), (Pieces{"a", "  \n  \n", " ", " b"}));
  EXPECT_EQ(split("a\t\tb", SplitPattern::kQwen2), (Pieces{"a", "\t", "\tb"}));
  EXPECT_EQ(split("a   ", SplitPattern::kQwen2), (Pieces{"a", "   "}));
  EXPECT_EQ(split("a\xE3\x80\x80\xE3\x80\x80" "b", SplitPattern::kQwen2),
            (Pieces{"a", "\xE3\x80\x80", "\xE3\x80\x80" "b"}));
  EXPECT_EQ(split("a\x1c b", SplitPattern::kQwen2), (Pieces{"a", "\x1c", " b"}));
}

TEST(SplitPretokens, SymbolsTakeTrailingNewlines) {
  EXPECT_EQ(split("x = {};\n\ny", SplitPattern::kQwen2), (Pieces{"x", " =", " {};\n\n", "y"}));
}

TEST(SplitPretokens, Gpt2Pattern) {
  EXPECT_EQ(split("Hello world's 2024!!  ok", SplitPattern::kGpt2),
            (Pieces{"Hello", " world", "'s", " 2024", "!!", " ", " ok"}));
  EXPECT_EQ(split("DON'T", SplitPattern::kGpt2), (Pieces{"DON", "'", "T"}));
}

TEST(SplitPretokens, InvalidBytesAreSymbols) {
  EXPECT_EQ(split("a\xFF\xFE b", SplitPattern::kQwen2), (Pieces{"a", "\xFF\xFE", " b"}));
  EXPECT_EQ(split("\xFF" "abc", SplitPattern::kQwen2), (Pieces{"\xFF" "abc"}));
}

TEST(SplitPretokens, PiecesCoverText) {
  const std::string text = "Mixed 한국어 text, 中文 and 😀 emoji\r\n\tend ";
  for (SplitPattern pattern : {SplitPattern::kGpt2, SplitPattern::kLlama3, SplitPattern::kQwen2}) {
    std::string joined;
    for (const auto& piece : split(text, pattern)) joined += piece;
    EXPECT_EQ(joined, text);
  }
}

TEST(RecognizeSplitPattern, KnownAndUnknown) {
  for (SplitPattern pattern : {SplitPattern::kGpt2, SplitPattern::kLlama3, SplitPattern::kQwen2}) {
    EXPECT_EQ(recognize_split_pattern(split_pattern_regex(pattern)), pattern);
  }
  EXPECT_EQ(recognize_split_pattern("\\p{N}{1,3}"), std::nullopt);
}

}  // namespace
}  // namespace r1
