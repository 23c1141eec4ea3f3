// r1 grpo: trains a model with GRPO, with the KL penalty taken against a
// frozen copy of the starting model. The task is Countdown (the default) or
// any JSONL question-answer file scored by named rewards (--data).
//
// Output folder: final/ (the trained model, in the layout it was loaded
// from), step-N/ every --save-every steps, metrics.jsonl (one record per
// step) and config.json.
#include <memory>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/common_options.h"
#include "cli/countdown_options.h"
#include "cli/model_folder.h"
#include "eval/evaluate.h"
#include "pipeline/countdown_pipeline.h"
#include "tasks/chat_prompt_task.h"
#include "tasks/countdown_task.h"
#include "tasks/prompt_template.h"
#include "tasks/reward_task.h"
#include "util/error.h"
#include "util/file.h"

namespace r1::cli {
namespace {

// Options of the JSONL question-answer task (--data).
struct JsonlTaskOptions {
  std::string data;  // JSONL file; empty trains on Countdown
  std::string reward_options_json;
  bool chat = false;          // render prompts with the model's chat template
  std::string system_message;  // system message of chat prompts
  RewardTaskOptions task;
};

// Evaluation on a held-out file during training.
struct PeriodicEvalOptions {
  std::string data;     // JSONL of the same kind as the training data; empty disables evaluation
  int64_t every = 0;    // steps between evaluations; 0 evaluates only before and after training
  int64_t limit = 0;    // first problems of the file to use; 0 uses all
  EvalOptions eval;
};

struct GRPOCommandOptions {
  std::string model;
  std::string out;
  std::string task;   // "countdown" or "jsonl"; empty picks jsonl when --data is given
  std::string train;  // Countdown JSONL; empty generates the training split
  JsonlTaskOptions jsonl;
  PeriodicEvalOptions periodic_eval;
  int64_t save_every = 0;
  std::string loss = "grpo";
  double epsilon = -1;  // sets both clip bounds when given
  RuntimeOptions runtime;
  CountdownDataOptions data;
  GRPOOptions grpo;
};

nlohmann::json to_json(const JsonlTaskOptions& o) {
  return {{"data", o.data},
          {"prompt_field", o.task.prompt_field},
          {"answer_field", o.task.answer_field},
          {"answer_after", o.task.answer_after},
          {"template", o.task.prompt_template},
          {"reward", o.task.reward_spec},
          {"reward_options", o.task.reward_options},
          {"chat", o.chat},
          {"system", o.system_message}};
}

// Loads the JSONL task and prints what was kept and skipped.
std::unique_ptr<RewardTask> load_jsonl_task(JsonlTaskOptions& options) {
  if (!options.reward_options_json.empty()) {
    try {
      options.task.reward_options = nlohmann::json::parse(options.reward_options_json);
    } catch (const nlohmann::json::parse_error& e) {
      fail("--reward-options is not valid JSON ({}); pass an object such as '{{\"accuracy\": {{\"dataset\": "
           "\"gsm8k\"}}}}'",
           e.what());
    }
    if (!options.task.reward_options.is_object())
      fail("--reward-options must be a JSON object keyed by reward name, got {}", options.reward_options_json);
  }
  auto task = std::make_unique<RewardTask>(RewardTask::from_jsonl(options.data, options.task));
  const RewardTaskLoadReport& report = task->load_report();
  fmt::print("grpo: {} problems from {} ({} lines, {} bad records skipped, {} unparseable gold answers)\n",
             task->size(), options.data, report.lines, report.bad_records, report.unparseable_gold);
  for (size_t i = 0; i < report.errors.size() && i < 5; ++i) fmt::print("  skipped {}\n", report.errors[i]);
  if (report.errors.size() > 5) fmt::print("  ... and {} more\n", report.errors.size() - 5);
  return task;
}

// Loads the held-out problems of --eval-data as the same kind of task as the
// training data, keeping the first --eval-limit.
std::unique_ptr<RLTask> load_eval_task(const GRPOCommandOptions& options, bool jsonl) {
  const PeriodicEvalOptions& periodic = options.periodic_eval;
  const auto limit = static_cast<size_t>(periodic.limit);
  if (!jsonl) {
    std::vector<CountdownProblem> problems = load_countdown_jsonl(periodic.data);
    if (limit > 0 && problems.size() > limit) problems.resize(limit);
    return std::make_unique<CountdownTask>(std::move(problems));
  }
  RewardTaskLoadReport report;
  std::vector<RewardTaskRecord> records = load_reward_task_records(periodic.data, options.jsonl.task, &report);
  if (limit > 0 && records.size() > limit) records.resize(limit);
  return std::make_unique<RewardTask>(std::move(records), options.jsonl.task, std::move(report));
}

// Evaluates `policy` on the held-out task, prints one line and writes one
// record to the log.
void run_periodic_eval(Transformer& policy, const Tokenizer& tokenizer, const RLTask& task,
                       const PeriodicEvalOptions& options, int64_t step, JsonlLog& log) {
  EvalReport report = evaluate(policy, tokenizer, task, options.eval);
  print_eval_line(fmt::format("grpo eval at step {}", step), report);
  nlohmann::json record = report.to_json();
  record["stage"] = "grpo_eval";
  record["step"] = step;
  log.write(record);
  policy->eval();
}

void run_grpo(GRPOCommandOptions& options) {
  GRPOOptions& grpo = options.grpo;
  grpo.loss.type = parse_loss_type(options.loss);
  if (options.epsilon >= 0) grpo.loss.epsilon_low = grpo.loss.epsilon_high = options.epsilon;
  if (grpo.loss.epsilon_low >= 1) fail("--epsilon-low={} must be below 1", grpo.loss.epsilon_low);
  if (grpo.loss.type == LossType::kDrGRPO && grpo.loss.max_completion_length == 0)
    grpo.loss.max_completion_length = grpo.max_new_tokens;
  grpo.rollout.validate();
  grpo.seed = options.runtime.seed;

  // 1. check the task choice and load everything that can fail before writing anything
  if (options.task.empty()) options.task = options.jsonl.data.empty() ? "countdown" : "jsonl";
  const bool jsonl = options.task == "jsonl";
  if (jsonl && options.jsonl.data.empty()) fail("--task jsonl needs --data FILE.jsonl");
  if (!jsonl && !options.jsonl.data.empty())
    fail("--data {} is a JSONL question-answer file, but --task is countdown; drop --task or pass --train for "
         "Countdown problems",
         options.jsonl.data);
  if (jsonl && !options.train.empty())
    fail("--train {} is for Countdown problems; pass the JSONL question-answer file as --data", options.train);
  if (!jsonl && (options.jsonl.chat || !options.jsonl.system_message.empty()))
    fail("--chat and --system apply to --data tasks; the Countdown task uses its own prompt");
  if (!options.jsonl.system_message.empty() && !options.jsonl.chat)
    fail("--system sets the system message of chat prompts; add --chat");
  if (jsonl) resolve_prompt_template(options.jsonl.task.prompt_template);
  PeriodicEvalOptions& periodic = options.periodic_eval;
  if (periodic.every > 0 && periodic.data.empty())
    fail("--eval-every {} needs --eval-data FILE.jsonl with held-out problems", periodic.every);
  if (periodic.eval.max_new_tokens == 0) periodic.eval.max_new_tokens = grpo.max_new_tokens;
  periodic.eval.greedy = false;
  periodic.eval.workers = grpo.workers;
  periodic.eval.seed = options.runtime.seed + 1234;
  if (!periodic.data.empty()) validate_eval_options(periodic.eval);

  torch::Device device = apply_runtime_options(options.runtime);
  grpo.precision = runtime_precision(options.runtime, device);
  std::unique_ptr<RLTask> base_task;
  if (jsonl) {
    base_task = load_jsonl_task(options.jsonl);
  } else {
    base_task = std::make_unique<CountdownTask>(
        options.train.empty() ? generate_countdown_splits(options.data.train_problems, options.data.heldout_problems,
                                                          options.data.seed, options.data.generator)
                                    .train
                              : load_countdown_jsonl(options.train));
  }
  ModelFolder source = load_model_folder(options.model, device, torch::kFloat32);
  std::unique_ptr<RLTask> chat_task;
  if (options.jsonl.chat) {
    chat_task = std::make_unique<ChatPromptTask>(*base_task, load_model_chat_template(source, "--chat"),
                                                 options.jsonl.system_message);
    grpo.add_special_tokens = false;  // the rendered template contains its own special tokens
  }
  const RLTask& task = chat_task ? *chat_task : *base_task;
  std::unique_ptr<RLTask> eval_base_task, eval_chat_task;
  if (!periodic.data.empty()) {
    eval_base_task = load_eval_task(options, jsonl);
    if (options.jsonl.chat)
      eval_chat_task = std::make_unique<ChatPromptTask>(*eval_base_task, load_model_chat_template(source, "--chat"),
                                                        options.jsonl.system_message);
    fmt::print("grpo: evaluating on {} problems of {} ({})\n", eval_base_task->size(), periodic.data,
               periodic.every > 0 ? fmt::format("every {} steps, before and after training", periodic.every)
                                  : std::string("before and after training"));
  }
  const RLTask* eval_task = eval_chat_task ? eval_chat_task.get() : eval_base_task.get();
  grpo.stop_token_ids = source.stop_token_ids;

  // evaluation encodes and stops like the rollouts
  options.periodic_eval.eval.stop_token_ids = grpo.stop_token_ids;
  options.periodic_eval.eval.add_special_tokens = grpo.add_special_tokens;
  fmt::print("grpo: first prompt:\n{}\n", task.prompt(0));
  Transformer reference = clone_model(source.model);
  reference->eval();
  for (auto& parameter : reference->parameters()) parameter.set_requires_grad(false);

  // 2. configuration and log
  ensure_writable_dir(options.out);
  nlohmann::json train_config;
  if (jsonl)
    train_config = to_json(options.jsonl);
  else
    train_config = options.train.empty() ? nlohmann::json(to_json(options.data)) : nlohmann::json(options.train);
  nlohmann::json config = {{"model", options.model},
                           {"task", options.task},
                           {"train", train_config},
                           {"grpo", to_json(grpo)},
                           {"device", options.runtime.device},
                           {"seed", options.runtime.seed}};
  write_file_atomic(options.out + "/config.json", config.dump(2) + "\n");
  JsonlLog log(options.out + "/metrics.jsonl");
  fmt::print("grpo: {} training problems, {} steps of {} prompts x {} completions\n", task.size(), grpo.steps,
             grpo.prompts_per_step, grpo.group_size);

  // 3. train, saving every --save-every steps and at the end
  Transformer& policy = source.model;
  auto save = [&](const std::string& name, int64_t step) {
    save_model_folder(source, policy, options.out + "/" + name,
                      {{"stage", "grpo"}, {"step", step}, {"config", to_json(grpo)}});
  };
  if (eval_task != nullptr) run_periodic_eval(policy, *source.tokenizer, *eval_task, periodic, 0, log);
  train_grpo(policy, reference, *source.tokenizer, task, grpo, &log, [&](const GRPOStepStats& stats) {
    const bool due = periodic.every > 0 && stats.step % periodic.every == 0;
    if (eval_task != nullptr && (due || stats.step == grpo.steps))
      run_periodic_eval(policy, *source.tokenizer, *eval_task, periodic, stats.step, log);
    if (options.save_every > 0 && stats.step % options.save_every == 0 && stats.step < grpo.steps)
      save(fmt::format("step-{}", stats.step), stats.step);
  });
  save("final", grpo.steps);
  fmt::print("wrote {}/final, metrics.jsonl and config.json\n", options.out);
}

void setup(CLI::App& root) {
  auto options = std::make_shared<GRPOCommandOptions>();
  GRPOOptions& grpo = options->grpo;
  JsonlTaskOptions& jsonl = options->jsonl;
  auto* app = root.add_subcommand("grpo", "Train a model with GRPO on Countdown or a JSONL question-answer file");
  app->add_option("--model", options->model, "Starting model folder (r1 checkpoint or Hugging Face)")->required();
  app->add_option("--out", options->out, "Output folder")->required();
  app->add_option("--task", options->task, "countdown or jsonl; jsonl when --data is given, else countdown")
      ->check(CLI::IsMember({"countdown", "jsonl"}));
  app->add_option("--train", options->train,
                  "Countdown JSONL {target, nums} to train on; without it the training split is generated");
  app->add_option("--data", jsonl.data, "JSONL question-answer file to train on (one JSON object per line)");
  app->add_option("--prompt-field", jsonl.task.prompt_field,
                  "Field of the question; the default also tries 'question' and 'prompt'")
      ->capture_default_str();
  app->add_option("--answer-field", jsonl.task.answer_field, "Field of the gold answer")->capture_default_str();
  app->add_option("--answer-after", jsonl.task.answer_after,
                  "Take the gold answer after the last occurrence of this marker (GSM8K: ####)");
  app->add_option("--template", jsonl.task.prompt_template,
                  "Prompt template: r1, math, raw, or a text containing {question}")
      ->capture_default_str();
  app->add_option("--reward", jsonl.task.reward_spec,
                  "Weighted rewards, name:weight,... (accuracy, format, language, length, ...; see r1 reward --list)")
      ->capture_default_str();
  app->add_option("--reward-options", jsonl.reward_options_json,
                  "JSON object of options per reward name, e.g. '{\"accuracy\": {\"dataset\": \"gsm8k\"}}'");
  app->add_flag("--skip-bad-records", jsonl.task.skip_bad_records,
                "Skip malformed lines and records without a question or answer instead of failing");
  app->add_flag("--chat", jsonl.chat, "Render each prompt as a user message with the model's chat template");
  app->add_option("--system", jsonl.system_message, "System message before each chat prompt (with --chat)");

  PeriodicEvalOptions& periodic = options->periodic_eval;
  periodic.eval.k = 4;
  periodic.eval.max_new_tokens = 0;
  app->add_option("--eval-data", periodic.data,
                  "Held-out JSONL of the training data's kind, evaluated before and after training");
  app->add_option("--eval-every", periodic.every, "Also evaluate every this many steps; 0 only before and after")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app->add_option("--eval-limit", periodic.limit, "Evaluate the first this many problems; 0 uses all")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app->add_option("--eval-k", periodic.eval.k, "Sampled completions per problem (pass@1 and cons@k)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app->add_option("--eval-temperature", periodic.eval.sampling.temperature, "Evaluation sampling temperature")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app->add_option("--eval-top-p", periodic.eval.sampling.top_p, "Evaluation nucleus mass in (0, 1]")
      ->capture_default_str();
  app->add_option("--eval-max-new-tokens", periodic.eval.max_new_tokens,
                  "Evaluation budget in tokens per completion; 0 uses --max-new-tokens")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  add_runtime_options(*app, options->runtime);
  add_precision_option(*app, options->runtime);
  add_countdown_data_options(*app, options->data);

  app->add_option("--steps", grpo.steps, "GRPO steps")->capture_default_str()->check(CLI::PositiveNumber);
  app->add_option("--prompts-per-step", grpo.prompts_per_step, "Prompts per step")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app->add_option("--group-size", grpo.group_size, "Completions per prompt (G), at least 2")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{2}, int64_t{1} << 20));
  app->add_option("--mu", grpo.mu, "Optimizer passes over each batch of completions")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app->add_option("--beta", grpo.loss.beta, "Weight of the KL penalty to the reference model; 0 disables it")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app->add_option("--epsilon", options->epsilon, "Clip range of the ratio on both sides (sets both bounds)")
      ->check(CLI::NonNegativeNumber);
  app->add_option("--epsilon-low", grpo.loss.epsilon_low, "Ratio clipped below at 1 - epsilon-low")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app->add_option("--epsilon-high", grpo.loss.epsilon_high, "Ratio clipped above at 1 + epsilon-high")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app->add_option("--loss", options->loss, "Loss normalisation: grpo, dapo or dr_grpo")
      ->capture_default_str()
      ->check(CLI::IsMember({"grpo", "dapo", "dr_grpo"}));
  app->add_option("--scale-rewards", grpo.scale_rewards, "Divide advantages by the group's std (false for Dr. GRPO)")
      ->capture_default_str();
  app->add_flag("--drop-uniform-groups", grpo.drop_uniform_groups,
                "Skip groups whose completions all have the same reward (DAPO dynamic sampling)");
  app->add_flag("--length-balanced-advantages", grpo.length_balanced_advantages,
                "Shift each group's advantages so that, weighted by completion length, they sum to zero");
  app->add_option("--lr", grpo.lr, "Peak learning rate")->capture_default_str()->check(CLI::PositiveNumber);
  app->add_option("--warmup-steps", grpo.warmup_steps, "Linear warm-up optimizer steps")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app->add_option_function<std::string>(
         "--lr-schedule", [g = &grpo](const std::string& name) { g->lr_decay = parse_lr_decay(name); },
         "After warm-up: constant (as verl), linear (as TRL) or cosine decay to --min-lr-ratio x --lr")
      ->default_str("constant")
      ->check(CLI::IsMember({"constant", "linear", "cosine"}));
  app->add_option("--min-lr-ratio", grpo.min_lr_ratio, "Fraction of --lr that a linear or cosine decay ends at")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app->add_option("--weight-decay", grpo.weight_decay, "AdamW weight decay")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app->add_option("--adam-beta1", grpo.adam_beta1, "AdamW first-moment decay")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.999999));
  app->add_option("--adam-beta2", grpo.adam_beta2, "AdamW second-moment decay")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.999999));
  app->add_option("--adam-epsilon", grpo.adam_epsilon, "AdamW epsilon, added to the root of the second moment")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app->add_option("--grad-clip", grpo.grad_clip, "Gradient norm clip")->capture_default_str()->check(CLI::PositiveNumber);
  app->add_option("--temperature", grpo.rollout.temperature, "Rollout sampling temperature")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app->add_option("--top-p", grpo.rollout.top_p, "Rollout nucleus mass in (0, 1]")->capture_default_str();
  app->add_flag_callback(
      "--untempered-logprobs", [&grpo] { grpo.tempered_logprobs = false; },
      "Compute the ratio's and the KL's log-probabilities at temperature 1 instead of --temperature");
  app->add_option("--max-new-tokens", grpo.max_new_tokens, "Rollout budget in tokens per completion")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  add_workers_option(*app, grpo.workers);
  app->add_option("--micro-batch-rows", grpo.micro_batch_rows, "Rows per forward/backward pass")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app->add_option("--save-every", options->save_every, "Also save step-N/ every this many steps; 0 saves only final/")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app->add_option("--log-every", grpo.log_every, "Print one line every this many steps")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app->callback([options] { run_grpo(*options); });
}

R1_REGISTER_COMMAND(setup);

}  // namespace
}  // namespace r1::cli
