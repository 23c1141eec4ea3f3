#include "model/transformer.h"

#include <cmath>

#include "model/block_views.h"
#include "model/decode_attention.h"
#include "model/masked_softmax.h"
#include "model/rms_norm.h"
#include "model/swiglu.h"
#include "runtime/precision.h"
#include "util/error.h"

namespace r1 {

// ---------------------------------------------------------------------------
// RMSNorm

RMSNormImpl::RMSNormImpl(int64_t dim, double eps) : eps(eps) {
  weight = register_parameter("weight", torch::ones({dim}));
}

torch::Tensor RMSNormImpl::forward(const torch::Tensor& x) { return rms_norm(x, weight, eps); }

// ---------------------------------------------------------------------------
// Rotary position embedding

torch::Tensor rope_inverse_frequencies(const ModelConfig& config) {
  const int64_t head_dim = config.resolved_head_dim();
  auto exponents = torch::arange(0, head_dim, 2, torch::kFloat64) / static_cast<double>(head_dim);
  auto inv_freq = 1.0 / torch::pow(config.rope_theta, exponents);

  const nlohmann::json& scaling = config.rope_scaling;
  if (scaling.is_null()) return inv_freq.to(torch::kFloat32);
  std::string type = scaling.value("rope_type", scaling.value("type", std::string("default")));
  if (type == "default") return inv_freq.to(torch::kFloat32);
  if (type == "linear") {
    double factor = scaling.value("factor", 1.0);
    return (inv_freq / factor).to(torch::kFloat32);
  }
  if (type == "llama3") {
    // Llama 3.1: long wavelengths are divided by `factor`, short ones kept,
    // and the band between low_freq_factor and high_freq_factor is blended.
    double factor = scaling.value("factor", 8.0);
    double low_freq_factor = scaling.value("low_freq_factor", 1.0);
    double high_freq_factor = scaling.value("high_freq_factor", 4.0);
    double old_context = scaling.value("original_max_position_embeddings", 8192.0);
    double low_freq_wavelen = old_context / low_freq_factor;
    double high_freq_wavelen = old_context / high_freq_factor;

    auto wavelen = 2.0 * M_PI / inv_freq;
    auto scaled = torch::where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq);
    auto smooth = (old_context / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor);
    auto smoothed = (1.0 - smooth) * scaled / factor + smooth * scaled;
    auto is_medium = (wavelen >= high_freq_wavelen).logical_and(wavelen <= low_freq_wavelen);
    return torch::where(is_medium, smoothed, scaled).to(torch::kFloat32);
  }
  fail("config: rope_scaling type '{}' is not supported; supported are default, linear and llama3", type);
}

namespace {

// Queries per attention block on passes without a cache (see AttentionMask).
// On the demo's pretraining rows (512 tokens), 128 ran faster than 32, 64
// and 256: larger blocks compute more masked scores, smaller ones run more
// and smaller operations.
constexpr int64_t kQueryBlock = 128;

// Rotating the halves, (x1, x2) -> (-x2, x1), equals roll(x, D/2) with the
// first half negated. So RoPE is x * cos + roll(x, D/2) * signed_sin, where
// signed_sin = (-s1, s2). One roll costs less than two slices, a negation and
// a concatenation, forward and backward.
torch::Tensor signed_sin(const torch::Tensor& sin) {
  const int64_t half = sin.size(-1) / 2;
  return torch::cat({-sin.narrow(-1, 0, half), sin.narrow(-1, half, half)}, -1);
}

// x [B,H,T,D], cos and signed_sin [B,1,T,D]
torch::Tensor apply_rope(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin_signed) {
  return x * cos + x.roll(x.size(-1) / 2, -1) * sin_signed;
}

torch::nn::Linear make_linear(int64_t in, int64_t out, bool bias) {
  return torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(bias));
}

}  // namespace

// ---------------------------------------------------------------------------
// Attention

AttentionImpl::AttentionImpl(const ModelConfig& config)
    : n_head(config.num_attention_heads),
      n_kv_head(config.num_key_value_heads),
      head_dim(config.resolved_head_dim()) {
  const int64_t d = config.hidden_size;
  // Qwen2 puts a bias on q/k/v only; Llama and Qwen3 use attention_bias for
  // all four projections.
  const bool output_bias = config.attention_bias && config.model_type != "qwen2";
  q_proj = register_module("q_proj", make_linear(d, n_head * head_dim, config.attention_bias));
  k_proj = register_module("k_proj", make_linear(d, n_kv_head * head_dim, config.attention_bias));
  v_proj = register_module("v_proj", make_linear(d, n_kv_head * head_dim, config.attention_bias));
  o_proj = register_module("o_proj", make_linear(n_head * head_dim, d, output_bias));
  if (config.qk_norm) {
    q_norm = register_module("q_norm", RMSNorm(head_dim, config.rms_norm_eps));
    k_norm = register_module("k_norm", RMSNorm(head_dim, config.rms_norm_eps));
  }
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                                     const AttentionMask& mask, KVCache* cache, int64_t layer) {
  const int64_t B = x.size(0), T = x.size(1);
  const int64_t group = n_head / n_kv_head;

  // projections, split into heads: q [B,H,T,D], k/v [B,Hkv,T,D]
  auto q = q_proj(x).view({B, T, n_head, head_dim});
  auto k = k_proj(x).view({B, T, n_kv_head, head_dim});
  auto v = v_proj(x).view({B, T, n_kv_head, head_dim}).transpose(1, 2);
  if (!q_norm.is_empty()) {
    q = q_norm(q);
    k = k_norm(k);
  }
  q = q.transpose(1, 2);
  k = k.transpose(1, 2);

  // rotary position embedding (sin comes with its first half negated)
  q = apply_rope(q, cos, sin);
  k = apply_rope(k, cos, sin);

  // Append to the cache and attend over every filled slot: keys_t
  // [B,Hkv,D,S], values [B,Hkv,S,D]. Without a cache, k and v are made
  // contiguous as [B,Hkv,T,D] once, so that the key-slot slices of every
  // query block fold B and Hkv into one batch dimension without a copy.
  torch::Tensor keys_t, values;
  if (cache == nullptr) {
    keys_t = k.contiguous().transpose(-2, -1);
    values = v.contiguous();
  } else {
    const int64_t start = cache->length;
    cache->keys[layer].narrow(3, start, T).copy_(k.transpose(-2, -1));
    cache->values[layer].narrow(2, start, T).copy_(v);
    keys_t = cache->keys[layer].narrow(3, 0, start + T);
    values = cache->values[layer].narrow(2, 0, start + T);
  }
  const int64_t S = values.size(2);

  // grouped-query attention without repeating k/v, one query block at a
  // time: q as [B,Hkv,G,T,D]. The 1/sqrt(D) scale goes on q, which is S/D
  // times smaller than the scores: each pass over [.., T, S] costs as much as
  // a small model's matrix products.
  auto q5 = q.view({B, n_kv_head, group, T, head_dim}) * (1.0 / std::sqrt(static_cast<double>(head_dim)));

  // a decode step on CPU: the loops of decode_attention.h in place of the
  // batched products
  if (cache != nullptr && T == 1) {
    auto bias = mask.bias.view({B, S});
    auto q4 = q5.view({B, n_kv_head, group, head_dim});
    if (decode_attention_applies(q4, cache->keys[layer], cache->values[layer], bias)) {
      auto out = decode_attention(q4, cache->keys[layer], cache->values[layer], S, bias);  // [B,Hkv,G,D]
      return o_proj(out.view({B, 1, n_head * head_dim}));
    }
  }

  // query blocks and the key slots each may see, sliced with one backward
  // pass per tensor (block_views.h)
  const int64_t block = mask.query_block > 0 ? mask.query_block : T;
  std::vector<BlockRange> query_ranges, key_ranges;
  for (int64_t q0 = 0, i = 0; q0 < T; q0 += block, ++i) {
    const int64_t rows = std::min(block, T - q0);
    const int64_t k0 = mask.query_block > 0 ? mask.key_start[static_cast<size_t>(i)] : 0;
    const int64_t k1 = mask.query_block > 0 ? q0 + rows : S;
    query_ranges.push_back({q0, rows});
    key_ranges.push_back({k0, k1 - k0});
  }
  auto q_blocks = block_views(q5, 3, query_ranges);
  auto k_blocks = block_views(keys_t, 3, key_ranges);
  auto v_blocks = block_views(values, 2, key_ranges);

  std::vector<torch::Tensor> outputs;
  for (size_t i = 0; i < query_ranges.size(); ++i) {
    const auto [q0, rows] = query_ranges[i];
    const auto [k0, keys] = key_ranges[i];
    auto q_block = q_blocks[i].reshape({B, n_kv_head, group * rows, head_dim});
    auto scores = torch::matmul(q_block, k_blocks[i]);  // [B,Hkv,G*t,s]
    auto probs = masked_softmax(scores.view({B, n_kv_head, group, rows, keys}),
                                mask.bias.narrow(3, q0, rows).narrow(4, k0, keys));
    auto out = torch::matmul(probs.view({B, n_kv_head, group * rows, keys}), v_blocks[i]);
    outputs.push_back(out.view({B, n_kv_head, group, rows, head_dim}));
  }
  auto out = outputs.size() == 1 ? outputs[0] : torch::cat(outputs, 3);  // [B,Hkv,G,T,D]

  // merge heads: [B,H,T,D] -> [B,T,H*D]
  out = out.view({B, n_head, T, head_dim}).transpose(1, 2).reshape({B, T, n_head * head_dim});
  return o_proj(out);
}

// ---------------------------------------------------------------------------
// MLP and block

MLPImpl::MLPImpl(const ModelConfig& config) {
  gate_proj = register_module("gate_proj", make_linear(config.hidden_size, config.intermediate_size, false));
  up_proj = register_module("up_proj", make_linear(config.hidden_size, config.intermediate_size, false));
  down_proj = register_module("down_proj", make_linear(config.intermediate_size, config.hidden_size, false));
}

torch::Tensor MLPImpl::forward(const torch::Tensor& x) {
  return down_proj(swiglu(gate_proj(x), up_proj(x)));
}

DecoderLayerImpl::DecoderLayerImpl(const ModelConfig& config) {
  input_layernorm = register_module("input_layernorm", RMSNorm(config.hidden_size, config.rms_norm_eps));
  self_attn = register_module("self_attn", Attention(config));
  post_attention_layernorm =
      register_module("post_attention_layernorm", RMSNorm(config.hidden_size, config.rms_norm_eps));
  mlp = register_module("mlp", MLP(config));
}

torch::Tensor DecoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                                        const AttentionMask& mask, KVCache* cache, int64_t layer) {
  auto h = x + self_attn(input_layernorm(x), cos, sin, mask, cache, layer);
  return h + mlp(post_attention_layernorm(h));
}

DecoderStackImpl::DecoderStackImpl(const ModelConfig& config) {
  embed_tokens = register_module("embed_tokens", torch::nn::Embedding(config.vocab_size, config.hidden_size));
  layers = register_module("layers", torch::nn::ModuleList());
  for (int64_t i = 0; i < config.num_hidden_layers; ++i) layers->push_back(DecoderLayer(config));
  norm = register_module("norm", RMSNorm(config.hidden_size, config.rms_norm_eps));
}

// ---------------------------------------------------------------------------
// Transformer

TransformerImpl::TransformerImpl(const ModelConfig& config) : config_(config) {
  config_.validate();
  model = register_module("model", DecoderStack(config_));
  if (!config_.tie_word_embeddings)
    lm_head = register_module("lm_head", make_linear(config_.hidden_size, config_.vocab_size, false));
  inv_freq_ = register_buffer("inv_freq", rope_inverse_frequencies(config_));
}

torch::Tensor TransformerImpl::hidden_states(const torch::Tensor& tokens, const torch::Tensor& positions,
                                             const torch::Tensor& key_mask, KVCache* cache) {
  const int64_t B = tokens.size(0), T = tokens.size(1);
  const int64_t past = cache != nullptr ? cache->length : 0;
  const int64_t S = past + T;
  if (key_mask.size(0) != B || key_mask.size(1) != S)
    fail("transformer: key_mask has shape [{}, {}] but the batch needs [{}, {}] (cached {} + new {})",
         key_mask.size(0), key_mask.size(1), B, S, past, T);
  if (cache != nullptr && S > cache->capacity())
    fail("transformer: {} slots needed but the KV cache holds {}; allocate a larger cache", S, cache->capacity());
  const torch::Dtype dtype = this->dtype();
  const auto device = tokens.device();

  // rotary tables for these positions: [B,1,T,D]. Module::to(dtype) also
  // converts buffers, so a rounded inv_freq_ is recomputed in float32.
  auto inv_freq = inv_freq_.scalar_type() == torch::kFloat32
                      ? inv_freq_
                      : rope_inverse_frequencies(config_).to(inv_freq_.device());
  auto freqs = positions.to(torch::kFloat32).unsqueeze(-1) * inv_freq.view({1, 1, -1});  // [B,T,D/2]
  auto angles = torch::cat({freqs, freqs}, -1).unsqueeze(1);
  auto cos = angles.cos().to(dtype);
  auto sin = signed_sin(angles.sin()).to(dtype);

  // additive mask [B,1,1,T,S] in the dtype of the scores: causal over
  // absolute slots, padding keys and other documents' keys hidden, and each
  // query always attends to its own slot so no row is empty
  auto key_slots = torch::arange(S, torch::TensorOptions().dtype(torch::kLong).device(device));
  auto query_slots = key_slots.narrow(0, past, T);
  auto causal = key_slots.view({1, S}) <= query_slots.view({T, 1});  // [T,S]
  auto self = key_slots.view({1, S}) == query_slots.view({T, 1});
  auto key_documents = key_mask.to(torch::kLong);                                          // [B,S]
  auto query_documents = key_documents.narrow(1, past, T);                                 // [B,T]
  auto same_document = key_documents.unsqueeze(1) == query_documents.unsqueeze(2);         // [B,T,S]
  auto visible = same_document.logical_and(key_documents.ne(0).unsqueeze(1));              // [B,T,S]
  auto allowed = causal.unsqueeze(0).logical_and(visible).logical_or(self);
  auto bias = torch::zeros({B, T, S}, torch::TensorOptions().dtype(product_dtype(device, dtype)).device(device))
                  .masked_fill(allowed.logical_not(), -std::numeric_limits<float>::infinity())
                  .view({B, 1, 1, T, S});
  AttentionMask mask;
  mask.bias = bias;

  // query blocks for passes without a cache: each block starts at the first
  // key slot that any of its queries may see
  if (cache == nullptr && T > kQueryBlock) {
    mask.query_block = kQueryBlock;
    auto first_key = allowed.to(torch::kByte).argmax(-1).amin(0).to(torch::kCPU);  // [T]
    auto first = first_key.accessor<int64_t, 1>();
    for (int64_t q0 = 0; q0 < T; q0 += kQueryBlock) {
      int64_t start = q0;
      for (int64_t q = q0; q < std::min(T, q0 + kQueryBlock); ++q) start = std::min(start, first[q]);
      mask.key_start.push_back(start);
    }
  }

  // embeddings, blocks, final norm
  auto x = model->embed_tokens(tokens);
  for (size_t i = 0; i < model->layers->size(); ++i)
    x = model->layers[i]->as<DecoderLayer>()->forward(x, cos, sin, mask, cache, static_cast<int64_t>(i));
  x = model->norm(x);

  if (cache != nullptr) cache->length += T;
  return x;
}

torch::Tensor TransformerImpl::logits(const torch::Tensor& hidden) {
  if (config_.tie_word_embeddings) return torch::matmul(hidden, model->embed_tokens->weight.t());
  return lm_head(hidden);
}

torch::Tensor TransformerImpl::forward(const torch::Tensor& tokens, const torch::Tensor& positions,
                                       const torch::Tensor& key_mask, KVCache* cache) {
  return logits(hidden_states(tokens, positions, key_mask, cache));
}

KVCache TransformerImpl::make_cache(int64_t batch, int64_t capacity) const {
  return KVCache::allocate(config_.num_hidden_layers, batch, config_.num_key_value_heads, capacity,
                           config_.resolved_head_dim(),
                           torch::TensorOptions().dtype(dtype()).device(device()));
}

void TransformerImpl::init_weights(uint64_t seed) {
  torch::NoGradGuard no_grad;
  auto generator = at::detail::createCPUGenerator(seed);
  const double std = 0.02;
  const double residual_std = std / std::sqrt(2.0 * static_cast<double>(config_.num_hidden_layers));
  for (auto& item : named_parameters()) {
    const std::string& name = item.key();
    torch::Tensor& p = item.value();
    auto ends_with = [&](const std::string& suffix) {
      return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (ends_with("norm.weight")) {
      p.fill_(1.0);
    } else if (ends_with(".bias")) {
      p.zero_();
    } else {
      double scale = (ends_with("o_proj.weight") || ends_with("down_proj.weight")) ? residual_std : std;
      auto values = at::normal(0.0, scale, p.sizes(), generator, torch::TensorOptions().dtype(torch::kFloat32));
      p.copy_(values);
    }
  }
}

torch::Device TransformerImpl::device() const { return model->embed_tokens->weight.device(); }

torch::Dtype TransformerImpl::dtype() const { return model->embed_tokens->weight.scalar_type(); }

torch::Tensor positions_from_mask(const torch::Tensor& key_mask) {
  return (key_mask.to(torch::kLong).cumsum(1) - 1).clamp_min(0);
}

}  // namespace r1
