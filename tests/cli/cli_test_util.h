// Helpers of the r1 subcommand tests: run the r1 binary, read its outputs,
// and pretrain a tiny base model in seconds.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace r1::test {

struct CommandResult {
  int status = -1;     // exit status (0 on success)
  std::string output;  // stdout and stderr together
};

// Runs `r1 <arguments>` through the shell.
inline CommandResult run_r1(const std::string& arguments) {
  CommandResult result;
  std::string command = std::string(R1_BINARY) + " " + arguments + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) result.output.append(buffer.data(), n);
  int raw = pclose(pipe);
  result.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return result;
}

// A fresh, empty folder under the temporary directory.
inline std::filesystem::path fresh_dir(const std::string& name) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("r1_cli_test_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::vector<std::string> read_lines(const std::filesystem::path& path) {
  std::vector<std::string> lines;
  std::ifstream file(path);
  for (std::string line; std::getline(file, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// A path under the committed test fixtures (tests/data).
inline std::string fixture(const std::string& relative) {
  return (std::filesystem::path(R1_TEST_DATA_DIR) / relative).string();
}

// Options of a tiny model and corpus: one 32-wide block, 3 steps.
inline std::string tiny_pretrain_options() {
  return "--train-problems 40 --heldout 6 --steps 3 --batch-size 4 --hidden-size 32 --layers 1 --heads 2 "
         "--kv-heads 1 --intermediate-size 64 --max-positions 512 --threads 1";
}

// Pretrains the tiny model into `dir`; the checkpoint is `dir`/model.
inline void pretrain_tiny(const std::filesystem::path& dir) {
  CommandResult result = run_r1("pretrain --out " + dir.string() + " " + tiny_pretrain_options());
  ASSERT_EQ(result.status, 0) << result.output;
}

}  // namespace r1::test
