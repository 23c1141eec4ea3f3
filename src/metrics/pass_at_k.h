// Sampling metrics as reasoning papers report them: pass@1 as the mean
// correctness over k samples, the unbiased pass@k estimator, and cons@k
// (majority vote over extracted answers).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace r1 {

// Unbiased pass@k from n samples of which c are correct (Chen et al. 2021):
// 1 - C(n-c, k) / C(n, k). Requires 1 <= k <= n.
double pass_at_k(int64_t n, int64_t c, int64_t k);

// The majority answer among `answers`, ignoring empty ones (no answer
// extracted). Ties go to the answer whose first occurrence comes earliest.
// Returns the index of a sample that carries it, or -1 if all are empty.
int64_t majority_vote_index(const std::vector<std::string>& answers);

struct ProblemSamples {
  std::vector<std::string> answers;  // canonical extracted answer per sample
  std::vector<bool> correct;         // verdict per sample
};

struct SamplingMetrics {
  int64_t problems = 0;
  int64_t samples_per_problem = 0;
  double pass_at_1 = 0;       // mean over problems of the mean correctness
  double pass_at_1_stderr = 0;  // standard error over problems
  double pass_at_k = 0;       // unbiased pass@k with k = samples_per_problem
  double cons_at_k = 0;       // majority-vote accuracy
};

SamplingMetrics sampling_metrics(const std::vector<ProblemSamples>& problems);

}  // namespace r1
