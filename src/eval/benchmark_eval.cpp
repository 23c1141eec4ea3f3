#include "eval/benchmark_eval.h"

#include <chrono>
#include <map>
#include <set>
#include <utility>

#include "sampling/generate.h"
#include "util/error.h"

namespace r1 {

uint64_t sample_seed(uint64_t seed, const std::string& problem_id, int64_t sample) {
  // FNV-1a over the id, mixed with the seed and the sample index by SplitMix64 steps
  uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char c : problem_id) hash = (hash ^ c) * 0x100000001b3ull;
  auto mix = [](uint64_t z) {
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  return mix(mix(mix(seed) ^ hash) ^ static_cast<uint64_t>(sample));
}

namespace {

// Problems that lack the same sample indices, generated together.
struct WorkGroup {
  std::vector<int64_t> samples;   // missing sample indices (-1: greedy)
  std::vector<size_t> problems;   // problem indices
};

std::vector<WorkGroup> missing_work(const LoadedBenchmark& benchmark, int64_t count, const BenchmarkEvalOptions& options,
                                    const std::set<std::pair<std::string, int64_t>>& present) {
  std::map<std::vector<int64_t>, std::vector<size_t>> by_missing;
  std::vector<size_t> greedy_missing;
  for (size_t i = 0; i < static_cast<size_t>(count); ++i) {
    const std::string& id = benchmark.problems[i].id;
    std::vector<int64_t> missing;
    for (int64_t s = 0; s < options.eval.k; ++s)
      if (!present.count({id, s})) missing.push_back(s);
    if (!missing.empty()) by_missing[missing].push_back(i);
    if (options.eval.greedy && !present.count({id, -1})) greedy_missing.push_back(i);
  }

  std::vector<WorkGroup> groups;
  for (auto& [samples, problems] : by_missing) groups.push_back({samples, problems});
  if (!greedy_missing.empty()) groups.push_back({{-1}, greedy_missing});
  return groups;
}

}  // namespace

BenchmarkEvalResult run_benchmark_eval(Transformer& model, const Tokenizer& tokenizer,
                                       const LoadedBenchmark& benchmark, const std::vector<std::string>& prompts,
                                       const BenchmarkEvalOptions& options, const std::vector<StoredSample>& existing,
                                       SampleWriter& writer, const std::function<void(const EvalProgress&)>& progress) {
  validate_eval_options(options.eval);
  const int64_t available = static_cast<int64_t>(benchmark.problems.size());
  const int64_t count = options.problems > 0 ? std::min(options.problems, available) : available;
  if (static_cast<int64_t>(prompts.size()) < count)
    fail("eval: {} prompts for {} problems; pass one prompt per problem", prompts.size(), count);
  const auto start = std::chrono::steady_clock::now();

  // 1. keep the existing samples of the evaluated problems
  BenchmarkEvalResult result;
  std::set<std::string> evaluated_ids;
  for (int64_t i = 0; i < count; ++i) evaluated_ids.insert(benchmark.problems[i].id);
  std::set<std::pair<std::string, int64_t>> present;
  for (const StoredSample& sample : existing) {
    if (!evaluated_ids.count(sample.problem_id) || sample.sample >= options.eval.k) continue;
    if (!present.insert({sample.problem_id, sample.sample}).second) continue;  // a repeat of a resumed write
    result.samples.push_back(sample);
    ++result.reused;
  }

  // 2. what is missing, grouped by the set of missing sample indices
  std::vector<WorkGroup> groups = missing_work(benchmark, count, options, present);
  EvalProgress state;
  for (const WorkGroup& group : groups)
    state.total += static_cast<int64_t>(group.samples.size() * group.problems.size());

  // 3. generate chunk by chunk, scoring and writing each chunk as it finishes
  for (const WorkGroup& group : groups) {
    const int64_t per_problem = static_cast<int64_t>(group.samples.size());
    const bool greedy = group.samples.front() < 0;
    const size_t problems_per_chunk =
        static_cast<size_t>(std::max<int64_t>(1, options.eval.max_batch_rows / per_problem));
    for (size_t first = 0; first < group.problems.size(); first += problems_per_chunk) {
      const size_t last = std::min(group.problems.size(), first + problems_per_chunk);

      GenerationOptions generation;
      generation.max_new_tokens = options.eval.max_new_tokens;
      generation.sampling = greedy ? SamplingParams{0.0} : options.eval.sampling;
      generation.stop_token_ids = options.stop_token_ids;
      generation.num_samples = per_problem;
      generation.max_batch_rows = options.eval.max_batch_rows;
      generation.workers = options.eval.workers;
      std::vector<std::vector<int64_t>> chunk_prompts;
      std::vector<uint64_t> row_seeds;
      for (size_t p = first; p < last; ++p) {
        const size_t problem = group.problems[p];
        chunk_prompts.push_back(tokenizer.encode(prompts[problem], options.add_special_tokens));
        for (int64_t s : group.samples)
          row_seeds.push_back(sample_seed(options.eval.seed, benchmark.problems[problem].id, s));
      }
      std::vector<Completion> completions = generate_seeded(model, chunk_prompts, generation, row_seeds);

      std::vector<StoredSample> finished;
      for (size_t row = 0; row < completions.size(); ++row) {
        const size_t problem = group.problems[first + row / static_cast<size_t>(per_problem)];
        const Completion& completion = completions[row];
        std::vector<int64_t> ids = completion.tokens;
        if (completion.stopped && !ids.empty()) ids.pop_back();  // the stop token

        StoredSample sample;
        sample.problem_id = benchmark.problems[problem].id;
        sample.sample = group.samples[row % static_cast<size_t>(per_problem)];
        sample.prompt_index = static_cast<int64_t>(problem);
        // special tokens stay in written form, as GRPO scores them: the
        // built-in tokenizer's <think>/<answer> tags are special tokens
        sample.completion = tokenizer.decode(ids);
        sample.length = static_cast<int64_t>(completion.tokens.size());
        sample.truncated = !completion.stopped;
        ScoredCompletion scored = benchmark.task->score(problem, sample.completion);
        sample.correct = scored.correct;
        sample.answer = scored.answer;
        sample.canonical = benchmark.canonical_answer(scored.answer);
        state.tokens += sample.length;
        finished.push_back(std::move(sample));
      }
      writer.append(finished);
      state.done += static_cast<int64_t>(finished.size());
      result.samples.insert(result.samples.end(), finished.begin(), finished.end());
      state.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (progress) progress(state);
    }
  }

  result.drawn = state.done;
  result.generated_tokens = state.tokens;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

std::vector<ProblemOutcome> problem_outcomes(const LoadedBenchmark& benchmark, int64_t count, int64_t k,
                                             const std::vector<StoredSample>& samples, bool greedy_from_samples) {
  std::map<std::string, size_t> index_of;
  for (int64_t i = 0; i < count; ++i) index_of[benchmark.problems[i].id] = static_cast<size_t>(i);

  // Samples by problem and sample index.
  std::vector<std::map<int64_t, const StoredSample*>> by_problem(static_cast<size_t>(count));
  for (const StoredSample& sample : samples) {
    auto found = index_of.find(sample.problem_id);
    if (found != index_of.end() && sample.sample < k) by_problem[found->second].emplace(sample.sample, &sample);
  }

  std::vector<ProblemOutcome> outcomes;
  for (int64_t i = 0; i < count; ++i) {
    const BenchmarkProblem& problem = benchmark.problems[i];
    ProblemOutcome outcome;
    outcome.id = problem.id;
    outcome.groups = problem.groups;
    const auto& drawn = by_problem[i];
    for (int64_t s = 0; s < k; ++s) {
      auto found = drawn.find(s);
      if (found == drawn.end()) fail("eval: problem '{}' has no sample {}; rerun to draw it", problem.id, s);
      outcome.answers.push_back(found->second->canonical);
      outcome.correct.push_back(found->second->correct);
      outcome.lengths.push_back(found->second->length);
      outcome.truncated.push_back(found->second->truncated);
    }
    auto greedy = drawn.find(-1);
    if (greedy != drawn.end()) outcome.greedy_correct = greedy->second->correct;
    if (greedy_from_samples) outcome.greedy_correct = outcome.correct.front();
    outcomes.push_back(std::move(outcome));
  }
  return outcomes;
}

}  // namespace r1
