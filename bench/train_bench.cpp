// Training throughput: tokens per second of a full training step (forward,
// cross-entropy, backward, AdamW update) for the demo model and a
// Qwen2.5-0.5B-shaped model with random weights, in float32 and bfloat16, and
// the share of the matrix-multiply peak it reaches. The peak is measured in
// the same run as the rate of one large torch::mm per dtype.
//
// Model FLOPs per step follow PaLM's count: 6 * parameters * tokens for the
// weight matrix products (forward 2, backward 4) plus 12 * layers * heads *
// head_dim * sequence_length * tokens for the attention scores and weighted
// sums. Tied embeddings count once (as the LM head product).
//
//   train_bench [--batch 16] [--seq 128] [--large-batch 2] [--large-seq 256]
//               [--steps 3] [--mm-size 2048] [--no-large]
//               [--threads N (0: every core, as the r1 tool)]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "model/transformer.h"
#include "pipeline/countdown_pipeline.h"
#include "runtime/runtime.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

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

const char* dtype_name(torch::Dtype dtype) { return dtype == torch::kBFloat16 ? "bf16" : "fp32"; }

// FLOP/s of an n x n x n matrix product (2 n^3 FLOPs), best of 3 after a
// warm-up.
double matmul_peak(int64_t n, torch::Dtype dtype) {
  auto a = torch::randn({n, n}).to(dtype);
  auto b = torch::randn({n, n}).to(dtype);
  torch::mm(a, b);
  double best = 0;
  for (int i = 0; i < 3; ++i) {
    auto start = Clock::now();
    auto c = torch::mm(a, b);
    double seconds = seconds_since(start);
    best = std::max(best, 2.0 * static_cast<double>(n) * n * n / seconds);
  }
  return best;
}

double step_flops(const r1::ModelConfig& config, int64_t batch, int64_t seq) {
  const double tokens = static_cast<double>(batch * seq);
  const double dense = 6.0 * static_cast<double>(config.num_parameters()) * tokens;
  const double attention = 12.0 * static_cast<double>(config.num_hidden_layers * config.num_attention_heads *
                                                      config.resolved_head_dim() * seq) *
                           tokens;
  return dense + attention;
}

struct StepResult {
  double tokens_per_s = 0;
  double flops_per_s = 0;
};

// Average over `steps` timed steps after one warm-up step.
StepResult measure_training(const r1::ModelConfig& config, torch::Dtype dtype, int64_t batch, int64_t seq,
                            int64_t steps) {
  r1::Transformer model(config);
  model->init_weights(0);
  model->to(dtype);
  model->train();
  torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(1e-4).weight_decay(0.1));

  // tokens [B,T+1]: inputs are the first T, targets the last T
  auto tokens = torch::randint(3, config.vocab_size, {batch, seq + 1}, torch::kLong);
  auto inputs = tokens.slice(1, 0, seq);
  auto targets = tokens.slice(1, 1, seq + 1).reshape({-1});
  auto mask = torch::ones({batch, seq}, torch::kBool);
  auto positions = r1::positions_from_mask(mask);

  auto train_step = [&] {
    optimizer.zero_grad();
    auto logits = model->forward(inputs, positions, mask);  // [B,T,V]
    auto loss = torch::nn::functional::cross_entropy(logits.reshape({batch * seq, -1}).to(torch::kFloat32), targets);
    loss.backward();
    optimizer.step();
  };

  train_step();  // warm-up: allocates the optimizer state
  auto start = Clock::now();
  for (int64_t i = 0; i < steps; ++i) train_step();
  double seconds = seconds_since(start) / static_cast<double>(steps);

  StepResult result;
  result.tokens_per_s = static_cast<double>(batch * seq) / seconds;
  result.flops_per_s = step_flops(config, batch, seq) / seconds;
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  r1::tune_process_environment(argv);  // thread wait policies and malloc thresholds
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each table row as it is measured

  int64_t batch = 16, seq = 128, large_batch = 2, large_seq = 256, steps = 3, mm_size = 2048, threads = 0;
  bool run_large = true;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--no-large") {
      run_large = false;
      continue;
    }
    if (i + 1 >= argc) {
      fmt::print(stderr, "error: {} requires a value, or is unknown; see the usage at the top of train_bench.cpp\n",
                 arg);
      return 2;
    }
    int64_t value = std::stoll(argv[++i]);
    if (arg == "--batch") batch = value;
    else if (arg == "--seq") seq = value;
    else if (arg == "--large-batch") large_batch = value;
    else if (arg == "--large-seq") large_seq = value;
    else if (arg == "--steps") steps = value;
    else if (arg == "--mm-size") mm_size = value;
    else if (arg == "--threads") threads = value;
    else {
      fmt::print(stderr, "error: unknown argument {}; see the usage at the top of train_bench.cpp\n", arg);
      return 2;
    }
  }

  fmt::print("threads: {}, OMP_WAIT_POLICY={}\n\n", r1::configure_threads(static_cast<int>(threads)), std::getenv("OMP_WAIT_POLICY"));
  double peak[2];
  const torch::Dtype dtypes[2] = {torch::kFloat32, torch::kBFloat16};
  for (int d = 0; d < 2; ++d) {
    torch::NoGradGuard no_grad;
    peak[d] = matmul_peak(mm_size, dtypes[d]);
    fmt::print("matmul peak {}: {}x{}x{} torch::mm, {:.1f} GFLOP/s\n", dtype_name(dtypes[d]), mm_size, mm_size,
               mm_size, peak[d] / 1e9);
  }

  fmt::print("\n| model | dtype | batch x seq | tokens/s | GFLOP/s | share of mm peak |\n");
  fmt::print("|-------|-------|-------------|---------:|--------:|-----------------:|\n");
  struct Case {
    std::string name;
    r1::ModelConfig config;
    int64_t batch, seq;
  };
  std::vector<Case> cases = {{"demo", r1::base_model_config({}), batch, seq}};
  if (run_large) cases.push_back({"Qwen2.5-0.5B shape", qwen25_05b_config(), large_batch, large_seq});
  for (const auto& bench : cases) {
    for (int d = 0; d < 2; ++d) {
      StepResult result = measure_training(bench.config, dtypes[d], bench.batch, bench.seq, steps);
      fmt::print("| {} | {} | {} x {} | {:.1f} | {:.2f} | {:.1f}% |\n", bench.name, dtype_name(dtypes[d]),
                 bench.batch, bench.seq, result.tokens_per_s, result.flops_per_s / 1e9,
                 100.0 * result.flops_per_s / peak[d]);
    }
  }
  return 0;
}
