// SFT records: loading both record forms, the target flags of prompt,
// completion and assistant tokens, truncation, and file:line errors.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "chat/chat_template.h"
#include "data/sft_records.h"
#include "test_util.h"
#include "tokenizer/load_tokenizer.h"
#include "util/error.h"

namespace r1 {
namespace {

std::filesystem::path trainer_data(const std::string& name) { return test::fixture_dir() / "trainers" / name; }
std::filesystem::path qwen2_folder() { return test::fixture_dir() / "hf" / "qwen2"; }

// The decoded text of the tokens whose flag equals `flag`, span by span.
std::vector<std::string> spans_with_flag(const SftExample& example, const Tokenizer& tokenizer, uint8_t flag) {
  std::vector<std::string> spans;
  std::vector<int64_t> current;
  for (size_t t = 0; t <= example.tokens.size(); ++t) {
    if (t < example.tokens.size() && example.targets[t] == flag) {
      current.push_back(example.tokens[t]);
      continue;
    }
    if (!current.empty()) spans.push_back(tokenizer.decode(current));
    current.clear();
  }
  return spans;
}

std::string error_message(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(SftRecords, PromptCompletionTargetsCompletionAndEos) {
  auto tokenizer = load_tokenizer(qwen2_folder());
  auto records = load_sft_records(trainer_data("sft_prompt_completion.jsonl").string());
  ASSERT_EQ(records.size(), 6u);
  EXPECT_FALSE(records[0].is_chat());

  SftEncodeOptions options;
  options.eos_id = tokenizer->eos_id();
  SftExample example = encode_sft_record(records[0], *tokenizer, options);
  ASSERT_EQ(example.tokens.size(), example.targets.size());
  EXPECT_EQ(spans_with_flag(example, *tokenizer, 0), std::vector<std::string>({"Q: 1+1="}));
  EXPECT_EQ(spans_with_flag(example, *tokenizer, 1), std::vector<std::string>({" 2<|im_end|>"}));
  EXPECT_EQ(example.tokens.back(), *tokenizer->eos_id());
  EXPECT_FALSE(example.truncated);
}

TEST(SftRecords, ChatTargetsEveryAssistantMessage) {
  auto tokenizer = load_tokenizer(qwen2_folder());
  ChatTemplate chat_template = load_chat_template(qwen2_folder() / "tokenizer_config.json");
  auto records = load_sft_records(trainer_data("sft_chat.jsonl").string());
  ASSERT_EQ(records.size(), 4u);
  ASSERT_TRUE(records[2].is_chat());

  SftEncodeOptions options;
  options.chat_template = &chat_template;
  SftExample example = encode_sft_record(records[2], *tokenizer, options);
  EXPECT_EQ(spans_with_flag(example, *tokenizer, 1), std::vector<std::string>({"5<|im_end|>\n", "4<|im_end|>\n"}));
  EXPECT_EQ(spans_with_flag(example, *tokenizer, 0),
            std::vector<std::string>({"<|im_start|>user\nWhat is 9-4?<|im_end|>\n<|im_start|>assistant\n",
                                      "<|im_start|>user\nAnd 9-5?<|im_end|>\n<|im_start|>assistant\n"}));

  // The whole token sequence decodes to the template's rendering.
  EXPECT_EQ(tokenizer->decode(example.tokens), chat_template.render(records[2].messages, false));
}

TEST(SftRecords, ChatWithoutTemplateFails) {
  auto tokenizer = load_tokenizer(qwen2_folder());
  auto records = load_sft_records(trainer_data("sft_chat.jsonl").string());
  std::string message = error_message([&] { encode_sft_record(records[0], *tokenizer, {}); });
  EXPECT_NE(message.find("sft_chat.jsonl:1"), std::string::npos) << message;
  EXPECT_NE(message.find("chat template"), std::string::npos) << message;
}

TEST(SftRecords, TruncationKeepsFirstTokens) {
  auto tokenizer = load_tokenizer(qwen2_folder());
  auto records = load_sft_records(trainer_data("sft_prompt_completion.jsonl").string());
  SftEncodeOptions options;
  options.eos_id = tokenizer->eos_id();
  SftExample full = encode_sft_record(records[4], *tokenizer, options);
  options.max_length = static_cast<int64_t>(full.tokens.size()) - 1;
  SftExample cut = encode_sft_record(records[4], *tokenizer, options);
  EXPECT_TRUE(cut.truncated);
  ASSERT_EQ(cut.tokens.size(), full.tokens.size() - 1);
  EXPECT_TRUE(std::equal(cut.tokens.begin(), cut.tokens.end(), full.tokens.begin()));
  EXPECT_EQ(cut.targets.size(), cut.tokens.size());
}

TEST(SftRecords, MissingFieldNamesFileAndLine) {
  std::string message =
      error_message([] { load_sft_records(trainer_data("sft_missing_completion.jsonl").string()); });
  EXPECT_NE(message.find("sft_missing_completion.jsonl:2"), std::string::npos) << message;
  EXPECT_NE(message.find("completion"), std::string::npos) << message;
}

TEST(SftRecords, EmptyFileFails) {
  std::string message = error_message([] { load_sft_records(trainer_data("empty.jsonl").string()); });
  EXPECT_NE(message.find("empty.jsonl is empty"), std::string::npos) << message;
}

TEST(SftRecords, MissingFileFails) {
  std::string message = error_message([] { load_sft_records(trainer_data("no_such_file.jsonl").string()); });
  EXPECT_NE(message.find("not found"), std::string::npos) << message;
}

}  // namespace
}  // namespace r1
