#include "model/rms_norm.h"

#include <cmath>
#include <cstring>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "model/cpu_vector.h"
#include "util/error.h"

namespace r1 {

namespace {

// Rows per chunk of the backward pass. Each chunk sums its own share of the
// weight gradient, so the result does not depend on the thread count.
constexpr int64_t kRowsPerChunk = 256;

// Returns the sum of a[i] * b[i] over n floats, in 16 lanes.
R1_INLINE float dot(const float* a, const float* b, int64_t n) {
  Vec16 acc = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    Vec16 va, vb;
    load(va, a + i);
    load(vb, b + i);
    acc += va * vb;
  }
  float sum = 0;
  for (int64_t j = 0; j < kLanes; ++j) sum += acc[j];
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

// Computes y = weight * x * rstd for rows [0, rows) of C floats and keeps
// rstd[r] for the backward pass.
R1_CPU_CLONES void forward_rows(const float* x, const float* weight, float* y, float* rstd, int64_t rows, int64_t C,
                                float eps) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * C;
    float* yr = y + r * C;
    const float scale = 1.0f / std::sqrt(dot(xr, xr, C) / static_cast<float>(C) + eps);
    rstd[r] = scale;
    for (int64_t c = 0; c < C; ++c) yr[c] = weight[c] * (xr[c] * scale);
  }
}

// With g = dy * weight and n = x * rstd:
//   dx = rstd * (g - n * mean(g * n)) and d weight += dy * n,
// for rows [0, rows). `work` is scratch space of C floats.
R1_CPU_CLONES void backward_rows(const float* x, const float* weight, const float* rstd, const float* dy, float* dx,
                                 float* dweight, float* work, int64_t rows, int64_t C) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * C;
    const float* dyr = dy + r * C;
    float* dxr = dx + r * C;
    const float scale = rstd[r];
    for (int64_t c = 0; c < C; ++c) work[c] = dyr[c] * weight[c];
    const float mean_gx = dot(work, xr, C) * scale / static_cast<float>(C);
    for (int64_t c = 0; c < C; ++c) {
      const float n = xr[c] * scale;
      dxr[c] = scale * (work[c] - n * mean_gx);
      dweight[c] += dyr[c] * n;
    }
  }
}

// Returns y for contiguous float32 x [rows, C] and weight [C], and sets
// *rstd to the rows' scales [rows].
torch::Tensor fused_forward(const torch::Tensor& x, const torch::Tensor& weight, double eps, torch::Tensor* rstd) {
  const int64_t C = x.size(-1), rows = x.numel() / std::max<int64_t>(C, 1);
  auto y = torch::empty_like(x);
  *rstd = torch::empty({rows}, x.options());
  const float* xp = x.data_ptr<float>();
  const float* wp = weight.data_ptr<float>();
  float* yp = y.data_ptr<float>();
  float* sp = rstd->data_ptr<float>();
  at::parallel_for(0, rows, 64, [&](int64_t begin, int64_t end) {
    forward_rows(xp + begin * C, wp, yp + begin * C, sp + begin, end - begin, C, static_cast<float>(eps));
  });
  return y;
}

struct RMSNormFunction : public torch::autograd::Function<RMSNormFunction> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                               const torch::Tensor& weight, double eps) {
    torch::Tensor rstd;
    auto y = fused_forward(x, weight, eps, &rstd);
    ctx->save_for_backward({x, weight, rstd});
    return y;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    auto saved = ctx->get_saved_variables();
    const torch::Tensor& x = saved[0];
    const torch::Tensor& weight = saved[1];
    const torch::Tensor& rstd = saved[2];
    auto dy = grads[0].to(torch::kFloat32).contiguous();
    const int64_t C = x.size(-1), rows = x.numel() / std::max<int64_t>(C, 1);
    const int64_t chunks = std::max<int64_t>(1, (rows + kRowsPerChunk - 1) / kRowsPerChunk);

    auto dx = torch::empty_like(x);
    auto dweight_parts = torch::zeros({chunks, C}, x.options());
    auto work = torch::empty({chunks, C}, x.options());
    const float *xp = x.data_ptr<float>(), *wp = weight.data_ptr<float>(), *sp = rstd.data_ptr<float>();
    const float* dyp = dy.data_ptr<float>();
    float *dxp = dx.data_ptr<float>(), *dwp = dweight_parts.data_ptr<float>(), *wkp = work.data_ptr<float>();
    at::parallel_for(0, chunks, 1, [&](int64_t begin, int64_t end) {
      for (int64_t k = begin; k < end; ++k) {
        const int64_t r0 = k * kRowsPerChunk, n = std::min(kRowsPerChunk, rows - r0);
        backward_rows(xp + r0 * C, wp, sp + r0, dyp + r0 * C, dxp + r0 * C, dwp + k * C, wkp + k * C, n, C);
      }
    });
    return {dx, dweight_parts.sum(0), torch::Tensor()};
  }
};

}  // namespace

bool rms_norm_fused_applies(const torch::Tensor& x, const torch::Tensor& weight) {
  return x.device().is_cpu() && weight.device().is_cpu() && x.scalar_type() == torch::kFloat32 &&
         weight.scalar_type() == torch::kFloat32 && weight.dim() == 1 && x.dim() >= 1 &&
         x.size(-1) == weight.size(0);
}

torch::Tensor rms_norm(const torch::Tensor& x, const torch::Tensor& weight, double eps) {
  if (x.dim() < 1 || weight.dim() != 1 || x.size(-1) != weight.size(0))
    fail("rms_norm: input of shape {} does not end in the weight's size {}; check hidden_size and head_dim",
         x.sizes(), weight.sizes());
  if (!rms_norm_fused_applies(x, weight)) {
    // normalise in at least float32 and cast back before the scale (float64
    // stays float64)
    auto x32 = x.to(torch::promote_types(x.scalar_type(), torch::kFloat32));
    auto variance = x32.pow(2).mean(-1, /*keepdim=*/true);
    auto normalized = (x32 * torch::rsqrt(variance + eps)).to(x.scalar_type());
    return weight * normalized;
  }
  auto xc = x.contiguous(), wc = weight.contiguous();
  if (torch::GradMode::is_enabled() && (xc.requires_grad() || wc.requires_grad()))
    return RMSNormFunction::apply(xc, wc, eps);
  torch::Tensor rstd;
  return fused_forward(xc, wc, eps, &rstd);
}

}  // namespace r1
