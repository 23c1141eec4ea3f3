// Rollout generation throughput: generated tokens per second of generate() at
// several batch sizes, for the demo model and a Qwen2.5-0.5B-shaped model
// with random weights, in float32 and bfloat16. Stop tokens are disabled, so
// every row decodes exactly --new-tokens tokens. Ratios are against batch 1
// of the same model and dtype, measured in the same run. For the demo model,
// a second column decodes the same batch with --workers threads of one
// compute thread each (runtime/workers.h), with its ratio to one worker.
//
//   rollout_bench [--batches 1,8,32,64] [--prompt-tokens 64] [--new-tokens 128]
//                 [--large-batches 1,8] [--large-new-tokens 32] [--no-large]
//                 [--threads N (0: every core, as the r1 tool)]
//                 [--workers N (0: one per thread)]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "model/transformer.h"
#include "pipeline/countdown_pipeline.h"
#include "runtime/runtime.h"
#include "sampling/generate.h"

namespace {

// Same ModelConfig as Qwen2.5-0.5B's config.json (weights are random).
r1::ModelConfig qwen25_05b_config() {
  r1::ModelConfig config;
  config.model_type = "qwen2";
  config.vocab_size = 151936;
  config.hidden_size = 896;
  config.intermediate_size = 4864;
  config.num_hidden_layers = 24;
  config.num_attention_heads = 14;
  config.num_key_value_heads = 2;
  config.max_position_embeddings = 32768;
  config.rope_theta = 1000000.0;
  config.attention_bias = true;
  config.tie_word_embeddings = true;
  config.validate();
  return config;
}

std::vector<int64_t> parse_list(const std::string& text) {
  std::vector<int64_t> values;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) values.push_back(std::stoll(item));
  return values;
}

struct RolloutCase {
  std::string model_name;
  r1::ModelConfig config;
  std::vector<int64_t> batches;
  int64_t prompt_tokens = 64;
  int64_t new_tokens = 128;
  int64_t workers = 1;  // above 1: also measure with this many workers
};

// Tokens per second of one generate() call over `batch` identical-length
// random prompts, after one untimed warm-up call at batch 1.
double measure(r1::Transformer& model, int64_t batch, int64_t prompt_tokens, int64_t new_tokens,
               int64_t workers = 1) {
  auto generator = at::detail::createCPUGenerator(7);
  std::vector<std::vector<int64_t>> prompts;
  auto ids = torch::randint(3, model->config().vocab_size, {batch, prompt_tokens}, torch::kLong);
  for (int64_t row = 0; row < batch; ++row) {
    auto accessor = ids[row];
    prompts.emplace_back(accessor.data_ptr<int64_t>(), accessor.data_ptr<int64_t>() + prompt_tokens);
  }

  r1::GenerationOptions options;
  options.max_new_tokens = new_tokens;
  options.sampling.temperature = 1.0;
  options.stop_token_ids = {};  // every row runs to max_new_tokens
  options.max_batch_rows = batch;
  options.workers = workers;

  auto start = std::chrono::steady_clock::now();
  auto completions = r1::generate(model, prompts, options, generator);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  int64_t generated = 0;
  for (const auto& completion : completions) generated += static_cast<int64_t>(completion.tokens.size());
  return static_cast<double>(generated) / seconds;
}

void run_case(const RolloutCase& bench, torch::Dtype dtype) {
  r1::Transformer model(bench.config);
  model->init_weights(0);
  model->to(dtype);
  model->eval();
  measure(model, 1, bench.prompt_tokens, 4);  // warm-up

  fmt::print("\n{} ({} parameters), {}, prompt {} tokens, {} new tokens\n", bench.model_name,
             bench.config.num_parameters(), dtype == torch::kBFloat16 ? "bf16" : "fp32", bench.prompt_tokens,
             bench.new_tokens);
  if (bench.workers > 1)
    fmt::print("| batch | tokens/s | vs batch {} | {} workers | vs 1 worker |\n"
               "|------:|---------:|-----------:|----------:|------------:|\n",
               bench.batches.front(), bench.workers);
  else
    fmt::print("| batch | tokens/s | vs batch {} |\n|------:|---------:|-----------:|\n", bench.batches.front());
  double reference = 0;
  for (int64_t batch : bench.batches) {
    double rate = measure(model, batch, bench.prompt_tokens, bench.new_tokens);
    if (reference == 0) reference = rate;
    fmt::print("| {:>5} | {:>8.1f} | {:>9.2f}x |", batch, rate, rate / reference);
    if (bench.workers > 1) {
      double parallel = measure(model, batch, bench.prompt_tokens, bench.new_tokens, bench.workers);
      fmt::print(" {:>9.1f} | {:>10.2f}x |", parallel, parallel / rate);
    }
    fmt::print("\n");
  }
}

}  // namespace

int main(int argc, char** argv) {
  r1::tune_process_environment(argv);  // thread wait policies and malloc thresholds
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each table row as it is measured

  RolloutCase demo{"demo model", r1::base_model_config({}), {1, 8, 32, 64}, 64, 128};
  RolloutCase large{"Qwen2.5-0.5B shape", qwen25_05b_config(), {1, 8}, 64, 32};
  bool run_large = true;
  int threads = 0;
  int64_t workers = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        fmt::print(stderr, "error: {} requires a value\n", arg);
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--batches") demo.batches = parse_list(next());
    else if (arg == "--prompt-tokens") demo.prompt_tokens = large.prompt_tokens = std::stoll(next());
    else if (arg == "--new-tokens") demo.new_tokens = std::stoll(next());
    else if (arg == "--large-batches") large.batches = parse_list(next());
    else if (arg == "--large-new-tokens") large.new_tokens = std::stoll(next());
    else if (arg == "--no-large") run_large = false;
    else if (arg == "--threads") threads = std::stoi(next());
    else if (arg == "--workers") workers = std::stoll(next());
    else {
      fmt::print(stderr, "error: unknown argument {}; see the usage at the top of rollout_bench.cpp\n", arg);
      return 2;
    }
  }

  torch::NoGradGuard no_grad;
  const int used_threads = r1::configure_threads(threads);
  demo.workers = workers > 0 ? workers : used_threads;
  fmt::print("threads: {}, OMP_WAIT_POLICY={}\n", used_threads, std::getenv("OMP_WAIT_POLICY"));
  for (torch::Dtype dtype : {torch::kFloat32, torch::kBFloat16}) run_case(demo, dtype);
  if (run_large)
    for (torch::Dtype dtype : {torch::kFloat32, torch::kBFloat16}) run_case(large, dtype);
  return 0;
}
