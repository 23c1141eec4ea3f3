// r1 export: converts a Hugging Face model folder (for example a checkpoint
// written by r1) to another dtype as a Hugging Face folder, or to a GGUF file
// for llama.cpp and Ollama.
#include <cctype>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/command.h"
#include "io/gguf_export.h"
#include "io/hf_checkpoint.h"
#include "util/error.h"

namespace r1::cli {

namespace {

struct ExportOptions {
  std::string model;
  std::string format = "hf";
  std::string dtype = "bf16";
  std::string out;
  std::string max_shard_size = "5GB";
  std::string tokenizer;
  std::string name;
  std::string pre;
};

// "5GB", "500MB", "64KB" (powers of 1000, as transformers counts) or bytes.
uint64_t parse_size(const std::string& text) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0) fail("--max-shard-size '{}' is invalid; write a number of bytes or e.g. 500MB or 5GB", text);
  uint64_t value = std::stoull(text.substr(0, digits));
  std::string unit = text.substr(digits);
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (unit.empty() || unit == "B") return value;
  if (unit == "KB") return value * 1000;
  if (unit == "MB") return value * 1000 * 1000;
  if (unit == "GB") return value * 1000 * 1000 * 1000;
  fail("--max-shard-size '{}' has unit '{}'; use B, KB, MB or GB", text, unit);
}

void run_export(const ExportOptions& options) {
  const torch::Dtype dtype = parse_weight_dtype(options.dtype);
  const std::filesystem::path tokenizer = options.tokenizer.empty() ? options.model : options.tokenizer;

  // float32 in memory, so every conversion rounds once
  HfModel loaded = load_hf_model(options.model);
  if (options.format == "hf") {
    HfSaveOptions save;
    save.dtype = dtype;
    save.max_shard_bytes = parse_size(options.max_shard_size);
    save.tokenizer_source = tokenizer;
    save_hf_model(loaded.model, loaded.generation, options.out, save);
  } else if (options.format == "gguf") {
    GgufExportOptions gguf;
    gguf.dtype = dtype;
    gguf.tokenizer_folder = tokenizer;
    gguf.name = options.name;
    gguf.pre = options.pre;
    export_gguf(loaded.model, options.out, gguf);
  } else {
    fail("--format '{}' is not supported; use hf or gguf", options.format);
  }
  fmt::print("wrote {} ({} {}, {} parameters)\n", options.out, options.format, options.dtype,
             loaded.config.num_parameters());
}

void setup_export(CLI::App& root) {
  auto options = std::make_shared<ExportOptions>();
  CLI::App* command = root.add_subcommand("export", "Convert a Hugging Face model folder to hf (another dtype) or gguf");
  command->add_option("--model", options->model, "Hugging Face model folder (config.json, *.safetensors)")
      ->required();
  command->add_option("--format", options->format, "Output format: hf (model folder) or gguf (one file)")
      ->capture_default_str();
  command->add_option("--dtype", options->dtype, "Weight dtype: f32, f16 or bf16")->capture_default_str();
  command->add_option("--out", options->out, "Output folder (hf) or file (gguf); replaced atomically")->required();
  command->add_option("--max-shard-size", options->max_shard_size,
                      "hf: maximum safetensors shard size, e.g. 500MB or 5GB (0 for one file)")
      ->capture_default_str();
  command->add_option("--tokenizer", options->tokenizer,
                      "Folder with tokenizer.json and tokenizer_config.json (default: --model)");
  command->add_option("--name", options->name, "gguf: general.name (default: the model_type)");
  command->add_option("--pre", options->pre,
                      "gguf: tokenizer.ggml.pre, e.g. qwen2 or llama-bpe (default: detected from tokenizer.json)");
  command->callback([options] { run_export(*options); });
}

}  // namespace

R1_REGISTER_COMMAND(setup_export);

}  // namespace r1::cli
