#include "model/masked_softmax.h"

#include <limits>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "model/cpu_vector.h"
#include "util/error.h"

namespace r1 {

namespace {

// Layout that maps row r of the scores, viewed as [rows, s], to its bias row.
// The scores contain `heads` heads of `queries` rows per batch entry.
struct RowLayout {
  int64_t queries = 0;     // t
  int64_t heads = 0;       // product of the head dimensions
  int64_t keys = 0;        // s
  int64_t bias_batch = 0;  // bias stride between batch entries, 0 when broadcast
  int64_t bias_row = 0;    // bias stride between query rows
};

R1_INLINE int64_t bias_offset(const RowLayout& layout, int64_t row) {
  const int64_t query = row % layout.queries;
  const int64_t batch = row / layout.queries / layout.heads;
  return batch * layout.bias_batch + query * layout.bias_row;
}

R1_INLINE float lane_max(const Vec16& v) {
  float m = v[0];
  for (int64_t i = 1; i < kLanes; ++i) m = v[i] > m ? v[i] : m;
  return m;
}

R1_INLINE float lane_sum(const Vec16& v) {
  float s = 0;
  for (int64_t i = 0; i < kLanes; ++i) s += v[i];
  return s;
}

// One row: buffer = scores + bias (padded to whole blocks with -inf), then
// exp(buffer - max) with exact zeros below exp(-87), then the normalised
// probabilities. `buffer` has room for the row rounded up to 16 lanes.
template <class T>
R1_INLINE void forward_row(const T* x, const T* bias, T* out, int64_t s, float* buffer) {
  const int64_t padded = (s + kLanes - 1) / kLanes * kLanes;
  const float minus_inf = -std::numeric_limits<float>::infinity();
  Vec16 maxima = Vec16{} + minus_inf;
  int64_t j = 0;
  for (; j + kLanes <= s; j += kLanes) {
    Vec16 xv, bv;
    load_lanes(xv, x + j);
    load_lanes(bv, bias + j);
    Vec16 v = xv + bv;
    store(buffer + j, v);
    maxima = v > maxima ? v : maxima;
  }
  if (j < s) {
    T xt[kLanes], bt[kLanes];
    std::memcpy(xt, x + j, (s - j) * sizeof(T));
    std::memcpy(bt, bias + j, (s - j) * sizeof(T));
    Vec16 xv, bv;
    load_lanes(xv, xt);
    load_lanes(bv, bt);
    Vec16 v = xv + bv;
    for (int64_t i = s - j; i < kLanes; ++i) v[i] = minus_inf;
    store(buffer + j, v);
    maxima = v > maxima ? v : maxima;
  }

  const float m = lane_max(maxima);
  if (m == minus_inf) {
    std::memset(static_cast<void*>(out), 0, s * sizeof(T));
    return;
  }
  const Vec16 shift = Vec16{} + m, floor = Vec16{} - 87.0f, zero = Vec16{};
  Vec16 sums = zero;
  for (j = 0; j < padded; j += kLanes) {
    Vec16 v;
    load(v, buffer + j);
    v -= shift;
    Vec16 e = v;
    exp_lanes(e);
    e = v < floor ? zero : e;
    store(buffer + j, e);
    sums += e;
  }

  const Vec16 scale = Vec16{} + 1.0f / lane_sum(sums);
  for (j = 0; j + kLanes <= s; j += kLanes) {
    Vec16 e;
    load(e, buffer + j);
    store_lanes(out + j, e * scale);
  }
  if (j < s) {
    Vec16 e;
    load(e, buffer + j);
    T ot[kLanes];
    store_lanes(ot, e * scale);
    std::memcpy(out + j, ot, (s - j) * sizeof(T));
  }
}

// One row: d scores = p * (d p - sum(d p * p)).
template <class T>
R1_INLINE void backward_row(const T* p, const T* grad, T* out, int64_t s) {
  Vec16 dots = Vec16{};
  int64_t j = 0;
  for (; j + kLanes <= s; j += kLanes) {
    Vec16 pv, gv;
    load_lanes(pv, p + j);
    load_lanes(gv, grad + j);
    dots += pv * gv;
  }
  T pt[kLanes] = {}, gt[kLanes] = {};
  if (j < s) {
    std::memcpy(pt, p + j, (s - j) * sizeof(T));
    std::memcpy(gt, grad + j, (s - j) * sizeof(T));
    Vec16 pv, gv;
    load_lanes(pv, pt);
    load_lanes(gv, gt);
    dots += pv * gv;
  }

  const Vec16 dot = Vec16{} + lane_sum(dots);
  for (j = 0; j + kLanes <= s; j += kLanes) {
    Vec16 pv, gv;
    load_lanes(pv, p + j);
    load_lanes(gv, grad + j);
    store_lanes(out + j, pv * (gv - dot));
  }
  if (j < s) {
    Vec16 pv, gv;
    load_lanes(pv, pt);
    load_lanes(gv, gt);
    T ot[kLanes];
    store_lanes(ot, pv * (gv - dot));
    std::memcpy(out + j, ot, (s - j) * sizeof(T));
  }
}

template <class T>
R1_INLINE void forward_rows(const T* scores, const T* bias, T* out, const RowLayout& layout, int64_t begin,
                            int64_t end) {
  std::vector<float> buffer((layout.keys + kLanes - 1) / kLanes * kLanes);
  for (int64_t r = begin; r < end; ++r)
    forward_row(scores + r * layout.keys, bias + bias_offset(layout, r), out + r * layout.keys, layout.keys,
                buffer.data());
}

template <class T>
R1_INLINE void backward_rows(const T* p, const T* grad, T* out, int64_t s, int64_t begin, int64_t end) {
  for (int64_t r = begin; r < end; ++r) backward_row(p + r * s, grad + r * s, out + r * s, s);
}

R1_CPU_CLONES void forward_f32(const float* scores, const float* bias, float* out, const RowLayout& layout,
                               int64_t begin, int64_t end) {
  forward_rows(scores, bias, out, layout, begin, end);
}

R1_CPU_CLONES void forward_bf16(const uint16_t* scores, const uint16_t* bias, uint16_t* out, const RowLayout& layout,
                                int64_t begin, int64_t end) {
  forward_rows(scores, bias, out, layout, begin, end);
}

R1_CPU_CLONES void backward_f32(const float* p, const float* grad, float* out, int64_t s, int64_t begin,
                                int64_t end) {
  backward_rows(p, grad, out, s, begin, end);
}

R1_CPU_CLONES void backward_bf16(const uint16_t* p, const uint16_t* grad, uint16_t* out, int64_t s, int64_t begin,
                                 int64_t end) {
  backward_rows(p, grad, out, s, begin, end);
}

uint16_t* bits(const torch::Tensor& t) { return reinterpret_cast<uint16_t*>(t.data_ptr<at::BFloat16>()); }

// Runs `loop(begin, end)` over rows of `keys` elements, in chunks of about
// 16K elements spread over LibTorch's intra-op threads.
template <class F>
void parallel_rows(int64_t rows, int64_t keys, const F& loop) {
  const int64_t grain = std::max<int64_t>(1, 16 * 1024 / std::max<int64_t>(keys, 1));
  at::parallel_for(0, rows, grain, loop);
}

torch::Tensor fused_forward(const torch::Tensor& scores, const torch::Tensor& bias) {
  RowLayout layout;
  layout.keys = scores.size(-1);
  layout.queries = scores.size(-2);
  layout.heads = 1;
  for (int64_t d = 1; d + 2 < scores.dim(); ++d) layout.heads *= scores.size(d);
  layout.bias_batch = bias.size(0) == 1 ? 0 : bias.stride(0);
  layout.bias_row = bias.stride(-2);
  const int64_t rows = scores.numel() / std::max<int64_t>(layout.keys, 1);

  auto out = torch::empty_like(scores, torch::MemoryFormat::Contiguous);
  if (scores.scalar_type() == torch::kFloat32) {
    const float *x = scores.data_ptr<float>(), *b = bias.data_ptr<float>();
    float* o = out.data_ptr<float>();
    parallel_rows(rows, layout.keys, [&](int64_t begin, int64_t end) { forward_f32(x, b, o, layout, begin, end); });
  } else {
    const uint16_t *x = bits(scores), *b = bits(bias);
    uint16_t* o = bits(out);
    parallel_rows(rows, layout.keys, [&](int64_t begin, int64_t end) { forward_bf16(x, b, o, layout, begin, end); });
  }
  return out;
}

struct MaskedSoftmaxFunction : public torch::autograd::Function<MaskedSoftmaxFunction> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& scores,
                               const torch::Tensor& bias) {
    auto probs = fused_forward(scores, bias);
    ctx->save_for_backward({probs});
    return probs;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const torch::Tensor probs = ctx->get_saved_variables()[0];
    auto grad = grads[0].to(probs.scalar_type()).contiguous();
    auto grad_scores = torch::empty_like(probs);
    const int64_t s = probs.size(-1);
    const int64_t rows = probs.numel() / std::max<int64_t>(s, 1);
    if (probs.scalar_type() == torch::kFloat32) {
      const float *p = probs.data_ptr<float>(), *g = grad.data_ptr<float>();
      float* o = grad_scores.data_ptr<float>();
      parallel_rows(rows, s, [&](int64_t begin, int64_t end) { backward_f32(p, g, o, s, begin, end); });
    } else {
      const uint16_t *p = bits(probs), *g = bits(grad);
      uint16_t* o = bits(grad_scores);
      parallel_rows(rows, s, [&](int64_t begin, int64_t end) { backward_bf16(p, g, o, s, begin, end); });
    }
    return {grad_scores, torch::Tensor()};
  }
};

}  // namespace

bool masked_softmax_fused_applies(const torch::Tensor& scores, const torch::Tensor& bias) {
  const auto dtype = scores.scalar_type();
  if (!scores.device().is_cpu() || !bias.device().is_cpu() || bias.scalar_type() != dtype) return false;
  if (dtype != torch::kFloat32 && dtype != torch::kBFloat16) return false;
  const int64_t n = scores.dim();
  if (n < 3 || bias.dim() != n) return false;
  if (bias.size(0) != 1 && bias.size(0) != scores.size(0)) return false;
  for (int64_t d = 1; d + 2 < n; ++d)
    if (bias.size(d) != 1) return false;
  return bias.size(-2) == scores.size(-2) && bias.size(-1) == scores.size(-1);
}

torch::Tensor masked_softmax(const torch::Tensor& scores, const torch::Tensor& bias) {
  if (!masked_softmax_fused_applies(scores, bias)) {
    auto masked = scores + bias;
    if (masked.scalar_type() == torch::kFloat32 || masked.scalar_type() == torch::kFloat64)
      return torch::softmax(masked, -1);
    return torch::softmax(masked, -1, torch::kFloat32).to(masked.scalar_type());
  }
  auto x = scores.contiguous();
  auto b = bias.stride(-1) == 1 ? bias : bias.contiguous();
  if (torch::GradMode::is_enabled() && x.requires_grad()) return MaskedSoftmaxFunction::apply(x, b);
  return fused_forward(x, b);
}

}  // namespace r1
