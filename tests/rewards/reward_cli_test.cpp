// The `r1 reward` subcommand: JSONL in, one JSON line per record out in input
// order with the record's fields kept, summary on stderr.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

std::filesystem::path write_input(const std::string& name, const std::vector<nlohmann::json>& records) {
  std::filesystem::path path = std::filesystem::temp_directory_path() / name;
  std::ofstream file(path);
  for (const auto& record : records) file << record.dump() << "\n";
  return path;
}

// Runs a shell command and returns its stdout and exit status. Commands redirect stderr themselves.
std::string run(const std::string& command, int& status) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return output;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), n);
  status = pclose(pipe);
  return output;
}

std::vector<nlohmann::json> parse_lines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) {
    if (!line.empty()) lines.push_back(nlohmann::json::parse(line));
  }
  return lines;
}

TEST(RewardCli, ScoresAccuracyInInputOrder) {
  std::vector<nlohmann::json> records = {
      {{"id", 1}, {"completion", "so \\boxed{\\frac{3}{4}}"}, {"answer", "0.75"}},
      {{"id", 2}, {"completion", "#### $1,250.00"}, {"answer", "1250"}},
      {{"id", 3}, {"completion", "\\boxed{7}"}, {"answer", "8"}},
      {{"id", 4}, {"completion", "\\boxed{7}"}, {"answer", ""}},
  };
  auto input = write_input("r1_reward_cli_accuracy.jsonl", records);
  auto summary = std::filesystem::temp_directory_path() / "r1_reward_cli_summary.txt";
  int status = -1;
  std::string output = run(std::string(R1_BINARY) + " reward --reward accuracy --input " + input.string() +
                               " --options '{\"accuracy\": {\"dataset\": \"gsm8k\"}}' 2> " + summary.string(),
                           status);
  ASSERT_EQ(status, 0);
  auto lines = parse_lines(output);
  ASSERT_EQ(lines.size(), 4u);
  for (size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(lines[i].at("id"), static_cast<int>(i + 1));
  EXPECT_EQ(lines[0].at("correct"), true);
  EXPECT_EQ(lines[0].at("extracted"), "\\frac{3}{4}");
  EXPECT_DOUBLE_EQ(lines[0].at("reward").get<double>(), 1.0);
  EXPECT_EQ(lines[1].at("correct"), true);
  EXPECT_EQ(lines[2].at("correct"), false);
  EXPECT_EQ(lines[3].at("status"), "gold_unparseable");
  EXPECT_TRUE(lines[0].contains("time_ms"));
  EXPECT_EQ(lines[0].at("answer"), "0.75");

  std::ifstream summary_file(summary);
  std::string summary_text((std::istreambuf_iterator<char>(summary_file)), std::istreambuf_iterator<char>());
  EXPECT_NE(summary_text.find("scored 4 records"), std::string::npos) << summary_text;
  EXPECT_NE(summary_text.find("correct 2/4"), std::string::npos) << summary_text;
  EXPECT_NE(summary_text.find("gold unparseable 1"), std::string::npos) << summary_text;
}

TEST(RewardCli, ScoresComposition) {
  auto input = write_input("r1_reward_cli_composite.jsonl",
                           {{{"completion", "<think>We add.</think><answer>5</answer>"}, {"answer", "5"}}});
  int status = -1;
  std::string output =
      run(std::string(R1_BINARY) + " reward --reward 'accuracy:1.0,format:0.2' --input " + input.string() + " 2>/dev/null",
          status);
  ASSERT_EQ(status, 0);
  auto lines = parse_lines(output);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NEAR(lines[0].at("reward").get<double>(), 1.2, 1e-12);
  EXPECT_DOUBLE_EQ(lines[0].at("rewards").at("accuracy").get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(lines[0].at("rewards").at("format").get<double>(), 1.0);
}

TEST(RewardCli, RejectsUnknownReward) {
  auto input = write_input("r1_reward_cli_unknown.jsonl", {{{"completion", "x"}, {"answer", "1"}}});
  int status = -1;
  run(std::string(R1_BINARY) + " reward --reward nope --input " + input.string() + " 2>/dev/null", status);
  EXPECT_NE(status, 0);
}

}  // namespace
