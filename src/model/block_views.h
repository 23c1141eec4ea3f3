// Several slices of one tensor along one dimension, with one backward pass.
//
// Attention without a KV cache runs in query blocks, each over the key slots
// its queries may see, so one layer slices q, the keys and the values about
// 3 * T / 128 times. Autograd's backward of each slice allocates a zero tensor
// of the full input's size, copies the slice's gradient into it and adds it
// to the sum: three full passes per slice. block_views() returns the same
// slices, and its backward writes all their gradients into one tensor.
#pragma once

#include <vector>

#include <torch/torch.h>

namespace r1 {

struct BlockRange {
  int64_t start = 0;
  int64_t length = 0;
};

// Returns x.narrow(dim, r.start, r.length) for each range. Ranges may overlap;
// their gradients add up. Throws r1::Error naming a range outside x.
std::vector<torch::Tensor> block_views(const torch::Tensor& x, int64_t dim, const std::vector<BlockRange>& ranges);

}  // namespace r1
