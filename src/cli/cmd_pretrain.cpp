// r1 pretrain: generates the Countdown splits and pretrains the built-in base
// model on synthetic reasoning traces of the training split.
//
// Output folder: model/ (r1 checkpoint), data/train.jsonl, data/heldout.jsonl,
// metrics.jsonl (one record per training step) and config.json.
#include <fmt/format.h>

#include "cli/command.h"
#include "cli/common_options.h"
#include "cli/countdown_options.h"
#include "pipeline/countdown_pipeline.h"
#include "runtime/runtime.h"
#include "util/error.h"
#include "util/file.h"

namespace r1::cli {
namespace {

struct PretrainCommandOptions {
  std::string out;
  RuntimeOptions runtime;
  CountdownDataOptions data;
  PretrainStageOptions pretrain;
};

void run_pretrain(const PretrainCommandOptions& options) {
  // 1. check the model shape and generate the problems before writing anything
  base_model_config(options.pretrain.model);
  torch::Device device = apply_runtime_options(options.runtime);
  CountdownSplits splits = generate_countdown_splits(options.data.train_problems, options.data.heldout_problems,
                                                     options.data.seed, options.data.generator);

  // 2. data files and the resolved configuration
  ensure_writable_dir(options.out);
  ensure_writable_dir(options.out + "/data");
  save_countdown_jsonl(options.out + "/data/train.jsonl", splits.train);
  save_countdown_jsonl(options.out + "/data/heldout.jsonl", splits.heldout);
  nlohmann::json config = {{"data", to_json(options.data)},
                           {"pretrain", to_json(options.pretrain)},
                           {"device", options.runtime.device},
                           {"seed", options.runtime.seed}};
  write_file_atomic(options.out + "/config.json", config.dump(2) + "\n");
  fmt::print("pretrain: {} train and {} held-out problems in {}/data; corpus traces are correct {:.1f}% of the time\n",
             splits.train.size(), splits.heldout.size(), options.out,
             100 * countdown_trace_accuracy(splits.train, options.pretrain.traces, options.data.seed, 2000));

  // 3. train and save
  JsonlLog log(options.out + "/metrics.jsonl");
  pretrain_countdown_base(splits.train, options.pretrain, device, options.out + "/model", &log);
  fmt::print("wrote {}/model (checkpoint), data/, metrics.jsonl and config.json\n", options.out);
}

void setup(CLI::App& root) {
  auto options = std::make_shared<PretrainCommandOptions>();
  auto* app = root.add_subcommand("pretrain", "Pretrain the built-in base model on Countdown reasoning traces");
  app->add_option("--out", options->out, "Output folder")->required();
  add_runtime_options(*app, options->runtime);
  add_precision_option(*app, options->runtime);
  add_workers_option(*app, options->pretrain.train.workers);
  add_countdown_data_options(*app, options->data);
  add_base_model_options(*app, options->pretrain.model);

  LMTrainOptions& train = options->pretrain.train;
  app->add_option("--steps", train.steps, "Optimizer steps")->capture_default_str()->check(CLI::PositiveNumber);
  app->add_option("--batch-size", train.batch_size, "Packed rows per step")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app->add_option("--pack-tokens", options->pretrain.pack_tokens,
                  "Pack whole documents first-fit into rows of at most this many tokens; 1 for one document per row")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app->add_option("--lr", train.lr, "Peak learning rate")->capture_default_str()->check(CLI::PositiveNumber);
  app->add_option("--warmup-steps", train.warmup_steps, "Linear warm-up steps")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app->add_option("--ema-decay", train.ema_decay,
                  "Decay per step of a moving average of the weights, saved in place of the last weights; 0 saves "
                  "the last weights")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.999999));
  app->add_option("--weight-decay", train.weight_decay, "AdamW weight decay")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app->add_option("--log-every", train.log_every, "Print one line every this many steps")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);

  CountdownTraceOptions& traces = options->pretrain.traces;
  app->add_option("--guess-share", traces.guess_share, "Share of traces that answer without searching")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app->add_option("--thorough-share", traces.thorough_share,
                  "Share of traces that search thoroughly (more tries, more slips caught)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app->add_option("--thorough-min-patience", traces.thorough_min_patience, "Fewest tries of a thorough search")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app->add_option("--thorough-max-patience", traces.thorough_max_patience, "Most tries of a thorough search")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app->add_option("--min-patience", traces.min_patience, "Fewest tries before a trace gives up")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app->add_option("--give-up-rate", traces.give_up_rate,
                  "Chance that a quick search gives up after each failed try beyond --min-patience; 0 draws "
                  "its tries uniformly from [--min-patience, --max-patience]")
      ->capture_default_str();
  app->add_option("--max-patience", traces.max_patience, "Most tries before a trace gives up")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app->add_option("--slip-rate", traces.slip_rate, "Chance that a step's result is miscalculated")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app->add_option("--slip-noticed-rate", traces.slip_noticed_rate, "Chance that a slip is noticed and corrected")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app->add_option("--compare-slip-rate", traces.compare_slip_rate,
                  "Chance that a near miss (gap one or two from the number set aside) is misread as a hit; noticed "
                  "as often as slips")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app->add_flag("!--ordered-chains", traces.shuffle_chains,
               "Combine numbers in the prompt's order instead of a random order");
  app->add_option("--steer-rate", traces.steer_rate, "Chance that a step takes the operation closest to the target")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app->add_option("--thorough-steer-rate", traces.thorough_steer_rate,
                  "The same chance in a thorough search")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));

  app->callback([options] {
    validate_trace_options(options->pretrain.traces);
    options->pretrain.train.seed = options->runtime.seed;
    options->pretrain.train.precision = runtime_precision(options->runtime, parse_device(options->runtime.device));
    run_pretrain(*options);
  });
}

R1_REGISTER_COMMAND(setup);

}  // namespace
}  // namespace r1::cli
