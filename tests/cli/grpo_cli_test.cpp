// The `r1 grpo` subcommand: trains from a checkpoint, saves periodic and
// final checkpoints, and fails cleanly on bad options and inputs.
#include "cli/cli_test_util.h"

namespace {

using r1::test::fresh_dir;
using r1::test::read_lines;
using r1::test::run_r1;

const char* kTinyGrpo = "--steps 2 --prompts-per-step 2 --group-size 2 --max-new-tokens 12 --threads 1";

TEST(GrpoCli, TrainsAndSavesCheckpoints) {
  auto dir = fresh_dir("grpo_train");
  r1::test::pretrain_tiny(dir / "base");
  auto out = dir / "grpo";
  auto result = run_r1("grpo --model " + (dir / "base" / "model").string() + " --out " + out.string() +
                       " --train " + (dir / "base" / "data" / "train.jsonl").string() + " " + kTinyGrpo +
                       " --save-every 1 --loss dapo --epsilon-high 0.28 --beta 0.02 --lr 1e-4 --lr-schedule linear"
                       " --length-balanced-advantages");
  ASSERT_EQ(result.status, 0) << result.output;

  EXPECT_TRUE(std::filesystem::exists(out / "final" / "model.safetensors"));
  EXPECT_TRUE(std::filesystem::exists(out / "step-1" / "model.safetensors"));
  auto metrics = read_lines(out / "metrics.jsonl");
  ASSERT_EQ(metrics.size(), 2u);
  // linear decay to 0 over two steps: the peak, then half of it
  EXPECT_DOUBLE_EQ(nlohmann::json::parse(metrics[0]).at("lr").get<double>(), 1e-4);
  EXPECT_DOUBLE_EQ(nlohmann::json::parse(metrics[1]).at("lr").get<double>(), 0.5e-4);
  auto state = nlohmann::json::parse(r1::test::read_text(out / "final" / "trainer_state.json"));
  EXPECT_EQ(state.at("stage"), "grpo");
  EXPECT_EQ(state.at("config").at("loss_type"), "dapo");
  EXPECT_DOUBLE_EQ(state.at("config").at("epsilon_high").get<double>(), 0.28);
  EXPECT_EQ(state.at("config").at("lr_schedule"), "linear");
  EXPECT_TRUE(state.at("config").at("length_balanced_advantages").get<bool>());
}

TEST(GrpoCli, RejectsInvalidOptions) {
  auto dir = fresh_dir("grpo_invalid");
  r1::test::pretrain_tiny(dir / "base");
  auto out = dir / "grpo";
  for (const char* bad : {"--group-size 1", "--loss ppo", "--beta -0.1", "--epsilon-low 1.5", "--top-p 0",
                          "--lr-schedule step", "--min-lr-ratio 2"}) {
    auto result = run_r1("grpo --model " + (dir / "base" / "model").string() + " --out " + out.string() + " " +
                         kTinyGrpo + " " + bad);
    EXPECT_NE(result.status, 0) << bad;
    EXPECT_FALSE(std::filesystem::exists(out)) << bad;
  }
}

TEST(GrpoCli, MissingModelFails) {
  auto dir = fresh_dir("grpo_missing_model");
  auto result = run_r1("grpo --model " + (dir / "nothing").string() + " --out " + (dir / "out").string() + " " +
                       kTinyGrpo);
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("not found"), std::string::npos) << result.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "out"));
}

TEST(GrpoCli, MalformedTrainLineNamesLine) {
  auto dir = fresh_dir("grpo_malformed");
  r1::test::pretrain_tiny(dir / "base");
  std::ofstream(dir / "bad.jsonl") << "{\"target\": 10, \"nums\": [2, 5]}\n{\"target\": 10}\n";
  auto result = run_r1("grpo --model " + (dir / "base" / "model").string() + " --out " + (dir / "out").string() +
                       " --train " + (dir / "bad.jsonl").string() + " " + kTinyGrpo);
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("bad.jsonl:2"), std::string::npos) << result.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "out"));
}

}  // namespace
