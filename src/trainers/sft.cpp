#include "trainers/sft.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>

#include <fmt/format.h>

#include "runtime/workers.h"
#include "trainers/schedule.h"
#include "util/error.h"

namespace r1 {

void validate_sft_options(const SFTOptions& o) {
  if (o.epochs < 1) fail("sft: epochs={} must be >= 1", o.epochs);
  if (o.max_steps < 0) fail("sft: max_steps={} must be >= 0 (0 trains for the given epochs)", o.max_steps);
  if (o.micro_batch_size < 1) fail("sft: micro_batch_size={} must be >= 1", o.micro_batch_size);
  if (o.workers < 1) fail("sft: workers={} must be >= 1", o.workers);
  if (o.gradient_accumulation_steps < 1)
    fail("sft: gradient_accumulation_steps={} must be >= 1", o.gradient_accumulation_steps);
  if (o.pack_tokens < 0) fail("sft: pack_tokens={} must be >= 0 (0 turns packing off)", o.pack_tokens);
  if (o.lr <= 0) fail("sft: lr={} must be > 0", o.lr);
  if (o.warmup_steps < 0) fail("sft: warmup_steps={} must be >= 0", o.warmup_steps);
  if (o.min_lr_ratio < 0 || o.min_lr_ratio > 1) fail("sft: min_lr_ratio={} must be in [0, 1]", o.min_lr_ratio);
  if (o.weight_decay < 0) fail("sft: weight_decay={} must be >= 0", o.weight_decay);
  if (o.grad_clip <= 0) fail("sft: grad_clip={} must be > 0", o.grad_clip);
  if (o.eval_every < 0) fail("sft: eval_every={} must be >= 0", o.eval_every);
  if (o.log_every < 1) fail("sft: log_every={} must be >= 1", o.log_every);
}

int64_t sft_total_steps(const SFTOptions& options, size_t train_examples) {
  if (options.max_steps > 0) return options.max_steps;
  const int64_t per_step = options.micro_batch_size * options.gradient_accumulation_steps;
  const int64_t steps_per_epoch = (static_cast<int64_t>(train_examples) + per_step - 1) / per_step;
  return std::max<int64_t>(1, steps_per_epoch * options.epochs);
}

double lm_eval_loss(Transformer& model, const std::vector<LMExample>& examples, int64_t micro_batch_size,
                    int64_t pad_id) {
  if (examples.empty()) fail("lm_eval_loss: no examples to evaluate");
  torch::NoGradGuard no_grad;
  const bool was_training = model->is_training();
  model->eval();
  double nll = 0, targets = 0;
  for (size_t begin = 0; begin < examples.size(); begin += static_cast<size_t>(micro_batch_size)) {
    const size_t end = std::min(examples.size(), begin + static_cast<size_t>(micro_batch_size));
    std::vector<LMExample> part(examples.begin() + begin, examples.begin() + end);
    LMLoss loss = lm_nll(model, make_lm_batch(part, pad_id, model->device()));
    nll += loss.nll_sum.item<double>();
    targets += loss.target_tokens;
  }
  if (was_training) model->train();
  return nll / std::max(targets, 1.0);
}

void train_sft(Transformer& model, const std::vector<LMExample>& train, const std::vector<LMExample>& eval,
               const SFTOptions& options, int64_t pad_id, JsonlLog* log,
               const std::function<void(const SFTStepStats&)>& on_step) {
  validate_sft_options(options);
  if (train.empty()) fail("sft: the training set is empty");
  for (const auto& example : train)
    if (count_targets(example) == 0) fail("sft: a training example has no target tokens; drop it before training");

  const torch::Device device = model->device();
  const int64_t total_steps = sft_total_steps(options, train.size());
  const int64_t per_step = options.micro_batch_size * options.gradient_accumulation_steps;
  std::mt19937_64 rng(options.seed);
  torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(options.lr)
                                                         .betas({options.adam_beta1, options.adam_beta2})
                                                         .weight_decay(options.weight_decay));
  LRSchedule schedule{options.lr, options.warmup_steps, total_steps, LRDecay::kCosine, options.min_lr_ratio};

  // examples are drawn without replacement, reshuffled every epoch
  std::vector<size_t> order(train.size());
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  size_t cursor = 0;
  int64_t examples_seen = 0;

  if (!eval.empty()) {
    const double before = lm_eval_loss(model, eval, options.micro_batch_size, pad_id);
    fmt::print("sft eval before training | eval loss {:.4f} | {} examples\n", before, eval.size());
    if (log != nullptr) log->write({{"stage", "sft"}, {"step", 0}, {"eval_loss", before}});
  }

  model->train();
  for (int64_t step = 1; step <= total_steps; ++step) {
    auto start = std::chrono::steady_clock::now();
    SFTStepStats stats;
    stats.step = step;
    stats.total_steps = total_steps;

    // 1. this step's examples, split into micro-batches
    std::vector<LMExample> examples;
    for (int64_t i = 0; i < per_step; ++i) {
      if (cursor == order.size()) {
        std::shuffle(order.begin(), order.end(), rng);
        cursor = 0;
      }
      examples.push_back(train[order[cursor++]]);
    }
    examples_seen += per_step;
    double step_targets = 0;
    for (const auto& example : examples) {
      step_targets += static_cast<double>(count_targets(example));
      stats.tokens += static_cast<int64_t>(example.tokens.size());
    }

    // 2. rows: the examples themselves, or packed into rows of pack_tokens
    std::vector<LMExample> rows =
        options.pack_tokens > 0 ? pack_examples(std::move(examples), options.pack_tokens) : std::move(examples);
    const int64_t row_count = static_cast<int64_t>(rows.size());

    // 3. accumulate gradients. Each micro-batch's summed loss is divided by
    // the step's target count, so the gradient is that of the step's mean loss
    const double lr = schedule.at(step - 1);
    for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
    optimizer.zero_grad();
    const int64_t micro_batches = (row_count + options.micro_batch_size - 1) / options.micro_batch_size;
    std::vector<double> part_nll(micro_batches);
    for (int64_t i = 0; i < micro_batches; ++i) {
      size_t longest = 0;
      const int64_t end = std::min(row_count, (i + 1) * options.micro_batch_size);
      for (int64_t r = i * options.micro_batch_size; r < end; ++r) longest = std::max(longest, rows[r].tokens.size());
      stats.padded_tokens += static_cast<int64_t>(longest) * (end - i * options.micro_batch_size);
    }
    accumulate_gradients(model->parameters(), micro_batches, options.workers, [&](int64_t i) {
      const int64_t begin = i * options.micro_batch_size;
      const int64_t end = std::min(row_count, begin + options.micro_batch_size);
      std::vector<LMExample> part(rows.begin() + begin, rows.begin() + end);
      AutocastScope autocast(device, options.precision);
      LMLoss loss = lm_nll(model, make_lm_batch(part, pad_id, device));
      part_nll[i] = loss.nll_sum.item<double>();
      return loss.nll_sum / step_targets;
    });
    double nll_sum = 0;
    for (double part : part_nll) nll_sum += part;
    stats.grad_norm = torch::nn::utils::clip_grad_norm_(model->parameters(), options.grad_clip);
    optimizer.step();

    stats.loss = nll_sum / step_targets;
    if (!std::isfinite(stats.loss))
      fail("sft: loss became {} at step {}; lower --lr or check the data", stats.loss, step);
    stats.lr = lr;
    stats.target_tokens = static_cast<int64_t>(step_targets);
    stats.epoch = static_cast<double>(examples_seen) / static_cast<double>(train.size());

    // 4. held-out loss every eval_every steps and after the last step
    if (!eval.empty() && ((options.eval_every > 0 && step % options.eval_every == 0) || step == total_steps))
      stats.eval_loss = lm_eval_loss(model, eval, options.micro_batch_size, pad_id);

    // 5. one log line per step
    stats.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    stats.tokens_per_s = static_cast<double>(stats.tokens) / (stats.ms / 1000.0);
    if (step % options.log_every == 0 || step == 1 || step == total_steps || stats.eval_loss >= 0) {
      std::string eval_text = stats.eval_loss >= 0 ? fmt::format(" | eval loss {:.4f}", stats.eval_loss) : "";
      fmt::print("sft step {:5d}/{} | epoch {:.2f} | loss {:.4f}{} | grad norm {:.3f} | lr {:.2e} | {} target tokens "
                 "| {:.0f} ms | {:.0f} tok/s\n",
                 step, total_steps, stats.epoch, stats.loss, eval_text, stats.grad_norm, stats.lr,
                 stats.target_tokens, stats.ms, stats.tokens_per_s);
    }
    if (log != nullptr) {
      nlohmann::json record = {{"stage", "sft"},
                               {"step", step},
                               {"epoch", stats.epoch},
                               {"loss", stats.loss},
                               {"grad_norm", stats.grad_norm},
                               {"lr", stats.lr},
                               {"target_tokens", stats.target_tokens},
                               {"tokens", stats.tokens},
                               {"padded_tokens", stats.padded_tokens},
                               {"ms", stats.ms},
                               {"tokens_per_s", stats.tokens_per_s}};
      if (stats.eval_loss >= 0) record["eval_loss"] = stats.eval_loss;
      log->write(record);
    }
    if (on_step) on_step(stats);
  }
  model->eval();
}

}  // namespace r1
