#include "model/kv_cache.h"

namespace r1 {

KVCache KVCache::allocate(int64_t n_layer, int64_t batch, int64_t n_kv_head, int64_t capacity, int64_t head_dim,
                          torch::TensorOptions options) {
  KVCache cache;
  cache.keys.reserve(n_layer);
  cache.values.reserve(n_layer);
  for (int64_t layer = 0; layer < n_layer; ++layer) {
    cache.keys.push_back(torch::zeros({batch, n_kv_head, head_dim, capacity}, options));
    cache.values.push_back(torch::zeros({batch, n_kv_head, capacity, head_dim}, options));
  }
  return cache;
}

void KVCache::select_rows(const torch::Tensor& rows) {
  for (size_t layer = 0; layer < keys.size(); ++layer) {
    keys[layer] = keys[layer].index_select(0, rows);
    values[layer] = values[layer].index_select(0, rows);
  }
}

void KVCache::repeat_rows(int64_t times) {
  if (times == 1) return;
  for (size_t layer = 0; layer < keys.size(); ++layer) {
    keys[layer] = keys[layer].repeat_interleave(times, 0);
    values[layer] = values[layer].repeat_interleave(times, 0);
  }
}

}  // namespace r1
