#include <fstream>
#include <map>
#include <vector>

#include <fmt/format.h>

#include "formats/atomic_dir.h"
#include "formats/safetensors.h"
#include "io/hf_checkpoint.h"
#include "util/error.h"
#include "util/file.h"

namespace fs = std::filesystem;

namespace r1 {

namespace {

// Files a tokenizer may consist of, copied next to the weights.
constexpr const char* kTokenizerFiles[] = {"tokenizer.json",   "tokenizer_config.json", "special_tokens_map.json",
                                           "vocab.json",       "merges.txt",            "tokenizer.model",
                                           "added_tokens.json", "chat_template.jinja",   "chat_template.json"};

std::string safetensors_dtype_name(torch::Dtype dtype) {
  if (dtype == torch::kFloat32) return "F32";
  if (dtype == torch::kFloat16) return "F16";
  if (dtype == torch::kBFloat16) return "BF16";
  fail("dtype {} cannot be saved; use float32, float16 or bfloat16", c10::toString(dtype));
}

struct Shard {
  std::vector<std::string> names;
  uint64_t bytes = 0;
};

// Groups parameters, in order, into shards of at most max_bytes each.
std::vector<Shard> plan_shards(const torch::OrderedDict<std::string, torch::Tensor>& params, torch::Dtype dtype,
                               uint64_t max_bytes) {
  std::vector<Shard> shards(1);
  for (const auto& item : params) {
    uint64_t bytes = static_cast<uint64_t>(item.value().numel()) * torch::elementSize(dtype);
    if (max_bytes > 0 && !shards.back().names.empty() && shards.back().bytes + bytes > max_bytes)
      shards.emplace_back();
    shards.back().names.push_back(item.key());
    shards.back().bytes += bytes;
  }
  return shards;
}

void write_json(const fs::path& path, const nlohmann::json& json) {
  write_file_atomic(path.string(), json.dump(2) + "\n");
}

// Writes every file of the checkpoint into `staged`.
void write_checkpoint_files(Transformer& model, const GenerationConfig& generation, const fs::path& staged,
                            const HfSaveOptions& options) {
  torch::NoGradGuard no_grad;
  const std::string dtype_name = safetensors_dtype_name(options.dtype);
  auto params = model->named_parameters(/*recurse=*/true);
  std::vector<Shard> shards = plan_shards(params, options.dtype, options.max_shard_bytes);

  // weights: one shard at a time, converted on the CPU in the target dtype
  nlohmann::json weight_map = nlohmann::json::object();
  uint64_t total_bytes = 0;
  for (size_t i = 0; i < shards.size(); ++i) {
    const std::string file = shards.size() == 1
                                 ? std::string("model.safetensors")
                                 : fmt::format("model-{:05d}-of-{:05d}.safetensors", i + 1, shards.size());
    std::vector<torch::Tensor> converted;
    std::vector<SafetensorsTensor> entries;
    for (const std::string& name : shards[i].names) {
      torch::Tensor value = params[name].detach().to(torch::kCPU, options.dtype).contiguous();
      converted.push_back(value);
      SafetensorsTensor entry;
      entry.name = name;
      entry.dtype = dtype_name;
      entry.shape = value.sizes().vec();
      entry.data = static_cast<const uint8_t*>(value.data_ptr());
      entry.size_bytes = value.numel() * value.element_size();
      entries.push_back(entry);
      weight_map[name] = file;
    }
    write_safetensors((staged / file).string(), entries, {{"format", "pt"}});
    total_bytes += shards[i].bytes;
  }
  if (shards.size() > 1) {
    nlohmann::json index;
    index["metadata"] = {{"total_size", total_bytes}};
    index["weight_map"] = weight_map;
    write_json(staged / "model.safetensors.index.json", index);
  }

  // configs
  ModelConfig config = model->config();
  config.torch_dtype = weight_dtype_config_name(options.dtype);
  write_json(staged / "config.json", config.to_json());
  write_json(staged / "generation_config.json", generation.to_json());

  // tokenizer files, byte for byte
  if (!options.tokenizer_source.empty()) {
    for (const char* name : kTokenizerFiles) {
      fs::path source = options.tokenizer_source / name;
      if (!fs::exists(source)) continue;
      write_file_atomic((staged / name).string(), read_file(source.string()));
    }
  }
}

}  // namespace

void save_hf_model(Transformer& model, const GenerationConfig& generation, const fs::path& folder,
                   const HfSaveOptions& options) {
  safetensors_dtype_name(options.dtype);  // rejects unsupported dtypes before touching the disk
  fs::path staged = make_sibling_temp_dir(folder);
  try {
    write_checkpoint_files(model, generation, staged, options);
    replace_dir_atomically(staged, folder);
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(staged, ignored);
    throw;
  }
}

}  // namespace r1
