#include "metrics/eval_figures.h"

#include <algorithm>
#include <cmath>

#include "metrics/pass_at_k.h"
#include "util/error.h"

namespace r1 {

std::vector<int64_t> pass_at_k_sizes(int64_t k) {
  std::vector<int64_t> sizes;
  for (int64_t size = 1; size < k; size *= 2) sizes.push_back(size);
  if (k >= 1) sizes.push_back(k);
  return sizes;
}

Estimate mean_with_stderr(const std::vector<double>& values) {
  Estimate estimate;
  estimate.problems = static_cast<int64_t>(values.size());
  if (values.empty()) return estimate;
  double sum = 0;
  for (double v : values) sum += v;
  const double n = static_cast<double>(values.size());
  estimate.value = sum / n;
  if (values.size() < 2) return estimate;
  double squares = 0;
  for (double v : values) squares += (v - estimate.value) * (v - estimate.value);
  estimate.standard_error = std::sqrt(squares / (n - 1) / n);
  return estimate;
}

EvalFigures eval_figures(const std::vector<ProblemOutcome>& problems) {
  EvalFigures figures;
  figures.problems = static_cast<int64_t>(problems.size());
  if (problems.empty()) return figures;

  // Check the shapes; every problem contributes its first k samples.
  int64_t k = -1;
  for (const ProblemOutcome& p : problems) {
    const size_t n = p.correct.size();
    if (n == 0) fail("eval figures: problem '{}' has no samples", p.id);
    if (p.answers.size() != n || p.lengths.size() != n || p.truncated.size() != n)
      fail("eval figures: problem '{}' has {} verdicts but {} answers, {} lengths and {} truncation flags", p.id, n,
           p.answers.size(), p.lengths.size(), p.truncated.size());
    k = k < 0 ? static_cast<int64_t>(n) : std::min<int64_t>(k, static_cast<int64_t>(n));
  }
  figures.k = k;

  // Per-problem values.
  const std::vector<int64_t> sizes = pass_at_k_sizes(k);
  std::vector<double> pass_at_1, cons, lengths, truncated, greedy;
  std::map<int64_t, std::vector<double>> pass_at;
  for (const ProblemOutcome& p : problems) {
    int64_t correct = 0, truncated_count = 0;
    double length_sum = 0;
    for (int64_t s = 0; s < k; ++s) {
      correct += p.correct[s] ? 1 : 0;
      truncated_count += p.truncated[s] ? 1 : 0;
      length_sum += static_cast<double>(p.lengths[s]);
      figures.max_length = std::max(figures.max_length, p.lengths[s]);
    }
    pass_at_1.push_back(static_cast<double>(correct) / static_cast<double>(k));
    for (int64_t size : sizes) pass_at[size].push_back(pass_at_k(k, correct, size));

    std::vector<std::string> answers(p.answers.begin(), p.answers.begin() + k);
    const int64_t vote = majority_vote_index(answers);
    cons.push_back(vote >= 0 && p.correct[vote] ? 1.0 : 0.0);

    lengths.push_back(length_sum / static_cast<double>(k));
    truncated.push_back(static_cast<double>(truncated_count) / static_cast<double>(k));
    if (p.greedy_correct) greedy.push_back(*p.greedy_correct ? 1.0 : 0.0);
  }

  // Means over problems with their standard errors.
  figures.pass_at_1 = mean_with_stderr(pass_at_1);
  for (const auto& [size, values] : pass_at) figures.pass_at[size] = mean_with_stderr(values);
  figures.cons_at_k = mean_with_stderr(cons);
  figures.mean_length = mean_with_stderr(lengths);
  figures.truncated_share = mean_with_stderr(truncated);
  if (greedy.size() == problems.size()) figures.greedy = mean_with_stderr(greedy);
  return figures;
}

std::map<std::string, std::map<std::string, EvalFigures>> grouped_eval_figures(
    const std::vector<ProblemOutcome>& problems) {
  std::map<std::string, std::map<std::string, std::vector<ProblemOutcome>>> members;
  for (const ProblemOutcome& p : problems)
    for (const auto& [key, value] : p.groups) members[key][value].push_back(p);

  std::map<std::string, std::map<std::string, EvalFigures>> grouped;
  for (const auto& [key, by_value] : members)
    for (const auto& [value, group] : by_value) grouped[key][value] = eval_figures(group);
  return grouped;
}

namespace {

nlohmann::ordered_json estimate_json(const Estimate& estimate) {
  return {{"value", estimate.value},
          {"stderr", estimate.standard_error},
          {"ci95", {estimate.value - 1.96 * estimate.standard_error, estimate.value + 1.96 * estimate.standard_error}}};
}

}  // namespace

nlohmann::ordered_json to_json(const EvalFigures& figures) {
  nlohmann::ordered_json json;
  json["problems"] = figures.problems;
  json["k"] = figures.k;
  json["pass@1"] = estimate_json(figures.pass_at_1);
  for (const auto& [size, estimate] : figures.pass_at) {
    if (size != 1) json["pass@" + std::to_string(size)] = estimate_json(estimate);
  }
  json["cons@" + std::to_string(figures.k)] = estimate_json(figures.cons_at_k);
  json["greedy"] = figures.greedy ? estimate_json(*figures.greedy) : nlohmann::ordered_json();
  json["mean_length"] = estimate_json(figures.mean_length);
  json["max_length"] = figures.max_length;
  json["truncated_share"] = estimate_json(figures.truncated_share);
  return json;
}

}  // namespace r1
