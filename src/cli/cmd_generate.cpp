// r1 generate: samples completions of a prompt from an r1 checkpoint or a
// Hugging Face model folder.
#include <filesystem>

#include <fmt/format.h>

#include "chat/chat_template.h"
#include "cli/command.h"
#include "cli/common_options.h"
#include "cli/model_folder.h"
#include "io/hf_checkpoint.h"
#include "sampling/generate.h"
#include "util/error.h"

namespace r1::cli {
namespace {

struct GenerateCommandOptions {
  std::string model;
  std::string prompt;
  bool chat = false;
  int64_t samples = 1;
  int64_t max_new_tokens = 256;
  std::vector<std::string> stop_strings;
  std::string dtype = "float32";
  RuntimeOptions runtime;
  SamplingParams sampling;
};

// The prompt text given to the model: the chat template's rendering of one user
// message with --chat, else the prompt as given.
std::string prompt_text(const GenerateCommandOptions& options, const ModelFolder& folder) {
  if (!options.chat) return options.prompt;
  const std::filesystem::path config_path = std::filesystem::path(folder.path) / "tokenizer_config.json";
  if (!std::filesystem::exists(config_path))
    fail("--chat needs {} with a chat template; the model folder has none", config_path.string());
  ChatTemplate chat_template = load_chat_template(config_path);
  nlohmann::ordered_json messages = nlohmann::ordered_json::array();
  messages.push_back({{"role", "user"}, {"content", options.prompt}});
  return chat_template.render(messages, /*add_generation_prompt=*/true);
}

// Cuts `text` before the first occurrence of any stop string.
std::string cut_at_stop_strings(const std::string& text, const std::vector<std::string>& stop_strings) {
  size_t end = text.size();
  for (const auto& stop : stop_strings) end = std::min(end, text.find(stop));
  return text.substr(0, end);
}

void run_generate(const GenerateCommandOptions& options) {
  options.sampling.validate();
  torch::Device device = apply_runtime_options(options.runtime);
  ModelFolder folder = load_model_folder(options.model, device, parse_weight_dtype(options.dtype));
  folder.model->eval();

  // 1. prompt ids; a rendered chat template already contains its special tokens
  const std::string text = prompt_text(options, folder);
  std::vector<int64_t> prompt = folder.tokenizer->encode(text, /*add_special=*/!options.chat);
  if (prompt.empty()) fail("the prompt encodes to no tokens; pass a non-empty -p");

  // 2. sample
  GenerationOptions generation;
  generation.max_new_tokens = options.max_new_tokens;
  generation.sampling = options.sampling;
  generation.stop_token_ids = folder.stop_token_ids;
  generation.num_samples = options.samples;
  at::Generator generator = at::detail::createCPUGenerator(options.runtime.seed);
  // NOTE: stop strings are applied to the decoded text afterwards, so each
  // row still decodes until a stop token or --max-new-tokens.
  std::vector<Completion> completions = generate(folder.model, {prompt}, generation, generator);

  // 3. print, one block per sample
  for (size_t i = 0; i < completions.size(); ++i) {
    std::string completion = folder.tokenizer->decode(completions[i].tokens, /*skip_special=*/true);
    completion = cut_at_stop_strings(completion, options.stop_strings);
    if (completions.size() > 1) fmt::print("--- sample {} ---\n", i + 1);
    fmt::print("{}\n", completion);
  }
}

void setup(CLI::App& root) {
  auto options = std::make_shared<GenerateCommandOptions>();
  auto* app = root.add_subcommand("generate", "Sample completions of a prompt from a model");
  app->add_option("--model", options->model, "Model folder (r1 checkpoint or Hugging Face)")->required();
  app->add_option("-p,--prompt", options->prompt, "Prompt text")->required();
  app->add_flag("--chat", options->chat, "Wrap the prompt as a user message in the model's chat template");
  app->add_option("-n,--samples", options->samples, "Completions to sample")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app->add_option("--max-new-tokens", options->max_new_tokens, "Generation budget in tokens per completion")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app->add_option("--stop", options->stop_strings, "Cut each completion before this text (repeatable)");
  app->add_option("--dtype", options->dtype, "Weight dtype: float32, bfloat16 or float16")->capture_default_str();
  add_sampling_options(*app, options->sampling);
  add_runtime_options(*app, options->runtime);
  app->callback([options] { run_generate(*options); });
}

R1_REGISTER_COMMAND(setup);

}  // namespace
}  // namespace r1::cli
