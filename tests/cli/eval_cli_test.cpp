// The `r1 eval` subcommand: figures line, results.json and samples.jsonl,
// and clean failures that keep earlier results.
#include "cli/cli_test_util.h"

namespace {

using r1::test::fresh_dir;
using r1::test::read_lines;
using r1::test::run_r1;

TEST(EvalCli, WritesResultsAndSamples) {
  auto dir = fresh_dir("eval_results");
  r1::test::pretrain_tiny(dir / "base");
  auto result = run_r1("eval --model " + (dir / "base" / "model").string() + " --data " +
                       (dir / "base" / "data" / "heldout.jsonl").string() +
                       " -k 2 --limit 3 --max-new-tokens 12 --threads 1 --out " + (dir / "eval").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("pass@1"), std::string::npos) << result.output;

  auto results = nlohmann::json::parse(r1::test::read_text(dir / "eval" / "results.json"));
  EXPECT_EQ(results.at("figures").at("problems"), 3);
  EXPECT_EQ(results.at("options").at("k"), 2);
  EXPECT_DOUBLE_EQ(results.at("options").at("temperature").get<double>(), 0.6);
  // 3 problems x (2 samples + 1 greedy decode)
  EXPECT_EQ(read_lines(dir / "eval" / "samples.jsonl").size(), 9u);
}

TEST(EvalCli, MalformedLineKeepsEarlierResults) {
  auto dir = fresh_dir("eval_malformed");
  r1::test::pretrain_tiny(dir / "base");
  std::filesystem::create_directories(dir / "eval");
  std::ofstream(dir / "eval" / "results.json") << "earlier";
  std::ofstream(dir / "bad.jsonl") << "{\"target\": 10, \"nums\": [2, 5]}\n\n{\"target\": 10, \"nums\": \"x\"}\n";
  auto result = run_r1("eval --model " + (dir / "base" / "model").string() + " --data " +
                       (dir / "bad.jsonl").string() + " -k 1 --threads 1 --out " + (dir / "eval").string());
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("bad.jsonl:3"), std::string::npos) << result.output;
  EXPECT_EQ(r1::test::read_text(dir / "eval" / "results.json"), "earlier");
}

TEST(EvalCli, CorruptCheckpointFails) {
  auto dir = fresh_dir("eval_corrupt");
  r1::test::pretrain_tiny(dir / "base");
  std::filesystem::resize_file(dir / "base" / "model" / "model.safetensors", 100);
  auto result = run_r1("eval --model " + (dir / "base" / "model").string() + " --data " +
                       (dir / "base" / "data" / "heldout.jsonl").string() + " -k 1 --threads 1");
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("model.safetensors"), std::string::npos) << result.output;
}

TEST(EvalCli, RejectsInvalidValues) {
  auto dir = fresh_dir("eval_invalid");
  for (const char* bad : {"-k 0", "--top-p 1.5", "--temperature -1", "--limit -2"}) {
    auto result = run_r1("eval --model " + dir.string() + " --data x.jsonl " + bad);
    EXPECT_NE(result.status, 0) << bad;
  }
}

}  // namespace
