#include "eval/evaluate.h"

#include <algorithm>
#include <cctype>
#include <chrono>

#include "util/error.h"
#include "util/file.h"

namespace r1 {

bool revises_itself(const std::string& completion) {
  std::string lower = completion;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* marker : {"wait", "recheck", "re-check", "mistake", "let me check", "double-check"})
    if (lower.find(marker) != std::string::npos) return true;
  return false;
}

nlohmann::json EvalReport::to_json() const {
  return {{"problems", metrics.problems},
          {"k", metrics.samples_per_problem},
          {"pass_at_1", metrics.pass_at_1},
          {"pass_at_1_stderr", metrics.pass_at_1_stderr},
          {"pass_at_k", metrics.pass_at_k},
          {"cons_at_k", metrics.cons_at_k},
          {"greedy_accuracy", greedy_accuracy},
          {"mean_response_length", mean_length},
          {"max_response_length", max_length},
          {"truncated_share", truncated_share},
          {"revision_share", revision_share},
          {"seconds", seconds}};
}

namespace {

// Decodes and scores completions of `prompt_ids.size()` problems with G each.
void score_completions(const Tokenizer& tokenizer, const RLTask& task, const std::vector<Completion>& completions,
                       int64_t G, bool greedy, std::vector<EvalSample>& out) {
  const auto eos = tokenizer.eos_id();
  for (size_t r = 0; r < completions.size(); ++r) {
    const Completion& completion = completions[r];
    std::vector<int64_t> ids = completion.tokens;
    if (completion.stopped && !ids.empty()) ids.pop_back();  // the stop token
    EvalSample sample;
    sample.problem = r / static_cast<size_t>(G);
    sample.sample = greedy ? -1 : static_cast<int64_t>(r % static_cast<size_t>(G));
    sample.completion = tokenizer.decode(ids);
    sample.length = static_cast<int64_t>(completion.tokens.size());
    sample.stopped = completion.stopped;
    ScoredCompletion scored = task.score(sample.problem, sample.completion);
    sample.correct = scored.correct;
    sample.answer = scored.answer;
    sample.revises = revises_itself(sample.completion);
    out.push_back(std::move(sample));
  }
  (void)eos;
}

}  // namespace

void validate_eval_options(const EvalOptions& options) {
  if (options.k < 1) fail("eval: k={} must be >= 1", options.k);
  if (options.max_new_tokens < 1) fail("eval: max_new_tokens={} must be >= 1", options.max_new_tokens);
  if (options.workers < 1) fail("eval: workers={} must be >= 1", options.workers);
  options.sampling.validate();
}

EvalReport evaluate(Transformer& model, const Tokenizer& tokenizer, const RLTask& task, const EvalOptions& options,
                    const std::function<void(const std::string&, int64_t, int64_t)>& progress) {
  validate_eval_options(options);
  if (task.size() == 0) fail("eval: the problem set is empty");
  auto start = std::chrono::steady_clock::now();

  std::vector<std::vector<int64_t>> prompts;
  prompts.reserve(task.size());
  for (size_t i = 0; i < task.size(); ++i)
    prompts.push_back(tokenizer.encode(task.prompt(i), options.add_special_tokens));
  std::vector<int64_t> stops = options.stop_token_ids;
  if (stops.empty() && tokenizer.eos_id()) stops.push_back(*tokenizer.eos_id());

  at::Generator generator = at::detail::createCPUGenerator(options.seed);
  EvalReport report;

  // k samples per problem
  GenerationOptions sampled{options.max_new_tokens, options.sampling, stops, options.k, options.max_batch_rows,
                            options.workers};
  auto completions = generate(model, prompts, sampled, generator, [&](int64_t done, int64_t total) {
    if (progress) progress("sampling", done, total);
  });
  score_completions(tokenizer, task, completions, options.k, false, report.samples);

  // one greedy decode per problem
  if (options.greedy) {
    GenerationOptions greedy{options.max_new_tokens, SamplingParams{0.0}, stops, 1, options.max_batch_rows,
                             options.workers};
    auto greedy_completions = generate(model, prompts, greedy, generator, [&](int64_t done, int64_t total) {
      if (progress) progress("greedy", done, total);
    });
    std::vector<EvalSample> greedy_samples;
    score_completions(tokenizer, task, greedy_completions, 1, true, greedy_samples);
    int64_t correct = 0;
    for (const auto& s : greedy_samples) correct += s.correct ? 1 : 0;
    report.greedy_accuracy = static_cast<double>(correct) / static_cast<double>(greedy_samples.size());
    report.samples.insert(report.samples.end(), greedy_samples.begin(), greedy_samples.end());
  }

  // figures over the sampled completions
  std::vector<ProblemSamples> per_problem(task.size());
  double length_sum = 0, revisions = 0, truncated = 0;
  int64_t sampled_count = 0;
  for (const auto& s : report.samples) {
    if (s.sample < 0) continue;
    per_problem[s.problem].answers.push_back(s.answer);
    per_problem[s.problem].correct.push_back(s.correct);
    length_sum += static_cast<double>(s.length);
    report.max_length = std::max(report.max_length, static_cast<double>(s.length));
    revisions += s.revises ? 1 : 0;
    truncated += s.stopped ? 0 : 1;
    ++sampled_count;
  }
  report.metrics = sampling_metrics(per_problem);
  report.mean_length = length_sum / static_cast<double>(sampled_count);
  report.revision_share = revisions / static_cast<double>(sampled_count);
  report.truncated_share = truncated / static_cast<double>(sampled_count);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

void write_eval_samples(const std::string& path, const EvalReport& report) {
  std::string text;
  for (const auto& s : report.samples)
    text += nlohmann::json{{"problem", s.problem}, {"sample", s.sample},   {"completion", s.completion},
                           {"answer", s.answer},   {"correct", s.correct}, {"length", s.length},
                           {"stopped", s.stopped}}
                .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
            "\n";
  write_file_atomic(path, text);
}

}  // namespace r1
