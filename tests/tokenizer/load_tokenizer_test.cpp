// Loading tokenizers from the file layouts that Hugging Face models ship,
// and the errors for files that are missing, malformed or unsupported.
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_util.h"
#include "tokenizer/load_tokenizer.h"
#include "util/error.h"

namespace r1 {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class LoadTokenizerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = fs::temp_directory_path() /
              ("r1_load_tokenizer_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(folder_);
    fs::create_directories(folder_);
    std::ifstream in(test::fixture_dir() / "tokenizer/tiny/tokenizer.json");
    tiny_ = json::parse(in);
  }
  void TearDown() override { fs::remove_all(folder_); }

  fs::path write(const std::string& name, const std::string& content) {
    std::ofstream out(folder_ / name, std::ios::binary);
    out << content;
    return folder_ / name;
  }

  // The message of the r1::Error that loading path raises.
  static std::string load_error(const fs::path& path) {
    try {
      load_tokenizer(path);
    } catch (const Error& error) {
      return error.what();
    }
    return "no error";
  }

  fs::path folder_;
  json tiny_;
};

const std::string kSample = "Hello world, 안녕 <think>12345</think> \xFF end\n";

TEST_F(LoadTokenizerTest, MissingPathNamesIt) {
  const std::string message = load_error(folder_ / "nope.json");
  EXPECT_NE(message.find("nope.json"), std::string::npos) << message;
  EXPECT_NE(message.find("does not exist"), std::string::npos) << message;
}

TEST_F(LoadTokenizerTest, EmptyFolderListsExpectedFiles) {
  const std::string message = load_error(folder_);
  EXPECT_NE(message.find("vocab.json + merges.txt"), std::string::npos) << message;
}

TEST_F(LoadTokenizerTest, MalformedJsonIsReported) {
  const std::string message = load_error(write("tokenizer.json", "{\"model\": "));
  EXPECT_NE(message.find("not valid JSON"), std::string::npos) << message;
}

TEST_F(LoadTokenizerTest, UnknownRegexIsRejected) {
  tiny_["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = "\\p{N}{1,3}";
  const std::string message = load_error(write("tokenizer.json", tiny_.dump()));
  EXPECT_NE(message.find("regex \"\\\\p{N}{1,3}\" is not supported"), std::string::npos) << message;
}

TEST_F(LoadTokenizerTest, UnknownModelTypeIsRejected) {
  tiny_["model"]["type"] = "WordPiece";
  const std::string message = load_error(write("tokenizer.json", tiny_.dump()));
  EXPECT_NE(message.find("model type \"WordPiece\" is not supported"), std::string::npos) << message;
}

TEST_F(LoadTokenizerTest, StringMergesEqualPairMerges) {
  const auto pairs = load_tokenizer(test::fixture_dir() / "tokenizer/tiny/tokenizer.json");
  json strings = json::array();
  for (const auto& merge : tiny_["model"]["merges"]) {
    strings.push_back(merge[0].get<std::string>() + " " + merge[1].get<std::string>());
  }
  tiny_["model"]["merges"] = strings;
  const auto from_strings = load_tokenizer(write("tokenizer.json", tiny_.dump()));
  EXPECT_EQ(from_strings->encode(kSample), pairs->encode(kSample));
}

TEST_F(LoadTokenizerTest, Gpt2VocabAndMergesFiles) {
  // vocab.json and merges.txt made from the tiny tokenizer's model.
  json vocab = tiny_["model"]["vocab"];
  vocab["<|endoftext|>"] = 661;
  std::string merges = "#version: 0.2\n";
  for (const auto& merge : tiny_["model"]["merges"]) {
    merges += merge[0].get<std::string>() + " " + merge[1].get<std::string>() + "\n";
  }
  write("vocab.json", vocab.dump());
  write("merges.txt", merges);
  const auto tokenizer = load_tokenizer(folder_);
  EXPECT_EQ(tokenizer->vocab_size(), 662);
  EXPECT_EQ(tokenizer->eos_id(), 661);
  EXPECT_EQ(tokenizer->bos_id(), 661);
  EXPECT_EQ(tokenizer->encode("a<|endoftext|>").back(), 661);
  EXPECT_EQ(tokenizer->decode(tokenizer->encode(kSample)), kSample);

  // The same files under GPT-2's original names.
  fs::rename(folder_ / "vocab.json", folder_ / "encoder.json");
  fs::rename(folder_ / "merges.txt", folder_ / "vocab.bpe");
  EXPECT_EQ(load_tokenizer(folder_)->encode(kSample), tokenizer->encode(kSample));
}

TEST_F(LoadTokenizerTest, MalformedMergeLineNamesLine) {
  write("vocab.json", tiny_["model"]["vocab"].dump());
  write("merges.txt", "#version: 0.2\n\xC4\xA0 t\nbroken\n");
  const std::string message = load_error(folder_);
  EXPECT_NE(message.find("merges.txt:3"), std::string::npos) << message;
}

TEST_F(LoadTokenizerTest, TemplateProcessingAddsSpecialTokens) {
  tiny_["post_processor"] = json::parse(R"({
    "type": "TemplateProcessing",
    "single": [{"SpecialToken": {"id": "<|im_start|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
               {"SpecialToken": {"id": "<|im_end|>", "type_id": 0}}],
    "pair": [],
    "special_tokens": {"<|im_start|>": {"id": "<|im_start|>", "ids": [657], "tokens": ["<|im_start|>"]},
                       "<|im_end|>": {"id": "<|im_end|>", "ids": [658], "tokens": ["<|im_end|>"]}}})");
  const auto tokenizer = load_tokenizer(write("tokenizer.json", tiny_.dump()));
  const auto ids = tokenizer->encode("hi", true);
  ASSERT_GE(ids.size(), 3u);
  EXPECT_EQ(ids.front(), 657);
  EXPECT_EQ(ids.back(), 658);
  EXPECT_EQ(tokenizer->encode("hi", false).size(), ids.size() - 2);
}

// Expected ids from Hugging Face tokenizers 0.23.3 on the same modified files:
// after a Split, each piece gets the space; with use_regex, each text segment.
TEST_F(LoadTokenizerTest, ByteLevelAddPrefixSpace) {
  tiny_["pre_tokenizer"]["pretokenizers"][1]["add_prefix_space"] = true;
  auto tokenizer = load_tokenizer(write("tokenizer.json", tiny_.dump()));
  EXPECT_EQ(tokenizer->encode("hello world"), (std::vector<int64_t>{220, 336, 288, 78, 220, 295, 75, 67}));
  EXPECT_EQ(tokenizer->encode(" hi"), (std::vector<int64_t>{395, 72}));
  EXPECT_EQ(tokenizer->encode("a<think>b"), (std::vector<int64_t>{271, 659, 394}));
  EXPECT_EQ(tokenizer->encode("x\ny"), (std::vector<int64_t>{314, 302, 404}));

  tiny_["pre_tokenizer"] = json{{"type", "ByteLevel"}, {"add_prefix_space", true}, {"use_regex", true}};
  tokenizer = load_tokenizer(write("tokenizer.json", tiny_.dump()));
  EXPECT_EQ(tokenizer->encode("a<think>b"), (std::vector<int64_t>{271, 659, 394}));
  EXPECT_EQ(tokenizer->encode("x\ny"), (std::vector<int64_t>{314, 198, 88}));
}

TEST_F(LoadTokenizerTest, TokenizerConfigSetsBosAndAddBos) {
  write("tokenizer.json", tiny_.dump());
  write("tokenizer_config.json",
        R"({"bos_token": {"content": "<|im_start|>", "lstrip": false}, "eos_token": "<|im_end|>",
            "pad_token": null, "add_bos_token": true})");
  const auto tokenizer = load_tokenizer(folder_);
  EXPECT_EQ(tokenizer->bos_id(), 657);
  EXPECT_EQ(tokenizer->eos_id(), 658);
  EXPECT_EQ(tokenizer->pad_id(), std::nullopt);
  EXPECT_EQ(tokenizer->encode("hi", true).front(), 657);
}

TEST_F(LoadTokenizerTest, UnknownBosTokenIsReported) {
  write("tokenizer.json", tiny_.dump());
  write("tokenizer_config.json", R"({"bos_token": "<s>"})");
  const std::string message = load_error(folder_);
  EXPECT_NE(message.find("bos_token \"<s>\" is not in the vocabulary"), std::string::npos) << message;
}

TEST(LoadRealTokenizer, QwenAndLlamaSpecialTokens) {
  R1_REQUIRE_REAL_DATA("tokenizer-qwen3/tokenizer_config.json");
  R1_REQUIRE_REAL_DATA("tokenizer-llama3/tokenizer_config.json");
  const auto qwen = load_tokenizer(test::real_data_dir() / "tokenizer-qwen3");
  EXPECT_EQ(qwen->vocab_size(), 151669);
  EXPECT_EQ(qwen->eos_id(), 151645);  // <|im_end|>
  EXPECT_EQ(qwen->pad_id(), 151643);  // <|endoftext|>
  EXPECT_EQ(qwen->bos_id(), std::nullopt);
  EXPECT_EQ(qwen->encode("hi", true), qwen->encode("hi", false));

  const auto llama = load_tokenizer(test::real_data_dir() / "tokenizer-llama3");
  EXPECT_EQ(llama->vocab_size(), 128256);
  EXPECT_EQ(llama->bos_id(), 128000);
  EXPECT_EQ(llama->eos_id(), 128001);
  // This tokenizer.json has only a ByteLevel post-processor and the config has
  // no add_bos_token, so Hugging Face adds no token either.
  EXPECT_EQ(llama->encode("hi", true), llama->encode("hi", false));
}

}  // namespace
}  // namespace r1
