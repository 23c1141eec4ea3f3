#include "model/config.h"

#include "util/error.h"

namespace r1 {

int64_t ModelConfig::num_parameters() const {
  const int64_t d = hidden_size;
  const int64_t hd = resolved_head_dim();
  const int64_t q = num_attention_heads * hd;
  const int64_t kv = num_key_value_heads * hd;
  int64_t attention = d * q + 2 * d * kv + q * d;
  if (attention_bias) attention += q + 2 * kv;
  if (qk_norm) attention += 2 * hd;
  const int64_t mlp = 3 * d * intermediate_size;
  const int64_t norms = 2 * d;
  int64_t total = num_hidden_layers * (attention + mlp + norms) + d + vocab_size * d;
  if (!tie_word_embeddings) total += vocab_size * d;
  return total;
}

void ModelConfig::validate() const {
  if (model_type != "llama" && model_type != "qwen2" && model_type != "qwen3")
    fail("config: model_type='{}' is not supported; supported are llama, qwen2 and qwen3", model_type);
  if (vocab_size <= 0) fail("config: vocab_size={} must be positive", vocab_size);
  if (hidden_size <= 0) fail("config: hidden_size={} must be positive", hidden_size);
  if (intermediate_size <= 0) fail("config: intermediate_size={} must be positive", intermediate_size);
  if (num_hidden_layers <= 0) fail("config: num_hidden_layers={} must be positive", num_hidden_layers);
  if (num_attention_heads <= 0) fail("config: num_attention_heads={} must be positive", num_attention_heads);
  if (num_key_value_heads <= 0) fail("config: num_key_value_heads={} must be positive", num_key_value_heads);
  if (num_attention_heads % num_key_value_heads != 0)
    fail("config: num_key_value_heads={} does not divide num_attention_heads={}", num_key_value_heads,
         num_attention_heads);
  if (head_dim == 0 && hidden_size % num_attention_heads != 0)
    fail("config: num_attention_heads={} does not divide hidden_size={}; set head_dim explicitly",
         num_attention_heads, hidden_size);
  if (resolved_head_dim() % 2 != 0)
    fail("config: head_dim={} must be even for rotary embeddings", resolved_head_dim());
  if (rms_norm_eps <= 0) fail("config: rms_norm_eps={} must be positive", rms_norm_eps);
  if (rope_theta <= 0) fail("config: rope_theta={} must be positive", rope_theta);
  if (max_position_embeddings <= 0)
    fail("config: max_position_embeddings={} must be positive", max_position_embeddings);
}

nlohmann::json ModelConfig::to_json() const {
  nlohmann::json j;
  std::string architecture = "LlamaForCausalLM";
  if (model_type == "qwen2") architecture = "Qwen2ForCausalLM";
  if (model_type == "qwen3") architecture = "Qwen3ForCausalLM";
  j["architectures"] = {architecture};
  j["model_type"] = model_type;
  j["vocab_size"] = vocab_size;
  j["hidden_size"] = hidden_size;
  j["intermediate_size"] = intermediate_size;
  j["num_hidden_layers"] = num_hidden_layers;
  j["num_attention_heads"] = num_attention_heads;
  j["num_key_value_heads"] = num_key_value_heads;
  j["head_dim"] = resolved_head_dim();
  j["max_position_embeddings"] = max_position_embeddings;
  j["rms_norm_eps"] = rms_norm_eps;
  j["rope_theta"] = rope_theta;
  j["rope_scaling"] = rope_scaling;
  j["attention_bias"] = attention_bias;
  j["tie_word_embeddings"] = tie_word_embeddings;
  j["hidden_act"] = "silu";
  j["torch_dtype"] = torch_dtype;
  j["bos_token_id"] = bos_token_id ? nlohmann::json(*bos_token_id) : nlohmann::json(nullptr);
  if (eos_token_ids.size() == 1)
    j["eos_token_id"] = eos_token_ids[0];
  else if (eos_token_ids.empty())
    j["eos_token_id"] = nullptr;
  else
    j["eos_token_id"] = eos_token_ids;
  j["pad_token_id"] = pad_token_id ? nlohmann::json(*pad_token_id) : nlohmann::json(nullptr);
  if (model_type == "qwen2" || model_type == "qwen3") {
    j["use_sliding_window"] = false;
    j["max_window_layers"] = num_hidden_layers;
  }
  return j;
}

namespace {

int64_t required_int(const nlohmann::json& json, const char* key) {
  if (!json.contains(key) || !json[key].is_number_integer())
    fail("config: missing or non-integer field '{}'", key);
  return json[key].get<int64_t>();
}

std::optional<int64_t> optional_int(const nlohmann::json& json, const char* key) {
  if (!json.contains(key) || json[key].is_null()) return std::nullopt;
  if (json[key].is_array()) {
    if (json[key].empty()) return std::nullopt;
    return json[key][0].get<int64_t>();
  }
  return json[key].get<int64_t>();
}

}  // namespace

ModelConfig ModelConfig::from_json(const nlohmann::json& json) {
  ModelConfig c;
  c.model_type = json.value("model_type", std::string("llama"));
  if (c.model_type != "llama" && c.model_type != "qwen2" && c.model_type != "qwen3")
    fail("config: model_type='{}' is not supported; supported are llama, qwen2 and qwen3", c.model_type);
  c.vocab_size = required_int(json, "vocab_size");
  c.hidden_size = required_int(json, "hidden_size");
  c.intermediate_size = required_int(json, "intermediate_size");
  c.num_hidden_layers = required_int(json, "num_hidden_layers");
  c.num_attention_heads = required_int(json, "num_attention_heads");
  c.num_key_value_heads = json.contains("num_key_value_heads") && !json["num_key_value_heads"].is_null()
                              ? json["num_key_value_heads"].get<int64_t>()
                              : c.num_attention_heads;
  if (json.contains("head_dim") && !json["head_dim"].is_null()) c.head_dim = json["head_dim"].get<int64_t>();
  c.max_position_embeddings = json.value("max_position_embeddings", int64_t{2048});
  c.rms_norm_eps = json.value("rms_norm_eps", 1e-6);
  c.rope_theta = json.value("rope_theta", 10000.0);
  c.rope_scaling = json.contains("rope_scaling") ? json["rope_scaling"] : nlohmann::json(nullptr);
  // transformers 5 writes rope_theta and the scaling into one
  // "rope_parameters" object instead of the two keys above.
  if (json.contains("rope_parameters") && json["rope_parameters"].is_object()) {
    const nlohmann::json& rope = json["rope_parameters"];
    c.rope_theta = rope.value("rope_theta", c.rope_theta);
    std::string rope_type = rope.value("rope_type", rope.value("type", std::string("default")));
    c.rope_scaling = rope_type == "default" ? nlohmann::json(nullptr) : rope;
  }
  // Options of these families that this decoder does not implement.
  if (json.value("hidden_act", std::string("silu")) != "silu")
    fail("config: hidden_act='{}' is not supported; only silu (SwiGLU) is implemented",
         json["hidden_act"].get<std::string>());
  if (json.value("mlp_bias", false)) fail("config: mlp_bias=true is not supported; only bias-free MLPs are implemented");
  if (json.value("use_sliding_window", false))
    fail("config: use_sliding_window=true is not supported; only full attention is implemented");
  c.tie_word_embeddings = json.value("tie_word_embeddings", c.model_type != "llama");
  // Qwen2 always puts a bias on q/k/v; Llama and Qwen3 read attention_bias.
  c.attention_bias = c.model_type == "qwen2" ? true : json.value("attention_bias", false);
  c.qk_norm = c.model_type == "qwen3";
  if (json.contains("torch_dtype") && json["torch_dtype"].is_string()) c.torch_dtype = json["torch_dtype"];
  if (json.contains("dtype") && json["dtype"].is_string()) c.torch_dtype = json["dtype"];  // transformers 5 name
  c.bos_token_id = optional_int(json, "bos_token_id");
  if (json.contains("eos_token_id") && !json["eos_token_id"].is_null()) {
    if (json["eos_token_id"].is_array())
      c.eos_token_ids = json["eos_token_id"].get<std::vector<int64_t>>();
    else
      c.eos_token_ids = {json["eos_token_id"].get<int64_t>()};
  }
  c.pad_token_id = optional_int(json, "pad_token_id");
  c.validate();
  return c;
}

}  // namespace r1
