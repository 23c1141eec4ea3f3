// The built-in R1-Zero pipeline on Countdown, as composable stages: generate
// the problem splits, pretrain a small base model on synthetic reasoning
// traces, evaluate, run GRPO, evaluate again. `r1 demo` runs them in order;
// `r1 pretrain`, `r1 grpo` and `r1 eval` run one each.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "eval/evaluate.h"
#include "io/checkpoint.h"
#include "tasks/countdown.h"
#include "tasks/countdown_search.h"
#include "trainers/grpo.h"
#include "trainers/pretrain.h"

namespace r1 {

struct BaseModelOptions {
  int64_t hidden_size = 128;
  int64_t num_hidden_layers = 4;
  int64_t num_attention_heads = 4;
  int64_t num_key_value_heads = 2;
  int64_t intermediate_size = 384;
  int64_t max_position_embeddings = 1024;
};

struct PretrainStageOptions {
  BaseModelOptions model;
  LMTrainOptions train;  // batch_size counts packed rows
  CountdownTraceOptions traces;
  // Maximum tokens of a training row. Whole documents (<bos> prompt trace
  // <eos>) are packed into rows first-fit, longest first, from a pool of
  // several batches' worth, so rows come out nearly full and every batch
  // mixes all trace styles. Each document attends only to itself. A longer
  // document fills a row alone, and 1 puts one document per row.
  int64_t pack_tokens = 512;
};

// The Countdown generator, the held-out size and the seed together define the
// splits, so every stage regenerates the same problems.
struct CountdownDataOptions {
  int64_t train_problems = 8000;
  int64_t heldout_problems = 200;
  uint64_t seed = 1;
  CountdownGeneratorOptions generator;
};

ModelConfig base_model_config(const BaseModelOptions& options);

// Pretrains a fresh base model on traces of `train` problems and saves it.
Transformer pretrain_countdown_base(const std::vector<CountdownProblem>& train, const PretrainStageOptions& options,
                                    torch::Device device, const std::string& out_dir, JsonlLog* log);

// The trace corpus statistics a perfect imitator would reach (accuracy of the
// traces themselves), for the log.
double countdown_trace_accuracy(const std::vector<CountdownProblem>& problems, const CountdownTraceOptions& options,
                                uint64_t seed, int64_t count);

nlohmann::json to_json(const CountdownDataOptions& options);
nlohmann::json to_json(const PretrainStageOptions& options);
nlohmann::json to_json(const GRPOOptions& options);
nlohmann::json to_json(const EvalOptions& options);

// Prints an evaluation report's figures as one line.
void print_eval_line(const std::string& label, const EvalReport& report);

// A progress callback that redraws one line on stderr.
std::function<void(const std::string&, int64_t, int64_t)> progress_printer(const std::string& label);

}  // namespace r1
