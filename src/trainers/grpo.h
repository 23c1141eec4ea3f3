// The GRPO trainer: for each step, sample G completions per prompt from the
// current policy (pi_old), score them with the task's rule-based reward,
// normalise rewards within each group into advantages, and take mu optimizer
// steps on the clipped objective with a k3 KL penalty to a frozen reference.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "model/transformer.h"
#include "runtime/precision.h"
#include "sampling/sampler.h"
#include "tasks/rl_task.h"
#include "tokenizer/tokenizer.h"
#include "trainers/grpo_loss.h"
#include "trainers/schedule.h"
#include "util/jsonl_log.h"

namespace r1 {

struct GRPOOptions {
  int64_t steps = 100;
  int64_t prompts_per_step = 16;
  int64_t group_size = 8;  // G
  int64_t mu = 1;          // optimizer passes over each batch of samples
  int64_t micro_batch_rows = 64;  // rows per forward/backward (gradient accumulation)
  GRPOLossOptions loss;
  bool scale_rewards = true;      // divide by the group std (false for Dr. GRPO)
  bool drop_uniform_groups = false;  // DAPO dynamic sampling: skip groups with equal rewards
  // Whether each group's advantages are shifted so that, weighted by completion
  // length, they sum to zero (see balance_advantages_by_length in grpo_loss.h).
  bool length_balanced_advantages = false;
  double lr = 1e-5;
  int64_t warmup_steps = 0;
  // Learning-rate shape after warm-up: constant (verl's default), or a linear
  // (TRL's default) or cosine decay to min_lr_ratio * lr over the run.
  LRDecay lr_decay = LRDecay::kConstant;
  double min_lr_ratio = 0.0;
  double weight_decay = 0.0;
  double adam_beta1 = 0.9, adam_beta2 = 0.99;
  // Term added to the root of AdamW's second moment. Above the typical
  // gradient size, it shrinks the steps of weights with mostly noisy gradients.
  double adam_epsilon = 1e-8;
  double grad_clip = 1.0;
  SamplingParams rollout{1.0, 1.0, 0, 0.0, 1.0};
  // Compute the log-probabilities of the ratio and the KL at the rollout
  // temperature, from the distribution the completions were sampled from
  // (as TRL and verl do). False uses temperature 1.
  bool tempered_logprobs = true;
  int64_t max_new_tokens = 256;
  // Threads that decode separate prompts of a rollout and run separate
  // micro-batches of the passes at once, one compute thread each (see
  // runtime/workers.h); 1 runs everything on all compute threads.
  int64_t workers = 1;
  int64_t log_every = 1;
  uint64_t seed = 0;
  Precision precision = Precision::kFloat32;  // of the log-probability passes
  // Token ids that end a completion; empty uses the tokenizer's end-of-sequence id.
  std::vector<int64_t> stop_token_ids;
  // Let the tokenizer add its begin-of-sequence token to each prompt. Turn it
  // off for prompts rendered by a chat template, which already contain it.
  bool add_special_tokens = true;
};

struct GRPOStepStats {
  int64_t step = 0;
  double reward_mean = 0, reward_std = 0, accuracy = 0, response_length = 0;
  double kl = 0, clip_fraction = 0, loss = 0, grad_norm = 0, lr = 0;
  double ms = 0, tokens_per_s = 0, rollout_ms = 0;
  int64_t groups_kept = 0;
  // Each reward component's mean and sample standard deviation (n - 1) over
  // the step's completions, by component name.
  std::map<std::string, double> component_means;
  std::map<std::string, double> component_stds;
};

// Checks every field; throws r1::Error naming the first invalid one, so a
// command can reject its options before any stage runs.
void validate_grpo_options(const GRPOOptions& options);

// Trains `policy` in place. `reference` is the frozen model of the KL term
// (unused when beta is 0). `on_step` runs after each step (for periodic
// evaluation or checkpoints).
void train_grpo(Transformer& policy, Transformer& reference, const Tokenizer& tokenizer, const RLTask& task,
                const GRPOOptions& options, JsonlLog* log,
                const std::function<void(const GRPOStepStats&)>& on_step = {});

}  // namespace r1
