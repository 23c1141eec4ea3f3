#include "pipeline/countdown_pipeline.h"

#include <cstdio>

#include <fmt/format.h>

#include "tokenizer/byte_tokenizer.h"
#include "util/error.h"

namespace r1 {

ModelConfig base_model_config(const BaseModelOptions& options) {
  ModelConfig config;
  config.model_type = "qwen2";
  config.vocab_size = ByteTokenizer::kVocabSize;
  config.hidden_size = options.hidden_size;
  config.intermediate_size = options.intermediate_size;
  config.num_hidden_layers = options.num_hidden_layers;
  config.num_attention_heads = options.num_attention_heads;
  config.num_key_value_heads = options.num_key_value_heads;
  config.max_position_embeddings = options.max_position_embeddings;
  config.rms_norm_eps = 1e-6;
  config.rope_theta = 10000.0;
  config.attention_bias = true;
  config.tie_word_embeddings = true;
  config.bos_token_id = ByteTokenizer::kBos;
  config.eos_token_ids = {ByteTokenizer::kEos};
  config.pad_token_id = ByteTokenizer::kPad;
  config.validate();
  return config;
}

Transformer pretrain_countdown_base(const std::vector<CountdownProblem>& train, const PretrainStageOptions& options,
                                    torch::Device device, const std::string& out_dir, JsonlLog* log) {
  if (train.empty()) fail("pretrain: no training problems");
  ByteTokenizer tokenizer;
  Transformer model(base_model_config(options.model));
  model->init_weights(options.train.seed);
  model->to(device);
  fmt::print("pretrain: {} parameters, corpus of traces over {} problems\n", model->config().num_parameters(),
             train.size());

  // each document: <bos> prompt trace <eos>, drawn fresh, with the loss on
  // the trace only (the prompt's numbers are random). Each document attends
  // only to itself and starts at position 0, as a prompt does when the model
  // is sampled.
  auto document = [&](std::mt19937_64& rng) {
    const auto& problem = train[std::uniform_int_distribution<size_t>(0, train.size() - 1)(rng)];
    LMExample doc;
    doc.tokens = tokenizer.encode(countdown_prompt(problem), true);
    doc.targets.assign(doc.tokens.size(), 0);
    std::vector<int64_t> trace = tokenizer.encode(countdown_trace(problem, options.traces, rng), false);
    trace.push_back(ByteTokenizer::kEos);
    doc.tokens.insert(doc.tokens.end(), trace.begin(), trace.end());
    doc.targets.resize(doc.tokens.size(), 1);
    return doc;
  };

  // rows are packed from pools of about four batches' worth of documents,
  // then handed out shuffled
  std::vector<LMExample> rows;
  auto fill_rows = [&](std::mt19937_64& rng) {
    std::vector<LMExample> pool;
    int64_t pool_tokens = 0;
    while (pool_tokens < 4 * options.train.batch_size * options.pack_tokens) {
      pool.push_back(document(rng));
      pool_tokens += static_cast<int64_t>(pool.back().tokens.size());
    }
    rows = pack_examples(std::move(pool), options.pack_tokens);
    std::shuffle(rows.begin(), rows.end(), rng);
  };
  auto sample = [&](std::mt19937_64& rng) {
    if (rows.empty()) fill_rows(rng);
    LMExample example = std::move(rows.back());
    rows.pop_back();
    return example;
  };
  train_language_model(model, sample, options.train, ByteTokenizer::kPad, log);

  if (!out_dir.empty())
    save_checkpoint(out_dir, model, {{"type", "byte"}},
                    {{"stage", "pretrain"}, {"step", options.train.steps}, {"config", to_json(options)}});
  return model;
}

double countdown_trace_accuracy(const std::vector<CountdownProblem>& problems, const CountdownTraceOptions& options,
                                uint64_t seed, int64_t count) {
  std::mt19937_64 rng(seed);
  int64_t correct = 0;
  for (int64_t i = 0; i < count; ++i) {
    const auto& problem = problems[static_cast<size_t>(i) % problems.size()];
    correct += check_countdown(countdown_trace(problem, options, rng), problem).correct ? 1 : 0;
  }
  return static_cast<double>(correct) / static_cast<double>(count);
}

nlohmann::json to_json(const CountdownDataOptions& o) {
  return {{"train_problems", o.train_problems},
          {"heldout_problems", o.heldout_problems},
          {"seed", o.seed},
          {"min_count", o.generator.min_count},
          {"max_count", o.generator.max_count},
          {"min_number", o.generator.min_number},
          {"max_number", o.generator.max_number},
          {"min_target", o.generator.min_target},
          {"max_target", o.generator.max_target},
          {"max_intermediate", o.generator.max_intermediate}};
}

nlohmann::json to_json(const PretrainStageOptions& o) {
  return {{"hidden_size", o.model.hidden_size},
          {"num_hidden_layers", o.model.num_hidden_layers},
          {"num_attention_heads", o.model.num_attention_heads},
          {"num_key_value_heads", o.model.num_key_value_heads},
          {"intermediate_size", o.model.intermediate_size},
          {"steps", o.train.steps},
          {"batch_size", o.train.batch_size},
          {"lr", o.train.lr},
          {"warmup_steps", o.train.warmup_steps},
          {"weight_decay", o.train.weight_decay},
          {"grad_clip", o.train.grad_clip},
          {"seed", o.train.seed},
          {"precision", precision_name(o.train.precision)},
          {"workers", o.train.workers},
          {"ema_decay", o.train.ema_decay},
          {"guess_share", o.traces.guess_share},
          {"thorough_share", o.traces.thorough_share},
          {"min_patience", o.traces.min_patience},
          {"max_patience", o.traces.max_patience},
          {"give_up_rate", o.traces.give_up_rate},
          {"thorough_min_patience", o.traces.thorough_min_patience},
          {"thorough_max_patience", o.traces.thorough_max_patience},
          {"thorough_slip_noticed_rate", o.traces.thorough_slip_noticed_rate},
          {"slip_rate", o.traces.slip_rate},
          {"slip_noticed_rate", o.traces.slip_noticed_rate},
          {"compare_slip_rate", o.traces.compare_slip_rate},
          {"steer_rate", o.traces.steer_rate},
          {"thorough_steer_rate", o.traces.thorough_steer_rate},
          {"shuffle_chains", o.traces.shuffle_chains},
          {"pack_tokens", o.pack_tokens}};
}

nlohmann::json to_json(const GRPOOptions& o) {
  return {{"steps", o.steps},
          {"prompts_per_step", o.prompts_per_step},
          {"group_size", o.group_size},
          {"mu", o.mu},
          {"micro_batch_rows", o.micro_batch_rows},
          {"loss_type", loss_type_name(o.loss.type)},
          {"epsilon_low", o.loss.epsilon_low},
          {"epsilon_high", o.loss.epsilon_high},
          {"beta", o.loss.beta},
          {"scale_rewards", o.scale_rewards},
          {"drop_uniform_groups", o.drop_uniform_groups},
          {"length_balanced_advantages", o.length_balanced_advantages},
          {"lr", o.lr},
          {"warmup_steps", o.warmup_steps},
          {"lr_schedule", lr_decay_name(o.lr_decay)},
          {"min_lr_ratio", o.min_lr_ratio},
          {"weight_decay", o.weight_decay},
          {"adam_beta1", o.adam_beta1},
          {"adam_beta2", o.adam_beta2},
          {"adam_epsilon", o.adam_epsilon},
          {"grad_clip", o.grad_clip},
          {"temperature", o.rollout.temperature},
          {"top_p", o.rollout.top_p},
          {"tempered_logprobs", o.tempered_logprobs},
          {"max_new_tokens", o.max_new_tokens},
          {"workers", o.workers},
          {"seed", o.seed},
          {"precision", precision_name(o.precision)}};
}

nlohmann::json to_json(const EvalOptions& o) {
  return {{"k", o.k},
          {"temperature", o.sampling.temperature},
          {"top_p", o.sampling.top_p},
          {"max_new_tokens", o.max_new_tokens},
          {"greedy", o.greedy},
          {"workers", o.workers},
          {"seed", o.seed}};
}

void print_eval_line(const std::string& label, const EvalReport& r) {
  fmt::print("{}: {} problems x k={} | pass@1 {:.3f} (+-{:.3f}) | cons@{} {:.3f} | pass@{} {:.3f} | greedy {:.3f} | "
             "len {:.1f} | revise {:.3f} | truncated {:.3f} | {:.1f} s\n",
             label, r.metrics.problems, r.metrics.samples_per_problem, r.metrics.pass_at_1, r.metrics.pass_at_1_stderr,
             r.metrics.samples_per_problem, r.metrics.cons_at_k, r.metrics.samples_per_problem, r.metrics.pass_at_k,
             r.greedy_accuracy, r.mean_length, r.revision_share, r.truncated_share, r.seconds);
}

std::function<void(const std::string&, int64_t, int64_t)> progress_printer(const std::string& label) {
  return [label](const std::string& phase, int64_t done, int64_t total) {
    fmt::print(stderr, "\r{} {}: {}/{} problems", label, phase, done, total);
    if (done == total) fmt::print(stderr, "\n");
    std::fflush(stderr);
  };
}

}  // namespace r1
