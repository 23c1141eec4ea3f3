// The `r1 generate` subcommand on an r1 checkpoint and on a Hugging Face
// folder, with samples, seeds, stop strings and the chat template.
#include "cli/cli_test_util.h"

#include "test_util.h"

namespace {

using r1::test::fresh_dir;
using r1::test::run_r1;

TEST(GenerateCli, SamplesFromR1Checkpoint) {
  auto dir = fresh_dir("generate_r1");
  r1::test::pretrain_tiny(dir / "base");
  std::string command = "generate --model " + (dir / "base" / "model").string() +
                        " -p 'Using the numbers' -n 2 --max-new-tokens 8 --seed 5 --threads 1";
  auto first = run_r1(command);
  ASSERT_EQ(first.status, 0) << first.output;
  EXPECT_NE(first.output.find("--- sample 2 ---"), std::string::npos) << first.output;

  auto second = run_r1(command);
  ASSERT_EQ(second.status, 0) << second.output;
  EXPECT_EQ(first.output, second.output);
}

TEST(GenerateCli, HuggingFaceFolderWithChat) {
  auto model = r1::test::fixture_dir() / "hf" / "qwen2";
  auto plain = run_r1("generate --model " + model.string() + " -p hello --max-new-tokens 4 --temperature 0");
  ASSERT_EQ(plain.status, 0) << plain.output;
  auto chat = run_r1("generate --model " + model.string() + " -p hello --chat --max-new-tokens 4 --temperature 0");
  ASSERT_EQ(chat.status, 0) << chat.output;
}

// Everything after the first output line (the runtime line): the completion.
std::string completion_of(const std::string& output) { return output.substr(output.find('\n') + 1); }

TEST(GenerateCli, StopStringCutsCompletion) {
  auto model = r1::test::fixture_dir() / "hf" / "qwen2";
  std::string command = "generate --model " + model.string() + " -p hello --max-new-tokens 12 --temperature 0";
  auto full = run_r1(command);
  ASSERT_EQ(full.status, 0) << full.output;
  std::string text = completion_of(full.output);
  ASSERT_GE(text.size(), 3u) << full.output;

  // cut at the completion's second character
  std::string stop = text.substr(1, 1);
  if (stop == "'" || stop == "\n") GTEST_SKIP() << "stop character needs other quoting";
  auto cut = run_r1(command + " --stop '" + stop + "'");
  ASSERT_EQ(cut.status, 0) << cut.output;
  EXPECT_EQ(completion_of(cut.output), text.substr(0, text.find(stop)) + "\n");
}

TEST(GenerateCli, FolderOfNeitherKindFails) {
  auto dir = fresh_dir("generate_empty");
  auto result = run_r1("generate --model " + dir.string() + " -p hi");
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("config.json"), std::string::npos) << result.output;
}

TEST(GenerateCli, RejectsInvalidSampling) {
  auto model = r1::test::fixture_dir() / "hf" / "qwen2";
  for (const char* bad : {"--top-p 0", "--temperature -1", "-n 0", "--dtype int8", "--repetition-penalty 0"}) {
    auto result = run_r1("generate --model " + model.string() + " -p hi " + bad);
    EXPECT_NE(result.status, 0) << bad;
  }
}

}  // namespace
