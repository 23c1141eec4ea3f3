// generation_config.json of a Hugging Face model folder: end-of-sequence ids
// and the default sampling settings the model was published with.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/config.h"

namespace r1 {

struct GenerationConfig {
  // Generation stops at any of these ids (generation_config.json's
  // eos_token_id, which may be one id or a list; else config.json's).
  std::vector<int64_t> eos_token_ids;
  std::optional<int64_t> bos_token_id;
  std::optional<int64_t> pad_token_id;

  // Sampling defaults, with transformers' defaults for absent keys.
  bool do_sample = false;
  double temperature = 1.0;
  double top_p = 1.0;
  int64_t top_k = 50;  // 0 disables top-k
  double min_p = 0.0;  // 0 disables min-p
  double repetition_penalty = 1.0;
  std::optional<int64_t> max_new_tokens;
  std::optional<int64_t> max_length;

  // Fills ids absent from `json` from the model config.
  static GenerationConfig from_json(const nlohmann::json& json, const ModelConfig& model);
  // Defaults derived from the model config alone (no generation_config.json).
  static GenerationConfig from_model_config(const ModelConfig& model);
  nlohmann::json to_json() const;
};

// Reads <folder>/generation_config.json, or derives the defaults from the
// model config when the file is absent. Throws r1::Error on invalid JSON or
// values (temperature < 0, top_p outside (0, 1], top_k < 0).
GenerationConfig load_generation_config(const std::filesystem::path& folder, const ModelConfig& model);

}  // namespace r1
