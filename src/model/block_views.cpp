#include "model/block_views.h"

#include "util/error.h"

namespace r1 {

namespace {

std::vector<torch::Tensor> narrow_all(const torch::Tensor& x, int64_t dim, const std::vector<BlockRange>& ranges) {
  std::vector<torch::Tensor> views;
  views.reserve(ranges.size());
  for (const BlockRange& r : ranges) views.push_back(x.narrow(dim, r.start, r.length));
  return views;
}

struct BlockViewsFunction : public torch::autograd::Function<BlockViewsFunction> {
  static torch::autograd::tensor_list forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                                              int64_t dim, const std::vector<BlockRange>& ranges) {
    ctx->saved_data["sizes"] = x.sizes().vec();
    ctx->saved_data["dim"] = dim;
    std::vector<int64_t> flat;
    for (const BlockRange& r : ranges) flat.insert(flat.end(), {r.start, r.length});
    ctx->saved_data["ranges"] = flat;
    // Views, not copies: the attention code only reads them, and writing
    // into one would also change the input.
    return narrow_all(x, dim, ranges);
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto sizes = ctx->saved_data["sizes"].toIntVector();
    const int64_t dim = ctx->saved_data["dim"].toInt();
    const auto flat = ctx->saved_data["ranges"].toIntVector();

    // the slices' gradients, written or added into one tensor
    torch::Tensor grad;
    for (size_t i = 0; i < grads.size(); ++i) {
      if (!grads[i].defined()) continue;
      if (!grad.defined()) grad = torch::zeros(sizes, grads[i].options());
      grad.narrow(dim, flat[2 * i], flat[2 * i + 1]).add_(grads[i]);
    }
    return {grad, torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

std::vector<torch::Tensor> block_views(const torch::Tensor& x, int64_t dim, const std::vector<BlockRange>& ranges) {
  if (dim < 0) dim += x.dim();
  if (dim < 0 || dim >= x.dim()) fail("block_views: dim {} is outside a tensor of {} dimensions", dim, x.dim());
  for (const BlockRange& r : ranges)
    if (r.start < 0 || r.length < 0 || r.start + r.length > x.size(dim))
      fail("block_views: range [{}, {}) is outside dimension {} of size {}", r.start, r.start + r.length, dim,
           x.size(dim));
  if (torch::GradMode::is_enabled() && x.requires_grad()) return BlockViewsFunction::apply(x, dim, ranges);
  return narrow_all(x, dim, ranges);
}

}  // namespace r1
