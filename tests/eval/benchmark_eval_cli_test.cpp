// `r1 eval` on benchmark files end to end: real GSM8K and MATH-500 records
// with a tiny pretrained model and with the random tiny Llama folder, resumed
// and extended runs, settings mismatches, bad input, and eval-compare.
#include <map>
#include <set>

#include <unistd.h>

#include "cli/cli_test_util.h"
#include "test_util.h"

namespace {

using r1::test::fresh_dir;
using r1::test::read_lines;
using r1::test::read_text;
using r1::test::run_r1;

// (problem id, sample index) -> completion, from samples.jsonl.
std::map<std::pair<std::string, int64_t>, std::string> completions_of(const std::filesystem::path& samples) {
  std::map<std::pair<std::string, int64_t>, std::string> completions;
  for (const std::string& line : read_lines(samples)) {
    nlohmann::json sample = nlohmann::json::parse(line);
    completions[{sample.at("problem_id").get<std::string>(), sample.at("sample").get<int64_t>()}] =
        sample.at("completion").get<std::string>();
  }
  return completions;
}

nlohmann::json results_of(const std::filesystem::path& dir) {
  return nlohmann::json::parse(read_text(dir / "results.json"));
}

// A small question-answer file: three records with ids.
std::string small_qa_file(const std::filesystem::path& dir) {
  auto path = dir / "small.jsonl";
  std::ofstream(path) << "{\"id\": \"a\", \"problem\": \"What is 1+1?\", \"answer\": \"2\"}\n"
                         "{\"id\": \"b\", \"problem\": \"What is 2+3?\", \"answer\": \"5\"}\n"
                         "{\"id\": \"c\", \"problem\": \"What is 3*3?\", \"answer\": \"9\"}\n";
  return path.string();
}

class BenchmarkEvalCli : public ::testing::Test {
 protected:
  // CTest runs each test in its own process, possibly in parallel, so each
  // process trains its model in a folder of its own.
  static void SetUpTestSuite() {
    model_root_ = fresh_dir("benchmark_eval_model_" + std::to_string(getpid()));
    r1::test::pretrain_tiny(model_root_);
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(model_root_); }
  static std::string model() { return (model_root_ / "model").string(); }
  static std::filesystem::path model_root_;
};
std::filesystem::path BenchmarkEvalCli::model_root_;

TEST_F(BenchmarkEvalCli, Gsm8kEndToEnd) {
  R1_REQUIRE_REAL_DATA("gsm8k/test.jsonl");
  auto dir = fresh_dir("eval_gsm8k");
  auto data = (r1::test::real_data_dir() / "gsm8k/test.jsonl").string();
  auto result = run_r1("eval --model " + model() + " --benchmark gsm8k --data " + data +
                       " --limit 4 -k 2 --max-new-tokens 8 --threads 1 --out " + dir.string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("1319 problems"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("samples ("), std::string::npos) << result.output;  // a progress line
  EXPECT_NE(result.output.find("ETA"), std::string::npos) << result.output;

  nlohmann::json results = results_of(dir);
  EXPECT_EQ(results.at("benchmark"), "gsm8k");
  EXPECT_EQ(results.at("figures").at("problems"), 4);
  EXPECT_EQ(results.at("figures").at("k"), 2);
  for (const char* figure : {"pass@1", "pass@2", "cons@2", "greedy", "mean_length", "truncated_share"}) {
    EXPECT_TRUE(results.at("figures").at(figure).contains("stderr")) << figure;
  }
  EXPECT_EQ(results.at("counts").at("problems_available"), 1319);
  EXPECT_EQ(results.at("counts").at("bad_records"), 0);
  EXPECT_EQ(results.at("counts").at("samples_drawn"), 12);
  EXPECT_EQ(results.at("prompt").at("template"), "math");
  EXPECT_NE(results.at("prompt").at("example").get<std::string>().find("\\boxed{}"), std::string::npos);
  // 8 new tokens at most cut off most completions
  EXPECT_GT(results.at("figures").at("truncated_share").at("value").get<double>(), 0.0);

  // 4 problems x (2 samples + 1 greedy decode), each with every field
  std::vector<std::string> lines = read_lines(dir / "samples.jsonl");
  ASSERT_EQ(lines.size(), 12u);
  nlohmann::json sample = nlohmann::json::parse(lines[0]);
  for (const char* field : {"problem_id", "sample", "prompt_index", "completion", "answer", "canonical", "correct",
                            "length", "truncated"}) {
    EXPECT_TRUE(sample.contains(field)) << field;
  }
  EXPECT_NE(read_text(dir / "results.md").find("| pass@1 |"), std::string::npos);
}

TEST_F(BenchmarkEvalCli, ResumeEqualsUninterruptedRun) {
  auto dir = fresh_dir("eval_resume");
  const std::string data = small_qa_file(dir);
  const std::string common = "eval --model " + model() + " --data " + data +
                             " -k 2 --max-new-tokens 10 --max-batch-rows 1 --threads 1 --seed 5 --out ";

  // uninterrupted: all three problems
  auto whole = run_r1(common + (dir / "whole").string());
  ASSERT_EQ(whole.status, 0) << whole.output;

  // interrupted after two problems (--limit), then continued
  auto first = run_r1(common + (dir / "resumed").string() + " --limit 2");
  ASSERT_EQ(first.status, 0) << first.output;
  EXPECT_EQ(read_lines(dir / "resumed" / "samples.jsonl").size(), 6u);
  auto rest = run_r1(common + (dir / "resumed").string());
  ASSERT_EQ(rest.status, 0) << rest.output;
  EXPECT_NE(rest.output.find("reused 6 samples"), std::string::npos) << rest.output;

  EXPECT_EQ(completions_of(dir / "whole" / "samples.jsonl"), completions_of(dir / "resumed" / "samples.jsonl"));
  EXPECT_EQ(results_of(dir / "whole").at("figures"), results_of(dir / "resumed").at("figures"));
  EXPECT_EQ(results_of(dir / "resumed").at("counts").at("samples_drawn"), 3);
}

TEST_F(BenchmarkEvalCli, LargerKDrawsOnlyMissingSamples) {
  auto dir = fresh_dir("eval_larger_k");
  const std::string data = small_qa_file(dir);
  const std::string common = "eval --model " + model() + " --data " + data +
                             " --max-new-tokens 10 --no-greedy --threads 1 --out ";

  auto k2 = run_r1(common + (dir / "grown").string() + " -k 2");
  ASSERT_EQ(k2.status, 0) << k2.output;
  auto before = completions_of(dir / "grown" / "samples.jsonl");
  auto k4 = run_r1(common + (dir / "grown").string() + " -k 4");
  ASSERT_EQ(k4.status, 0) << k4.output;
  EXPECT_EQ(results_of(dir / "grown").at("counts").at("samples_reused"), 6);
  EXPECT_EQ(results_of(dir / "grown").at("counts").at("samples_drawn"), 6);
  EXPECT_EQ(results_of(dir / "grown").at("figures").at("k"), 4);

  // the first two samples are kept as drawn, and a fresh k=4 run draws the same
  auto after = completions_of(dir / "grown" / "samples.jsonl");
  for (const auto& [key, completion] : before) EXPECT_EQ(after.at(key), completion);
  auto fresh = run_r1(common + (dir / "fresh").string() + " -k 4");
  ASSERT_EQ(fresh.status, 0) << fresh.output;
  EXPECT_EQ(completions_of(dir / "fresh" / "samples.jsonl"), after);
}

TEST_F(BenchmarkEvalCli, PartialLastLineIsDropped) {
  auto dir = fresh_dir("eval_partial");
  const std::string data = small_qa_file(dir);
  const std::string command = "eval --model " + model() + " --data " + data +
                              " -k 1 --max-new-tokens 6 --no-greedy --threads 1 --out " + (dir / "run").string();
  ASSERT_EQ(run_r1(command + " --limit 2").status, 0);
  std::ofstream(dir / "run" / "samples.jsonl", std::ios::app) << "{\"problem_id\": \"c\", \"sam";
  auto resumed = run_r1(command);
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("partial last line"), std::string::npos) << resumed.output;
  EXPECT_EQ(read_lines(dir / "run" / "samples.jsonl").size(), 3u);
}

TEST_F(BenchmarkEvalCli, MismatchedSettingsAreRejected) {
  auto dir = fresh_dir("eval_mismatch");
  const std::string data = small_qa_file(dir);
  const std::string command = "eval --model " + model() + " --data " + data +
                              " -k 1 --max-new-tokens 6 --no-greedy --threads 1 --out " + (dir / "run").string();
  ASSERT_EQ(run_r1(command + " --seed 1").status, 0);

  auto other_seed = run_r1(command + " --seed 2");
  EXPECT_NE(other_seed.status, 0);
  EXPECT_NE(other_seed.output.find("seed: stored 1, now 2"), std::string::npos) << other_seed.output;
  EXPECT_NE(other_seed.output.find("--overwrite"), std::string::npos) << other_seed.output;

  auto other_template = run_r1(command + " --seed 1 --prompt-template raw");
  EXPECT_NE(other_template.status, 0);
  EXPECT_NE(other_template.output.find("prompt"), std::string::npos) << other_template.output;

  auto overwritten = run_r1(command + " --seed 2 --overwrite");
  ASSERT_EQ(overwritten.status, 0) << overwritten.output;
  EXPECT_EQ(results_of(dir / "run").at("counts").at("samples_reused"), 0);
  EXPECT_EQ(read_lines(dir / "run" / "samples.jsonl").size(), 3u);
}

TEST_F(BenchmarkEvalCli, BadRecordsNameFileAndLine) {
  auto dir = fresh_dir("eval_bad_records");
  auto data = dir / "bad.jsonl";
  std::ofstream(data) << "{\"id\": 1, \"problem\": \"1+1?\", \"answer\": \"2\"}\n"
                         "{\"id\": 2, \"problem\": \"2+2?\"}\n"
                         "{\"id\": 1, \"problem\": \"3+3?\", \"answer\": \"6\"}\n"
                         "{\"id\": 4, \"problem\": \"4+4?\", \"answer\": \"8\"}\n";
  const std::string command = "eval --model " + model() + " --data " + data.string() + " --id-field id" +
                              " -k 1 --max-new-tokens 4 --no-greedy --threads 1 --out " + (dir / "run").string();

  auto rejected = run_r1(command);
  EXPECT_NE(rejected.status, 0);
  EXPECT_NE(rejected.output.find("bad.jsonl:2"), std::string::npos) << rejected.output;
  EXPECT_NE(rejected.output.find("answer"), std::string::npos) << rejected.output;

  auto skipped = run_r1(command + " --skip-bad");
  ASSERT_EQ(skipped.status, 0) << skipped.output;
  EXPECT_NE(skipped.output.find("bad.jsonl:3: duplicate id '1'"), std::string::npos) << skipped.output;
  nlohmann::json results = results_of(dir / "run");
  EXPECT_EQ(results.at("counts").at("bad_records"), 2);
  EXPECT_EQ(results.at("figures").at("problems"), 2);
  EXPECT_EQ(results.at("skipped_records").size(), 2u);

  // an empty file
  std::ofstream(dir / "empty.jsonl") << "";
  auto empty = run_r1("eval --model " + model() + " --benchmark math500 --data " + (dir / "empty.jsonl").string());
  EXPECT_NE(empty.status, 0);
  EXPECT_NE(empty.output.find("empty.jsonl is empty"), std::string::npos) << empty.output;
}

TEST_F(BenchmarkEvalCli, ComparePrintsDifferences) {
  auto dir = fresh_dir("eval_compare");
  const std::string data = small_qa_file(dir);
  const std::string command = "eval --model " + model() + " --data " + data +
                              " -k 2 --max-new-tokens 6 --no-greedy --threads 1 --out ";
  ASSERT_EQ(run_r1(command + (dir / "a").string() + " --seed 1").status, 0);
  ASSERT_EQ(run_r1(command + (dir / "b").string() + " --seed 2").status, 0);
  auto compared = run_r1("eval-compare " + (dir / "a").string() + " " + (dir / "b").string());
  ASSERT_EQ(compared.status, 0) << compared.output;
  EXPECT_NE(compared.output.find("pass@1"), std::string::npos) << compared.output;
  EXPECT_NE(compared.output.find("B - A"), std::string::npos) << compared.output;
  EXPECT_NE(compared.output.find("options.seed: A 1, B 2"), std::string::npos) << compared.output;

  auto missing = run_r1("eval-compare " + (dir / "a").string() + " " + (dir / "nothing").string());
  EXPECT_NE(missing.status, 0);
  EXPECT_NE(missing.output.find("nothing not found"), std::string::npos) << missing.output;
}

TEST(BenchmarkEvalRealModel, TinyLlamaRandomOnMath500) {
  R1_REQUIRE_REAL_DATA("tiny-llama-random");
  R1_REQUIRE_REAL_DATA("math500/test.jsonl");
  auto dir = fresh_dir("eval_tiny_llama");
  auto result = run_r1("eval --model " + (r1::test::real_data_dir() / "tiny-llama-random").string() +
                       " --benchmark math500 --data " + (r1::test::real_data_dir() / "math500/test.jsonl").string() +
                       " --limit 3 -k 2 --max-new-tokens 8 --threads 1 --out " + dir.string());
  ASSERT_EQ(result.status, 0) << result.output;
  nlohmann::json results = results_of(dir);
  EXPECT_EQ(results.at("figures").at("problems"), 3);
  EXPECT_TRUE(results.at("figures").at("groups").contains("level"));
  EXPECT_TRUE(results.at("figures").at("groups").contains("subject"));
  EXPECT_EQ(read_lines(dir / "samples.jsonl").size(), 9u);
}

}  // namespace
