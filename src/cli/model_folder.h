// Opening the model folder a subcommand is given: an r1 checkpoint (it has
// r1_tokenizer.json) or a Hugging Face folder (config.json, safetensors
// weights and tokenizer.json).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chat/chat_template.h"
#include "model/transformer.h"
#include "tokenizer/tokenizer.h"

namespace r1::cli {

struct ModelFolder {
  std::string path;
  bool is_r1_checkpoint = false;
  Transformer model{nullptr};
  std::shared_ptr<Tokenizer> tokenizer;
  nlohmann::json tokenizer_spec;     // r1 checkpoints only
  std::vector<int64_t> stop_token_ids;  // end-of-sequence ids of the model
};

// Loads `path` onto `device` in `dtype`. Throws r1::Error naming the folder
// when it is neither kind or when its files are missing or corrupt.
ModelFolder load_model_folder(const std::string& path, torch::Device device, torch::Dtype dtype);

// Loads the chat template of the folder's tokenizer_config.json (or its
// chat_template.jinja). Throws r1::Error naming `option` (the flag that needs
// it) when the folder has none.
ChatTemplate load_model_chat_template(const ModelFolder& folder, const std::string& option);

// Saves `model` in the folder's own format: an r1 checkpoint for r1
// checkpoints, else a Hugging Face folder in float32 with the tokenizer files
// copied from the source folder. Either way the old folder at `out_dir` is
// replaced only once the new one is complete.
void save_model_folder(const ModelFolder& source, Transformer& model, const std::string& out_dir,
                       const nlohmann::json& trainer_state);

}  // namespace r1::cli
