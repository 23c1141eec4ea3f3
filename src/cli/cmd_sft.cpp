// r1 sft: supervised fine-tuning of an r1 checkpoint or a Hugging Face model
// on chat ("messages") or prompt-completion JSONL records, with the loss on
// the completion and assistant tokens only.
//
// Output folder: final/ (the trained model, in the layout it was loaded
// from), step-N/ every --save-every steps, metrics.jsonl (one record per
// step, plus the eval loss before training as step 0) and config.json.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <random>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/common_options.h"
#include "cli/model_folder.h"
#include "data/sft_records.h"
#include "trainers/sft.h"
#include "util/error.h"
#include "util/file.h"

namespace r1::cli {
namespace {

struct SFTCommandOptions {
  std::string model;
  std::string data;
  std::string out;
  int64_t max_length = 2048;
  double eval_share = 0.05;
  int64_t save_every = 0;
  RuntimeOptions runtime;
  SFTOptions sft;
};

nlohmann::json to_json(const SFTCommandOptions& o) {
  const SFTOptions& s = o.sft;
  return {{"model", o.model},
          {"data", o.data},
          {"max_length", o.max_length},
          {"eval_share", o.eval_share},
          {"save_every", o.save_every},
          {"epochs", s.epochs},
          {"max_steps", s.max_steps},
          {"micro_batch_size", s.micro_batch_size},
          {"gradient_accumulation_steps", s.gradient_accumulation_steps},
          {"pack_tokens", s.pack_tokens},
          {"lr", s.lr},
          {"warmup_steps", s.warmup_steps},
          {"min_lr_ratio", s.min_lr_ratio},
          {"weight_decay", s.weight_decay},
          {"grad_clip", s.grad_clip},
          {"eval_every", s.eval_every},
          {"precision", precision_name(s.precision)},
          {"workers", s.workers},
          {"device", o.runtime.device},
          {"seed", o.runtime.seed}};
}

// Tokenized examples of the data file, split into training and held-out sets.
struct SFTData {
  std::vector<LMExample> train;
  std::vector<LMExample> eval;
};

SFTData prepare_data(const SFTCommandOptions& options, const ModelFolder& folder) {
  std::vector<SftRecord> records = load_sft_records(options.data);

  // 1. tokenize with the chat template (only when a record needs it)
  std::optional<ChatTemplate> chat_template;
  if (std::any_of(records.begin(), records.end(), [](const SftRecord& r) { return r.is_chat(); }))
    chat_template = load_model_chat_template(folder, "a 'messages' record in " + options.data);
  SftEncodeOptions encode;
  encode.chat_template = chat_template ? &*chat_template : nullptr;
  encode.max_length = options.max_length;
  if (!folder.stop_token_ids.empty())
    encode.eos_id = folder.stop_token_ids.front();
  else
    encode.eos_id = folder.tokenizer->eos_id();

  std::vector<LMExample> examples;
  size_t truncated = 0, dropped = 0;
  int64_t tokens = 0, targets = 0;
  for (const SftRecord& record : records) {
    SftExample encoded = encode_sft_record(record, *folder.tokenizer, encode);
    truncated += encoded.truncated ? 1 : 0;
    LMExample example;
    example.tokens = std::move(encoded.tokens);
    example.targets = std::move(encoded.targets);
    const int64_t example_targets = count_targets(example);
    if (example_targets == 0) {
      ++dropped;  // truncation left no target token
      continue;
    }
    tokens += static_cast<int64_t>(example.tokens.size());
    targets += example_targets;
    examples.push_back(std::move(example));
  }
  fmt::print("sft: {} records from {} | {} tokens, {} of them targets | {} truncated to {} tokens | {} dropped "
             "with no target token left\n",
             records.size(), options.data, tokens, targets, truncated, options.max_length, dropped);
  if (examples.empty())
    fail("no record of {} keeps a target token within --max-length {}; raise --max-length", options.data,
         options.max_length);

  // 2. held-out share, drawn with the seed
  SFTData data;
  std::vector<size_t> order(examples.size());
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(options.runtime.seed);
  std::shuffle(order.begin(), order.end(), rng);
  size_t held_out = static_cast<size_t>(std::llround(options.eval_share * static_cast<double>(examples.size())));
  if (options.eval_share > 0 && held_out == 0 && examples.size() >= 2) held_out = 1;
  if (held_out >= examples.size())
    fail("--eval-share {} leaves no training examples out of {}; lower it", options.eval_share, examples.size());
  for (size_t i = 0; i < order.size(); ++i)
    (i < held_out ? data.eval : data.train).push_back(std::move(examples[order[i]]));
  return data;
}

void run_sft(SFTCommandOptions& options) {
  // 1. check options and load everything that can fail before writing anything
  options.sft.seed = options.runtime.seed;
  validate_sft_options(options.sft);
  if (options.max_length < 2) fail("--max-length={} must be >= 2", options.max_length);
  if (options.eval_share < 0 || options.eval_share >= 1)
    fail("--eval-share={} must be in [0, 1)", options.eval_share);
  torch::Device device = apply_runtime_options(options.runtime);
  options.sft.precision = runtime_precision(options.runtime, device);
  ModelFolder source = load_model_folder(options.model, device, torch::kFloat32);
  const int64_t positions = source.model->config().max_position_embeddings;
  if (options.max_length > positions) {
    fmt::print("sft: --max-length {} lowered to the model's {} positions\n", options.max_length, positions);
    options.max_length = positions;
  }
  SFTData data = prepare_data(options, source);
  const int64_t pad_id = source.tokenizer->pad_id().value_or(0);
  const int64_t total_steps = sft_total_steps(options.sft, data.train.size());

  // 2. configuration and log
  ensure_writable_dir(options.out);
  write_file_atomic(options.out + "/config.json", to_json(options).dump(2) + "\n");
  JsonlLog log(options.out + "/metrics.jsonl");
  fmt::print("sft: {} training and {} held-out examples, {} steps of {} x {} examples\n", data.train.size(),
             data.eval.size(), total_steps, options.sft.micro_batch_size, options.sft.gradient_accumulation_steps);

  // 3. train, saving every --save-every steps and at the end
  Transformer& model = source.model;
  auto save = [&](const std::string& name, int64_t step) {
    save_model_folder(source, model, options.out + "/" + name,
                      {{"stage", "sft"}, {"step", step}, {"config", to_json(options)}});
  };
  train_sft(model, data.train, data.eval, options.sft, pad_id, &log, [&](const SFTStepStats& stats) {
    if (options.save_every > 0 && stats.step % options.save_every == 0 && stats.step < stats.total_steps)
      save(fmt::format("step-{}", stats.step), stats.step);
  });
  save("final", total_steps);
  fmt::print("wrote {}/final, metrics.jsonl and config.json\n", options.out);
}

void setup(CLI::App& root) {
  auto options = std::make_shared<SFTCommandOptions>();
  SFTOptions& sft = options->sft;
  auto* app = root.add_subcommand("sft", "Supervised fine-tuning on chat or prompt-completion JSONL records");
  app->add_option("--model", options->model, "Starting model folder (r1 checkpoint or Hugging Face)")->required();
  app->add_option("--data", options->data,
                  "JSONL records: {\"messages\": [{role, content}, ...]} or {\"prompt\": ..., \"completion\": ...}")
      ->required();
  app->add_option("--out", options->out, "Output folder")->required();
  add_runtime_options(*app, options->runtime);
  add_precision_option(*app, options->runtime);
  add_workers_option(*app, options->sft.workers);

  app->add_option("--epochs", sft.epochs, "Passes over the training examples")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app->add_option("--max-steps", sft.max_steps, "Optimizer steps; 0 trains for --epochs passes")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app->add_option("--micro-batch-size", sft.micro_batch_size, "Examples per forward/backward pass")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app->add_option("--grad-accum", sft.gradient_accumulation_steps, "Micro-batches per optimizer step")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app->add_option("--pack-tokens", sft.pack_tokens,
                  "Pack each step's examples into rows of at most this many tokens (each attends only to itself); "
                  "--micro-batch-size then counts rows. 0 pads every example")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app->add_option("--lr", sft.lr, "Peak learning rate")->capture_default_str()->check(CLI::PositiveNumber);
  app->add_option("--warmup-steps", sft.warmup_steps, "Linear warm-up optimizer steps")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app->add_option("--min-lr-ratio", sft.min_lr_ratio, "Cosine decay ends at this fraction of --lr")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app->add_option("--weight-decay", sft.weight_decay, "AdamW weight decay")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app->add_option("--grad-clip", sft.grad_clip, "Gradient norm clip")->capture_default_str()->check(CLI::PositiveNumber);
  app->add_option("--max-length", options->max_length,
                  "Maximum tokens per example; longer examples keep their first --max-length tokens")
      ->capture_default_str();
  app->add_option("--eval-share", options->eval_share, "Share of the examples held out for the eval loss, in [0, 1)")
      ->capture_default_str();
  app->add_option("--eval-every", sft.eval_every,
                  "Optimizer steps between eval-loss passes; 0 evaluates only before and after training")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app->add_option("--save-every", options->save_every, "Also save step-N/ every this many steps; 0 saves only final/")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app->add_option("--log-every", sft.log_every, "Print one line every this many steps")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app->callback([options] { run_sft(*options); });
}

R1_REGISTER_COMMAND(setup);

}  // namespace
}  // namespace r1::cli
