// Benchmark loaders: every record of the real evaluation files loads and its
// gold answer parses; bad records fail with file:line or are skipped and
// counted.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <string>

#include "tasks/benchmark.h"
#include "test_util.h"
#include "util/error.h"

namespace r1 {
namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / ("r1_benchmark_loader_" + name);
  std::ofstream(path) << text;
  return path.string();
}

// The message of the r1::Error that `body` throws, or "" when it does not throw.
template <typename Body>
std::string error_of(Body body) {
  try {
    body();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(BenchmarkLoader, RealFilesLoadEveryRecord) {
  R1_REQUIRE_REAL_DATA("gsm8k/test.jsonl");
  struct Case {
    const char* benchmark;
    const char* path;
    size_t expected;
  };
  const std::vector<Case> cases = {
      {"gsm8k", "gsm8k/test.jsonl", 1319},  {"math500", "math500/test.jsonl", 500},
      {"math", "math-test5000/test.jsonl", 5000}, {"aime24", "aime24/test.jsonl", 30},
      {"aime25", "aime25/test.jsonl", 30},  {"amc23", "amc23/test.jsonl", 40},
      {"countdown", "countdown/countdown_test.jsonl", 2001},
  };
  size_t checked = 0;
  for (const Case& c : cases) {
    const auto path = test::real_data_dir() / c.path;
    if (!std::filesystem::exists(path)) continue;
    BenchmarkOptions options;
    options.name = c.benchmark;
    options.data_path = path.string();
    LoadedBenchmark loaded = load_benchmark(options);
    std::cout << c.benchmark << ": " << loaded.problems.size() << " problems, " << loaded.bad_records
              << " bad records, " << loaded.unparseable_gold << " unparseable gold answers\n";
    for (const std::string& error : loaded.errors) std::cout << "  " << error << "\n";
    EXPECT_EQ(loaded.lines, c.expected) << c.benchmark;
    EXPECT_EQ(loaded.problems.size(), c.expected) << c.benchmark;
    EXPECT_EQ(loaded.task->size(), c.expected) << c.benchmark;
    EXPECT_EQ(loaded.bad_records, 0u) << c.benchmark;
    EXPECT_EQ(loaded.unparseable_gold, 0u) << c.benchmark;

    // ids are unique and every gold answer is non-empty
    std::set<std::string> ids;
    for (const BenchmarkProblem& problem : loaded.problems) {
      ids.insert(problem.id);
      EXPECT_FALSE(problem.gold.empty()) << c.benchmark << " " << problem.id;
    }
    EXPECT_EQ(ids.size(), c.expected) << c.benchmark;
    checked += loaded.problems.size();
  }
  std::cout << checked << " records checked\n";
  EXPECT_GT(checked, 0u);
}

TEST(BenchmarkLoader, MathKeepsLevelAndSubject) {
  R1_REQUIRE_REAL_DATA("math-test5000/test.jsonl");
  BenchmarkOptions options;
  options.name = "math";
  options.data_path = (test::real_data_dir() / "math-test5000/test.jsonl").string();
  LoadedBenchmark loaded = load_benchmark(options);
  std::set<std::string> levels, subjects;
  for (const BenchmarkProblem& problem : loaded.problems) {
    ASSERT_TRUE(problem.groups.count("level")) << problem.id;
    ASSERT_TRUE(problem.groups.count("subject")) << problem.id;
    levels.insert(problem.groups.at("level"));
    subjects.insert(problem.groups.at("subject"));
  }
  EXPECT_TRUE(levels.count("1"));
  EXPECT_TRUE(levels.count("5"));
  EXPECT_EQ(subjects.size(), 7u);
  // the gold answer is the last \boxed{} of the solution
  EXPECT_EQ(loaded.problems[0].gold, "2");
}

TEST(BenchmarkLoader, GsmAnswerAfterMarker) {
  R1_REQUIRE_REAL_DATA("gsm8k/test.jsonl");
  BenchmarkOptions options;
  options.name = "gsm8k";
  options.data_path = (test::real_data_dir() / "gsm8k/test.jsonl").string();
  LoadedBenchmark loaded = load_benchmark(options);
  EXPECT_EQ(loaded.problems[0].id, "1");
  EXPECT_EQ(loaded.problems[0].gold, " 18");
  EXPECT_NE(loaded.task->prompt(0).find("\\boxed{}"), std::string::npos);
  EXPECT_NE(loaded.task->prompt(0).find("Janet"), std::string::npos);
}

TEST(BenchmarkLoader, GenericFieldsAndMarker) {
  std::string path = write_temp("generic.jsonl",
                                "{\"q\": \"What is 2+2?\", \"a\": \"so #### 4\", \"key\": \"x1\"}\n"
                                "{\"q\": \"What is 3+3?\", \"a\": \"so #### 6\", \"key\": \"x2\"}\n");
  BenchmarkOptions options;
  options.data_path = path;
  options.prompt_field = "q";
  options.answer_field = "a";
  options.answer_after = "####";
  options.id_field = "key";
  LoadedBenchmark loaded = load_benchmark(options);
  ASSERT_EQ(loaded.problems.size(), 2u);
  EXPECT_EQ(loaded.problems[1].id, "x2");
  EXPECT_EQ(loaded.task->score(1, "The answer is \\boxed{6}.").correct, true);
  EXPECT_EQ(loaded.task->score(0, "The answer is \\boxed{5}.").correct, false);
}

TEST(BenchmarkLoader, MissingAnswerFieldNamesLine) {
  std::string path = write_temp("missing.jsonl", "{\"problem\": \"1+1?\", \"answer\": \"2\"}\n\n{\"problem\": \"2+2?\"}\n");
  BenchmarkOptions options;
  options.data_path = path;
  std::string message = error_of([&] { load_benchmark(options); });
  EXPECT_NE(message.find(path + ":3"), std::string::npos) << message;
  EXPECT_NE(message.find("answer"), std::string::npos) << message;

  options.skip_bad_records = true;
  LoadedBenchmark loaded = load_benchmark(options);
  EXPECT_EQ(loaded.problems.size(), 1u);
  EXPECT_EQ(loaded.bad_records, 1u);
  ASSERT_EQ(loaded.errors.size(), 1u);
  EXPECT_NE(loaded.errors[0].find(":3:"), std::string::npos) << loaded.errors[0];
}

TEST(BenchmarkLoader, EmptyFileNamesPath) {
  std::string path = write_temp("empty.jsonl", "\n\n");
  BenchmarkOptions options;
  options.name = "math500";
  options.data_path = path;
  std::string message = error_of([&] { load_benchmark(options); });
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("empty"), std::string::npos) << message;

  options.name = "countdown";
  message = error_of([&] { load_benchmark(options); });
  EXPECT_NE(message.find("empty"), std::string::npos) << message;
}

TEST(BenchmarkLoader, DuplicateIdNamesBothLines) {
  std::string path = write_temp("duplicate.jsonl",
                                "{\"id\": 7, \"problem\": \"a\", \"answer\": \"1\"}\n"
                                "{\"id\": 8, \"problem\": \"b\", \"answer\": \"2\"}\n"
                                "{\"id\": 7, \"problem\": \"c\", \"answer\": \"3\"}\n");
  BenchmarkOptions options;
  options.name = "aime24";
  options.data_path = path;
  std::string message = error_of([&] { load_benchmark(options); });
  EXPECT_NE(message.find(path + ":3"), std::string::npos) << message;
  EXPECT_NE(message.find("duplicate id '7'"), std::string::npos) << message;
  EXPECT_NE(message.find("line 1"), std::string::npos) << message;

  options.skip_bad_records = true;
  LoadedBenchmark loaded = load_benchmark(options);
  EXPECT_EQ(loaded.problems.size(), 2u);
  EXPECT_EQ(loaded.bad_records, 1u);
}

TEST(BenchmarkLoader, MalformedCountdownNamesLine) {
  std::string path = write_temp("countdown.jsonl", "{\"target\": 10, \"nums\": [2, 5]}\n{\"target\": 3}\n");
  BenchmarkOptions options;
  options.name = "countdown";
  options.data_path = path;
  std::string message = error_of([&] { load_benchmark(options); });
  EXPECT_NE(message.find(path + ":2"), std::string::npos) << message;

  options.skip_bad_records = true;
  LoadedBenchmark loaded = load_benchmark(options);
  EXPECT_EQ(loaded.problems.size(), 1u);
  EXPECT_EQ(loaded.bad_records, 1u);
  EXPECT_EQ(loaded.problems[0].gold, "10");
}

TEST(BenchmarkLoader, UnknownBenchmarkListsNames) {
  BenchmarkOptions options;
  options.name = "gsm9k";
  options.data_path = "x.jsonl";
  std::string message = error_of([&] { load_benchmark(options); });
  EXPECT_NE(message.find("gsm9k"), std::string::npos) << message;
  EXPECT_NE(message.find("math500"), std::string::npos) << message;
}

}  // namespace
}  // namespace r1
