// Token-id parity with Hugging Face tokenizers 0.23.3 on a corpus of 2,400
// strings (English, Korean, Chinese, Japanese, emoji, code, LaTeX, numbers,
// whitespace runs, added tokens inside text, random code points and invalid
// UTF-8). scripts/fixtures/make_tokenizer_fixtures.py wrote the expected ids.
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_util.h"
#include "tokenizer/load_tokenizer.h"
#include "tokenizer/unicode.h"

namespace r1 {
namespace {

std::string from_hex(const std::string& hex) {
  std::string bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return bytes;
}

std::vector<std::string> read_corpus() {
  std::ifstream in(test::fixture_dir() / "tokenizer/parity_corpus.jsonl");
  std::vector<std::string> corpus;
  std::string line;
  while (std::getline(in, line)) {
    const auto record = nlohmann::json::parse(line);
    corpus.push_back(record.contains("hex") ? from_hex(record["hex"].get<std::string>()) : record["text"].get<std::string>());
  }
  return corpus;
}

std::vector<std::vector<int64_t>> read_expected(const std::string& name) {
  std::ifstream in(test::fixture_dir() / ("tokenizer/expected_" + name + ".jsonl"));
  std::vector<std::vector<int64_t>> rows;
  std::string line;
  while (std::getline(in, line)) rows.push_back(nlohmann::json::parse(line).get<std::vector<int64_t>>());
  return rows;
}

std::string printable(const std::string& text) {
  return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Encodes every corpus string that has expected ids, compares the ids, and
// checks that decoding gives back the (normalized) input.
void check_parity(const std::filesystem::path& tokenizer_path, const std::string& name, bool nfc) {
  const auto tokenizer = load_tokenizer(tokenizer_path);
  const auto corpus = read_corpus();
  const auto expected = read_expected(name);
  ASSERT_GE(corpus.size(), expected.size());
  ASSERT_GE(expected.size(), 800u);

  int mismatches = 0;
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto ids = tokenizer->encode(corpus[i]);
    if (ids != expected[i] && ++mismatches <= 10) {
      ADD_FAILURE() << name << " line " << i + 1 << " " << printable(corpus[i]) << "\n  got      "
                    << nlohmann::json(ids).dump() << "\n  expected " << nlohmann::json(expected[i]).dump();
    }
    const std::string round_trip = nfc ? normalize_nfc(corpus[i]) : corpus[i];
    EXPECT_EQ(tokenizer->decode(ids), round_trip) << name << " line " << i + 1;
  }
  EXPECT_EQ(mismatches, 0) << "strings whose ids differ from Hugging Face tokenizers";
}

TEST(TokenizerParity, Qwen3) {
  R1_REQUIRE_REAL_DATA("tokenizer-qwen3/tokenizer.json");
  check_parity(test::real_data_dir() / "tokenizer-qwen3/tokenizer.json", "qwen3", true);
}

TEST(TokenizerParity, Llama3) {
  R1_REQUIRE_REAL_DATA("tokenizer-llama3/tokenizer.json");
  check_parity(test::real_data_dir() / "tokenizer-llama3/tokenizer.json", "llama3", false);
}

TEST(TokenizerParity, Gpt2EncoderJsonAndVocabBpe) {
  R1_REQUIRE_REAL_DATA("tokenizer-gpt2/encoder.json");
  check_parity(test::real_data_dir() / "tokenizer-gpt2", "gpt2", false);
}

TEST(TokenizerParity, TinyFixture) { check_parity(test::fixture_dir() / "tokenizer/tiny", "tiny", true); }

}  // namespace
}  // namespace r1
