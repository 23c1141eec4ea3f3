#include "trainers/pretrain.h"

#include <chrono>

#include <fmt/format.h>

#include "runtime/workers.h"
#include "trainers/schedule.h"
#include "util/error.h"

namespace r1 {

void validate_lm_train_options(const LMTrainOptions& options) {
  if (options.steps < 1) fail("pretrain: steps={} must be >= 1", options.steps);
  if (options.batch_size < 1) fail("pretrain: batch_size={} must be >= 1", options.batch_size);
  if (options.lr <= 0) fail("pretrain: lr={} must be > 0", options.lr);
  if (options.workers < 1) fail("pretrain: workers={} must be >= 1", options.workers);
  if (options.ema_decay < 0 || options.ema_decay >= 1)
    fail("pretrain: ema_decay={} must be in [0, 1); 0 turns the weight average off", options.ema_decay);
}

void train_language_model(Transformer& model, const std::function<LMExample(std::mt19937_64&)>& sample,
                          const LMTrainOptions& options, int64_t pad_id, JsonlLog* log) {
  validate_lm_train_options(options);

  const torch::Device device = model->device();
  std::mt19937_64 rng(options.seed);
  torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(options.lr)
                                                         .betas({options.adam_beta1, options.adam_beta2})
                                                         .weight_decay(options.weight_decay));
  LRSchedule schedule{options.lr, options.warmup_steps, options.steps, LRDecay::kCosine, 0.1};
  model->train();

  // moving average of the weights, started from the initial weights
  std::vector<torch::Tensor> parameters = model->parameters();
  std::vector<torch::Tensor> average;
  if (options.ema_decay > 0)
    for (const auto& p : parameters) average.push_back(p.detach().clone());

  for (int64_t step = 0; step < options.steps; ++step) {
    auto start = std::chrono::steady_clock::now();

    // batch of rows; the loss is the mean over the batch's target positions
    std::vector<LMExample> examples;
    double target_tokens = 0, tokens = 0;
    for (int64_t b = 0; b < options.batch_size; ++b) {
      examples.push_back(sample(rng));
      target_tokens += static_cast<double>(count_targets(examples.back()));
      tokens += static_cast<double>(examples.back().tokens.size());
    }
    target_tokens = std::max(target_tokens, 1.0);

    // forward and backward, one share of the rows per worker: right-padded
    // tokens [B/workers,T]
    const double lr = schedule.at(step);
    for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
    optimizer.zero_grad();
    const int64_t shards = std::min(options.workers, options.batch_size);
    std::vector<double> shard_nll(shards);
    accumulate_gradients(model->parameters(), shards, options.workers, [&](int64_t shard) {
      const int64_t begin = shard * options.batch_size / shards;
      const int64_t end = (shard + 1) * options.batch_size / shards;
      std::vector<LMExample> rows(examples.begin() + begin, examples.begin() + end);
      AutocastScope autocast(device, options.precision);
      LMLoss nll = lm_nll(model, make_lm_batch(rows, pad_id, device));
      shard_nll[shard] = nll.nll_sum.item<double>();
      return nll.nll_sum / target_tokens;
    });

    // update
    double grad_norm = torch::nn::utils::clip_grad_norm_(model->parameters(), options.grad_clip);
    optimizer.step();
    if (!average.empty()) {
      torch::NoGradGuard no_grad;
      for (size_t i = 0; i < parameters.size(); ++i)
        average[i].mul_(options.ema_decay).add_(parameters[i].detach(), 1.0 - options.ema_decay);
    }

    // one log line per logged step
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    const double tokens_per_s = tokens / (ms / 1000.0);
    double loss_value = 0;
    for (double nll : shard_nll) loss_value += nll / target_tokens;
    if (!std::isfinite(loss_value))
      fail("pretrain: loss became {} at step {}; lower --lr or check the data", loss_value, step + 1);
    if (log != nullptr)
      log->write({{"stage", "pretrain"}, {"step", step + 1}, {"loss", loss_value}, {"lr", lr},
                  {"grad_norm", grad_norm}, {"ms", ms}, {"tokens_per_s", tokens_per_s}});
    if ((step + 1) % options.log_every == 0 || step == 0 || step + 1 == options.steps)
      fmt::print("pretrain step {:5d}/{} | loss {:.4f} | grad norm {:.3f} | lr {:.2e} | {:.0f} ms | {:.0f} tok/s\n",
                 step + 1, options.steps, loss_value, grad_norm, lr, ms, tokens_per_s);
  }
  if (!average.empty()) {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < parameters.size(); ++i) parameters[i].copy_(average[i]);
  }
  model->eval();
}

}  // namespace r1
