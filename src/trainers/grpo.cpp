#include "trainers/grpo.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>

#include <fmt/format.h>

#include "runtime/workers.h"
#include "sampling/generate.h"
#include "trainers/logprobs.h"
#include "trainers/schedule.h"
#include "util/error.h"

namespace r1 {

namespace {

using Clock = std::chrono::steady_clock;

double elapsed_ms(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

void validate_grpo_options(const GRPOOptions& o) {
  if (o.steps < 1) fail("grpo: steps={} must be >= 1", o.steps);
  if (o.prompts_per_step < 1) fail("grpo: prompts_per_step={} must be >= 1", o.prompts_per_step);
  if (o.group_size < 2) fail("grpo: group_size={} must be >= 2; advantages compare completions within a group", o.group_size);
  if (o.mu < 1) fail("grpo: mu={} must be >= 1", o.mu);
  if (o.micro_batch_rows < 1) fail("grpo: micro_batch_rows={} must be >= 1", o.micro_batch_rows);
  if (o.lr <= 0) fail("grpo: lr={} must be > 0", o.lr);
  if (o.min_lr_ratio < 0 || o.min_lr_ratio > 1)
    fail("grpo: min_lr_ratio={} must be in [0, 1]; it is the decayed learning rate's fraction of lr", o.min_lr_ratio);
  if (o.adam_beta1 < 0 || o.adam_beta1 >= 1) fail("grpo: adam_beta1={} must be in [0, 1)", o.adam_beta1);
  if (o.adam_beta2 < 0 || o.adam_beta2 >= 1) fail("grpo: adam_beta2={} must be in [0, 1)", o.adam_beta2);
  if (o.adam_epsilon <= 0) fail("grpo: adam_epsilon={} must be > 0", o.adam_epsilon);
  if (o.loss.beta < 0) fail("grpo: beta={} must be >= 0", o.loss.beta);
  if (o.loss.epsilon_low < 0 || o.loss.epsilon_low >= 1) fail("grpo: epsilon_low={} must be in [0, 1)", o.loss.epsilon_low);
  if (o.loss.epsilon_high < 0) fail("grpo: epsilon_high={} must be >= 0", o.loss.epsilon_high);
  if (o.max_new_tokens < 1) fail("grpo: max_new_tokens={} must be >= 1", o.max_new_tokens);
  if (o.workers < 1) fail("grpo: workers={} must be >= 1", o.workers);
  o.rollout.validate();
}

void train_grpo(Transformer& policy, Transformer& reference, const Tokenizer& tokenizer, const RLTask& task,
                const GRPOOptions& options, JsonlLog* log, const std::function<void(const GRPOStepStats&)>& on_step) {
  validate_grpo_options(options);
  if (task.size() == 0) fail("grpo: the training set is empty");
  const torch::Device device = policy->device();
  const int64_t G = options.group_size;
  const double logprob_temperature =
      options.tempered_logprobs && options.rollout.temperature > 0 ? options.rollout.temperature : 1.0;
  const int64_t pad_id = tokenizer.pad_id().value_or(0);
  std::vector<int64_t> stops = options.stop_token_ids;
  if (stops.empty() && tokenizer.eos_id()) stops.push_back(*tokenizer.eos_id());

  std::mt19937_64 rng(options.seed);
  at::Generator generator = at::detail::createCPUGenerator(options.seed + 1);
  torch::optim::AdamW optimizer(policy->parameters(), torch::optim::AdamWOptions(options.lr)
                                                          .betas({options.adam_beta1, options.adam_beta2})
                                                          .eps(options.adam_epsilon)
                                                          .weight_decay(options.weight_decay));
  const int64_t optimizer_steps = options.steps * options.mu;
  LRSchedule schedule{options.lr, options.warmup_steps, optimizer_steps, options.lr_decay, options.min_lr_ratio};
  reference->eval();
  for (auto& p : reference->parameters()) p.set_requires_grad(false);

  // prompts are drawn without replacement, reshuffled every epoch
  std::vector<size_t> order(task.size());
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  size_t cursor = 0;
  int64_t optimizer_step = 0;

  for (int64_t step = 1; step <= options.steps; ++step) {
    auto step_start = Clock::now();
    GRPOStepStats stats;
    stats.step = step;

    // 1. pick prompts and sample G completions each from pi_old
    std::vector<size_t> problems;
    std::vector<std::vector<int64_t>> prompt_ids;
    for (int64_t i = 0; i < options.prompts_per_step; ++i) {
      if (cursor == order.size()) {
        std::shuffle(order.begin(), order.end(), rng);
        cursor = 0;
      }
      problems.push_back(order[cursor++]);
      prompt_ids.push_back(tokenizer.encode(task.prompt(problems.back()), options.add_special_tokens));
    }
    policy->eval();
    GenerationOptions rollout{options.max_new_tokens, options.rollout, stops, G, 4096, options.workers};
    auto rollout_start = Clock::now();
    auto completions = generate(policy, prompt_ids, rollout, generator);
    stats.rollout_ms = elapsed_ms(rollout_start);

    // 2. rule-based rewards, with a completion that did not stop marked truncated
    const int64_t rows = static_cast<int64_t>(completions.size());
    std::vector<size_t> row_problems(rows);
    std::vector<std::string> texts(rows);
    std::vector<bool> truncated(rows);
    for (int64_t r = 0; r < rows; ++r) {
      std::vector<int64_t> ids = completions[r].tokens;
      if (completions[r].stopped && !ids.empty()) ids.pop_back();
      row_problems[r] = problems[r / G];
      texts[r] = tokenizer.decode(ids);
      truncated[r] = !completions[r].stopped;
    }
    const std::vector<ScoredCompletion> all_scored = task.score_all(row_problems, texts, truncated);
    std::vector<float> rewards(rows);
    double correct = 0, length = 0;
    std::map<std::string, double> component_squares;  // sum of squared values per component
    for (int64_t r = 0; r < rows; ++r) {
      const ScoredCompletion& scored = all_scored[r];
      rewards[r] = static_cast<float>(scored.reward);
      correct += scored.correct ? 1 : 0;
      length += static_cast<double>(completions[r].tokens.size());
      for (const auto& [name, value] : scored.components) {
        stats.component_means[name] += value / rows;
        component_squares[name] += value * value;
      }
    }
    // sample standard deviation (n - 1), like reward_std and TRL's rewards/<name>/std
    const double n = static_cast<double>(rows);
    for (const auto& [name, mean] : stats.component_means) {
      const double variance = rows > 1 ? (component_squares[name] - n * mean * mean) / (n - 1) : 0.0;
      stats.component_stds[name] = std::sqrt(std::max(0.0, variance));
    }
    auto reward_tensor = torch::tensor(rewards);
    stats.reward_mean = reward_tensor.mean().item<double>();
    stats.reward_std = reward_tensor.std().item<double>();
    stats.accuracy = correct / rows;
    stats.response_length = length / rows;

    // 3. group-relative advantages; optionally keep only groups with signal
    auto advantages = group_advantages(reward_tensor, G, options.scale_rewards);  // [rows]
    if (options.length_balanced_advantages) {
      std::vector<double> lengths(rows);
      for (int64_t r = 0; r < rows; ++r) lengths[r] = static_cast<double>(completions[r].tokens.size());
      advantages = balance_advantages_by_length(advantages, torch::tensor(lengths), G);
    }
    std::vector<int64_t> kept_rows;
    for (int64_t g = 0; g < rows / G; ++g) {
      auto group = reward_tensor.narrow(0, g * G, G);
      bool uniform = (group.max() - group.min()).item<float>() == 0.0f;
      if (options.drop_uniform_groups && uniform) continue;
      for (int64_t i = 0; i < G; ++i) kept_rows.push_back(g * G + i);
    }
    stats.groups_kept = static_cast<int64_t>(kept_rows.size()) / G;

    double loss_sum = 0, kl_sum = 0, clip_sum = 0, grad_norm = 0;
    int64_t loss_terms = 0;
    int64_t trained_tokens = 0;
    if (!kept_rows.empty()) {
      // micro-batches of rows with similar completion lengths, each padded
      // only to its own longest row
      std::stable_sort(kept_rows.begin(), kept_rows.end(), [&](int64_t a, int64_t b) {
        return completions[a].tokens.size() < completions[b].tokens.size();
      });
      const int64_t B = static_cast<int64_t>(kept_rows.size());
      std::vector<SequenceBatch> parts;
      std::vector<torch::Tensor> part_advantages;
      double total_tokens = 0;
      for (int64_t begin = 0; begin < B; begin += options.micro_batch_rows) {
        const int64_t end = std::min(B, begin + options.micro_batch_rows);
        std::vector<std::vector<int64_t>> part_prompts, part_completions;
        std::vector<int64_t> part_rows(kept_rows.begin() + begin, kept_rows.begin() + end);
        for (int64_t r : part_rows) {
          part_prompts.push_back(prompt_ids[r / G]);
          part_completions.push_back(completions[r].tokens);
        }
        parts.push_back(make_sequence_batch(part_prompts, part_completions, pad_id, device));
        part_advantages.push_back(advantages.index_select(0, torch::tensor(part_rows, torch::kLong)).to(device));
        total_tokens += parts.back().completion_mask.sum().item<double>();
      }
      trained_tokens = static_cast<int64_t>(total_tokens);

      // 4. log-probabilities under pi_ref (and under pi_old when mu > 1),
      // without gradients; with mu = 1 pi_old is the policy itself, so its
      // log-probabilities are those of the training pass, detached
      const auto part_count = static_cast<int64_t>(parts.size());

      std::vector<torch::Tensor> old_logprobs(parts.size()), ref_logprobs(parts.size());
      run_on_workers(part_count, options.workers, [&](int64_t i) {
        torch::NoGradGuard no_grad;
        AutocastScope autocast(device, options.precision);
        if (options.mu > 1) old_logprobs[i] = completion_logprobs(policy, parts[i], logprob_temperature);
        if (options.loss.beta != 0) ref_logprobs[i] = completion_logprobs(reference, parts[i], logprob_temperature);
      });

      // 5. mu optimizer steps on this batch, accumulating micro-batches;
      // Dr. GRPO's constant normaliser defaults to the generation budget,
      // since micro-batches are padded to different lengths
      GRPOLossOptions loss_options = options.loss;
      if (loss_options.type == LossType::kDrGRPO && loss_options.max_completion_length == 0)
        loss_options.max_completion_length = options.max_new_tokens;
      policy->train();
      for (int64_t epoch = 0; epoch < options.mu; ++epoch) {
        const double lr = schedule.at(optimizer_step++);
        stats.lr = lr;
        for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
        optimizer.zero_grad();
        std::vector<GRPOLossOutput> outputs(parts.size());
        accumulate_gradients(policy->parameters(), part_count, options.workers, [&](int64_t i) {
          const SequenceBatch& part = parts[i];
          torch::Tensor logprobs;
          {
            AutocastScope autocast(device, options.precision);
            logprobs = completion_logprobs(policy, part, logprob_temperature);
          }
          auto old = options.mu > 1 ? old_logprobs[i] : logprobs.detach();
          outputs[i] = grpo_loss(logprobs, old, ref_logprobs[i], part_advantages[i], part.completion_mask,
                                 loss_options, total_tokens, static_cast<double>(B));
          return outputs[i].loss;
        });
        for (size_t i = 0; i < parts.size(); ++i) {
          const double weight = static_cast<double>(parts[i].tokens.size(0)) / static_cast<double>(B);
          loss_sum += outputs[i].loss.item<double>();
          kl_sum += outputs[i].kl * weight;
          clip_sum += outputs[i].clip_fraction * weight;
        }
        grad_norm = torch::nn::utils::clip_grad_norm_(policy->parameters(), options.grad_clip);
        optimizer.step();
        ++loss_terms;
      }
      policy->eval();
    }
    if (!std::isfinite(loss_sum))
      fail("grpo: loss became {} at step {}; lower --lr or raise --beta", loss_sum, step);

    // 6. one log line per step
    stats.loss = loss_terms ? loss_sum / loss_terms : 0;
    stats.kl = loss_terms ? kl_sum / loss_terms : 0;
    stats.clip_fraction = loss_terms ? clip_sum / loss_terms : 0;
    stats.grad_norm = grad_norm;
    stats.ms = elapsed_ms(step_start);
    double all_tokens = 0;
    for (const auto& c : completions) all_tokens += static_cast<double>(c.tokens.size());
    stats.tokens_per_s = all_tokens / (stats.ms / 1000.0);
    if (step % options.log_every == 0 || step == 1 || step == options.steps) {
      std::string components;
      for (const auto& [name, mean] : stats.component_means)
        components += fmt::format(" | {} {:.3f}+-{:.3f}", name, mean, stats.component_stds.at(name));
      fmt::print("grpo step {:4d}/{} | reward {:.3f}+-{:.3f} | acc {:.3f}{} | len {:5.1f} | kl {:.4f} | clip {:.3f} | "
                 "lr {:.2e} | {:.0f} ms (rollout {:.0f}) | {:.0f} tok/s\n",
                 step, options.steps, stats.reward_mean, stats.reward_std, stats.accuracy, components,
                 stats.response_length, stats.kl, stats.clip_fraction, stats.lr, stats.ms, stats.rollout_ms,
                 stats.tokens_per_s);
    }
    if (log != nullptr) {
      nlohmann::json record = {{"stage", "grpo"},          {"step", step},
                               {"reward_mean", stats.reward_mean}, {"reward_std", stats.reward_std},
                               {"accuracy", stats.accuracy},     {"response_length", stats.response_length},
                               {"kl", stats.kl},                 {"clip_fraction", stats.clip_fraction},
                               {"loss", stats.loss},             {"grad_norm", stats.grad_norm},
                               {"lr", stats.lr},                 {"ms", stats.ms},
                               {"rollout_ms", stats.rollout_ms}, {"tokens_per_s", stats.tokens_per_s},
                               {"groups_kept", stats.groups_kept}, {"trained_tokens", trained_tokens}};
      for (const auto& [name, mean] : stats.component_means) {
        record["rewards/" + name + "/mean"] = mean;
        record["rewards/" + name + "/std"] = stats.component_stds.at(name);
      }
      log->write(record);
    }
    if (on_step) on_step(stats);
  }
}

}  // namespace r1
