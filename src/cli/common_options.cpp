#include "cli/common_options.h"

#include <fmt/format.h>

#include "runtime/runtime.h"

namespace r1::cli {

void add_runtime_options(CLI::App& app, RuntimeOptions& options) {
  app.add_option("--threads", options.threads, "Compute threads; 0 uses every core")->capture_default_str();
  app.add_option("--device", options.device, "cpu, cuda or cuda:N")->capture_default_str();
  app.add_option("--seed", options.seed, "Seed for sampling, initialisation and data order")->capture_default_str();
}

void add_precision_option(CLI::App& app, RuntimeOptions& options) {
  options.precision = "auto";
  app.add_option("--precision", options.precision,
                 "Training passes in fp32 or bf16-mixed (bfloat16 products, float32 weights); auto picks "
                 "bf16-mixed on CUDA and on CPUs with native bfloat16")
      ->capture_default_str();
}

Precision runtime_precision(const RuntimeOptions& options, torch::Device device) {
  if (options.precision.empty()) return Precision::kFloat32;
  return parse_precision(options.precision, device);
}

torch::Device apply_runtime_options(const RuntimeOptions& options) {
  torch::Device device = parse_device(options.device);
  flush_subnormals();  // before configure_threads starts any thread
  int threads = configure_threads(options.threads);
  seed_everything(options.seed);
  std::string precision;
  if (!options.precision.empty()) precision = " | precision " + precision_name(runtime_precision(options, device));
  fmt::print("runtime: device {} | {} threads | seed {}{}\n", device.str(), threads, options.seed, precision);
  return device;
}

void add_sampling_options(CLI::App& app, SamplingParams& sampling) {
  app.add_option("--temperature", sampling.temperature, "Sampling temperature; 0 is greedy")->capture_default_str();
  app.add_option("--top-p", sampling.top_p, "Nucleus sampling mass in (0, 1]")->capture_default_str();
  app.add_option("--top-k", sampling.top_k, "Keep the k most likely tokens; 0 keeps all")->capture_default_str();
  app.add_option("--min-p", sampling.min_p, "Drop tokens below min-p times the top probability")->capture_default_str();
  app.add_option("--repetition-penalty", sampling.repetition_penalty, "Penalty > 1 for tokens already present")
      ->capture_default_str();
}

void add_workers_option(CLI::App& app, int64_t& workers) {
  app.add_option("--workers", workers,
                 "Threads that each run a separate part of a batch with one compute thread; faster on CPU for models "
                 "of a few million parameters, whose operations are too small to spread over the cores")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
}

void add_eval_options(CLI::App& app, EvalOptions& options) {
  app.add_option("-k,--samples", options.k, "Sampled completions per problem")->capture_default_str();
  app.add_option("--eval-temperature", options.sampling.temperature, "Evaluation sampling temperature")
      ->capture_default_str();
  app.add_option("--eval-top-p", options.sampling.top_p, "Evaluation nucleus mass")->capture_default_str();
  app.add_option("--eval-max-new-tokens", options.max_new_tokens, "Evaluation generation budget in tokens")
      ->capture_default_str();
}

}  // namespace r1::cli
