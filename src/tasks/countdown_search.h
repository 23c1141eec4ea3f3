// Countdown solutions as chains of steps: start from one number and apply
// (op, next number) repeatedly, e.g. 15*3=45, 45+1=46 for "(15*3)+1". Used to
// check that generated problems are solvable and to write the synthetic
// reasoning traces the demo's base model is pretrained on.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "tasks/countdown.h"

namespace r1 {

struct ChainStep {
  int64_t left = 0;   // running value before the step
  char op = '+';      // + - * /
  int64_t right = 0;  // the number applied
  int64_t result = 0;
};

struct Chain {
  int64_t first = 0;
  std::vector<ChainStep> steps;
  int64_t value() const { return steps.empty() ? first : steps.back().result; }
};

// Applies one step under the chain rules: subtraction must stay positive,
// division must be exact, and no result may exceed max_intermediate.
// Returns false when the step is not allowed.
bool apply_chain_step(int64_t left, char op, int64_t right, int64_t max_intermediate, int64_t& result);

// Number of chains of two or more numbers that reach the target.
int64_t count_countdown_solutions(const CountdownProblem& problem, int64_t max_intermediate);

// A uniformly random valid chain over a random subset (two or more) of the
// numbers; false if none could be drawn.
bool random_chain(const CountdownProblem& problem, int64_t max_intermediate, std::mt19937_64& rng, Chain& chain);

// A chain over part.nums in the given order: each step takes, with
// probability steer_rate, the allowed operation whose result lands closest to
// part.target, otherwise a random allowed one. False if a step has no
// allowed operation.
bool steered_chain(const CountdownProblem& part, int64_t max_intermediate, double steer_rate, std::mt19937_64& rng,
                   Chain& chain);

// The chain as an answer expression with the parentheses it needs: "(9+3)*4".
std::string chain_expression(const Chain& chain);

// The chain as a line of the reasoning trace: "15*3=45, 45+1=46".
std::string chain_text(const Chain& chain);

// Options of the synthetic traces in the pretraining corpus. Traces mix
// three styles: a guess without search, a quick trial-and-error search, and a
// thorough search that opens with "Let me be thorough.". Each try sets one
// number aside, combines the others and checks whether the gap to the target
// is the number set aside. A thorough search tries more often, corrects
// more of its arithmetic slips ("wait, ...") and may steer its steps toward
// the target more often. RL can move probability between the styles and
// lengths.
struct CountdownTraceOptions {
  double guess_share = 0.3;         // share of traces that guess without searching
  double thorough_share = 0.15;     // share of thorough searches (the rest search quickly)
  // Tries of a quick search. With give_up_rate 0 they are uniform in
  // [min_patience, max_patience]. Above 0, a quick search makes min_patience
  // tries and then gives up after each further failed try with that
  // probability, never past max_patience, which gives a geometric tail.
  int64_t min_patience = 1;
  int64_t max_patience = 4;
  double give_up_rate = 0.0;
  int64_t thorough_min_patience = 6;  // tries of a thorough search
  int64_t thorough_max_patience = 10;
  double slip_rate = 0.05;          // probability that a step's result is miscalculated
  double slip_noticed_rate = 0.3;   // probability that a quick search corrects a slip
  double thorough_slip_noticed_rate = 0.9;
  // Probability that a near miss (a gap one or two away from the number set
  // aside) is misread as a hit: "26-20=6 vs 5 yes". A misreading is noticed
  // as often as a slip. A noticed one is followed by "wait, 6 vs 5 no" and
  // the search continues, and an unnoticed one ends it with a wrong answer.
  double compare_slip_rate = 0.3;
  int64_t max_intermediate = 200;
  double steer_rate = 0.35;         // chance that a step takes the operation landing closest to the target
  double thorough_steer_rate = 0.35;  // steer_rate of thorough searches
  // Whether to combine the numbers not set aside in random order. The
  // prompt's order is easier to copy but misses some solutions.
  bool shuffle_chains = true;
};

// Validates the shares and patience ranges. Throws r1::Error naming the
// first invalid value and the fix.
void validate_trace_options(const CountdownTraceOptions& options);

// One completion (with <think>/<answer> tags in written form, no end token).
std::string countdown_trace(const CountdownProblem& problem, const CountdownTraceOptions& options,
                            std::mt19937_64& rng);

}  // namespace r1
