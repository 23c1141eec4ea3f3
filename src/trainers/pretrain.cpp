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

    // batch: right-padded tokens [B,T], targets shifted by one
    std::vector<LMExample> examples;
    int64_t T = 0;
    for (int64_t b = 0; b < options.batch_size; ++b) {
      examples.push_back(sample(rng));
      T = std::max<int64_t>(T, static_cast<int64_t>(examples.back().tokens.size()));
    }
    const int64_t B = options.batch_size;
    auto tokens = torch::full({B, T}, pad_id, torch::kLong);
    auto key_mask = torch::zeros({B, T}, torch::kBool);
    auto loss_mask = torch::zeros({B, T}, torch::kFloat32);
    auto tokens_a = tokens.accessor<int64_t, 2>();
    auto key_a = key_mask.accessor<bool, 2>();
    auto loss_a = loss_mask.accessor<float, 2>();
    for (int64_t b = 0; b < B; ++b) {
      const auto& example = examples[b];
      for (size_t t = 0; t < example.tokens.size(); ++t) {
        const auto position = static_cast<int64_t>(t);
        tokens_a[b][position] = example.tokens[t];
        key_a[b][position] = true;
        if (position >= std::max<int64_t>(1, example.loss_start)) loss_a[b][position] = 1.0f;
      }
    }
    tokens = tokens.to(device);
    key_mask = key_mask.to(device);
    loss_mask = loss_mask.to(device);

    // forward, loss over target positions
    auto logits = model->forward(tokens, positions_from_mask(key_mask), key_mask);  // [B,T,V]
    auto logprobs = torch::log_softmax(logits.narrow(1, 0, T - 1).to(torch::kFloat32), -1);
    auto targets = tokens.narrow(1, 1, T - 1);
    auto mask = loss_mask.narrow(1, 1, T - 1);
    auto nll = -logprobs.gather(2, targets.unsqueeze(-1)).squeeze(-1);
    const double target_tokens = mask.sum().item<double>();
    auto loss = (nll * mask).sum() / std::max(target_tokens, 1.0);

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
    const double tokens_per_s = key_mask.sum().item<double>() / (ms / 1000.0);
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
