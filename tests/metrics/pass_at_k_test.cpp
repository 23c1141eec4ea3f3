// pass@k, majority votes and the per-problem sampling metrics on inputs with
// closed-form answers.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "metrics/pass_at_k.h"
#include "util/error.h"

namespace r1 {
namespace {

TEST(PassAtK, ClosedFormValues) {
  // k=1 is the share of correct samples: 2/5
  EXPECT_NEAR(pass_at_k(5, 2, 1), 0.4, 1e-12);
  // k=2: 1 - C(3,2)/C(5,2) = 1 - 3/10
  EXPECT_NEAR(pass_at_k(5, 2, 2), 0.7, 1e-12);
  // k=3: 1 - C(3,3)/C(5,3) = 1 - 1/10
  EXPECT_NEAR(pass_at_k(5, 2, 3), 0.9, 1e-12);
  // no correct sample
  EXPECT_EQ(pass_at_k(5, 0, 1), 0.0);
  EXPECT_EQ(pass_at_k(5, 0, 5), 0.0);
  // n - c < k: every draw of k contains a correct sample
  EXPECT_EQ(pass_at_k(5, 2, 4), 1.0);
  EXPECT_EQ(pass_at_k(5, 5, 1), 1.0);
  // n=16, c=1, k=8: 1 - C(15,8)/C(16,8) = 1 - 8/16
  EXPECT_NEAR(pass_at_k(16, 1, 8), 0.5, 1e-12);
}

TEST(PassAtK, LargeNIsFinite) {
  // 1 - C(990,10)/C(1000,10) = 1 - prod_{i=0..9} (990-i)/(1000-i)
  double product = 1.0;
  for (int i = 0; i < 10; ++i) product *= (990.0 - i) / (1000.0 - i);
  EXPECT_NEAR(pass_at_k(1000, 10, 10), 1.0 - product, 1e-12);
}

TEST(PassAtK, RejectsInvalidK) {
  EXPECT_THROW(pass_at_k(5, 2, 0), Error);
  EXPECT_THROW(pass_at_k(5, 2, 6), Error);
}

TEST(MajorityVote, CountsAndTies) {
  // "3" appears twice, "4" once
  EXPECT_EQ(majority_vote_index({"4", "3", "3"}), 1);
  // tie between "4" and "3": "4" occurs first
  EXPECT_EQ(majority_vote_index({"4", "3", "3", "4"}), 0);
  EXPECT_EQ(majority_vote_index({"3", "4", "4", "3"}), 0);
  // empty answers are ignored even when they are the most common
  EXPECT_EQ(majority_vote_index({"", "", "", "7"}), 3);
  EXPECT_EQ(majority_vote_index({"", ""}), -1);
  EXPECT_EQ(majority_vote_index({}), -1);
}

TEST(SamplingMetrics, HandMadeSet) {
  // problem 0: answers 46,46,45,46, correct 1,1,0,1 -> mean 0.75, vote 46 correct
  // problem 1: answers 5,7,7,"" , correct 1,0,0,0 -> mean 0.25, vote 7 wrong
  // problem 2: no answers, all wrong -> mean 0, no vote
  std::vector<ProblemSamples> problems(3);
  problems[0] = {{"46", "46", "45", "46"}, {true, true, false, true}};
  problems[1] = {{"5", "7", "7", ""}, {true, false, false, false}};
  problems[2] = {{"", "", "", ""}, {false, false, false, false}};
  SamplingMetrics metrics = sampling_metrics(problems);

  EXPECT_EQ(metrics.problems, 3);
  EXPECT_EQ(metrics.samples_per_problem, 4);
  // pass@1 = (0.75 + 0.25 + 0) / 3
  EXPECT_NEAR(metrics.pass_at_1, 1.0 / 3.0, 1e-12);
  // pass@4 with n=k=4: 1 if any correct: (1 + 1 + 0) / 3
  EXPECT_NEAR(metrics.pass_at_k, 2.0 / 3.0, 1e-12);
  // cons@4: only problem 0's majority is correct
  EXPECT_NEAR(metrics.cons_at_k, 1.0 / 3.0, 1e-12);
  // standard error of the per-problem means {0.75, 0.25, 0}: sample std / sqrt(3)
  const double mean = 1.0 / 3.0;
  const double var = ((0.75 - mean) * (0.75 - mean) + (0.25 - mean) * (0.25 - mean) + mean * mean) / 2.0;
  EXPECT_NEAR(metrics.pass_at_1_stderr, std::sqrt(var / 3.0), 1e-12);
}

}  // namespace
}  // namespace r1
