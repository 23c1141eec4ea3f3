// r1 grpo: trains a model with GRPO on Countdown, with the KL penalty taken
// against a frozen copy of the starting model.
//
// Output folder: final/ (the trained model), step-N/ every --save-every
// steps, metrics.jsonl (one record per step) and config.json.
#include <fmt/format.h>

#include "cli/command.h"
#include "cli/common_options.h"
#include "cli/countdown_options.h"
#include "cli/model_folder.h"
#include "pipeline/countdown_pipeline.h"
#include "tasks/countdown_task.h"
#include "util/error.h"
#include "util/file.h"

namespace r1::cli {
namespace {

struct GRPOCommandOptions {
  std::string model;
  std::string out;
  std::string train;  // Countdown JSONL; empty generates the training split
  int64_t save_every = 0;
  std::string loss = "grpo";
  double epsilon = -1;  // sets both clip bounds when given
  RuntimeOptions runtime;
  CountdownDataOptions data;
  GRPOOptions grpo;
};

void run_grpo(GRPOCommandOptions& options) {
  GRPOOptions& grpo = options.grpo;
  grpo.loss.type = parse_loss_type(options.loss);
  if (options.epsilon >= 0) grpo.loss.epsilon_low = grpo.loss.epsilon_high = options.epsilon;
  if (grpo.loss.epsilon_low >= 1) fail("--epsilon-low={} must be below 1", grpo.loss.epsilon_low);
  if (grpo.loss.type == LossType::kDrGRPO && grpo.loss.max_completion_length == 0)
    grpo.loss.max_completion_length = grpo.max_new_tokens;
  grpo.rollout.validate();
  grpo.seed = options.runtime.seed;

  // 1. load everything that can fail before writing anything
  torch::Device device = apply_runtime_options(options.runtime);
  std::vector<CountdownProblem> problems =
      options.train.empty() ? generate_countdown_splits(options.data.train_problems, options.data.heldout_problems,
                                                        options.data.seed, options.data.generator)
                                  .train
                            : load_countdown_jsonl(options.train);
  ModelFolder source = load_model_folder(options.model, device, torch::kFloat32);
  Transformer reference = clone_model(source.model);
  reference->eval();
  for (auto& parameter : reference->parameters()) parameter.set_requires_grad(false);

  // 2. configuration and log
  ensure_writable_dir(options.out);
  nlohmann::json config = {{"model", options.model},
                           {"train", options.train.empty() ? nlohmann::json(to_json(options.data))
                                                           : nlohmann::json(options.train)},
                           {"grpo", to_json(grpo)},
                           {"device", options.runtime.device},
                           {"seed", options.runtime.seed}};
  write_file_atomic(options.out + "/config.json", config.dump(2) + "\n");
  JsonlLog log(options.out + "/metrics.jsonl");
  fmt::print("grpo: {} training problems, {} steps of {} prompts x {} completions\n", problems.size(), grpo.steps,
             grpo.prompts_per_step, grpo.group_size);

  // 3. train, saving every --save-every steps and at the end
  CountdownTask task(std::move(problems));
  Transformer& policy = source.model;
  auto save = [&](const std::string& name, int64_t step) {
    save_model_folder(source, policy, options.out + "/" + name,
                      {{"stage", "grpo"}, {"step", step}, {"config", to_json(grpo)}});
  };
  train_grpo(policy, reference, *source.tokenizer, task, grpo, &log, [&](const GRPOStepStats& stats) {
    if (options.save_every > 0 && stats.step % options.save_every == 0 && stats.step < grpo.steps)
      save(fmt::format("step-{}", stats.step), stats.step);
  });
  save("final", grpo.steps);
  fmt::print("wrote {}/final, metrics.jsonl and config.json\n", options.out);
}

void setup(CLI::App& root) {
  auto options = std::make_shared<GRPOCommandOptions>();
  GRPOOptions& grpo = options->grpo;
  auto* app = root.add_subcommand("grpo", "Train a model with GRPO on Countdown");
  app->add_option("--model", options->model, "Starting model folder (r1 checkpoint or Hugging Face)")->required();
  app->add_option("--out", options->out, "Output folder")->required();
  app->add_option("--train", options->train,
                  "Countdown JSONL {target, nums} to train on; without it the training split is generated");
  add_runtime_options(*app, options->runtime);
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
  app->add_option("--lr", grpo.lr, "Peak learning rate")->capture_default_str()->check(CLI::PositiveNumber);
  app->add_option("--warmup-steps", grpo.warmup_steps, "Linear warm-up optimizer steps")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app->add_option("--weight-decay", grpo.weight_decay, "AdamW weight decay")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app->add_option("--grad-clip", grpo.grad_clip, "Gradient norm clip")->capture_default_str()->check(CLI::PositiveNumber);
  app->add_option("--temperature", grpo.rollout.temperature, "Rollout sampling temperature")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app->add_option("--top-p", grpo.rollout.top_p, "Rollout nucleus mass in (0, 1]")->capture_default_str();
  app->add_option("--max-new-tokens", grpo.max_new_tokens, "Rollout budget in tokens per completion")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
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
