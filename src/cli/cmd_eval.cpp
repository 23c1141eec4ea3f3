// r1 eval: evaluates a model on a benchmark file (GSM8K, MATH-500, MATH,
// AIME 2024/2025, AMC 2023, Countdown, or any question-answer JSONL) with k
// sampled completions per problem and a greedy decode, as reasoning papers
// report it. With --out, samples.jsonl grows as samples finish and a rerun
// with the same settings draws only the samples still missing.
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "chat/chat_template.h"
#include "cli/command.h"
#include "cli/common_options.h"
#include "cli/model_folder.h"
#include "eval/benchmark_eval.h"
#include "eval/eval_results.h"
#include "io/hf_checkpoint.h"
#include "tasks/benchmark.h"
#include "util/error.h"
#include "util/file.h"

namespace r1::cli {
namespace {

namespace fs = std::filesystem;

struct EvalCommandOptions {
  std::string model;
  BenchmarkOptions benchmark;
  bool chat = false;
  std::string system;
  std::string out;  // empty writes nothing
  int64_t limit = 0;
  bool no_greedy = false;
  bool overwrite = false;
  std::string dtype = "float32";
  RuntimeOptions runtime;
  EvalOptions eval;
};

// Without --benchmark and field options, a file of {"target", "nums"}
// records is Countdown, as `r1 eval` always read it.
void detect_countdown(BenchmarkOptions& options) {
  if (!options.name.empty() || !options.prompt_field.empty() || !options.answer_field.empty()) return;
  std::ifstream in(options.data_path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      nlohmann::json record = nlohmann::json::parse(line);
      if (record.is_object() && record.contains("nums") && record.contains("target")) options.name = "countdown";
    } catch (const nlohmann::json::exception&) {
      // the loader reports the malformed line
    }
    return;
  }
}

// FNV-1a of a text, to record which chat template rendered the prompts.
std::string text_hash(const std::string& text) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char c : text) hash = (hash ^ c) * 0x100000001b3ull;
  return fmt::format("{:016x}", hash);
}

struct PromptSetup {
  std::vector<std::string> prompts;  // problem i's prompt text
  nlohmann::ordered_json record;     // what results.json and run.json store about the prompt
};

// The prompts of problems [0, count): the benchmark's template, then with
// --chat the model's chat template around it as one user message after an
// optional system message.
PromptSetup build_prompts(const EvalCommandOptions& options, const LoadedBenchmark& benchmark,
                          const ModelFolder& folder, int64_t count) {
  PromptSetup setup;
  setup.record["template"] = benchmark.spec.prompt_template;
  setup.record["template_text"] = benchmark.prompt_template_text;
  setup.record["chat"] = options.chat;
  setup.record["system"] = options.system;
  if (!options.chat && !options.system.empty()) fail("--system needs --chat: the system message goes through the chat template");

  std::optional<ChatTemplate> chat_template;
  if (options.chat) {
    const fs::path config_path = fs::path(folder.path) / "tokenizer_config.json";
    if (!fs::exists(config_path))
      fail("--chat needs {} with a chat template; the model folder has none (drop --chat)", config_path.string());
    chat_template = load_chat_template(config_path);
    setup.record["chat_template"] = config_path.string();
    setup.record["chat_template_hash"] = text_hash(chat_template->source());
  }

  for (int64_t i = 0; i < count; ++i) {
    std::string text = benchmark.task->prompt(static_cast<size_t>(i));
    if (chat_template) {
      nlohmann::ordered_json messages = nlohmann::ordered_json::array();
      if (!options.system.empty()) messages.push_back({{"role", "system"}, {"content", options.system}});
      messages.push_back({{"role", "user"}, {"content", text}});
      text = chat_template->render(messages, /*add_generation_prompt=*/true);
    }
    setup.prompts.push_back(std::move(text));
  }
  setup.record["example"] = setup.prompts.front();
  return setup;
}

std::string absolute_path(const std::string& path) { return fs::weakly_canonical(fs::absolute(path)).string(); }

// What the samples depend on; a run resumes only when all of it matches.
nlohmann::ordered_json run_fingerprint(const EvalCommandOptions& options, const LoadedBenchmark& benchmark,
                                       const PromptSetup& prompt) {
  const BenchmarkSpec& spec = benchmark.spec;
  nlohmann::ordered_json prompt_settings = prompt.record;
  prompt_settings.erase("example");
  return {{"model", absolute_path(options.model)},
          {"data", absolute_path(benchmark.data_path)},
          {"benchmark", spec.name},
          {"fields", {{"prompt", spec.prompt_field}, {"answer", spec.answer_field},
                      {"answer_after", spec.answer_after}, {"id", spec.id_field}}},
          {"prompt", prompt_settings},
          {"temperature", options.eval.sampling.temperature},
          {"top_p", options.eval.sampling.top_p},
          {"max_new_tokens", options.eval.max_new_tokens},
          {"seed", options.eval.seed},
          {"dtype", options.dtype}};
}

// Checks run.json in the output folder against this run and rewrites it.
// Returns true when samples.jsonl must start empty.
bool prepare_output(const EvalCommandOptions& options, const nlohmann::ordered_json& fingerprint) {
  ensure_writable_dir(options.out);
  const std::string run_path = options.out + "/run.json";
  const std::string samples_path = options.out + "/samples.jsonl";
  bool start_empty = options.overwrite;
  if (!options.overwrite && fs::exists(run_path)) {
    nlohmann::json stored;
    try {
      stored = nlohmann::json::parse(read_file(run_path));
    } catch (const nlohmann::json::exception& e) {
      fail("{} is not valid JSON ({}); pass --overwrite to start the run again", run_path, e.what());
    }
    std::vector<std::string> differences = json_key_differences(stored, fingerprint, "stored", "now");
    if (!differences.empty()) {
      std::string list;
      for (const std::string& line : differences) list += "\n  " + line;
      fail("{} holds samples of a different run:{}\npass --overwrite to discard them, or choose another --out",
           options.out, list);
    }
  } else if (!options.overwrite && fs::exists(samples_path) && fs::file_size(samples_path) > 0) {
    fail("{} exists without run.json, so its settings are unknown; pass --overwrite to discard it", samples_path);
  } else {
    start_empty = true;
  }
  write_file_atomic(run_path, fingerprint.dump(2) + "\n");
  return start_empty;
}

std::string format_duration(double seconds) {
  const int64_t total = static_cast<int64_t>(seconds + 0.5);
  if (total >= 3600) return fmt::format("{}h{:02}m", total / 3600, total % 3600 / 60);
  if (total >= 60) return fmt::format("{}m{:02}s", total / 60, total % 60);
  return fmt::format("{}s", total);
}

void print_progress(const EvalProgress& progress) {
  const double rate = progress.seconds > 0 ? static_cast<double>(progress.done) / progress.seconds : 0;
  const double eta = rate > 0 ? static_cast<double>(progress.total - progress.done) / rate : 0;
  fmt::print("eval: {}/{} samples ({:.1f}%) | {:.2f} samples/s | {:.0f} tok/s | elapsed {} | ETA {}\n",
             progress.done, progress.total, 100.0 * static_cast<double>(progress.done) / static_cast<double>(progress.total),
             rate, progress.seconds > 0 ? static_cast<double>(progress.tokens) / progress.seconds : 0.0,
             format_duration(progress.seconds), format_duration(eta));
  std::fflush(stdout);
}

void print_figures_line(const std::string& name, const EvalFigures& figures, double seconds) {
  const std::string greedy = figures.greedy ? fmt::format("{:.3f}", figures.greedy->value) : "-";
  // with k = 1, pass@k is pass@1 and is printed once
  std::string pass_at_k;
  if (figures.k > 1) pass_at_k = fmt::format(" | pass@{} {:.3f}", figures.k, figures.pass_at.at(figures.k).value);
  fmt::print("eval: {} | {} problems x k={} | pass@1 {:.3f} ± {:.3f} | cons@{} {:.3f}{} | greedy {} | "
             "len {:.1f} (max {}) | truncated {:.3f} | {:.1f} s\n",
             name, figures.problems, figures.k, figures.pass_at_1.value, figures.pass_at_1.standard_error, figures.k,
             figures.cons_at_k.value, pass_at_k, greedy, figures.mean_length.value, figures.max_length,
             figures.truncated_share.value, seconds);
}

void run_eval(EvalCommandOptions& options) {
  options.eval.sampling.validate();
  options.eval.greedy = !options.no_greedy && options.eval.sampling.temperature > 0;
  const bool greedy_from_samples = options.eval.sampling.temperature == 0;
  validate_eval_options(options.eval);

  // 1. data, model and output folder, before any long computation
  torch::Device device = apply_runtime_options(options.runtime);
  if (!options.benchmark.name.empty() && !fs::exists(options.benchmark.data_path))
    fail("--data {} not found; r1 downloads nothing, and the {} file is {}", options.benchmark.data_path,
         options.benchmark.name, benchmark_spec(options.benchmark.name).source);
  detect_countdown(options.benchmark);
  LoadedBenchmark benchmark = load_benchmark(options.benchmark);
  const int64_t available = static_cast<int64_t>(benchmark.problems.size());
  const int64_t count = options.limit > 0 ? std::min(options.limit, available) : available;
  const std::string name = benchmark.spec.name.empty() ? "custom" : benchmark.spec.name;
  fmt::print("eval: {} {}: {} problems ({} lines, {} bad records skipped, {} unparseable gold answers dropped)\n", name,
             benchmark.data_path, available, benchmark.lines, benchmark.bad_records, benchmark.unparseable_gold);
  for (const std::string& error : benchmark.errors) fmt::print("eval: skipped {}\n", error);

  ModelFolder folder = load_model_folder(options.model, device, parse_weight_dtype(options.dtype));
  folder.model->eval();
  PromptSetup prompt = build_prompts(options, benchmark, folder, count);
  nlohmann::ordered_json fingerprint = run_fingerprint(options, benchmark, prompt);

  // 2. samples already drawn by an earlier run with the same settings
  std::vector<StoredSample> existing;
  bool start_empty = true;
  if (!options.out.empty()) {
    start_empty = prepare_output(options, fingerprint);
    if (!start_empty) {
      SampleFile file = read_sample_file(options.out + "/samples.jsonl");
      existing = std::move(file.samples);
      if (file.dropped_partial_lines > 0)
        fmt::print("eval: dropped a partial last line of samples.jsonl left by an interrupted run\n");
    }
  }
  SampleWriter writer(options.out.empty() ? "" : options.out + "/samples.jsonl", start_empty);

  // 3. draw the missing samples
  fmt::print("eval: {} of {} problems, k={} at temperature {} top-p {}, {} new tokens at most{}\n", count, available,
             options.eval.k, options.eval.sampling.temperature, options.eval.sampling.top_p, options.eval.max_new_tokens,
             options.eval.greedy ? ", plus a greedy decode" : "");
  BenchmarkEvalOptions run_options;
  run_options.eval = options.eval;
  run_options.problems = count;
  run_options.add_special_tokens = !options.chat;
  run_options.stop_token_ids = folder.stop_token_ids;
  BenchmarkEvalResult result =
      run_benchmark_eval(folder.model, *folder.tokenizer, benchmark, prompt.prompts, run_options, existing, writer, print_progress);
  if (result.reused > 0) fmt::print("eval: reused {} samples from {}/samples.jsonl\n", result.reused, options.out);

  // 4. figures
  std::vector<ProblemOutcome> outcomes =
      problem_outcomes(benchmark, count, options.eval.k, result.samples, greedy_from_samples);
  EvalFigures figures = eval_figures(outcomes);
  auto groups = grouped_eval_figures(outcomes);
  print_figures_line(name, figures, result.seconds);
  if (options.out.empty()) return;

  // 5. results.json and results.md
  nlohmann::ordered_json results;
  results["benchmark"] = name;
  results["model"] = options.model;
  results["data"] = benchmark.data_path;
  results["options"] = {{"k", options.eval.k},
                        {"temperature", options.eval.sampling.temperature},
                        {"top_p", options.eval.sampling.top_p},
                        {"max_new_tokens", options.eval.max_new_tokens},
                        {"greedy", options.eval.greedy || greedy_from_samples},
                        {"limit", options.limit},
                        {"seed", options.eval.seed},
                        {"dtype", options.dtype},
                        {"skip_bad", options.benchmark.skip_bad_records}};
  results["fields"] = fingerprint["fields"];
  results["prompt"] = prompt.record;
  results["counts"] = {{"lines", benchmark.lines},
                       {"problems_available", available},
                       {"problems_evaluated", count},
                       {"bad_records", benchmark.bad_records},
                       {"unparseable_gold", benchmark.unparseable_gold},
                       {"samples_reused", result.reused},
                       {"samples_drawn", result.drawn}};
  results["skipped_records"] = benchmark.errors;
  results["figures"] = figures_json(figures, groups);
  results["timing"] = {{"seconds", result.seconds},
                       {"generated_tokens", result.generated_tokens},
                       {"tokens_per_second",
                        result.seconds > 0 ? static_cast<double>(result.generated_tokens) / result.seconds : 0.0}};
  write_file_atomic(options.out + "/results.json", results.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  write_file_atomic(options.out + "/results.md", results_markdown(results));
  fmt::print("eval: wrote {}/results.json, results.md and samples.jsonl\n", options.out);
}

void setup(CLI::App& root) {
  auto options = std::make_shared<EvalCommandOptions>();
  EvalOptions& eval = options->eval;
  BenchmarkOptions& benchmark = options->benchmark;
  auto* app = root.add_subcommand(
      "eval", "Evaluate a model on a benchmark file: pass@1 over k samples, pass@k, cons@k, greedy accuracy");
  app->add_option("--model", options->model, "Model folder (r1 checkpoint or Hugging Face)")->required();
  app->add_option("--benchmark", benchmark.name,
                  "gsm8k, math500, math, aime24, aime25, amc23 or countdown; omit for another JSONL file (then set "
                  "--prompt-field and --answer-field; a {target, nums} file is read as Countdown)");
  app->add_option("--data", benchmark.data_path, "The benchmark's JSONL file (docs/evaluation.md says where to get it)")
      ->required();
  app->add_option("--prompt-field", benchmark.prompt_field, "Record field of the question (default: the benchmark's)");
  app->add_option("--answer-field", benchmark.answer_field, "Record field of the gold answer (default: the benchmark's)");
  app->add_option("--answer-after", benchmark.answer_after,
                  "Take the gold answer after the last occurrence of this marker (GSM8K: ####)");
  app->add_option("--id-field", benchmark.id_field, "Record field of the problem id; default: the line number");
  app->add_option("--prompt-template", benchmark.prompt_template,
                  "Prompt template: math, r1, raw, or a text containing {question} (default: the benchmark's)");
  app->add_flag("--chat", options->chat, "Wrap each prompt as a user message in the model's chat template");
  app->add_option("--system", options->system, "System message before the question (needs --chat)");
  app->add_flag("--skip-bad", benchmark.skip_bad_records,
                "Skip malformed records, missing fields and duplicate ids, counting them in results.json");
  app->add_option("--out", options->out,
                  "Folder for run.json, samples.jsonl, results.json and results.md; an earlier run there resumes");
  app->add_flag("--overwrite", options->overwrite, "Discard the samples of an earlier run in --out");
  app->add_option("--limit", options->limit, "Evaluate the first N problems; 0 for all")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app->add_option("-k,--samples", eval.k, "Sampled completions per problem")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app->add_option("--temperature", eval.sampling.temperature, "Sampling temperature; 0 decodes greedily")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app->add_option("--top-p", eval.sampling.top_p, "Nucleus sampling mass in (0, 1]")->capture_default_str();
  app->add_option("--max-new-tokens", eval.max_new_tokens, "Generation budget in tokens per completion")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app->add_option("--max-batch-rows", eval.max_batch_rows, "Completions decoded together, across problems")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  add_workers_option(*app, eval.workers);
  app->add_flag("--no-greedy", options->no_greedy, "Skip the greedy decode per problem");
  app->add_option("--dtype", options->dtype, "Weight dtype: float32, bfloat16 or float16")->capture_default_str();
  add_runtime_options(*app, options->runtime);
  app->callback([options] {
    options->eval.seed = options->runtime.seed;
    run_eval(*options);
  });
}

R1_REGISTER_COMMAND(setup);

}  // namespace
}  // namespace r1::cli
