// A Llama/Qwen2/Qwen3-family decoder-only transformer: token embedding, a
// stack of pre-norm blocks (RMSNorm, grouped-query attention with rotary
// position embeddings, RMSNorm, SwiGLU MLP), a final RMSNorm and the LM head.
// Parameter names equal Hugging Face's (model.layers.0.self_attn.q_proj.weight,
// ...), so checkpoints map one to one.
//
// Dimension letters: B batch, T time (new tokens), S key slots (cached plus
// new), C hidden_size, H attention heads, Hkv key/value heads, D head_dim,
// F intermediate_size, V vocab_size.
#pragma once

#include <torch/torch.h>

#include "model/config.h"
#include "model/kv_cache.h"

namespace r1 {

class RMSNormImpl : public torch::nn::Module {
 public:
  RMSNormImpl(int64_t dim, double eps);
  torch::Tensor forward(const torch::Tensor& x);  // [..., dim] -> [..., dim]

  torch::Tensor weight;  // [dim]
  double eps;
};
TORCH_MODULE(RMSNorm);

// Inverse frequencies of the rotary embedding, [D/2] float32, with the
// config's rope_scaling applied ("linear" and "llama3" are supported).
torch::Tensor rope_inverse_frequencies(const ModelConfig& config);

// What each query may attend to. `bias` is the additive mask. On a pass
// without a cache, the queries are also split into blocks of `query_block`
// (0: one block), and block i attends only to key slots key_start[i] up to
// its last query. Keys before key_start[i] are padding or other documents
// for every query of the block, so packed rows of short documents compute
// a fraction of the full [T,T] scores.
struct AttentionMask {
  torch::Tensor bias;  // [B,1,1,T,S] in the dtype of the scores
  int64_t query_block = 0;
  std::vector<int64_t> key_start;  // one per block
};

class AttentionImpl : public torch::nn::Module {
 public:
  explicit AttentionImpl(const ModelConfig& config);

  // x [B,T,C], cos and sin [B,1,T,D], with sin's first half negated (see
  // apply_rope in transformer.cpp). With a cache, this step's keys and
  // values are written at slots cache.length .. cache.length+T-1 of layer
  // `layer`.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                        const AttentionMask& mask, KVCache* cache, int64_t layer);

  torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, o_proj{nullptr};
  RMSNorm q_norm{nullptr}, k_norm{nullptr};  // Qwen3 only, over D
  int64_t n_head, n_kv_head, head_dim;
};
TORCH_MODULE(Attention);

class MLPImpl : public torch::nn::Module {
 public:
  explicit MLPImpl(const ModelConfig& config);
  torch::Tensor forward(const torch::Tensor& x);  // [B,T,C] -> [B,T,C]

  torch::nn::Linear gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};
};
TORCH_MODULE(MLP);

class DecoderLayerImpl : public torch::nn::Module {
 public:
  explicit DecoderLayerImpl(const ModelConfig& config);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                        const AttentionMask& mask, KVCache* cache, int64_t layer);

  RMSNorm input_layernorm{nullptr}, post_attention_layernorm{nullptr};
  Attention self_attn{nullptr};
  MLP mlp{nullptr};
};
TORCH_MODULE(DecoderLayer);

// The "model." part of a Hugging Face checkpoint: embeddings, blocks, norm.
class DecoderStackImpl : public torch::nn::Module {
 public:
  explicit DecoderStackImpl(const ModelConfig& config);

  torch::nn::Embedding embed_tokens{nullptr};
  torch::nn::ModuleList layers{nullptr};
  RMSNorm norm{nullptr};
};
TORCH_MODULE(DecoderStack);

class TransformerImpl : public torch::nn::Module {
 public:
  explicit TransformerImpl(const ModelConfig& config);

  // tokens [B,T] int64, positions [B,T] int64, key_mask [B,S] (S =
  // cache->length + T with a cache, else T): 0 on padding and nonzero on real
  // tokens. Rows that pack several documents number them 1, 2, ... in
  // key_mask, and a query then attends only to the keys of its own document.
  // Returns the final hidden states [B,T,C] and advances cache->length by T.
  torch::Tensor hidden_states(const torch::Tensor& tokens, const torch::Tensor& positions,
                              const torch::Tensor& key_mask, KVCache* cache = nullptr);

  // Same inputs; returns logits [B,T,V].
  torch::Tensor forward(const torch::Tensor& tokens, const torch::Tensor& positions,
                        const torch::Tensor& key_mask, KVCache* cache = nullptr);

  // LM head applied to hidden states [..., C] -> [..., V].
  torch::Tensor logits(const torch::Tensor& hidden);

  // An empty cache sized for this model.
  KVCache make_cache(int64_t batch, int64_t capacity) const;

  // Normal(0, 0.02) weights, zero biases, unit norms, residual output
  // projections scaled by 1/sqrt(2 * n_layer): for training from scratch.
  void init_weights(uint64_t seed);

  const ModelConfig& config() const { return config_; }
  torch::Device device() const;
  torch::Dtype dtype() const;

  DecoderStack model{nullptr};
  torch::nn::Linear lm_head{nullptr};  // absent when tie_word_embeddings

 private:
  ModelConfig config_;
  torch::Tensor inv_freq_;  // [D/2] float32 buffer
};
TORCH_MODULE(Transformer);

// Positions for a batch whose key_mask [B,T] marks real tokens (left or right
// padding): the count of real tokens before each slot, [B,T] int64.
torch::Tensor positions_from_mask(const torch::Tensor& key_mask);

}  // namespace r1
