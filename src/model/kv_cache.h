// Key/value cache for incremental decoding. All rows of a batch advance
// together: slot s of every row holds the token fed at step s (left padding
// and masking handle prompts of different lengths).
//
// Dimension letters: B batch rows, Hkv key/value heads, S cache capacity
// (slots), D head dimension. Keys are stored transposed, [D,S] per head, so a
// decode step's scores read each head dimension's slots contiguously.
#pragma once

#include <torch/torch.h>

#include <vector>

namespace r1 {

struct KVCache {
  std::vector<torch::Tensor> keys;    // per layer [B, Hkv, D, S]
  std::vector<torch::Tensor> values;  // per layer [B, Hkv, S, D]
  int64_t length = 0;                 // slots filled so far

  int64_t capacity() const { return values.empty() ? 0 : values[0].size(2); }
  int64_t batch_size() const { return keys.empty() ? 0 : keys[0].size(0); }

  // Allocates zeroed storage for n_layer layers.
  static KVCache allocate(int64_t n_layer, int64_t batch, int64_t n_kv_head, int64_t capacity, int64_t head_dim,
                          torch::TensorOptions options);

  // Keeps only the given rows (a [B'] int64 index tensor), so finished
  // sequences stop costing compute.
  void select_rows(const torch::Tensor& rows);

  // Repeats every row `times` times in place (row r becomes rows
  // r*times .. r*times+times-1), so G completions share one prompt prefill.
  void repeat_rows(int64_t times);
};

}  // namespace r1
