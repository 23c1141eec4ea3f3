#include "cli/model_folder.h"

#include <filesystem>

#include "io/checkpoint.h"
#include "io/hf_checkpoint.h"
#include "tokenizer/load_tokenizer.h"
#include "util/error.h"

namespace r1::cli {

namespace fs = std::filesystem;

ModelFolder load_model_folder(const std::string& path, torch::Device device, torch::Dtype dtype) {
  const fs::path root(path);
  if (!fs::is_directory(root)) fail("model folder {} not found; pass a folder written by r1 pretrain or grpo, or a "
                                    "Hugging Face model folder", path);

  ModelFolder folder;
  folder.path = path;
  if (fs::exists(root / "r1_tokenizer.json")) {
    Checkpoint checkpoint = load_checkpoint(path, device, dtype);
    folder.is_r1_checkpoint = true;
    folder.model = checkpoint.model;
    folder.tokenizer = checkpoint.tokenizer;
    folder.tokenizer_spec = checkpoint.tokenizer_spec;
    if (folder.tokenizer->eos_id()) folder.stop_token_ids.push_back(*folder.tokenizer->eos_id());
    return folder;
  }

  if (!fs::exists(root / "config.json"))
    fail("{} contains neither r1_tokenizer.json (an r1 checkpoint) nor config.json (a Hugging Face model); pass a "
         "model folder",
         path);
  HfLoadOptions options;
  options.dtype = dtype;
  options.device = device;
  HfModel hf = load_hf_model(root, options);
  folder.model = hf.model;
  folder.tokenizer = load_tokenizer(root);
  folder.stop_token_ids = hf.generation.eos_token_ids;
  if (folder.stop_token_ids.empty() && folder.tokenizer->eos_id())
    folder.stop_token_ids.push_back(*folder.tokenizer->eos_id());
  return folder;
}

ChatTemplate load_model_chat_template(const ModelFolder& folder, const std::string& option) {
  const fs::path config_path = fs::path(folder.path) / "tokenizer_config.json";
  if (!fs::exists(config_path))
    fail("{} needs the model's chat template, but {} does not exist; use a model folder that has one",
         option, config_path.string());
  return load_chat_template(config_path);
}

void save_model_folder(const ModelFolder& source, Transformer& model, const std::string& out_dir,
                       const nlohmann::json& trainer_state) {
  if (source.is_r1_checkpoint) {
    save_checkpoint(out_dir, model, source.tokenizer_spec, trainer_state);
    return;
  }
  HfSaveOptions options;
  options.dtype = torch::kFloat32;
  options.tokenizer_source = source.path;
  save_hf_model(model, load_generation_config(source.path, model->config()), out_dir, options);
}

}  // namespace r1::cli
