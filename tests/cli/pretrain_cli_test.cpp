// The `r1 pretrain` subcommand: writes the checkpoint, data splits and
// metrics, and rejects bad options before writing anything.
#include "cli/cli_test_util.h"

namespace {

using r1::test::fresh_dir;
using r1::test::read_lines;
using r1::test::run_r1;

TEST(PretrainCli, WritesCheckpointDataAndMetrics) {
  auto dir = fresh_dir("pretrain_outputs");
  r1::test::pretrain_tiny(dir);

  for (const char* name : {"config.json", "model.safetensors", "r1_tokenizer.json", "trainer_state.json"})
    EXPECT_TRUE(std::filesystem::exists(dir / "model" / name)) << name;
  EXPECT_EQ(read_lines(dir / "data" / "train.jsonl").size(), 40u);
  EXPECT_EQ(read_lines(dir / "data" / "heldout.jsonl").size(), 6u);
  EXPECT_EQ(read_lines(dir / "metrics.jsonl").size(), 3u);

  auto state = nlohmann::json::parse(r1::test::read_text(dir / "model" / "trainer_state.json"));
  EXPECT_EQ(state.at("stage"), "pretrain");
  EXPECT_EQ(state.at("step"), 3);
  auto config = nlohmann::json::parse(r1::test::read_text(dir / "model" / "config.json"));
  EXPECT_EQ(config.at("hidden_size"), 32);
}

// Two workers, each pretraining on half of every batch's rows.
TEST(PretrainCli, RunsWithWorkers) {
  auto dir = fresh_dir("pretrain_workers");
  auto result = run_r1("pretrain --out " + dir.string() + " " + r1::test::tiny_pretrain_options() + " --workers 2");
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(read_lines(dir / "metrics.jsonl").size(), 3u);
  EXPECT_TRUE(std::filesystem::exists(dir / "model" / "model.safetensors"));
}

TEST(PretrainCli, RejectsInvalidValuesBeforeWriting) {
  auto dir = fresh_dir("pretrain_invalid") / "out";
  for (const char* bad : {"--steps 0", "--lr -1", "--heads 3", "--guess-share 2", "--min-count 5 --max-count 3",
                          "--workers 0"}) {
    auto result = run_r1("pretrain --out " + dir.string() + " " + r1::test::tiny_pretrain_options() + " " + bad);
    EXPECT_NE(result.status, 0) << bad;
    EXPECT_FALSE(std::filesystem::exists(dir)) << bad;
  }
}

TEST(PretrainCli, UnwritableOutputFails) {
  auto dir = fresh_dir("pretrain_unwritable");
  std::ofstream(dir / "file") << "x";
  auto result = run_r1("pretrain --out " + (dir / "file" / "out").string() + " " + r1::test::tiny_pretrain_options());
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("error:"), std::string::npos) << result.output;
  EXPECT_EQ(r1::test::read_text(dir / "file"), "x");
}

TEST(PretrainCli, MissingOutIsAnError) {
  auto result = run_r1("pretrain --steps 1");
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("--out"), std::string::npos) << result.output;
}

}  // namespace
