// Countdown rewards and problem generation: the verdicts of check_countdown
// and CountdownTask::score on hand-written completions, the format check, the
// generated splits and the JSONL loader's errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <unistd.h>

#include "tasks/countdown.h"
#include "tasks/countdown_search.h"
#include "tasks/countdown_task.h"
#include "util/error.h"

namespace r1 {
namespace {

// Solved by 15*3 + 1 = 46.
const CountdownProblem kProblem{{15, 3, 1, 7}, 46};

std::string wrap(const std::string& answer) { return "<think>15*3=45, 45+1=46</think>\n<answer>" + answer + "</answer>"; }

TEST(CheckCountdown, CorrectAnswer) {
  CountdownVerdict verdict = check_countdown(wrap("(15*3)+1"), kProblem);
  EXPECT_TRUE(verdict.format_ok);
  EXPECT_TRUE(verdict.has_answer);
  EXPECT_TRUE(verdict.parsed);
  EXPECT_TRUE(verdict.correct);
  EXPECT_EQ(verdict.answer, "(15*3)+1");
  EXPECT_EQ(verdict.value, "46");
  EXPECT_EQ(verdict.reason, "");
}

TEST(CheckCountdown, CorrectWithoutParentheses) {
  EXPECT_TRUE(check_countdown(wrap(" 15 * 3 + 1 "), kProblem).correct);
}

TEST(CheckCountdown, WrongValue) {
  CountdownVerdict verdict = check_countdown(wrap("15*3+7"), kProblem);
  EXPECT_TRUE(verdict.parsed);
  EXPECT_FALSE(verdict.correct);
  EXPECT_EQ(verdict.value, "52");
  EXPECT_NE(verdict.reason.find("not the target"), std::string::npos) << verdict.reason;
}

TEST(CheckCountdown, NumberUsedTwice) {
  CountdownVerdict verdict = check_countdown(wrap("15*3+1+1"), kProblem);
  EXPECT_FALSE(verdict.parsed);
  EXPECT_FALSE(verdict.correct);
  EXPECT_NE(verdict.reason.find("more times than given"), std::string::npos) << verdict.reason;
}

TEST(CheckCountdown, NumberNotGiven) {
  CountdownVerdict verdict = check_countdown(wrap("45+1"), kProblem);
  EXPECT_FALSE(verdict.correct);
  EXPECT_NE(verdict.reason.find("not given"), std::string::npos) << verdict.reason;
}

TEST(CheckCountdown, DivisionByZero) {
  CountdownVerdict verdict = check_countdown(wrap("15/(3-3)"), CountdownProblem{{15, 3, 3}, 5});
  EXPECT_FALSE(verdict.correct);
  EXPECT_NE(verdict.reason.find("division by zero"), std::string::npos) << verdict.reason;
}

TEST(CheckCountdown, FractionalIntermediateValues) {
  // (7/2)*4 = 14 passes through 7/2, which TinyZero's floating-point check
  // accepts and the integer-only rule rejects.
  const CountdownProblem problem{{7, 2, 4}, 14};
  EXPECT_TRUE(check_countdown(wrap("(7/2)*4"), problem).correct);

  CountdownCheckOptions integers;
  integers.allow_fractions = false;
  CountdownVerdict verdict = check_countdown(wrap("(7/2)*4"), problem, integers);
  EXPECT_FALSE(verdict.correct);
  EXPECT_NE(verdict.reason.find("non-integer"), std::string::npos) << verdict.reason;

  // a fractional final value is never correct
  CountdownVerdict half = check_countdown(wrap("7/2"), CountdownProblem{{7, 2}, 3});
  EXPECT_TRUE(half.parsed);
  EXPECT_FALSE(half.correct);
  EXPECT_EQ(half.value, "7/2");
}

TEST(CheckCountdown, MalformedExpression) {
  for (const std::string answer : {"(15*3+1", "15*3+", "15 3 1", "15*x", ""}) {
    CountdownVerdict verdict = check_countdown(wrap(answer), kProblem);
    EXPECT_TRUE(verdict.has_answer) << answer;
    EXPECT_FALSE(verdict.parsed) << answer;
    EXPECT_FALSE(verdict.correct) << answer;
    EXPECT_FALSE(verdict.reason.empty()) << answer;
  }
}

TEST(CheckCountdown, MissingOrBrokenTags) {
  for (const std::string completion :
       {"<think>x</think> (15*3)+1", "<think>x</think><answer>(15*3)+1", "<think>x</think>(15*3)+1</answer>", ""}) {
    CountdownVerdict verdict = check_countdown(completion, kProblem);
    EXPECT_FALSE(verdict.has_answer) << completion;
    EXPECT_FALSE(verdict.correct) << completion;
    EXPECT_FALSE(verdict.format_ok) << completion;
  }
}

TEST(CheckCountdown, AnswerFollowedByTarget) {
  CountdownVerdict verdict = check_countdown(wrap("(15*3)+1 = 46"), kProblem);
  EXPECT_TRUE(verdict.correct);
  EXPECT_EQ(verdict.value, "46");
  // only the left side is evaluated, so a wrong right side does not help
  EXPECT_FALSE(check_countdown(wrap("15*3+7 = 46"), kProblem).correct);
}

TEST(CountdownTaskScore, RewardComponents) {
  CountdownTask task({kProblem}, /*format_weight=*/0.1);

  // correct and well formed: 1 + 0.1 * 1
  ScoredCompletion best = task.score(0, wrap("(15*3)+1"));
  EXPECT_DOUBLE_EQ(best.reward, 1.1);
  EXPECT_TRUE(best.correct);
  EXPECT_EQ(best.answer, "46");
  EXPECT_DOUBLE_EQ(best.components.at("accuracy"), 1.0);
  EXPECT_DOUBLE_EQ(best.components.at("format"), 1.0);

  // text after the answer breaks the format: 1 + 0.1 * 0
  ScoredCompletion trailing = task.score(0, wrap("(15*3)+1") + " and more text");
  EXPECT_TRUE(trailing.correct);
  EXPECT_DOUBLE_EQ(trailing.components.at("format"), 0.0);
  EXPECT_DOUBLE_EQ(trailing.reward, 1.0);
  EXPECT_LT(trailing.reward, best.reward);

  // well formed but wrong: 0 + 0.1 * 1
  ScoredCompletion wrong = task.score(0, wrap("15*3+7"));
  EXPECT_FALSE(wrong.correct);
  EXPECT_DOUBLE_EQ(wrong.reward, 0.1);

  // empty completion: nothing
  ScoredCompletion empty = task.score(0, "");
  EXPECT_FALSE(empty.correct);
  EXPECT_DOUBLE_EQ(empty.reward, 0.0);
  EXPECT_EQ(empty.answer, "");
}

// The batch entry point scores in order, like score() one by one, and
// rejects lists of different lengths.
TEST(CountdownTaskScore, ScoreAllMatchesScore) {
  CountdownTask task({kProblem}, /*format_weight=*/0.1);
  std::vector<std::string> completions = {wrap("(15*3)+1"), wrap("15*3+7"), ""};
  std::vector<ScoredCompletion> all = task.score_all({0, 0, 0}, completions, {});
  ASSERT_EQ(all.size(), 3u);
  for (size_t k = 0; k < completions.size(); ++k) {
    EXPECT_DOUBLE_EQ(all[k].reward, task.score(0, completions[k]).reward) << k;
    EXPECT_EQ(all[k].correct, task.score(0, completions[k]).correct) << k;
  }
  EXPECT_THROW(task.score_all({0}, completions, {}), Error);
  EXPECT_THROW(task.score_all({0, 0, 0}, completions, {true}), Error);
}

TEST(CountdownFormat, Cases) {
  EXPECT_TRUE(countdown_format_ok("<think>a</think><answer>b</answer>"));
  EXPECT_TRUE(countdown_format_ok("  <think>a</think>\n\n<answer>b</answer>\n"));
  EXPECT_FALSE(countdown_format_ok("<think>a</think><answer>b</answer>x"));
  EXPECT_FALSE(countdown_format_ok("x<think>a</think><answer>b</answer>"));
  EXPECT_FALSE(countdown_format_ok("<think>a</think>x<answer>b</answer>"));
  EXPECT_FALSE(countdown_format_ok("<answer>b</answer><think>a</think>"));
  EXPECT_FALSE(countdown_format_ok("<think>a</think><answer>b</answer><answer>c</answer>"));
  EXPECT_FALSE(countdown_format_ok("<think>a<think>b</think><answer>c</answer>"));
  EXPECT_FALSE(countdown_format_ok("<think><answer>b</answer></think>"));
  EXPECT_FALSE(countdown_format_ok("<answer>b</answer>"));
  EXPECT_FALSE(countdown_format_ok(""));
}

TEST(CountdownSplits, DisjointReproducibleSolvable) {
  CountdownGeneratorOptions options;
  CountdownSplits first = generate_countdown_splits(200, 50, /*seed=*/7, options);
  CountdownSplits again = generate_countdown_splits(200, 50, /*seed=*/7, options);
  CountdownSplits other = generate_countdown_splits(200, 50, /*seed=*/8, options);
  ASSERT_EQ(first.train.size(), 200u);
  ASSERT_EQ(first.heldout.size(), 50u);

  std::set<std::string> train_keys;
  for (const auto& p : first.train) train_keys.insert(p.key());
  for (const auto& p : first.heldout) EXPECT_EQ(train_keys.count(p.key()), 0u) << p.key();

  bool same = true, differs = false;
  for (size_t i = 0; i < first.train.size(); ++i) {
    same = same && first.train[i].key() == again.train[i].key();
    differs = differs || first.train[i].key() != other.train[i].key();
  }
  EXPECT_TRUE(same);
  EXPECT_TRUE(differs);

  for (const auto* split : {&first.train, &first.heldout}) {
    for (const auto& p : *split) {
      EXPECT_GT(count_countdown_solutions(p, options.max_intermediate), 0) << p.key();
      EXPECT_GE(static_cast<int64_t>(p.nums.size()), options.min_count);
      EXPECT_LE(static_cast<int64_t>(p.nums.size()), options.max_count);
      EXPECT_GE(p.target, options.min_target);
      EXPECT_LE(p.target, options.max_target);
    }
  }
}

TEST(CountdownSearch, KnownSolutionCount) {
  // {2, 3} -> 6 only by 2*3 and 3*2: two chains
  EXPECT_EQ(count_countdown_solutions(CountdownProblem{{2, 3}, 6}, 200), 2);
  EXPECT_EQ(count_countdown_solutions(CountdownProblem{{2, 3}, 7}, 200), 0);
}

class CountdownJsonl : public ::testing::Test {
 protected:
  std::filesystem::path path_ =
      std::filesystem::temp_directory_path() / ("r1_countdown_" + std::to_string(::getpid()) + ".jsonl");
  void TearDown() override { std::filesystem::remove(path_); }
};

TEST_F(CountdownJsonl, RoundTrip) {
  std::vector<CountdownProblem> problems = {{{1, 2, 3}, 6}, {{15, 3, 1, 7}, 46}};
  save_countdown_jsonl(path_.string(), problems);
  std::vector<CountdownProblem> loaded = load_countdown_jsonl(path_.string());
  ASSERT_EQ(loaded.size(), 2u);
  EXPECT_EQ(loaded[1].nums, problems[1].nums);
  EXPECT_EQ(loaded[1].target, 46);
}

TEST_F(CountdownJsonl, MalformedLineNamesLineNumber) {
  {
    std::ofstream out(path_);
    out << "{\"target\": 6, \"nums\": [1, 2, 3]}\n";
    out << "{\"target\": 10, \"nums\": [4, 6]}\n";
    out << "{\"target\": 7, \"nums\": [1, 2\n";
  }
  try {
    load_countdown_jsonl(path_.string());
    FAIL() << "expected r1::Error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(".jsonl:3:"), std::string::npos) << message;
    EXPECT_NE(message.find(path_.filename().string()), std::string::npos) << message;
  }
}

TEST_F(CountdownJsonl, MissingFieldNamesLineNumber) {
  {
    std::ofstream out(path_);
    out << "{\"target\": 6, \"nums\": [1, 2, 3]}\n";
    out << "{\"nums\": [4, 6]}\n";
  }
  try {
    load_countdown_jsonl(path_.string());
    FAIL() << "expected r1::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(".jsonl:2:"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace r1
