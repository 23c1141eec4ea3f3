// Supervised fine-tuning: next-token loss on the target tokens of each example
// (completions and assistant messages), with the prompt tokens masked out.
// This is the cold-start and rejection-sampling SFT stage of the R1 pipeline.
#pragma once

#include <functional>
#include <vector>

#include "model/transformer.h"
#include "runtime/precision.h"
#include "trainers/lm_batch.h"
#include "util/jsonl_log.h"

namespace r1 {

struct SFTOptions {
  int64_t epochs = 1;
  int64_t max_steps = 0;  // optimizer steps; 0 trains for `epochs` full passes
  int64_t micro_batch_size = 4;            // examples per forward/backward pass
  int64_t gradient_accumulation_steps = 1;  // micro-batches per optimizer step
  // Row length for packing each step's examples first-fit. Micro-batches
  // then take micro_batch_size rows. Packed examples attend only to
  // themselves, so the loss equals the padded step's. 0 turns packing off.
  int64_t pack_tokens = 0;
  double lr = 2e-5;
  int64_t warmup_steps = 0;
  double min_lr_ratio = 0.0;  // the cosine schedule decays to min_lr_ratio * lr
  double weight_decay = 0.0;
  double grad_clip = 1.0;
  double adam_beta1 = 0.9, adam_beta2 = 0.999;
  int64_t eval_every = 0;  // optimizer steps between eval-loss passes; 0 evaluates only before and after
  int64_t log_every = 1;
  uint64_t seed = 0;
  Precision precision = Precision::kFloat32;  // of the training passes
  int64_t workers = 1;  // threads running separate micro-batches at once (runtime/workers.h)
};

struct SFTStepStats {
  int64_t step = 0;
  int64_t total_steps = 0;
  double epoch = 0;          // fractional epoch reached after this step
  double loss = 0;           // mean loss per target token of this step's examples
  double grad_norm = 0, lr = 0;
  int64_t target_tokens = 0;  // tokens that carried loss in this step
  int64_t tokens = 0;         // all tokens in this step
  int64_t padded_tokens = 0;  // positions the forward passes computed, padding included
  double ms = 0, tokens_per_s = 0;
  double eval_loss = -1;  // -1 when not evaluated at this step
};

// Checks every field; throws r1::Error naming the first invalid one.
void validate_sft_options(const SFTOptions& options);

// Optimizer steps of a run over `train_examples` examples.
int64_t sft_total_steps(const SFTOptions& options, size_t train_examples);

// Mean loss per target token of `examples` under `model`, without gradients.
double lm_eval_loss(Transformer& model, const std::vector<LMExample>& examples, int64_t micro_batch_size,
                    int64_t pad_id);

// Trains `model` in place on `train` with AdamW, linear warm-up and cosine
// decay, gradient clipping and micro-batches with gradient accumulation (the
// loss is averaged over every target token of the optimizer step).
// Examples are reshuffled every epoch. Evaluates on `eval` (when not empty)
// before training, every eval_every steps and after the last step. Prints one
// line and writes one record to `log` per step; `on_step` runs after each step
// (for checkpoints).
void train_sft(Transformer& model, const std::vector<LMExample>& train, const std::vector<LMExample>& eval,
               const SFTOptions& options, int64_t pad_id, JsonlLog* log,
               const std::function<void(const SFTStepStats&)>& on_step = {});

}  // namespace r1
