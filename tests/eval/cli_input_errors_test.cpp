// The r1 binary rejects bad input before any training starts: a non-zero
// exit status and an error message that names the bad value.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

namespace {

struct CommandResult {
  int status = -1;     // exit status (0 on success)
  std::string output;  // stdout and stderr together
};

// Runs `r1 <arguments>` through the shell.
CommandResult run_r1(const std::string& arguments) {
  CommandResult result;
  const std::string command = std::string(R1_BINARY) + " " + arguments + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) result.output.append(buffer.data(), n);
  const int raw = pclose(pipe);
  result.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return result;
}

// A demo run folder that is removed afterwards.
std::string temp_out(const std::string& label) {
  auto dir = std::filesystem::temp_directory_path() / ("r1_cli_errors_" + std::to_string(::getpid()) + "_" + label);
  std::filesystem::remove_all(dir);
  return dir.string();
}

// Expects a failed run whose output contains `needle` and shows that no
// training stage started.
void expect_rejected(const CommandResult& result, const std::string& needle) {
  EXPECT_NE(result.status, 0) << result.output;
  EXPECT_NE(result.output.find(needle), std::string::npos) << "expected '" << needle << "' in:\n" << result.output;
  EXPECT_EQ(result.output.find("pretrain the base model"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("grpo step"), std::string::npos) << result.output;
}

TEST(CliInputErrors, UnwritableOutputFolder) {
  CommandResult result = run_r1("demo --out /proc/forbidden/x --pretrain-steps 1 --grpo-steps 1 --heldout 2");
  expect_rejected(result, "/proc/forbidden/x");
}

TEST(CliInputErrors, NegativeThreads) {
  const std::string out = temp_out("threads");
  CommandResult result = run_r1("demo --out " + out + " --threads -3 --pretrain-steps 1 --grpo-steps 1 --heldout 2");
  expect_rejected(result, "--threads=-3");
  std::filesystem::remove_all(out);
}

TEST(CliInputErrors, NonNumericOption) {
  CommandResult result = run_r1("demo --out " + temp_out("nonnumeric") + " --grpo-steps many");
  expect_rejected(result, "many");
}

TEST(CliInputErrors, UnknownOption) {
  CommandResult result = run_r1("demo --no-such-option 3");
  expect_rejected(result, "--no-such-option");
}

TEST(CliInputErrors, UnknownSubcommand) {
  // NOTE: CLI11 reports the missing subcommand, not the unknown word itself.
  CommandResult result = run_r1("no-such-command");
  EXPECT_NE(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("subcommand"), std::string::npos) << result.output;
}

TEST(CliInputErrors, InvalidSamplingValues) {
  const std::string out = temp_out("sampling");
  expect_rejected(run_r1("demo --out " + out + " --eval-top-p 1.5 --pretrain-steps 1 --grpo-steps 1 --heldout 2"),
                  "top_p=1.5");
  expect_rejected(run_r1("demo --out " + out + " --eval-temperature -1 --pretrain-steps 1 --grpo-steps 1 --heldout 2"),
                  "temperature=-1");
  std::filesystem::remove_all(out);
}

TEST(CliInputErrors, InvalidStepCounts) {
  const std::string out = temp_out("steps");
  expect_rejected(run_r1("demo --out " + out + " --grpo-steps -1 --pretrain-steps 1 --heldout 2"), "-1");
  expect_rejected(run_r1("demo --out " + out + " --pretrain-steps -5 --grpo-steps 1 --heldout 2"), "-5");
  expect_rejected(run_r1("demo --out " + out + " --samples 0 --pretrain-steps 1 --grpo-steps 1 --heldout 2"), "0");
  std::filesystem::remove_all(out);
}

}  // namespace
