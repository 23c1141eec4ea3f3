// r1 eval: evaluates a model on Countdown problems from a JSONL file with k
// sampled completions per problem (pass@1, pass@k, cons@k) and a greedy
// decode, as reasoning papers report it.
#include <fmt/format.h>

#include "cli/command.h"
#include "cli/common_options.h"
#include "cli/model_folder.h"
#include "pipeline/countdown_pipeline.h"
#include "tasks/countdown_task.h"
#include "util/file.h"

namespace r1::cli {
namespace {

struct EvalCommandOptions {
  std::string model;
  std::string data;
  std::string out;  // empty writes nothing
  int64_t limit = 0;
  bool no_greedy = false;
  RuntimeOptions runtime;
  EvalOptions eval;
};

void run_eval(EvalCommandOptions& options) {
  options.eval.sampling.validate();
  options.eval.greedy = !options.no_greedy;

  // 1. data, model and output folder, before any long computation
  torch::Device device = apply_runtime_options(options.runtime);
  std::vector<CountdownProblem> problems = load_countdown_jsonl(options.data);
  if (options.limit > 0 && static_cast<int64_t>(problems.size()) > options.limit) problems.resize(options.limit);
  ModelFolder folder = load_model_folder(options.model, device, torch::kFloat32);
  folder.model->eval();
  if (!options.out.empty()) ensure_writable_dir(options.out);

  // 2. evaluate
  fmt::print("eval: {} problems of {}, k={} at temperature {} top-p {}\n", problems.size(), options.data,
             options.eval.k, options.eval.sampling.temperature, options.eval.sampling.top_p);
  CountdownTask task(std::move(problems));
  EvalReport report = evaluate(folder.model, *folder.tokenizer, task, options.eval, progress_printer("eval"));
  print_eval_line("eval", report);

  // 3. results.json and samples.jsonl
  if (!options.out.empty()) {
    nlohmann::json results = {{"model", options.model},
                              {"data", options.data},
                              {"eval", to_json(options.eval)},
                              {"figures", report.to_json()}};
    write_file_atomic(options.out + "/results.json", results.dump(2) + "\n");
    write_eval_samples(options.out + "/samples.jsonl", report);
    fmt::print("wrote {}/results.json and samples.jsonl\n", options.out);
  }
}

void setup(CLI::App& root) {
  auto options = std::make_shared<EvalCommandOptions>();
  EvalOptions& eval = options->eval;
  auto* app = root.add_subcommand("eval", "Evaluate a model on Countdown problems (pass@1, pass@k, cons@k)");
  app->add_option("--model", options->model, "Model folder (r1 checkpoint or Hugging Face)")->required();
  app->add_option("--data", options->data, "Countdown JSONL, one {\"target\": N, \"nums\": [...]} per line")
      ->required();
  app->add_option("--out", options->out, "Folder for results.json and samples.jsonl");
  app->add_option("--limit", options->limit, "Evaluate at most this many problems; 0 for all")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app->add_option("-k,--samples", eval.k, "Sampled completions per problem")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app->add_option("--temperature", eval.sampling.temperature, "Sampling temperature")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app->add_option("--top-p", eval.sampling.top_p, "Nucleus sampling mass in (0, 1]")->capture_default_str();
  app->add_option("--max-new-tokens", eval.max_new_tokens, "Generation budget in tokens per completion")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app->add_option("--max-batch-rows", eval.max_batch_rows, "Completions decoded together")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app->add_flag("--no-greedy", options->no_greedy, "Skip the greedy decode per problem");
  add_runtime_options(*app, options->runtime);
  app->callback([options] {
    options->eval.seed = options->runtime.seed;
    run_eval(*options);
  });
}

R1_REGISTER_COMMAND(setup);

}  // namespace
}  // namespace r1::cli
