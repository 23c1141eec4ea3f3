#include "metrics/pass_at_k.h"

#include <cmath>
#include <map>

#include "util/error.h"

namespace r1 {

double pass_at_k(int64_t n, int64_t c, int64_t k) {
  if (n < 1 || k < 1 || k > n || c < 0 || c > n)
    fail("pass_at_k: need 1 <= k <= n and 0 <= c <= n, got n={}, c={}, k={}", n, c, k);
  if (n - c < k) return 1.0;
  // 1 - prod_{i=n-c+1}^{n} (1 - k / i), stable for large n
  double fail_probability = 1.0;
  for (int64_t i = n - c + 1; i <= n; ++i) fail_probability *= 1.0 - static_cast<double>(k) / static_cast<double>(i);
  return 1.0 - fail_probability;
}

int64_t majority_vote_index(const std::vector<std::string>& answers) {
  std::map<std::string, std::pair<int64_t, int64_t>> counts;  // answer -> (count, first index)
  for (size_t i = 0; i < answers.size(); ++i) {
    if (answers[i].empty()) continue;
    auto [it, inserted] = counts.emplace(answers[i], std::make_pair(int64_t{0}, static_cast<int64_t>(i)));
    it->second.first += 1;
  }
  int64_t best = -1, best_count = 0;
  for (const auto& [answer, entry] : counts) {
    if (entry.first > best_count || (entry.first == best_count && entry.second < best)) {
      best = entry.second;
      best_count = entry.first;
    }
  }
  return best;
}

SamplingMetrics sampling_metrics(const std::vector<ProblemSamples>& problems) {
  SamplingMetrics m;
  m.problems = static_cast<int64_t>(problems.size());
  if (problems.empty()) return m;
  m.samples_per_problem = static_cast<int64_t>(problems[0].correct.size());
  std::vector<double> per_problem;
  for (const auto& p : problems) {
    const int64_t n = static_cast<int64_t>(p.correct.size());
    if (n == 0) fail("sampling_metrics: a problem has no samples");
    int64_t c = 0;
    for (bool ok : p.correct) c += ok ? 1 : 0;
    per_problem.push_back(static_cast<double>(c) / static_cast<double>(n));
    m.pass_at_k += pass_at_k(n, c, n);
    int64_t vote = majority_vote_index(p.answers);
    if (vote >= 0 && p.correct[vote]) m.cons_at_k += 1;
  }
  double mean = 0;
  for (double v : per_problem) mean += v;
  mean /= static_cast<double>(per_problem.size());
  double variance = 0;
  for (double v : per_problem) variance += (v - mean) * (v - mean);
  if (per_problem.size() > 1) variance /= static_cast<double>(per_problem.size() - 1);
  m.pass_at_1 = mean;
  m.pass_at_1_stderr = std::sqrt(variance / static_cast<double>(per_problem.size()));
  m.pass_at_k /= static_cast<double>(problems.size());
  m.cons_at_k /= static_cast<double>(problems.size());
  return m;
}

}  // namespace r1
