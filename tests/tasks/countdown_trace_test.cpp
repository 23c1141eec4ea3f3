// Tests the synthetic reasoning traces of the built-in base model's corpus.
// Every trace has the <think>/<answer> format, and a trace that ends a try
// with "yes" without a slip gives a correct answer. The styles appear in
// their shares, and a thorough search solves more problems than a quick one.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "tasks/countdown.h"
#include "tasks/countdown_search.h"
#include "util/error.h"

namespace r1 {
namespace {

std::vector<CountdownProblem> problems() {
  return generate_countdown_splits(400, 10, /*seed=*/3).train;
}

double accuracy(const CountdownTraceOptions& options, uint64_t seed) {
  std::mt19937_64 rng(seed);
  int correct = 0, total = 0;
  for (const auto& problem : problems()) {
    correct += check_countdown(countdown_trace(problem, options, rng), problem).correct ? 1 : 0;
    ++total;
  }
  return static_cast<double>(correct) / total;
}

TEST(CountdownTrace, EveryTraceHasTheFormat) {
  CountdownTraceOptions options;
  std::mt19937_64 rng(1);
  for (const auto& problem : problems()) {
    std::string trace = countdown_trace(problem, options, rng);
    EXPECT_TRUE(countdown_format_ok(trace)) << trace;
  }
}

TEST(CountdownTrace, YesWithoutSlipIsCorrect) {
  CountdownTraceOptions options;
  options.slip_rate = 0;
  options.compare_slip_rate = 0;
  options.guess_share = 0;
  std::mt19937_64 rng(2);
  int yes = 0;
  for (const auto& problem : problems()) {
    std::string trace = countdown_trace(problem, options, rng);
    if (trace.find(" yes\n") == std::string::npos) continue;
    ++yes;
    EXPECT_TRUE(check_countdown(trace, problem).correct) << trace;
  }
  EXPECT_GT(yes, 40);
}

TEST(CountdownTrace, StylesMatchTheirShares) {
  CountdownTraceOptions options;
  options.guess_share = 0.3;
  options.thorough_share = 0.2;
  std::mt19937_64 rng(4);
  int guess = 0, thorough = 0, total = 0;
  for (int round = 0; round < 5; ++round) {
    for (const auto& problem : problems()) {
      std::string trace = countdown_trace(problem, options, rng);
      guess += trace.find("I will guess.") != std::string::npos ? 1 : 0;
      thorough += trace.find("Let me be thorough.") != std::string::npos ? 1 : 0;
      ++total;
    }
  }
  EXPECT_NEAR(static_cast<double>(guess) / total, 0.3, 0.04);
  EXPECT_NEAR(static_cast<double>(thorough) / total, 0.2, 0.04);
}

TEST(CountdownTrace, ThoroughBeatsQuickAndGuess) {
  CountdownTraceOptions guess, quick, thorough;
  guess.guess_share = 1;
  guess.thorough_share = 0;
  quick.guess_share = 0;
  quick.thorough_share = 0;
  thorough.guess_share = 0;
  thorough.thorough_share = 1;
  const double g = accuracy(guess, 5), q = accuracy(quick, 5), t = accuracy(thorough, 5);
  EXPECT_LT(g, q);
  EXPECT_GT(t, q + 0.15) << "guess " << g << " quick " << q << " thorough " << t;
}

// Steering a thorough search's steps toward the target solves more
// problems, and the quick searches' steer rate does not touch it.
TEST(CountdownTrace, ThoroughSteerRateSolvesMore) {
  CountdownTraceOptions random_steps, steered;
  random_steps.guess_share = steered.guess_share = 0;
  random_steps.thorough_share = steered.thorough_share = 1;
  random_steps.thorough_steer_rate = 0;
  steered.thorough_steer_rate = 0.9;
  steered.steer_rate = 0;  // quick searches only
  const double plain = accuracy(random_steps, 7), aimed = accuracy(steered, 7);
  EXPECT_GT(aimed, plain + 0.1) << "steer 0: " << plain << ", steer 0.9: " << aimed;
}

// Quick searches give up at a constant rate after each failed try, so their
// try counts fall off geometrically with a tail up to max_patience.
TEST(CountdownTrace, QuickTriesHaveLongTail) {
  CountdownTraceOptions options;
  options.guess_share = 0;
  options.thorough_share = 0;
  options.give_up_rate = 0.4;
  options.max_patience = 10;
  std::mt19937_64 rng(6);
  int one_try = 0, over_four = 0, over_max = 0, traces = 0;
  for (int round = 0; round < 3; ++round) {
    for (const auto& problem : problems()) {
      std::string trace = countdown_trace(problem, options, rng);
      if (trace.find(" yes\n") != std::string::npos) continue;  // a hit ends the search early
      int tries = 0;
      for (size_t at = trace.find(" aside: "); at != std::string::npos; at = trace.find(" aside: ", at + 1)) ++tries;
      one_try += tries == 1 ? 1 : 0;
      over_four += tries > 4 ? 1 : 0;
      over_max += tries > options.max_patience ? 1 : 0;
      ++traces;
    }
  }
  ASSERT_GT(traces, 300);
  // searches that hit are skipped, and short searches hit less often, so
  // one-try searches are a little above the 0.4 give-up rate here
  EXPECT_GT(one_try, traces * 0.3);
  EXPECT_LT(one_try, traces * 0.6);
  EXPECT_GT(over_four, traces / 20);
  EXPECT_EQ(over_max, 0);
}

// Every misread comparison pairs two different numbers one or two apart. A
// noticed one is followed by the same comparison read right, and an unnoticed
// one ends the trace with "yes" and a wrong answer.
TEST(CountdownTrace, MisreadComparisonsAreNearMisses) {
  CountdownTraceOptions options;
  options.slip_rate = 0;
  options.guess_share = 0;
  options.compare_slip_rate = 1;
  std::mt19937_64 rng(6);
  int noticed = 0, unnoticed = 0;
  for (const auto& problem : problems()) {
    const std::string trace = countdown_trace(problem, options, rng);
    for (size_t at = trace.find(" yes wait, "); at != std::string::npos; at = trace.find(" yes wait, ", at + 1)) {
      // "G vs A yes wait, G vs A no"
      const size_t line_start = trace.rfind('\n', at) + 1;
      const std::string line = trace.substr(line_start, trace.find('\n', at) - line_start);
      const size_t gap_start = line.rfind('=', line.find(" vs ")) + 1;
      const long gap = std::stol(line.substr(gap_start));
      const long aside = std::stol(line.substr(line.find(" vs ") + 4));
      EXPECT_NE(gap, aside) << line;
      EXPECT_LE(std::labs(gap - aside), 2) << line;
      const std::string again = std::to_string(gap) + " vs " + std::to_string(aside) + " no";
      EXPECT_NE(line.find("wait, " + again), std::string::npos) << line;
      ++noticed;
    }
    const size_t last_yes = trace.rfind(" yes\n");
    if (last_yes != std::string::npos && !check_countdown(trace, problem).correct) ++unnoticed;
  }
  EXPECT_GT(noticed, 20);
  EXPECT_GT(unnoticed, 5);

  options.compare_slip_rate = 1.5;
  EXPECT_THROW(validate_trace_options(options), Error);
}

TEST(CountdownTrace, RejectsInvalidOptions) {
  CountdownTraceOptions options;
  options.guess_share = 0.7;
  options.thorough_share = 0.5;
  EXPECT_THROW(validate_trace_options(options), Error);
  options = {};
  options.thorough_max_patience = options.thorough_min_patience - 1;
  EXPECT_THROW(validate_trace_options(options), Error);
  options = {};
  options.min_patience = 0;
  EXPECT_THROW(validate_trace_options(options), Error);
  options = {};
  options.give_up_rate = -0.1;
  EXPECT_THROW(validate_trace_options(options), Error);
  options.give_up_rate = 1.5;
  EXPECT_THROW(validate_trace_options(options), Error);
  EXPECT_NO_THROW(validate_trace_options(CountdownTraceOptions{}));
}

}  // namespace
}  // namespace r1
