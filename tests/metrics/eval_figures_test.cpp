// Evaluation figures on inputs with closed-form values: pass@k' over several
// k', cons@k with ties, standard errors and per-level aggregation.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "metrics/eval_figures.h"
#include "rewards/math/checker.h"
#include "util/error.h"

namespace r1 {
namespace {

// A problem with the given verdicts; answers are "right" or "wrong".
ProblemOutcome outcome(const std::string& id, const std::vector<bool>& correct) {
  ProblemOutcome p;
  p.id = id;
  p.correct = correct;
  for (bool ok : correct) {
    p.answers.push_back(ok ? "right" : "wrong");
    p.lengths.push_back(10);
    p.truncated.push_back(false);
  }
  return p;
}

TEST(PassAtKSizes, PowersOfTwoThenK) {
  EXPECT_EQ(pass_at_k_sizes(1), (std::vector<int64_t>{1}));
  EXPECT_EQ(pass_at_k_sizes(8), (std::vector<int64_t>{1, 2, 4, 8}));
  EXPECT_EQ(pass_at_k_sizes(6), (std::vector<int64_t>{1, 2, 4, 6}));
  EXPECT_EQ(pass_at_k_sizes(0), (std::vector<int64_t>{}));
}

TEST(EvalFigures, PassAtKClosedForm) {
  // n = 4 samples, c = 1 correct: pass@1 = 1/4, pass@2 = 1 - C(3,2)/C(4,2) = 1/2,
  // pass@4 = 1; a problem with c = 0 adds 0 to each.
  std::vector<ProblemOutcome> problems = {outcome("a", {false, true, false, false}),
                                          outcome("b", {false, false, false, false})};
  EvalFigures figures = eval_figures(problems);
  EXPECT_EQ(figures.problems, 2);
  EXPECT_EQ(figures.k, 4);
  EXPECT_NEAR(figures.pass_at_1.value, 0.125, 1e-12);
  EXPECT_NEAR(figures.pass_at.at(1).value, 0.125, 1e-12);
  EXPECT_NEAR(figures.pass_at.at(2).value, 0.25, 1e-12);
  EXPECT_NEAR(figures.pass_at.at(4).value, 0.5, 1e-12);
  EXPECT_EQ(figures.pass_at.size(), 3u);
}

TEST(EvalFigures, StandardErrorOverProblems) {
  // per-problem pass@1 of 1, 0.5, 0: mean 0.5, sample sd 0.5, stderr 0.5 / sqrt(3)
  std::vector<ProblemOutcome> problems = {outcome("a", {true, true}), outcome("b", {true, false}),
                                          outcome("c", {false, false})};
  EvalFigures figures = eval_figures(problems);
  EXPECT_NEAR(figures.pass_at_1.value, 0.5, 1e-12);
  EXPECT_NEAR(figures.pass_at_1.standard_error, 0.5 / std::sqrt(3.0), 1e-12);
  // one problem has no spread to measure
  EXPECT_EQ(eval_figures({outcome("a", {true, false})}).pass_at_1.standard_error, 0.0);
}

TEST(EvalFigures, ConsensusTieGoesToEarliestAnswer) {
  // "7" and "9" have two votes each; "7" came first, and it is correct
  ProblemOutcome first_wins = outcome("tie", {true, false, false, true});
  first_wins.answers = {"7", "9", "9", "7"};
  EXPECT_EQ(eval_figures({first_wins}).cons_at_k.value, 1.0);

  // the same votes with the wrong answer first
  ProblemOutcome wrong_first = outcome("tie", {false, true, true, false});
  wrong_first.answers = {"9", "7", "7", "9"};
  EXPECT_EQ(eval_figures({wrong_first}).cons_at_k.value, 0.0);

  // samples without an answer never win the vote
  ProblemOutcome empty_majority = outcome("empty", {false, false, false, true});
  empty_majority.answers = {"", "", "", "7"};
  EXPECT_EQ(eval_figures({empty_majority}).cons_at_k.value, 1.0);
}

TEST(EvalFigures, UsesFirstKOfUnevenCounts) {
  // the smallest count sets k; later samples of the longer problem are ignored
  std::vector<ProblemOutcome> problems = {outcome("a", {true, false, true, true}), outcome("b", {false, true})};
  EvalFigures figures = eval_figures(problems);
  EXPECT_EQ(figures.k, 2);
  EXPECT_NEAR(figures.pass_at_1.value, 0.5, 1e-12);
}

TEST(EvalFigures, LengthsTruncationAndGreedy) {
  ProblemOutcome a = outcome("a", {true, false});
  a.lengths = {10, 30};
  a.truncated = {false, true};
  a.greedy_correct = true;
  ProblemOutcome b = outcome("b", {false, false});
  b.lengths = {50, 50};
  b.greedy_correct = false;
  EvalFigures figures = eval_figures({a, b});
  EXPECT_NEAR(figures.mean_length.value, 35.0, 1e-12);  // per-problem means 20 and 50
  EXPECT_EQ(figures.max_length, 50);
  EXPECT_NEAR(figures.truncated_share.value, 0.25, 1e-12);
  ASSERT_TRUE(figures.greedy.has_value());
  EXPECT_NEAR(figures.greedy->value, 0.5, 1e-12);

  // greedy is reported only when every problem has a greedy verdict
  b.greedy_correct.reset();
  EXPECT_FALSE(eval_figures({a, b}).greedy.has_value());
}

TEST(EvalFigures, PerLevelAggregation) {
  ProblemOutcome a = outcome("a", {true, true});
  a.groups = {{"level", "1"}, {"subject", "Algebra"}};
  ProblemOutcome b = outcome("b", {true, false});
  b.groups = {{"level", "1"}, {"subject", "Geometry"}};
  ProblemOutcome c = outcome("c", {false, false});
  c.groups = {{"level", "5"}, {"subject", "Algebra"}};
  auto grouped = grouped_eval_figures({a, b, c});

  ASSERT_EQ(grouped.at("level").size(), 2u);
  EXPECT_EQ(grouped.at("level").at("1").problems, 2);
  EXPECT_NEAR(grouped.at("level").at("1").pass_at_1.value, 0.75, 1e-12);
  EXPECT_NEAR(grouped.at("level").at("5").pass_at_1.value, 0.0, 1e-12);
  EXPECT_NEAR(grouped.at("subject").at("Algebra").pass_at_1.value, 0.5, 1e-12);
  EXPECT_EQ(grouped.at("subject").at("Geometry").problems, 1);
}

TEST(EvalFigures, RejectsMismatchedVectors) {
  ProblemOutcome bad = outcome("bad", {true, false});
  bad.lengths.pop_back();
  EXPECT_THROW(eval_figures({bad}), Error);
  EXPECT_THROW(eval_figures({outcome("none", {})}), Error);
}

TEST(EvalFigures, JsonNamesEachFigure) {
  nlohmann::ordered_json json = to_json(eval_figures({outcome("a", {true, false, true, false})}));
  EXPECT_EQ(json.at("k"), 4);
  EXPECT_NEAR(json.at("pass@1").at("value").get<double>(), 0.5, 1e-12);
  EXPECT_TRUE(json.contains("pass@2"));
  EXPECT_TRUE(json.contains("pass@4"));
  EXPECT_TRUE(json.contains("cons@4"));
  EXPECT_TRUE(json.at("greedy").is_null());
  EXPECT_EQ(json.at("pass@1").at("ci95").size(), 2u);
}

TEST(CanonicalAnswer, EquivalentSpellingsAgree) {
  using rewards::math::canonical_answer;
  EXPECT_EQ(canonical_answer("\\frac{1}{2}"), canonical_answer("$1/2$"));
  EXPECT_EQ(canonical_answer("\\dfrac{1}{2}"), canonical_answer("\\frac12"));
  EXPECT_EQ(canonical_answer("  "), "");
  EXPECT_NE(canonical_answer("3"), canonical_answer("4"));
}

}  // namespace
}  // namespace r1
