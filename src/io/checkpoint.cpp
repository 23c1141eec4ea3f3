#include "io/checkpoint.h"

#include <filesystem>
#include <set>

#include <unistd.h>

#include <fmt/ranges.h>

#include "formats/safetensors.h"
#include "io/safetensors_torch.h"
#include "runtime/runtime.h"
#include "tokenizer/byte_tokenizer.h"
#include "util/error.h"
#include "util/file.h"

namespace fs = std::filesystem;

namespace r1 {

std::shared_ptr<Tokenizer> make_tokenizer(const nlohmann::json& spec) {
  std::string type = spec.value("type", std::string());
  if (type == "byte") return std::make_shared<ByteTokenizer>();
  fail("r1_tokenizer.json: tokenizer type '{}' is not known; expected \"byte\"", type);
}

void save_checkpoint(const std::string& dir, Transformer& model, const nlohmann::json& tokenizer_spec,
                     const nlohmann::json& trainer_state) {
  const fs::path target(dir);
  const fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  ensure_writable_dir(parent.string());
  const fs::path temp = parent / (target.filename().string() + ".tmp." + std::to_string(getpid()));
  fs::remove_all(temp);
  fs::create_directories(temp);

  // weights as contiguous CPU tensors, named as Hugging Face names them
  std::vector<torch::Tensor> keep_alive;
  std::vector<SafetensorsTensor> views;
  for (const auto& item : model->named_parameters()) {
    keep_alive.push_back(item.value().detach().to(torch::kCPU).contiguous());
    views.push_back(safetensors_view(item.key(), keep_alive.back()));
  }
  nlohmann::json config = model->config().to_json();
  config["torch_dtype"] = dtype_name(model->dtype());
  write_safetensors((temp / "model.safetensors").string(), views, {{"format", "pt"}});
  write_file_atomic((temp / "config.json").string(), config.dump(2) + "\n");
  write_file_atomic((temp / "r1_tokenizer.json").string(), tokenizer_spec.dump(2) + "\n");
  nlohmann::json state = trainer_state;
  state["format"] = "r1-checkpoint";
  state["version"] = 1;
  write_file_atomic((temp / "trainer_state.json").string(), state.dump(2) + "\n");

  // swap into place: old -> backup, temp -> target, remove backup
  const fs::path backup = parent / (target.filename().string() + ".old." + std::to_string(getpid()));
  std::error_code error;
  if (fs::exists(target)) {
    fs::rename(target, backup, error);
    if (error) fail("cannot replace checkpoint {}: {}", dir, error.message());
  }
  fs::rename(temp, target, error);
  if (error) {
    if (fs::exists(backup)) fs::rename(backup, target);
    fail("cannot move the new checkpoint into {}: {}", dir, error.message());
  }
  fs::remove_all(backup);
}

Checkpoint load_checkpoint(const std::string& dir, torch::Device device, torch::Dtype dtype) {
  const fs::path root(dir);
  if (!fs::is_directory(root)) fail("checkpoint folder {} not found; pass the folder that holds config.json", dir);
  for (const char* name : {"config.json", "model.safetensors"})
    if (!fs::exists(root / name)) fail("checkpoint {}: {} is missing; the checkpoint is incomplete", dir, name);

  // configuration
  nlohmann::json config_json;
  try {
    config_json = nlohmann::json::parse(read_file((root / "config.json").string()));
  } catch (const nlohmann::json::exception& e) {
    fail("{}: invalid JSON ({})", (root / "config.json").string(), e.what());
  }
  Checkpoint checkpoint;
  ModelConfig config;
  try {
    config = ModelConfig::from_json(config_json);
  } catch (const Error& e) {
    fail("{}: {}", (root / "config.json").string(), e.what());
  }
  checkpoint.model = Transformer(config);

  // weights: every parameter present with its shape, nothing unexpected
  SafetensorsFile file((root / "model.safetensors").string());
  torch::NoGradGuard no_grad;
  std::set<std::string> expected;
  for (auto& item : checkpoint.model->named_parameters()) {
    expected.insert(item.key());
    if (!file.contains(item.key()))
      fail("{}: tensor '{}' is missing; the checkpoint does not match config.json", file.path(), item.key());
    const SafetensorsTensor& stored = file.tensor(item.key());
    if (stored.shape != item.value().sizes().vec())
      fail("{}: tensor '{}' has shape [{}] but config.json implies [{}]", file.path(), item.key(),
           fmt::join(stored.shape, ", "), fmt::join(item.value().sizes().vec(), ", "));
    item.value().copy_(tensor_from_safetensors(stored).to(torch::kFloat32));
  }
  for (const auto& stored : file.tensors())
    if (!expected.count(stored.name))
      fail("{}: unexpected tensor '{}' for model_type {}", file.path(), stored.name, config.model_type);
  checkpoint.model->to(device, dtype);

  // tokenizer and trainer state
  if (fs::exists(root / "r1_tokenizer.json")) {
    checkpoint.tokenizer_spec = nlohmann::json::parse(read_file((root / "r1_tokenizer.json").string()));
    checkpoint.tokenizer = make_tokenizer(checkpoint.tokenizer_spec);
  }
  if (fs::exists(root / "trainer_state.json"))
    checkpoint.trainer_state = nlohmann::json::parse(read_file((root / "trainer_state.json").string()));
  return checkpoint;
}

Transformer clone_model(Transformer& source) {
  Transformer copy(source->config());
  copy->to(source->device(), source->dtype());
  torch::NoGradGuard no_grad;
  auto source_params = source->named_parameters();
  for (auto& item : copy->named_parameters()) item.value().copy_(source_params[item.key()]);
  return copy;
}

}  // namespace r1
