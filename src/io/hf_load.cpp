#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "formats/safetensors_checkpoint.h"
#include "io/hf_checkpoint.h"
#include "util/error.h"

namespace fs = std::filesystem;

namespace r1 {

torch::Dtype parse_weight_dtype(const std::string& name) {
  if (name == "float32" || name == "fp32" || name == "f32") return torch::kFloat32;
  if (name == "float16" || name == "fp16" || name == "f16") return torch::kFloat16;
  if (name == "bfloat16" || name == "bf16") return torch::kBFloat16;
  fail("dtype '{}' is not supported; use f32, f16 or bf16", name);
}

std::string weight_dtype_config_name(torch::Dtype dtype) {
  if (dtype == torch::kFloat32) return "float32";
  if (dtype == torch::kFloat16) return "float16";
  if (dtype == torch::kBFloat16) return "bfloat16";
  fail("dtype {} is not supported for checkpoints; use float32, float16 or bfloat16", c10::toString(dtype));
}

ModelConfig load_hf_config(const fs::path& folder) {
  if (!fs::is_directory(folder)) fail("model folder '{}' does not exist; check the path", folder.string());
  const fs::path path = folder / "config.json";
  if (!fs::exists(path))
    fail("'{}' not found; a Hugging Face model folder needs config.json next to the weights", path.string());
  std::ifstream stream(path);
  if (!stream) fail("cannot open '{}'", path.string());
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(stream);
  } catch (const nlohmann::json::exception& e) {
    fail("'{}' is not valid JSON ({}); fix or re-download it", path.string(), e.what());
  }
  try {
    return ModelConfig::from_json(json);
  } catch (const Error& e) {
    fail("'{}': {}", path.string(), e.what());
  } catch (const nlohmann::json::exception& e) {
    fail("'{}': a field has the wrong type ({})", path.string(), e.what());
  }
}

namespace {

torch::Dtype safetensors_torch_dtype(const SafetensorsTensor& tensor, const std::string& file) {
  if (tensor.dtype == "F32") return torch::kFloat32;
  if (tensor.dtype == "F16") return torch::kFloat16;
  if (tensor.dtype == "BF16") return torch::kBFloat16;
  fail("'{}': tensor '{}' has dtype {}, which cannot be loaded; only F32, F16 and BF16 weights are supported "
       "(quantized or integer checkpoints must be converted to bf16 first, e.g. with transformers' save_pretrained)",
       file, tensor.name, tensor.dtype);
}

// Names a checkpoint may carry that are not parameters of r1::Transformer.
bool is_ignored_extra(const std::string& name, const ModelConfig& config) {
  if (name == "lm_head.weight" && config.tie_word_embeddings) return true;
  const std::string inv_freq = "rotary_emb.inv_freq";
  return name.size() >= inv_freq.size() && name.compare(name.size() - inv_freq.size(), inv_freq.size(), inv_freq) == 0;
}

std::string shape_string(const std::vector<int64_t>& shape) { return fmt::format("[{}]", fmt::join(shape, ", ")); }

std::string join_limited(const std::vector<std::string>& items, size_t limit) {
  std::vector<std::string> shown(items.begin(), items.begin() + std::min(items.size(), limit));
  std::string text = fmt::format("{}", fmt::join(shown, ", "));
  if (items.size() > limit) text += fmt::format(" and {} more", items.size() - limit);
  return text;
}

// Compares the checkpoint against the parameters the config implies and
// throws one error listing every missing, unexpected, mis-shaped or
// unsupported-dtype tensor.
void check_tensors(const SafetensorsCheckpoint& checkpoint, const torch::OrderedDict<std::string, torch::Tensor>& params,
                   const ModelConfig& config, const fs::path& folder) {
  std::vector<std::string> missing, unexpected, mismatched;
  for (const auto& item : params) {
    if (!checkpoint.contains(item.key())) {
      missing.push_back(item.key());
      continue;
    }
    const SafetensorsTensor& tensor = checkpoint.tensor(item.key());
    if (tensor.shape != item.value().sizes().vec())
      mismatched.push_back(fmt::format("{} is {} in '{}' but the config needs {}", item.key(),
                                       shape_string(tensor.shape), checkpoint.file_of(item.key()),
                                       shape_string(item.value().sizes().vec())));
    safetensors_torch_dtype(tensor, checkpoint.file_of(item.key()));
  }
  for (const std::string& name : checkpoint.names())
    if (!params.contains(name) && !is_ignored_extra(name, config)) unexpected.push_back(name);
  if (missing.empty() && unexpected.empty() && mismatched.empty()) return;

  std::string message = fmt::format("checkpoint in '{}' does not match its config.json (model_type={}, "
                                    "num_hidden_layers={}, tie_word_embeddings={}):",
                                    folder.string(), config.model_type, config.num_hidden_layers,
                                    config.tie_word_embeddings);
  if (!missing.empty()) message += fmt::format("\n  missing: {}", join_limited(missing, 8));
  if (!unexpected.empty()) message += fmt::format("\n  unexpected: {}", join_limited(unexpected, 8));
  if (!mismatched.empty()) message += fmt::format("\n  wrong shape: {}", join_limited(mismatched, 8));
  message += "\nCheck that config.json belongs to these weights.";
  throw Error(message);
}

// A CPU tensor viewing the mapped bytes (copied first when the address is
// not aligned to the element size, which from_blob requires).
torch::Tensor view_tensor(const SafetensorsTensor& tensor, torch::Dtype dtype, std::vector<uint8_t>& scratch) {
  const void* data = tensor.data;
  const size_t element = torch::elementSize(dtype);
  if (reinterpret_cast<uintptr_t>(data) % element != 0) {
    scratch.assign(tensor.data, tensor.data + tensor.size_bytes);
    data = scratch.data();
  }
  return torch::from_blob(const_cast<void*>(data), tensor.shape, torch::TensorOptions().dtype(dtype));
}

}  // namespace

HfModel load_hf_model(const fs::path& folder, const HfLoadOptions& options) {
  HfModel result;
  result.config = load_hf_config(folder);
  result.generation = load_generation_config(folder, result.config);
  weight_dtype_config_name(options.dtype);  // rejects unsupported target dtypes

  // open the weights and check them before allocating the model
  SafetensorsCheckpoint checkpoint(folder);
  torch::NoGradGuard no_grad;
  result.model = Transformer(result.config);
  auto params = result.model->named_parameters(/*recurse=*/true);
  check_tensors(checkpoint, params, result.config, folder);

  // Convert tensor by tensor from the mapping into fresh parameter storage,
  // which frees each constructor-initialized float32 tensor as it goes.
  // NOTE: the Transformer constructor still allocates and randomly
  // initializes the whole model in float32 first (LibTorch modules take no
  // device or dtype at construction), so peak memory is about 4 bytes per
  // parameter plus the largest tensor.
  const auto target = torch::TensorOptions().dtype(options.dtype).device(options.device);
  std::vector<uint8_t> scratch;
  for (auto& item : params) {
    const SafetensorsTensor& tensor = checkpoint.tensor(item.key());
    torch::Dtype stored = safetensors_torch_dtype(tensor, checkpoint.file_of(item.key()));
    torch::Tensor value = torch::empty(tensor.shape, target);
    value.copy_(view_tensor(tensor, stored, scratch));
    item.value().set_data(value);
  }

  // Buffers such as the rotary inverse frequencies stay float32, as in transformers.
  for (auto& buffer : result.model->buffers(/*recurse=*/true)) buffer.set_data(buffer.to(options.device));
  return result;
}

}  // namespace r1
