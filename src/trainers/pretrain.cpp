#include "trainers/pretrain.h"

#include <chrono>

#include <fmt/format.h>

#include "trainers/schedule.h"
#include "util/error.h"

namespace r1 {

void validate_lm_train_options(const LMTrainOptions& options) {
  if (options.steps < 1) fail("pretrain: steps={} must be >= 1", options.steps);
  if (options.batch_size < 1) fail("pretrain: batch_size={} must be >= 1", options.batch_size);
  if (options.lr <= 0) fail("pretrain: lr={} must be > 0", options.lr);
}

void train_language_model(Transformer& model, const std::function<LMExample(std::mt19937_64&)>& sample,
                          const LMTrainOptions& options, int64_t pad_id, JsonlLog* log) {
  validate_lm_train_options(options);

  const torch::Device device = model->device();
  std::mt19937_64 rng(options.seed);
  torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(options.lr)
                                                         .betas({options.adam_beta1, options.adam_beta2})
                                                         .weight_decay(options.weight_decay));
  LRSchedule schedule{options.lr, options.warmup_steps, options.steps, true, 0.1};
  model->train();

  for (int64_t step = 0; step < options.steps; ++step) {
    auto start = std::chrono::steady_clock::now();

    // batch: right-padded tokens [B,T]; loss over target positions
    std::vector<LMExample> examples;
    for (int64_t b = 0; b < options.batch_size; ++b) examples.push_back(sample(rng));
    LMBatch batch = make_lm_batch(examples, pad_id, device);
    torch::Tensor loss;
    {
      AutocastScope autocast(device, options.precision);
      LMLoss nll = lm_nll(model, batch);
      loss = nll.nll_sum / std::max(nll.target_tokens, 1.0);
    }

    // backward and update
    const double lr = schedule.at(step);
    for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
    optimizer.zero_grad();
    loss.backward();
    double grad_norm = torch::nn::utils::clip_grad_norm_(model->parameters(), options.grad_clip);
    optimizer.step();

    // one log line per logged step
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    const double tokens_per_s = batch.key_mask.sum().item<double>() / (ms / 1000.0);
    const double loss_value = loss.item<double>();
    if (!std::isfinite(loss_value))
      fail("pretrain: loss became {} at step {}; lower --lr or check the data", loss_value, step + 1);
    if (log != nullptr)
      log->write({{"stage", "pretrain"}, {"step", step + 1}, {"loss", loss_value}, {"lr", lr},
                  {"grad_norm", grad_norm}, {"ms", ms}, {"tokens_per_s", tokens_per_s}});
    if ((step + 1) % options.log_every == 0 || step == 0 || step + 1 == options.steps)
      fmt::print("pretrain step {:5d}/{} | loss {:.4f} | grad norm {:.3f} | lr {:.2e} | {:.0f} ms | {:.0f} tok/s\n",
                 step + 1, options.steps, loss_value, grad_norm, lr, ms, tokens_per_s);
  }
  model->eval();
}

}  // namespace r1
