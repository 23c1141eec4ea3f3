// Helpers shared by the tests: where the fixtures and the real datasets are.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace r1::test {

// Small committed fixtures (tests/data).
inline std::filesystem::path fixture_dir() { return R1_TEST_DATA_DIR; }

// The folder of real datasets and tokenizer files (gsm8k/, math500/,
// countdown/, tokenizer-qwen3/, ...): $R1_DATA_DIR, or the build's default.
// Tests that need it skip when it is absent.
inline std::filesystem::path real_data_dir() {
  if (const char* env = std::getenv("R1_DATA_DIR")) return env;
  return R1_REAL_DATA_DIR;
}

}  // namespace r1::test

// Skips the current test when a real-data path is absent.
#define R1_REQUIRE_REAL_DATA(relative_path)                                              \
  do {                                                                                   \
    if (!std::filesystem::exists(::r1::test::real_data_dir() / (relative_path)))         \
      GTEST_SKIP() << "real data not found: " << (::r1::test::real_data_dir() / (relative_path)) \
                   << " (set R1_DATA_DIR)";                                              \
  } while (0)
