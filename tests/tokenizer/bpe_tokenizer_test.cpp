// Behavior of the BPE tokenizer on the tiny committed tokenizer.json, which
// scripts/fixtures/make_tokenizer_fixtures.py trained with Qwen's normalizer
// and pre-tokenizer (256 byte tokens, 400 merges, 5 added tokens).
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "test_util.h"
#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/load_tokenizer.h"
#include "util/error.h"

namespace r1 {
namespace {

std::unique_ptr<Tokenizer> tiny() { return load_tokenizer(test::fixture_dir() / "tokenizer/tiny"); }

TEST(BpeTokenizer, TinySpecialTokenIds) {
  const auto tokenizer = tiny();
  EXPECT_EQ(tokenizer->vocab_size(), 661);
  EXPECT_EQ(tokenizer->bos_id(), std::nullopt);
  EXPECT_EQ(tokenizer->eos_id(), 658);  // <|im_end|>
  EXPECT_EQ(tokenizer->pad_id(), 656);  // <|endoftext|>
  EXPECT_EQ(tokenizer->token_to_id("<think>"), 659);
  EXPECT_EQ(tokenizer->id_to_token(658), "<|im_end|>");
  EXPECT_EQ(tokenizer->token_to_id("\xC4\xA0"), 220);  // "Ġ", the byte-level space
  EXPECT_EQ(tokenizer->token_to_id("not a token"), std::nullopt);
}

TEST(BpeTokenizer, AddedTokensAreNeverSplit) {
  const auto tokenizer = tiny();
  const auto ids = tokenizer->encode("<|im_start|>user\n<think>x</think><|im_end|>");
  ASSERT_GE(ids.size(), 5u);
  EXPECT_EQ(ids.front(), 657);
  EXPECT_EQ(ids.back(), 658);
  EXPECT_NE(std::find(ids.begin(), ids.end(), 659), ids.end());
  EXPECT_NE(std::find(ids.begin(), ids.end(), 660), ids.end());
}

TEST(BpeTokenizer, DecodeSkipsOnlySpecialTokens) {
  const auto tokenizer = tiny();
  const auto ids = tokenizer->encode("<think>hi</think><|im_end|>");
  EXPECT_EQ(tokenizer->decode(ids), "<think>hi</think><|im_end|>");
  EXPECT_EQ(tokenizer->decode(ids, true), "<think>hi</think>");
}

TEST(BpeTokenizer, InvalidUtf8RoundTrips) {
  const auto tokenizer = tiny();
  const std::string text = "ok \xFF\xC3 \xE2\x82 end\x80";
  const auto ids = tokenizer->encode(text);
  EXPECT_EQ(tokenizer->decode(ids), text);
  EXPECT_EQ(tokenizer->encode(""), std::vector<int64_t>{});
}

TEST(BpeTokenizer, DecodeOfPartialCharacterGivesItsBytes) {
  const auto tokenizer = tiny();
  const auto ids = tokenizer->encode("\xF0\x90\x8D\x88");  // U+10348, not merged in the tiny vocabulary
  ASSERT_GT(ids.size(), 1u);
  std::string joined;
  for (int64_t id : ids) joined += tokenizer->decode({id});
  EXPECT_EQ(joined, "\xF0\x90\x8D\x88");
}

TEST(BpeTokenizer, DecodeSkipsIdsWithoutToken) {
  const auto tokenizer = tiny();
  const auto ids = tokenizer->encode("ok");
  std::vector<int64_t> padded = {661, -1};
  padded.insert(padded.end(), ids.begin(), ids.end());
  padded.push_back(100000);
  EXPECT_EQ(tokenizer->decode(padded), "ok");
}

TEST(BpeTokenizer, IdToTokenRejectsOutOfRange) {
  const auto tokenizer = tiny();
  EXPECT_THROW(tokenizer->id_to_token(661), Error);
  EXPECT_THROW(tokenizer->id_to_token(-1), Error);
}

TEST(BpeTokenizer, AddSpecialFollowsConfig) {
  const auto tokenizer = tiny();
  EXPECT_EQ(tokenizer->encode("hi", true), tokenizer->encode("hi", false));  // add_bos_token is false
}

// Encoding shares the word cache across threads; results must not depend on
// which thread filled it.
TEST(BpeTokenizer, ConcurrentEncodeMatchesSerial) {
  const auto tokenizer = tiny();
  std::vector<std::string> texts;
  std::ifstream in(test::fixture_dir() / "tokenizer/parity_corpus.jsonl");
  std::string line;
  while (std::getline(in, line) && texts.size() < 600) {
    const auto record = nlohmann::json::parse(line);
    if (record.contains("text")) texts.push_back(record["text"].get<std::string>());
  }
  const auto serial_tokenizer = tiny();  // its own cache
  std::vector<std::vector<int64_t>> serial;
  for (const auto& text : texts) serial.push_back(serial_tokenizer->encode(text));

  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round) {
        for (size_t i = 0; i < texts.size(); ++i) {
          if (tokenizer->encode(texts[(i + t * 97) % texts.size()]) != serial[(i + t * 97) % texts.size()]) {
            ++mismatches[t];
          }
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

// A handmade vocabulary: merges apply by rank, leftmost first among equal ranks.
TEST(BpeTokenizer, MergesApplyInRankOrder) {
  BpeTokenizerConfig config;
  config.vocab = {{"a", 0}, {"b", 1}, {"c", 2}, {"ab", 3}, {"bc", 4}, {"aa", 5}, {"aaa", 6}};
  config.merges = {{"b", "c"}, {"a", "b"}, {"a", "a"}};
  config.byte_level_regex = SplitPattern::kGpt2;
  const BpeTokenizer tokenizer(config);
  EXPECT_EQ(tokenizer.encode("abc"), (std::vector<int64_t>{0, 4}));      // "bc" (rank 0) before "ab"
  EXPECT_EQ(tokenizer.encode("aaa"), (std::vector<int64_t>{5, 0}));      // leftmost "aa", no "aa a" merge
  EXPECT_EQ(tokenizer.encode("abab"), (std::vector<int64_t>{3, 3}));
  EXPECT_EQ(tokenizer.decode({5, 0}), "aaa");
}

TEST(BpeTokenizer, IgnoreMergesUsesWholeWord) {
  BpeTokenizerConfig config;
  config.vocab = {{"a", 0}, {"b", 1}, {"c", 2}, {"bc", 3}, {"abc", 4}};
  config.merges = {{"b", "c"}};
  config.byte_level_regex = SplitPattern::kGpt2;
  EXPECT_EQ(BpeTokenizer(config).encode("abc"), (std::vector<int64_t>{0, 3}));
  config.ignore_merges = true;
  EXPECT_EQ(BpeTokenizer(config).encode("abc"), (std::vector<int64_t>{4}));
}

}  // namespace
}  // namespace r1
