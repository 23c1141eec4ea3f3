#include "io/hf_generation_config.h"

#include <fstream>

#include "util/error.h"

namespace r1 {

namespace {

// An id stored as a number, a list (first element) or null.
std::optional<int64_t> optional_id(const nlohmann::json& json, const char* key) {
  if (!json.contains(key) || json[key].is_null()) return std::nullopt;
  if (json[key].is_array()) {
    if (json[key].empty()) return std::nullopt;
    return json[key][0].get<int64_t>();
  }
  return json[key].get<int64_t>();
}

}  // namespace

GenerationConfig GenerationConfig::from_model_config(const ModelConfig& model) {
  GenerationConfig g;
  g.eos_token_ids = model.eos_token_ids;
  g.bos_token_id = model.bos_token_id;
  g.pad_token_id = model.pad_token_id;
  return g;
}

GenerationConfig GenerationConfig::from_json(const nlohmann::json& json, const ModelConfig& model) {
  GenerationConfig g = from_model_config(model);
  try {
    if (json.contains("eos_token_id") && !json["eos_token_id"].is_null()) {
      if (json["eos_token_id"].is_array())
        g.eos_token_ids = json["eos_token_id"].get<std::vector<int64_t>>();
      else
        g.eos_token_ids = {json["eos_token_id"].get<int64_t>()};
    }
    if (auto id = optional_id(json, "bos_token_id")) g.bos_token_id = id;
    if (auto id = optional_id(json, "pad_token_id")) g.pad_token_id = id;
    g.do_sample = json.value("do_sample", g.do_sample);
    if (json.contains("temperature") && !json["temperature"].is_null()) g.temperature = json["temperature"];
    if (json.contains("top_p") && !json["top_p"].is_null()) g.top_p = json["top_p"];
    if (json.contains("top_k") && !json["top_k"].is_null()) g.top_k = json["top_k"];
    if (json.contains("min_p") && !json["min_p"].is_null()) g.min_p = json["min_p"];
    if (json.contains("repetition_penalty") && !json["repetition_penalty"].is_null())
      g.repetition_penalty = json["repetition_penalty"];
    g.max_new_tokens = optional_id(json, "max_new_tokens");
    g.max_length = optional_id(json, "max_length");
  } catch (const nlohmann::json::exception& e) {
    fail("generation config: a field has the wrong type ({}); fix generation_config.json", e.what());
  }

  if (g.temperature < 0) fail("generation config: temperature={} must be >= 0", g.temperature);
  if (g.top_p <= 0 || g.top_p > 1) fail("generation config: top_p={} must be in (0, 1]", g.top_p);
  if (g.top_k < 0) fail("generation config: top_k={} must be >= 0", g.top_k);
  if (g.min_p < 0 || g.min_p > 1) fail("generation config: min_p={} must be in [0, 1]", g.min_p);
  return g;
}

nlohmann::json GenerationConfig::to_json() const {
  nlohmann::json j;
  if (eos_token_ids.size() == 1)
    j["eos_token_id"] = eos_token_ids[0];
  else if (!eos_token_ids.empty())
    j["eos_token_id"] = eos_token_ids;
  if (bos_token_id) j["bos_token_id"] = *bos_token_id;
  if (pad_token_id) j["pad_token_id"] = *pad_token_id;
  j["do_sample"] = do_sample;
  j["temperature"] = temperature;
  j["top_p"] = top_p;
  j["top_k"] = top_k;
  if (min_p > 0) j["min_p"] = min_p;
  if (repetition_penalty != 1.0) j["repetition_penalty"] = repetition_penalty;
  if (max_new_tokens) j["max_new_tokens"] = *max_new_tokens;
  if (max_length) j["max_length"] = *max_length;
  return j;
}

GenerationConfig load_generation_config(const std::filesystem::path& folder, const ModelConfig& model) {
  const std::filesystem::path path = folder / "generation_config.json";
  if (!std::filesystem::exists(path)) return GenerationConfig::from_model_config(model);
  std::ifstream stream(path);
  if (!stream) fail("cannot open '{}'", path.string());
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(stream);
  } catch (const nlohmann::json::exception& e) {
    fail("'{}' is not valid JSON ({}); fix or delete the file", path.string(), e.what());
  }
  try {
    return GenerationConfig::from_json(json, model);
  } catch (const Error& e) {
    fail("'{}': {}", path.string(), e.what());
  }
}

}  // namespace r1
