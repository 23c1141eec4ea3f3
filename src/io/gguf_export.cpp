#include "io/gguf_export.h"

#include <cmath>
#include <regex>

#include "formats/gguf.h"
#include "formats/gguf_vocab.h"
#include "util/error.h"

namespace r1 {

namespace {

// llama.cpp's general.file_type values (enum llama_ftype).
constexpr uint32_t kFileTypeAllF32 = 0;
constexpr uint32_t kFileTypeMostlyF16 = 1;
constexpr uint32_t kFileTypeMostlyBF16 = 32;

gguf::TensorType gguf_type(torch::Dtype dtype) {
  if (dtype == torch::kFloat32) return gguf::TensorType::kF32;
  if (dtype == torch::kFloat16) return gguf::TensorType::kF16;
  if (dtype == torch::kBFloat16) return gguf::TensorType::kBF16;
  fail("GGUF export: dtype {} is not supported; use f32, f16 or bf16", c10::toString(dtype));
}

uint32_t file_type(torch::Dtype dtype) {
  if (dtype == torch::kFloat16) return kFileTypeMostlyF16;
  if (dtype == torch::kBFloat16) return kFileTypeMostlyBF16;
  return kFileTypeAllF32;
}

// Raw bytes of a contiguous CPU tensor.
std::string tensor_bytes(const torch::Tensor& tensor) {
  torch::Tensor cpu = tensor.detach().to(torch::kCPU).contiguous();
  return std::string(static_cast<const char*>(cpu.data_ptr()), cpu.numel() * cpu.element_size());
}

// Llama 3 rope scaling as llama.cpp applies it: a rope_freqs tensor [D/2]
// whose factors divide each inverse frequency. inv_freq / factor equals
// rope_inverse_frequencies() of the llama3 rope_type, which a test checks.
std::vector<float> llama3_rope_factors(const ModelConfig& config) {
  const nlohmann::json& scaling = config.rope_scaling;
  const double factor = scaling.value("factor", 8.0);
  const double low_freq_factor = scaling.value("low_freq_factor", 1.0);
  const double high_freq_factor = scaling.value("high_freq_factor", 4.0);
  const double old_context = scaling.value("original_max_position_embeddings", 8192.0);
  const double low_freq_wavelen = old_context / low_freq_factor;
  const double high_freq_wavelen = old_context / high_freq_factor;
  const int64_t head_dim = config.resolved_head_dim();

  std::vector<float> factors;
  for (int64_t i = 0; i < head_dim; i += 2) {
    double inv_freq = 1.0 / std::pow(config.rope_theta, static_cast<double>(i) / static_cast<double>(head_dim));
    double wavelen = 2.0 * M_PI / inv_freq;
    if (wavelen < high_freq_wavelen) {
      factors.push_back(1.0f);
    } else if (wavelen > low_freq_wavelen) {
      factors.push_back(static_cast<float>(factor));
    } else {
      double smooth = (old_context / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor);
      factors.push_back(static_cast<float>(1.0 / ((1.0 - smooth) / factor + smooth)));
    }
  }
  return factors;
}

std::string rope_type(const ModelConfig& config) {
  if (config.rope_scaling.is_null()) return "default";
  return config.rope_scaling.value("rope_type", config.rope_scaling.value("type", std::string("default")));
}

// The {arch}.* hyperparameter keys.
void add_architecture_metadata(gguf::GgufWriter& writer, const ModelConfig& config) {
  const std::string& arch = config.model_type;
  const auto head_dim = static_cast<uint32_t>(config.resolved_head_dim());
  writer.set_uint32(arch + ".context_length", static_cast<uint32_t>(config.max_position_embeddings));
  writer.set_uint32(arch + ".embedding_length", static_cast<uint32_t>(config.hidden_size));
  writer.set_uint32(arch + ".block_count", static_cast<uint32_t>(config.num_hidden_layers));
  writer.set_uint32(arch + ".feed_forward_length", static_cast<uint32_t>(config.intermediate_size));
  writer.set_uint32(arch + ".attention.head_count", static_cast<uint32_t>(config.num_attention_heads));
  writer.set_uint32(arch + ".attention.head_count_kv", static_cast<uint32_t>(config.num_key_value_heads));
  writer.set_uint32(arch + ".attention.key_length", head_dim);
  writer.set_uint32(arch + ".attention.value_length", head_dim);
  writer.set_float32(arch + ".attention.layer_norm_rms_epsilon", static_cast<float>(config.rms_norm_eps));
  writer.set_float32(arch + ".rope.freq_base", static_cast<float>(config.rope_theta));
  writer.set_uint32(arch + ".rope.dimension_count", head_dim);
  writer.set_uint32(arch + ".vocab_size", static_cast<uint32_t>(config.vocab_size));

  const std::string type = rope_type(config);
  if (type == "linear") {
    writer.set_string(arch + ".rope.scaling.type", "linear");
    writer.set_float32(arch + ".rope.scaling.factor", config.rope_scaling.value("factor", 1.0f));
  } else if (type != "default" && type != "llama3") {
    fail("GGUF export: rope_scaling type '{}' has no GGUF mapping here; supported are default, linear and llama3",
         type);
  }
}

}  // namespace

std::string gguf_tensor_name(const std::string& hf_name) {
  static const std::pair<std::string, std::string> fixed[] = {
      {"model.embed_tokens.weight", "token_embd.weight"},
      {"model.norm.weight", "output_norm.weight"},
      {"lm_head.weight", "output.weight"},
  };
  for (const auto& [from, to] : fixed)
    if (hf_name == from) return to;

  static const std::regex layer(R"(model\.layers\.(\d+)\.(.+)\.(weight|bias))");
  static const std::pair<std::string, std::string> parts[] = {
      {"input_layernorm", "attn_norm"},     {"post_attention_layernorm", "ffn_norm"},
      {"self_attn.q_proj", "attn_q"},       {"self_attn.k_proj", "attn_k"},
      {"self_attn.v_proj", "attn_v"},       {"self_attn.o_proj", "attn_output"},
      {"self_attn.q_norm", "attn_q_norm"},  {"self_attn.k_norm", "attn_k_norm"},
      {"mlp.gate_proj", "ffn_gate"},        {"mlp.up_proj", "ffn_up"},
      {"mlp.down_proj", "ffn_down"},
  };
  std::smatch match;
  if (std::regex_match(hf_name, match, layer)) {
    for (const auto& [from, to] : parts)
      if (match[2] == from) return "blk." + match[1].str() + "." + to + "." + match[3].str();
  }
  fail("GGUF export: parameter '{}' has no GGUF tensor name", hf_name);
}

torch::Tensor permute_for_llama_rope(const torch::Tensor& weight, int64_t n_head) {
  // rows of each head: [first halves..., second halves...] -> [pairs (i, i + D/2)...]
  auto shape = weight.sizes().vec();
  std::vector<int64_t> split = {n_head, 2, weight.size(0) / n_head / 2};
  split.insert(split.end(), shape.begin() + 1, shape.end());
  return weight.reshape(split).transpose(1, 2).reshape(shape);
}

void export_gguf(Transformer& model, const std::filesystem::path& path, const GgufExportOptions& options) {
  const ModelConfig& config = model->config();
  const gguf::TensorType matrix_type = gguf_type(options.dtype);
  gguf::GgufWriter writer;

  // general and architecture metadata
  writer.set_string("general.architecture", config.model_type);
  writer.set_string("general.name", options.name.empty() ? config.model_type : options.name);
  writer.set_uint32("general.file_type", file_type(options.dtype));
  writer.set_uint32("general.quantization_version", 2);
  add_architecture_metadata(writer, config);

  // tokenizer
  gguf::ConfigTokenIds ids{config.bos_token_id, std::nullopt, config.pad_token_id};
  if (!config.eos_token_ids.empty()) ids.eos = config.eos_token_ids[0];
  gguf::add_vocab_metadata(writer, gguf::read_hf_vocab(options.tokenizer_folder, config.vocab_size, ids, options.pre));

  // tensors: matrices in the requested dtype, 1-D tensors in float32.
  // GGUF lists dimensions innermost first, which the writer does, so the
  // row-major bytes of a [out, in] weight are stored unchanged.
  if (rope_type(config) == "llama3") {
    std::vector<float> factors = llama3_rope_factors(config);
    writer.add_tensor("rope_freqs.weight", {static_cast<int64_t>(factors.size())}, gguf::TensorType::kF32,
                      [factors](std::string& out) {
                        out.assign(reinterpret_cast<const char*>(factors.data()), factors.size() * sizeof(float));
                      });
  }
  const bool permute_qk = config.model_type == "llama";
  for (const auto& item : model->named_parameters(/*recurse=*/true)) {
    const std::string& hf_name = item.key();
    torch::Tensor value = item.value();
    const bool is_matrix = value.dim() >= 2;
    const torch::Dtype dtype = is_matrix ? options.dtype : torch::kFloat32;

    // llama.cpp's LLAMA rope rotates adjacent pairs; Qwen uses the NEOX
    // (rotate-half) layout of Hugging Face and needs no reordering.
    if (permute_qk && hf_name.find("self_attn.q_proj.") != std::string::npos)
      value = permute_for_llama_rope(value, config.num_attention_heads);
    if (permute_qk && hf_name.find("self_attn.k_proj.") != std::string::npos)
      value = permute_for_llama_rope(value, config.num_key_value_heads);

    writer.add_tensor(gguf_tensor_name(hf_name), value.sizes().vec(), is_matrix ? matrix_type : gguf::TensorType::kF32,
                      [value, dtype](std::string& out) { out = tensor_bytes(value.to(dtype)); });
  }
  writer.write(path);
}

}  // namespace r1
