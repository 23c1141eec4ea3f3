// Agreement of the math answer checker with math-verify on a generated corpus
// of equivalent rewrites and near misses of MATH and GSM8K gold answers
// (scripts/fixtures/make_math_reward_corpus.py). Every disagreement must be
// listed, with the reason r1's verdict is right, in
// math_corpus_disagreements.jsonl; set R1_WRITE_DISAGREEMENTS=path to dump the
// current disagreements when the checker changes.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "rewards/math/checker.h"
#include "test_util.h"

namespace {

using r1::rewards::math::check_completion;
using r1::rewards::math::CheckOptions;
using r1::rewards::math::default_extractors;

std::vector<nlohmann::json> read_jsonl(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::vector<nlohmann::json> rows;
  std::string line;
  while (std::getline(file, line)) {
    if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
  }
  return rows;
}

TEST(MathAgreement, MathVerifyCorpus) {
  auto corpus = read_jsonl(r1::test::fixture_dir() / "rewards" / "math_corpus.jsonl");
  ASSERT_GE(corpus.size(), 5000u);
  auto listed_rows = read_jsonl(r1::test::fixture_dir() / "rewards" / "math_corpus_disagreements.jsonl");
  std::map<std::pair<std::string, std::string>, nlohmann::json> listed;
  for (const auto& row : listed_rows) {
    ASSERT_FALSE(row.value("reason", "").empty()) << "disagreement without a reason: " << row.dump();
    listed[{row.at("completion").get<std::string>(), row.at("gold").get<std::string>()}] = row;
  }

  CheckOptions math_options;
  CheckOptions gsm8k_options;
  gsm8k_options.extractors = default_extractors("gsm8k");
  size_t agree = 0;
  size_t unlisted = 0;
  const char* dump_path = std::getenv("R1_WRITE_DISAGREEMENTS");
  std::ofstream dump;
  if (dump_path != nullptr) dump.open(dump_path);

  for (const auto& row : corpus) {
    std::string completion = row.at("completion");
    std::string gold = row.at("gold");
    bool oracle = row.at("math_verify");
    const CheckOptions& options = row.value("source", "math") == "gsm8k" ? gsm8k_options : math_options;
    bool verdict = check_completion(completion, gold, options).correct;
    if (verdict == oracle) {
      ++agree;
      continue;
    }
    if (dump.is_open()) {
      nlohmann::json out = row;
      out["r1"] = verdict;
      auto found = listed.find({completion, gold});
      out["reason"] = found == listed.end() ? "" : found->second.value("reason", "");
      dump << out.dump() << "\n";
    }
    auto found = listed.find({completion, gold});
    if (found == listed.end() || found->second.value("r1", !verdict) != verdict) {
      ++unlisted;
      ADD_FAILURE() << "unlisted disagreement: r1=" << verdict << " math-verify=" << oracle << "\ncompletion: "
                    << completion << "\ngold: " << gold;
    }
  }
  double agreement = static_cast<double>(agree) / static_cast<double>(corpus.size());
  std::cout << "agreement with math-verify: " << agree << "/" << corpus.size() << " = " << agreement * 100 << "%\n";
  EXPECT_GE(agreement, 0.99);
  EXPECT_EQ(unlisted, 0u);
}

// The MATH-500 reference solutions, graded against the dataset's answers.
TEST(MathAgreement, Math500ReferenceSolutions) {
  R1_REQUIRE_REAL_DATA("math500/test.jsonl");
  auto rows = read_jsonl(r1::test::real_data_dir() / "math500" / "test.jsonl");
  ASSERT_EQ(rows.size(), 500u);
  CheckOptions options;
  size_t correct = 0;
  for (const auto& row : rows) {
    std::string solution = row.at("solution");
    std::string answer = row.at("answer");
    if (check_completion(solution, answer, options).correct) {
      ++correct;
    } else {
      std::cout << "not matched: gold " << answer << "\n";
    }
  }
  double accuracy = static_cast<double>(correct) / static_cast<double>(rows.size());
  std::cout << "MATH-500 reference solutions correct: " << correct << "/500 = " << accuracy * 100 << "%\n";
  EXPECT_GE(accuracy, 0.995);
}

}  // namespace
