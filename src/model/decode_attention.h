// Attention of one new query per row over a KV cache, on CPU in float32.
//
// Decoding feeds one token per row. LibTorch's batched matrix product runs
// such [G,D] x [D,S] products one row and head at a time, which cost more than
// all of a small model's other work in a decode step. These loops compute the
// same scores and weighted values over the filled cache slots directly. Keys
// are read from the cache's transposed layout [D,C], so the scores of all
// slots accumulate in one contiguous, vectorised pass per head dimension.
//
// Dimension letters: B batch rows, Hkv key/value heads, G query heads per
// key/value head, D head dimension, C cache capacity, S filled slots (S <= C).
#pragma once

#include <torch/torch.h>

namespace r1 {

// Returns whether decode_attention() handles these tensors: float32 on CPU,
// contiguous, and without autograd.
bool decode_attention_applies(const torch::Tensor& q, const torch::Tensor& keys_t, const torch::Tensor& values,
                              const torch::Tensor& bias);

// Returns softmax(q k^T + bias) v as [B,Hkv,G,D] for q [B,Hkv,G,D] (already
// scaled by 1/sqrt(D)), keys_t [B,Hkv,D,C] and values [B,Hkv,C,D] of which
// the first S slots are used, and bias [B,S] added to the scores (0 or -inf).
// Throws r1::Error naming the shapes when they do not fit together.
torch::Tensor decode_attention(const torch::Tensor& q, const torch::Tensor& keys_t, const torch::Tensor& values,
                               int64_t S, const torch::Tensor& bias);

}  // namespace r1
