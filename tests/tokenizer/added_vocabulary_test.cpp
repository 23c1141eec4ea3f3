// Expected splits agree with Hugging Face tokenizers 0.23.3 (encode offsets of
// added tokens with the same flags).
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tokenizer/added_vocabulary.h"

namespace r1 {
namespace {

AddedVocabulary make_vocabulary() {
  std::vector<AddedToken> tokens(6);
  tokens[0].content = "<|im_start|>";
  tokens[0].id = 10;
  tokens[1].content = "<|im_start|>x";  // longer token with the same prefix
  tokens[1].id = 11;
  tokens[2].content = "[L]";
  tokens[2].id = 12;
  tokens[2].lstrip = true;
  tokens[3].content = "[R]";
  tokens[3].id = 13;
  tokens[3].rstrip = true;
  tokens[4].content = "[W]";
  tokens[4].id = 14;
  tokens[4].single_word = true;
  tokens[5].content = "<norm>";
  tokens[5].id = 15;
  tokens[5].normalized = true;
  return AddedVocabulary(tokens);
}

// Renders segments as "text|id" strings (id -1 for plain text).
std::vector<std::string> split(const std::string& text, bool normalized = false) {
  std::vector<TextSegment> segments;
  make_vocabulary().split(text, normalized, segments);
  std::vector<std::string> out;
  for (const auto& segment : segments) out.push_back(std::string(segment.text) + "|" + std::to_string(segment.token_id));
  return out;
}

using Segments = std::vector<std::string>;

TEST(AddedVocabulary, LeftmostLongestMatch) {
  EXPECT_EQ(split("a<|im_start|>xy<|im_start|>"), (Segments{"a|-1", "<|im_start|>x|11", "y|-1", "<|im_start|>|10"}));
  EXPECT_EQ(split("no tokens"), (Segments{"no tokens|-1"}));
  EXPECT_EQ(split("<|im_start"), (Segments{"<|im_start|-1"}));
}

TEST(AddedVocabulary, LstripTakesWhitespaceOnLeft) {
  EXPECT_EQ(split("a  [L]b"), (Segments{"a|-1", "  [L]|12", "b|-1"}));
}

TEST(AddedVocabulary, RstripTakesWhitespaceOnRight) {
  EXPECT_EQ(split("a[R] \t b"), (Segments{"a|-1", "[R] \t |13", "b|-1"}));
  EXPECT_EQ(split("[L][L]  [R]  [L]"), (Segments{"[L]|12", "[L]|12", "  |-1", "[R]  |13", "[L]|12"}));
}

TEST(AddedVocabulary, SingleWordNeedsWordBoundaries) {
  EXPECT_EQ(split("a[W]b"), (Segments{"a[W]b|-1"}));
  EXPECT_EQ(split("_[W]"), (Segments{"_[W]|-1"}));
  EXPECT_EQ(split("1[W]"), (Segments{"1[W]|-1"}));
  EXPECT_EQ(split("a [W] b"), (Segments{"a |-1", "[W]|14", " b|-1"}));
  EXPECT_EQ(split("[W]"), (Segments{"[W]|14"}));
}

TEST(AddedVocabulary, NormalizedTokensMatchOnlyInSecondPass) {
  EXPECT_EQ(split("x<norm>y"), (Segments{"x<norm>y|-1"}));
  EXPECT_EQ(split("x<norm>y", true), (Segments{"x|-1", "<norm>|15", "y|-1"}));
}

}  // namespace
}  // namespace r1
