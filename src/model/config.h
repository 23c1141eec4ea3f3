// Configuration of a Llama/Qwen2/Qwen3-family decoder. Field names are those
// of Hugging Face's config.json, so a real checkpoint's config loads as is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace r1 {

struct ModelConfig {
  std::string model_type = "llama";  // "llama", "qwen2" or "qwen3"
  int64_t vocab_size = 0;
  int64_t hidden_size = 0;
  int64_t intermediate_size = 0;
  int64_t num_hidden_layers = 0;
  int64_t num_attention_heads = 0;
  int64_t num_key_value_heads = 0;
  int64_t head_dim = 0;  // 0 means hidden_size / num_attention_heads
  int64_t max_position_embeddings = 2048;
  double rms_norm_eps = 1e-6;
  double rope_theta = 10000.0;
  bool attention_bias = false;       // bias on q, k, v projections (Qwen2)
  bool tie_word_embeddings = false;  // lm_head shares the embedding matrix
  bool qk_norm = false;              // RMSNorm on q and k per head (Qwen3)
  std::string torch_dtype = "float32";
  std::optional<int64_t> bos_token_id;
  std::vector<int64_t> eos_token_ids;
  std::optional<int64_t> pad_token_id;
  // rope_scaling as stored in config.json (null when absent); the "llama3"
  // rope_type rescales the inverse frequencies.
  nlohmann::json rope_scaling;

  int64_t resolved_head_dim() const {
    return head_dim > 0 ? head_dim : hidden_size / num_attention_heads;
  }

  // Number of parameters, counting tied embeddings once.
  int64_t num_parameters() const;

  // Checks that the numbers fit together; throws r1::Error naming the field.
  void validate() const;

  // config.json form (Hugging Face keys). from_json applies each family's
  // defaults for absent keys and reads attention_bias the way each family
  // does (Qwen2 always has q/k/v bias).
  nlohmann::json to_json() const;
  static ModelConfig from_json(const nlohmann::json& json);
};

}  // namespace r1
