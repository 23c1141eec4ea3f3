// The math answer checker on the hard cases of answer grading: extraction
// rules, exact arithmetic, collections and intervals, and hard limits.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "rewards/math/checker.h"
#include "test_util.h"

namespace {

using r1::rewards::math::check_answer;
using r1::rewards::math::check_completion;
using r1::rewards::math::CheckOptions;
using r1::rewards::math::CheckStatus;

struct Case {
  const char* completion;
  const char* gold;
  bool correct;
};

void expect_cases(const std::vector<Case>& cases) {
  CheckOptions options;
  options.extractors = r1::rewards::math::default_extractors("gsm8k");
  for (const Case& c : cases) {
    auto result = check_completion(c.completion, c.gold, options);
    EXPECT_EQ(result.correct, c.correct) << "completion: " << c.completion << "\ngold: " << c.gold
                                         << "\nextracted: " << result.extracted << "\ndetail: " << result.detail;
  }
}

TEST(MathChecker, HardCasesTable) {
  expect_cases({
      {"\\boxed{\\frac{3}{4}}", "0.75", true},
      {"\\boxed{\\frac{1}{\\sqrt{3}}}", "\\frac{\\sqrt{3}}{3}", true},
      {"So \\boxed{7}. Wait, that is wrong, recheck: \\boxed{9}", "9", true},
      {"So \\boxed{7}. Wait, that is wrong, recheck: \\boxed{9}", "7", false},
      {"\\boxed{12} ... so actually \\boxed{", "12", false},
      {"\\boxed{\\frac{1}{3^{50}}}", "\\frac{1}{3^{51}}", false},
      {"\\boxed{4, 7}", "47", false},
      {"\\boxed{12,500}", "12500", true},
      {"#### $1,250.00", "1250", true},
      {"The answer is 15, which is the number of apples.", "15", true},
      {"\\boxed{042}", "42", true},
      {"\\boxed{(1, 3]}", "(1, 3)", false},
      {"\\boxed{x = 5}", "5", true},
      {"\\boxed{2}", "2\\sqrt{3}", false},
      {"\\boxed{\\pm 3}", "3", false},
      {"\\boxed{\\frac{-1}{2}}", "-\\frac{1}{2}", true},
      {"\\boxed{3 \\times 10^{4}}", "30000", true},
      {"\\boxed{7^{7^{7^{7^7}}}}", "1", false},
      {"", "", false},
  });
}

// The same kinds of cases with math-verify's verdicts recorded next to the
// correct ones (scripts/fixtures/make_math_reward_hard_cases.py).
TEST(MathChecker, HardCasesAgainstMathVerify) {
  std::ifstream file(r1::test::fixture_dir() / "rewards" / "math_hard_cases.jsonl");
  std::string line;
  size_t cases = 0;
  size_t math_verify_wrong = 0;
  CheckOptions options;
  options.extractors = r1::rewards::math::default_extractors("gsm8k");
  while (std::getline(file, line)) {
    auto row = nlohmann::json::parse(line);
    bool expected = row.at("correct");
    auto result = check_completion(row.at("completion").get<std::string>(), row.at("gold").get<std::string>(), options);
    EXPECT_EQ(result.correct, expected) << row.at("case") << ": " << row.at("completion") << " vs " << row.at("gold");
    ++cases;
    if (row.at("math_verify").get<bool>() != expected) ++math_verify_wrong;
  }
  EXPECT_GE(cases, 40u);
  std::cout << "hard cases: " << cases << ", math-verify wrong on " << math_verify_wrong << "\n";
}

TEST(MathChecker, BoxedExtraction) {
  expect_cases({
      {"\\boxed 5", "5", true},
      {"\\fbox{5}", "5", true},
      {"\\boxed{\\{1, 2\\}}", "\\{2, 1\\}", true},
      {"\\boxed{\\frac{1}{\\boxed{2}}}", "\\frac12", true},
      {"$\\boxed{5}$.", "5", true},
      {"\\boxed{5} and then \\boxed 6", "6", true},
      {"<answer>\\frac{1}{2}</answer>", "0.5", true},
      {"<answer>3</answer> and <answer>4", "3", false},
      {"Final Answer: The final answer is $\\frac{2}{3}$. I hope it is correct.", "\\frac{2}{3}", true},
  });
}

TEST(MathChecker, NumbersAndFractions) {
  expect_cases({
      {"\\boxed{\\dfrac{3}{4}}", "\\tfrac34", true},
      {"\\boxed{3/4}", "0.75", true},
      {"\\boxed{2\\frac{1}{2}}", "\\frac{5}{2}", true},
      {"\\boxed{-1\\frac{1}{3}}", "-\\frac{4}{3}", true},
      {"\\boxed{2\\frac{x}{2}}", "x", true},
      {"\\boxed{\\frac{1}{2^{60}}}", "\\frac{1}{2^{61}}", false},
      {"\\boxed{\u22125}", "-5", true},
      {"\\boxed{3e5}", "300000", true},
      {"\\boxed{12{,}500}", "12500", true},
      {"\\boxed{1,234,567}", "1234567", true},
      {"\\boxed{1000000}", "1,\\!000,\\!000", true},
      {"\\boxed{1\\,000\\,000}", "1000000", true},
      {"\\boxed{1000}", "1, 000", false},
      {"\\boxed{111111111}", "111, \\! 111, \\! 111", true},
      {"\\boxed{50\\%}", "0.5", true},
      {"\\boxed{50\\%}", "50", true},
      {"\\boxed{30^\\circ}", "30", true},
      {"\\boxed{15 \\text{ cm}^2}", "15", true},
      {"\\boxed{\\$18.90}", "18.9", true},
      {"\\boxed{\\sqrt[3]{8}}", "2", true},
      {"\\boxed{\\sqrt{8}}", "2\\sqrt{2}", true},
      {"\\boxed{\\frac{\\pi}{2}}", "\\frac{1}{2}\\pi", true},
      {"\\boxed{\\mathrm{e}^2}", "e^{2}", true},
      {"\\boxed{5!}", "120", true},
      {"\\boxed{\\binom{5}{2}}", "10", true},
      {"\\boxed{\\infty}", "\\infty", true},
      {"\\boxed{0.333}", "\\frac13", false},
  });
}

TEST(MathChecker, SymbolicExpressions) {
  expect_cases({
      {"\\boxed{(x+1)^2}", "x^2 + 2x + 1", true},
      {"\\boxed{(x+1)^2}", "x^2 + 2x - 1", false},
      {"\\boxed{\\frac{x^2-1}{x-1}}", "x+1", true},
      {"\\boxed{2\\sin x \\cos x}", "\\sin(2x)", true},
      {"\\boxed{y = 2x + 1}", "y=1+2x", true},
      {"\\boxed{3 + 4i}", "4i+3", true},
  });
}

TEST(MathChecker, Collections) {
  expect_cases({
      {"\\boxed{1, 2, 3}", "3, 1, 2", true},
      {"\\boxed{(1, 2)}", "(2, 1)", false},
      {"\\boxed{[1, 3)}", "[1,3)", true},
      {"\\boxed{(-\\infty, 0) \\cup (1, \\infty)}", "(1,\\infty)\\cup(-\\infty,0)", true},
      {"\\boxed{\\pm 3}", "3, -3", true},
      {"\\boxed{1 \\pm \\sqrt{2}}", "1+\\sqrt2, 1-\\sqrt2", true},
      {"\\boxed{\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}}", "\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}", true},
      {"\\boxed{\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}}", "\\begin{pmatrix}1&2\\\\4&3\\end{pmatrix}", false},
      {"\\boxed{x \\in [2, 5]}", "[2,5]", true},
  });
}

TEST(MathChecker, TextAndChoices) {
  expect_cases({
      {"\\boxed{\\text{Devon}}", "\\text{Devon}", true},
      {"\\boxed{\\text{(C)}}", "C", true},
      {"\\boxed{C}", "\\text{(C)}", true},
      {"\\boxed{B}", "\\text{(C)}", false},
      {"\\boxed{A, D}", "\\text{A,D}", true},
      {"\\boxed{\\text{D, A}}", "\\text{A,D}", true},
      {"\\boxed{A, C}", "\\text{A,D}", false},
      {"\\boxed{A}", "\\text{A,D}", false},
      {"\\boxed{3:1}", "3:1", true},
      {"\\boxed{\\text{Saturday}}", "\\mbox{Saturday}", true},
  });
}

TEST(MathChecker, MoreNotation) {
  expect_cases({
      {"\\boxed{\\left( 1, 2 \\right)}", "(1,2)", true},
      {"\\boxed{(12, 500)}", "(12,500)", true},
      {"\\boxed{-\\infty}", "-\\infty", true},
      {"\\boxed{-\\infty}", "\\infty", false},
      {"\\boxed{1e-3}", "0.001", true},
      {"\\boxed{2^{10}}", "1024", true},
      {"\\boxed{123456789012345678901234567890}", "123456789012345678901234567891", false},
      {"\\boxed{\\frac{\\sqrt{2}}{2}}", "\\frac{1}{\\sqrt2}", true},
      {"\\boxed{\\log_2 8}", "3", true},
      {"\\boxed{\\ln(e^2)}", "2", true},
      {"\\boxed{\\sqrt{-4}}", "2", false},
      {"\\boxed{\\frac{1}{0}}", "1", false},
      {"\\boxed{x > 3}", "3 < x", true},
      {"\\boxed{x \\ge 3}", "x > 3", false},
      {"\\boxed{2x + 4 = 0}", "x + 2 = 0", true},
      {"\\boxed{\\emptyset}", "\\varnothing", true},
      {"#### 1,250.", "1250", true},
      {"The answer is $\\frac{1}{2}$.", "0.5", true},
      {"**Final Answer:** 42", "42", true},
      {"\\boxed{1011_2}", "1011_2", true},
      {"\\boxed{1011_2}", "1011_3", false},
      {"\\boxed{\\dfrac{7}{2}\\text{ inches}}", "3.5", true},
      {"\\boxed{\\text{east}}", "\\text{East}", true},
      {"\\boxed{90^{\\circ}}", "90", true},
      {"\\boxed{(1,2) \\cup (3,4)}", "(1,2) \\cup [3,4]", false},
      {"\\boxed{\\{1,2\\}}", "\\{1,2,3\\}", false},
      {"\\boxed{3 = 5}", "5", false},
      {"\\boxed{x > 3}", "(3, \\infty)", true},
      {"\\boxed{x \\ge 3}", "(3, \\infty)", false},
      {"\\boxed{3 \\ge x}", "(-\\infty, 3]", true},
      {"\\boxed{-1 < x \\le 2}", "(-1, 2]", true},
      {"\\boxed{-1 < x \\le 2}", "(-1, 2)", false},
      {"\\boxed{f(2) = 5}", "5", true},
      {"\\boxed{5}\\boxed{}", "5", false},
  });
}

TEST(MathChecker, ChoiceExtraction) {
  CheckOptions options;
  options.extractors = r1::rewards::math::default_extractors("choice");
  EXPECT_TRUE(check_completion("Comparing the options, (B) fails and (C) holds.", "C", options).correct);
  EXPECT_FALSE(check_completion("Comparing the options, (C) fails and (B) holds.", "C", options).correct);
}

TEST(MathChecker, GoldUnparseableIsReported) {
  CheckOptions options;
  auto result = check_completion("\\boxed{5}", "\\frac{1}{", options);
  EXPECT_FALSE(result.correct);
  EXPECT_EQ(result.status, CheckStatus::kGoldUnparseable);

  auto empty = check_completion("\\boxed{5}", "   ", options);
  EXPECT_EQ(empty.status, CheckStatus::kGoldUnparseable);
}

TEST(MathChecker, TruncatedHasNoAnswer) {
  CheckOptions options;
  auto result = check_completion("\\boxed{5} and more", "5", options, /*truncated=*/true);
  EXPECT_FALSE(result.correct);
  EXPECT_EQ(result.status, CheckStatus::kNoAnswer);
}

TEST(MathChecker, HugeInputsHitLimits) {
  CheckOptions options;
  std::string deep(100000, '{');
  auto nested = check_completion("\\boxed{" + deep + "}", "1", options);
  EXPECT_FALSE(nested.correct);

  std::string long_answer = "\\boxed{" + std::string(1 << 20, '9') + "}";
  auto huge = check_completion(long_answer, "9", options);
  EXPECT_FALSE(huge.correct);
  EXPECT_EQ(huge.status, CheckStatus::kLimitExceeded);

  auto tower = check_answer("7^{7^{7^{7^7}}}", "7^{7^{7^{7^7}}}");
  EXPECT_TRUE(tower.correct);  // written the same way
  auto factorial = check_answer("100000!", "1");
  EXPECT_FALSE(factorial.correct);
}

TEST(MathChecker, ConcurrentCallsAgree) {
  std::vector<std::thread> threads;
  std::vector<int> correct_counts(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &correct_counts] {
      CheckOptions options;
      for (int i = 0; i < 200; ++i) {
        if (check_completion("\\boxed{\\frac{1}{\\sqrt{3}}}", "\\frac{\\sqrt{3}}{3}", options).correct) {
          ++correct_counts[t];
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int count : correct_counts) EXPECT_EQ(count, 200);
}

}  // namespace
