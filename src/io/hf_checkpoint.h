// Loading and saving Hugging Face model folders (config.json,
// generation_config.json, safetensors weights, tokenizer files) as
// r1::Transformer. Parameter names are the checkpoint's tensor names.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <torch/torch.h>

#include "io/hf_generation_config.h"
#include "model/config.h"
#include "model/transformer.h"

namespace r1 {

struct HfModel {
  ModelConfig config;
  GenerationConfig generation;
  Transformer model{nullptr};
};

struct HfLoadOptions {
  torch::Dtype dtype = torch::kFloat32;  // parameters are converted to this dtype
  torch::Device device = torch::kCPU;
};

// Reads and validates <folder>/config.json; errors name the file.
ModelConfig load_hf_config(const std::filesystem::path& folder);

// Loads a model folder. Each tensor is read from the memory-mapped
// safetensors file and converted straight into its parameter, without an
// intermediate copy of the file. Every checkpoint tensor's name, shape and
// dtype is checked against the config first; the error lists what is
// missing, unexpected or mis-shaped. A tied checkpoint may include or omit
// lm_head.weight (it is ignored), and rotary inv_freq buffers are ignored.
HfModel load_hf_model(const std::filesystem::path& folder, const HfLoadOptions& options = {});

// torch dtype for "float32"/"fp32"/"f32", "float16"/"fp16"/"f16",
// "bfloat16"/"bf16"; throws r1::Error naming the value otherwise.
torch::Dtype parse_weight_dtype(const std::string& name);
// "float32", "float16" or "bfloat16", as config.json writes it.
std::string weight_dtype_config_name(torch::Dtype dtype);

struct HfSaveOptions {
  torch::Dtype dtype = torch::kBFloat16;
  // Shards are closed before they would exceed this size; a single tensor
  // larger than it gets a shard of its own. 0 means one file.
  uint64_t max_shard_bytes = 5'000'000'000;
  // Tokenizer files (tokenizer.json, tokenizer_config.json, ...) are copied
  // from here when it is set and they exist.
  std::filesystem::path tokenizer_source;
};

// Writes a model folder that transformers' from_pretrained loads:
// model.safetensors or model-0000i-of-0000n.safetensors shards with
// model.safetensors.index.json, config.json, generation_config.json and the
// tokenizer files. Everything is written to a temporary sibling folder,
// fsynced, and swapped into place, so an existing checkpoint at `folder`
// stays intact until the new one is complete.
void save_hf_model(Transformer& model, const GenerationConfig& generation, const std::filesystem::path& folder,
                   const HfSaveOptions& options = {});

}  // namespace r1
