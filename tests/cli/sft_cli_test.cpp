// The `r1 sft` subcommand: fine-tunes Hugging Face folders and r1
// checkpoints, saves them in the layout they were loaded from, logs every
// step, and names file and line for bad records.
#include "cli/cli_test_util.h"

namespace {

using r1::test::fresh_dir;
using r1::test::read_lines;
using r1::test::run_r1;

std::string trainer_data(const std::string& name) { return r1::test::fixture("trainers/" + name); }
std::string qwen2_folder() { return r1::test::fixture("hf/qwen2"); }

TEST(SftCli, ChatRecordsOnHfFolder) {
  auto out = fresh_dir("sft_chat") / "out";
  auto result = run_r1("sft --model " + qwen2_folder() + " --data " + trainer_data("sft_chat.jsonl") + " --out " +
                       out.string() +
                       " --max-steps 3 --micro-batch-size 2 --grad-accum 2 --eval-share 0.25 --save-every 2 "
                       "--lr 1e-3 --threads 1");
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("sft step     3/3"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("3 training and 1 held-out examples"), std::string::npos) << result.output;

  for (const char* file : {"model.safetensors", "config.json", "tokenizer.json", "tokenizer_config.json"}) {
    EXPECT_TRUE(std::filesystem::exists(out / "final" / file)) << file;
  }
  EXPECT_TRUE(std::filesystem::exists(out / "step-2" / "model.safetensors"));

  // step 0 contains the eval loss before training, and so does the last step
  auto lines = read_lines(out / "metrics.jsonl");
  ASSERT_EQ(lines.size(), 4u);
  auto first = nlohmann::json::parse(lines.front());
  auto last = nlohmann::json::parse(lines.back());
  EXPECT_EQ(first.at("step"), 0);
  EXPECT_TRUE(first.contains("eval_loss"));
  EXPECT_EQ(last.at("step"), 3);
  EXPECT_TRUE(last.contains("eval_loss"));
  EXPECT_GT(last.at("target_tokens").get<int64_t>(), 0);

  // the saved folder loads and generates
  auto generated = run_r1("generate --model " + (out / "final").string() + " -p hi --max-new-tokens 2 --threads 1");
  EXPECT_EQ(generated.status, 0) << generated.output;
}

TEST(SftCli, LowersTrainingLoss) {
  auto out = fresh_dir("sft_loss") / "out";
  auto result = run_r1("sft --model " + qwen2_folder() + " --data " + trainer_data("sft_prompt_completion.jsonl") +
                       " --out " + out.string() +
                       " --max-steps 15 --micro-batch-size 6 --eval-share 0 --lr 1e-2 --threads 1");
  ASSERT_EQ(result.status, 0) << result.output;
  auto lines = read_lines(out / "metrics.jsonl");
  ASSERT_EQ(lines.size(), 15u);
  const double first = nlohmann::json::parse(lines.front()).at("loss").get<double>();
  const double last = nlohmann::json::parse(lines.back()).at("loss").get<double>();
  EXPECT_LT(last, first * 0.7) << "first " << first << ", last " << last;
}

TEST(SftCli, PromptCompletionOnR1Checkpoint) {
  auto dir = fresh_dir("sft_r1");
  r1::test::pretrain_tiny(dir / "base");
  auto out = dir / "out";
  auto result = run_r1("sft --model " + (dir / "base" / "model").string() + " --data " +
                       trainer_data("sft_prompt_completion.jsonl") + " --out " + out.string() +
                       " --max-steps 2 --micro-batch-size 2 --max-length 9 --threads 1");
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_TRUE(std::filesystem::exists(out / "final" / "r1_tokenizer.json"));
  EXPECT_NE(result.output.find("6 truncated to 9 tokens"), std::string::npos) << result.output;
}

TEST(SftCli, ChatRecordsNeedChatTemplate) {
  auto dir = fresh_dir("sft_no_template");
  r1::test::pretrain_tiny(dir / "base");
  auto result = run_r1("sft --model " + (dir / "base" / "model").string() + " --data " +
                       trainer_data("sft_chat.jsonl") + " --out " + (dir / "out").string() + " --threads 1");
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("chat template"), std::string::npos) << result.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "out"));
}

TEST(SftCli, MissingFieldNamesLine) {
  auto dir = fresh_dir("sft_missing_field");
  auto result = run_r1("sft --model " + qwen2_folder() + " --data " + trainer_data("sft_missing_completion.jsonl") +
                       " --out " + (dir / "out").string() + " --threads 1");
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("sft_missing_completion.jsonl:2"), std::string::npos) << result.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "out"));
}

TEST(SftCli, EmptyFileFails) {
  auto dir = fresh_dir("sft_empty");
  auto result = run_r1("sft --model " + qwen2_folder() + " --data " + trainer_data("empty.jsonl") + " --out " +
                       (dir / "out").string() + " --threads 1");
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("empty.jsonl is empty"), std::string::npos) << result.output;
}

TEST(SftCli, RejectsInvalidOptions) {
  auto dir = fresh_dir("sft_invalid");
  for (const char* bad : {"--eval-share 1", "--max-length 1", "--micro-batch-size 0", "--min-lr-ratio 2"}) {
    auto result = run_r1("sft --model " + qwen2_folder() + " --data " + trainer_data("sft_chat.jsonl") + " --out " +
                         (dir / "out").string() + " --threads 1 " + bad);
    EXPECT_NE(result.status, 0) << bad;
    EXPECT_FALSE(std::filesystem::exists(dir / "out")) << bad;
  }
}

}  // namespace
