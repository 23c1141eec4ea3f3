// Tiny configurations of the three supported families for the model tests.
#pragma once

#include <string>

#include "model/config.h"

namespace r1::test {

// vocab 19, hidden 16, 2 layers, 4 query heads of dimension 4.
// llama: 2 key/value heads (grouped-query attention), untied lm_head.
// qwen2: q/k/v bias, tied embeddings.  qwen3: per-head q/k RMSNorm.
inline ModelConfig tiny_config(const std::string& family) {
  ModelConfig config;
  config.model_type = family;
  config.vocab_size = 19;
  config.hidden_size = 16;
  config.intermediate_size = 24;
  config.num_hidden_layers = 2;
  config.num_attention_heads = 4;
  config.num_key_value_heads = family == "llama" ? 2 : 4;
  config.head_dim = 4;
  config.max_position_embeddings = 64;
  config.rms_norm_eps = 1e-6;
  config.attention_bias = family == "qwen2";
  config.tie_word_embeddings = family == "qwen2";
  config.qk_norm = family == "qwen3";
  return config;
}

}  // namespace r1::test
