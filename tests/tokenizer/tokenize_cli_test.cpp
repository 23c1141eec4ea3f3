// The `r1 tokenize` subcommand, run as a process on the tiny tokenizer.
#include <cstdio>
#include <fstream>
#include <string>

#include <sys/wait.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_util.h"
#include "tokenizer/load_tokenizer.h"

namespace r1 {
namespace {

namespace fs = std::filesystem;

struct RunResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

RunResult run_r1(const std::string& arguments) {
  const std::string command = std::string(R1_BINARY) + " " + arguments + " 2>&1";
  RunResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t count = 0;
  while ((count = fread(buffer, 1, sizeof(buffer), pipe)) > 0) result.output.append(buffer, count);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string tiny_path() { return (test::fixture_dir() / "tokenizer/tiny").string(); }

class TokenizeCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = fs::temp_directory_path() /
              ("r1_tokenize_cli_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(folder_);
    fs::create_directories(folder_);
  }
  void TearDown() override { fs::remove_all(folder_); }

  std::string write(const std::string& name, const std::string& content) {
    std::ofstream out(folder_ / name, std::ios::binary);
    out << content;
    return (folder_ / name).string();
  }

  fs::path folder_;
};

TEST_F(TokenizeCliTest, EncodesTextArgument) {
  const auto tokenizer = load_tokenizer(tiny_path());
  const RunResult result = run_r1("tokenize --tokenizer " + tiny_path() + " --text 'Hello <think>'");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(result.output, nlohmann::json(tokenizer->encode("Hello <think>")).dump() + "\n");
}

TEST_F(TokenizeCliTest, EncodesJsonlOneLinePerRecord) {
  const auto tokenizer = load_tokenizer(tiny_path());
  const std::string input = write("in.jsonl", "{\"text\": \"first\"}\n\n{\"text\": \"second\\n\", \"id\": 2}\n");
  const RunResult result = run_r1("tokenize --tokenizer " + tiny_path() + " --input " + input);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(result.output, nlohmann::json(tokenizer->encode("first")).dump() + "\n" +
                               nlohmann::json(tokenizer->encode("second\n")).dump() + "\n");
}

TEST_F(TokenizeCliTest, DecodesIdArrays) {
  const auto tokenizer = load_tokenizer(tiny_path());
  const auto ids = tokenizer->encode("héllo\n<|im_end|>");
  const std::string input = write("ids.jsonl", nlohmann::json(ids).dump() + "\n[]\n");
  RunResult result = run_r1("tokenize --decode --tokenizer " + tiny_path() + " --input " + input);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(result.output, "\"héllo\\n<|im_end|>\"\n\"\"\n");

  result = run_r1("tokenize --decode --skip-special --tokenizer " + tiny_path() + " --text '" +
                  nlohmann::json(ids).dump() + "'");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(result.output, "\"héllo\\n\"\n");
}

TEST_F(TokenizeCliTest, AddSpecialUsesPostProcessor) {
  // A copy of the tiny tokenizer whose config adds <|im_start|> as bos.
  fs::copy_file(fs::path(tiny_path()) / "tokenizer.json", folder_ / "tokenizer.json");
  write("tokenizer_config.json", R"({"bos_token": "<|im_start|>", "add_bos_token": true})");
  const RunResult plain = run_r1("tokenize --tokenizer " + folder_.string() + " --text hi");
  const RunResult special = run_r1("tokenize --add-special --tokenizer " + folder_.string() + " --text hi");
  ASSERT_EQ(special.exit_code, 0) << special.output;
  EXPECT_EQ(special.output, "[657," + plain.output.substr(1));
}

TEST_F(TokenizeCliTest, MalformedJsonNamesLine) {
  const std::string input = write("bad.jsonl", "{\"text\": \"ok\"}\n{\"text\": \n");
  const RunResult result = run_r1("tokenize --tokenizer " + tiny_path() + " --input " + input);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("bad.jsonl:2: invalid JSON"), std::string::npos) << result.output;
}

TEST_F(TokenizeCliTest, MissingTextFieldIsReported) {
  const std::string input = write("no_text.jsonl", "{\"prompt\": \"x\"}\n");
  const RunResult result = run_r1("tokenize --tokenizer " + tiny_path() + " --input " + input);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("no_text.jsonl:1: the record has no \"text\" field"), std::string::npos)
      << result.output;
}

TEST_F(TokenizeCliTest, MissingFilesAreReported) {
  RunResult result = run_r1("tokenize --tokenizer " + tiny_path() + " --input " + (folder_ / "absent.jsonl").string());
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("cannot open input file"), std::string::npos) << result.output;

  result = run_r1("tokenize --tokenizer " + (folder_ / "absent").string() + " --text hi");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("does not exist"), std::string::npos) << result.output;
}

TEST_F(TokenizeCliTest, DecodeRejectsNonIntegerIds) {
  const RunResult result = run_r1("tokenize --decode --tokenizer " + tiny_path() + " --text '[1, \"a\"]'");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("--text: token id \"a\" is not an integer"), std::string::npos) << result.output;
}

TEST_F(TokenizeCliTest, RequiresTextOrInput) {
  const RunResult result = run_r1("tokenize --tokenizer " + tiny_path());
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("exactly one of --text and --input"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace r1
