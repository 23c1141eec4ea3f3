// Evaluation figures over k samples per problem, as reasoning papers report
// them: pass@1 (mean correctness), unbiased pass@k' for several k', cons@k
// (majority vote), greedy accuracy, completion lengths and the truncated
// share, each with a standard error, overall and per group (MATH level or
// subject).
//
// Standard errors treat problems as the sampling unit: every figure is a mean
// over problems of a per-problem value x_i (pass@1: the share of correct
// samples; pass@k': the unbiased estimate; cons@k and greedy: 0 or 1), and its
// standard error is sd(x) / sqrt(N) with the N - 1 denominator, which is 0
// for a single problem. A 95% confidence interval is value +- 1.96 x stderr.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace r1 {

// The outcomes of one problem: samples in sample-index order.
struct ProblemOutcome {
  std::string id;
  std::map<std::string, std::string> groups;  // e.g. {"level": "3", "subject": "Algebra"}
  std::vector<std::string> answers;           // canonical answer per sample ("" when none was extracted)
  std::vector<bool> correct;
  std::vector<int64_t> lengths;               // completion tokens per sample
  std::vector<bool> truncated;                // cut off by the token budget
  std::optional<bool> greedy_correct;         // the greedy decode's verdict, when it was run
};

struct Estimate {
  double value = 0;
  double standard_error = 0;  // over problems
  int64_t problems = 0;
};

struct EvalFigures {
  int64_t problems = 0;
  int64_t k = 0;  // samples per problem (the smallest count when they differ)
  Estimate pass_at_1;
  std::map<int64_t, Estimate> pass_at;  // k' -> unbiased pass@k', for pass_at_k_sizes(k)
  Estimate cons_at_k;                   // majority vote over the first k samples
  std::optional<Estimate> greedy;       // when every problem has a greedy verdict
  Estimate mean_length;                 // tokens; the stderr is over per-problem mean lengths
  int64_t max_length = 0;
  Estimate truncated_share;
};

// The k' values reported for k samples: the powers of two below k, then k.
std::vector<int64_t> pass_at_k_sizes(int64_t k);

// The mean of `values` with its standard error (sd / sqrt(n), n - 1
// denominator; 0 when n < 2).
Estimate mean_with_stderr(const std::vector<double>& values);

// Figures over `problems`. Each problem uses its first k samples, where k is
// the smallest sample count among them. Throws r1::Error when a problem has
// no samples or its vectors differ in length.
EvalFigures eval_figures(const std::vector<ProblemOutcome>& problems);

// Figures per value of each group key, e.g. {"level": {"1": ..., "2": ...}}.
std::map<std::string, std::map<std::string, EvalFigures>> grouped_eval_figures(
    const std::vector<ProblemOutcome>& problems);

nlohmann::ordered_json to_json(const EvalFigures& figures);

}  // namespace r1
