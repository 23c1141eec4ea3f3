// The character tokenizer of verl's digit-completion test models: ids of
// listed characters, the S/E/P/U special tokens, and loading from
// tokenizer_config.json.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_util.h"
#include "tokenizer/char_tokenizer.h"
#include "tokenizer/load_tokenizer.h"
#include "util/error.h"

namespace r1 {
namespace {

CharTokenizer digits_tokenizer() {
  std::vector<char32_t> characters;
  for (char32_t c : std::u32string(U"0123456789,:")) characters.push_back(c);
  return CharTokenizer(characters);
}

TEST(CharTokenizer, EncodesListedCharacters) {
  CharTokenizer tokenizer = digits_tokenizer();
  EXPECT_EQ(tokenizer.vocab_size(), 16);
  EXPECT_EQ(tokenizer.encode("0,9:"), (std::vector<int64_t>{4, 14, 13, 15}));
  EXPECT_EQ(tokenizer.encode("12", /*add_special=*/true), (std::vector<int64_t>{5, 6}));
  EXPECT_EQ(tokenizer.decode({4, 14, 13, 15}), "0,9:");
}

TEST(CharTokenizer, SpecialAndUnknownCharacters) {
  CharTokenizer tokenizer = digits_tokenizer();
  // S, E, P and U are the special tokens; any other character is U
  EXPECT_EQ(tokenizer.encode("SEPUx"), (std::vector<int64_t>{0, 1, 2, 3, 3}));
  EXPECT_EQ(tokenizer.encode("é"), (std::vector<int64_t>{3}));
  EXPECT_EQ(tokenizer.decode({5, 1}), "1E");
  EXPECT_EQ(tokenizer.decode({5, 1}, /*skip_special=*/true), "1");
  EXPECT_EQ(tokenizer.eos_id(), 1);
  EXPECT_EQ(tokenizer.pad_id(), 2);
  EXPECT_FALSE(tokenizer.bos_id().has_value());
  EXPECT_THROW(tokenizer.decode({16}), Error);
}

TEST(CharTokenizer, LoadsFromTokenizerConfig) {
  auto dir = std::filesystem::temp_directory_path() / "r1_char_tokenizer_config";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "tokenizer_config.json") << R"({"char_ords": [48, 49, 43], "model_max_length": 64})";
  auto tokenizer = load_tokenizer(dir);
  EXPECT_EQ(tokenizer->vocab_size(), 7);
  EXPECT_EQ(tokenizer->encode("1+0"), (std::vector<int64_t>{5, 6, 4}));

  std::ofstream(dir / "tokenizer_config.json") << R"({"char_ords": "01"})";
  EXPECT_THROW(load_tokenizer(dir), Error);
}

TEST(CharTokenizer, RealTinyLlamaFolder) {
  R1_REQUIRE_REAL_DATA("tiny-llama-random/tokenizer_config.json");
  auto tokenizer = load_tokenizer(test::real_data_dir() / "tiny-llama-random");
  EXPECT_EQ(tokenizer->vocab_size(), 16);
  EXPECT_EQ(tokenizer->encode("8,3:9,4"), (std::vector<int64_t>{12, 14, 7, 15, 13, 14, 8}));
}

}  // namespace
}  // namespace r1
