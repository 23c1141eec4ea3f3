// `r1 grpo --data`: GRPO on a JSONL question-answer file with named rewards,
// on a Hugging Face folder, with per-component reward statistics in the log.
#include "cli/cli_test_util.h"

namespace {

using r1::test::fresh_dir;
using r1::test::read_lines;
using r1::test::run_r1;

std::string trainer_data(const std::string& name) { return r1::test::fixture("trainers/" + name); }
std::string qwen2_folder() { return r1::test::fixture("hf/qwen2"); }

const char* kTinyGrpo = "--steps 2 --prompts-per-step 2 --group-size 2 --max-new-tokens 8 --threads 1";

TEST(GrpoDataCli, TrainsOnJsonlWithNamedRewards) {
  auto out = fresh_dir("grpo_data") / "out";
  auto result = run_r1("grpo --model " + qwen2_folder() + " --data " + trainer_data("gsm8k_mini.jsonl") +
                       " --answer-after '####' --template math --reward 'accuracy:1.0,format:0.2,language:0.1' "
                       "--out " + out.string() + " " + kTinyGrpo);
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("6 problems from"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("| accuracy "), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("| language "), std::string::npos) << result.output;

  for (const char* file : {"model.safetensors", "config.json", "tokenizer.json", "tokenizer_config.json"}) {
    EXPECT_TRUE(std::filesystem::exists(out / "final" / file)) << file;
  }
  auto lines = read_lines(out / "metrics.jsonl");
  ASSERT_EQ(lines.size(), 2u);
  auto record = nlohmann::json::parse(lines.back());
  for (const char* name : {"accuracy", "format", "language"}) {
    for (const char* stat : {"mean", "std"}) {
      const std::string key = std::string("rewards/") + name + "/" + stat;
      ASSERT_TRUE(record.contains(key)) << key << " missing in " << lines.back();
      EXPECT_GE(record.at(key).get<double>(), 0.0) << key;
    }
  }
  auto config = nlohmann::json::parse(r1::test::read_text(out / "config.json"));
  EXPECT_EQ(config.at("task"), "jsonl");
  EXPECT_EQ(config.at("train").at("answer_after"), "####");
}

TEST(GrpoDataCli, ChatPromptsWithSystemMessage) {
  auto out = fresh_dir("grpo_data_chat") / "out";
  auto result = run_r1("grpo --model " + qwen2_folder() + " --data " + trainer_data("gsm8k_mini.jsonl") +
                       " --answer-after '####' --template raw --chat --system 'Think first.' --out " +
                       out.string() + " " + kTinyGrpo);
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("<|im_start|>system\nThink first.<|im_end|>"), std::string::npos) << result.output;
  EXPECT_TRUE(std::filesystem::exists(out / "final" / "model.safetensors"));
}

TEST(GrpoDataCli, PeriodicEvalLogsPassAtOne) {
  auto out = fresh_dir("grpo_data_eval") / "out";
  auto result = run_r1("grpo --model " + qwen2_folder() + " --data " + trainer_data("gsm8k_mini.jsonl") +
                       " --answer-after '####' --eval-data " + trainer_data("gsm8k_mini.jsonl") +
                       " --eval-every 1 --eval-limit 2 --eval-k 2 --out " + out.string() + " " + kTinyGrpo);
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("grpo eval at step 0: 2 problems x k=2"), std::string::npos) << result.output;

  // evaluations before training and after steps 1 and 2, between the step records
  std::vector<int64_t> eval_steps;
  for (const auto& line : read_lines(out / "metrics.jsonl")) {
    auto record = nlohmann::json::parse(line);
    if (record.at("stage") != "grpo_eval") continue;
    eval_steps.push_back(record.at("step").get<int64_t>());
    EXPECT_EQ(record.at("problems").get<int64_t>(), 2) << line;
    EXPECT_EQ(record.at("k").get<int64_t>(), 2) << line;
    EXPECT_TRUE(record.contains("pass_at_1")) << line;
    EXPECT_TRUE(record.contains("cons_at_k")) << line;
  }
  EXPECT_EQ(eval_steps, std::vector<int64_t>({0, 1, 2}));
}

TEST(GrpoDataCli, EvalEveryNeedsEvalData) {
  auto dir = fresh_dir("grpo_data_eval_missing");
  auto result = run_r1("grpo --model " + qwen2_folder() + " --data " + trainer_data("gsm8k_mini.jsonl") +
                       " --eval-every 1 --out " + (dir / "out").string() + " " + kTinyGrpo);
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("--eval-data"), std::string::npos) << result.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "out"));
}

TEST(GrpoDataCli, MissingAnswerNamesLine) {
  auto dir = fresh_dir("grpo_data_missing");
  auto result = run_r1("grpo --model " + qwen2_folder() + " --data " + trainer_data("grpo_missing_answer.jsonl") +
                       " --answer-after '####' --out " + (dir / "out").string() + " " + kTinyGrpo);
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("grpo_missing_answer.jsonl:2"), std::string::npos) << result.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "out"));
}

TEST(GrpoDataCli, EmptyFileFails) {
  auto dir = fresh_dir("grpo_data_empty");
  auto result = run_r1("grpo --model " + qwen2_folder() + " --data " + trainer_data("empty.jsonl") + " --out " +
                       (dir / "out").string() + " " + kTinyGrpo);
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("is empty"), std::string::npos) << result.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "out"));
}

TEST(GrpoDataCli, RejectsConflictingOptions) {
  auto dir = fresh_dir("grpo_data_conflict");
  const std::string base = "grpo --model " + qwen2_folder() + " --out " + (dir / "out").string() + " " + kTinyGrpo;
  const std::string data = " --data " + trainer_data("gsm8k_mini.jsonl");
  for (const std::string& bad : {data + " --task countdown", data + " --system hi", data + " --template nothing",
                                 data + " --reward 'nosuch:1.0'"}) {
    auto result = run_r1(base + bad);
    EXPECT_NE(result.status, 0) << bad;
    EXPECT_FALSE(std::filesystem::exists(dir / "out")) << bad;
  }
}

}  // namespace
