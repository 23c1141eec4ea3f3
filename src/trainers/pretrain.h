// Next-token training on a corpus of token sequences: pretraining the
// built-in base model and supervised fine-tuning (with a loss mask).
#pragma once

#include <functional>
#include <random>
#include <string>
#include <vector>

#include "model/transformer.h"
#include "runtime/precision.h"
#include "trainers/lm_batch.h"
#include "util/jsonl_log.h"

namespace r1 {

struct LMTrainOptions {
  int64_t steps = 1000;
  int64_t batch_size = 32;
  double lr = 1e-3;
  int64_t warmup_steps = 50;
  double weight_decay = 0.1;
  double grad_clip = 1.0;
  double adam_beta1 = 0.9, adam_beta2 = 0.95;
  int64_t log_every = 10;
  uint64_t seed = 0;
  Precision precision = Precision::kFloat32;  // of the forward passes
  // Threads that each run a contiguous share of a step's rows, one compute
  // thread each (runtime/workers.h); 1 runs the whole batch on all threads.
  int64_t workers = 1;
  // Decay per step of an exponential moving average of the weights, which
  // replaces the last weights at the end; 0 keeps the last weights.
  double ema_decay = 0.0;
};

// Checks steps, batch_size, lr, workers and ema_decay; throws r1::Error naming the first invalid one.
void validate_lm_train_options(const LMTrainOptions& options);

// Draws batches of examples with `sample(rng)` and trains `model` on them.
// Logs one line per logged step and a JSON record per step to `log`.
void train_language_model(Transformer& model, const std::function<LMExample(std::mt19937_64&)>& sample,
                          const LMTrainOptions& options, int64_t pad_id, JsonlLog* log);

}  // namespace r1
