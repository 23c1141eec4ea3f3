#include "model/swiglu.h"

#include <cstring>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "model/cpu_vector.h"
#include "util/error.h"

namespace r1 {

namespace {

// Replaces x by sigmoid(x) = 1 / (1 + exp(-x)).
R1_INLINE void sigmoid_lanes(Vec16& x) {
  x = -x;
  exp_lanes(x);
  x = 1.0f / (1.0f + x);
}

// Computes out = silu(gate) * up over n elements. The tail goes through a
// padded block.
template <class T>
R1_INLINE void forward_block(const T* g, const T* u, T* o) {
  Vec16 gv, uv;
  load_lanes(gv, g);
  load_lanes(uv, u);
  Vec16 s = gv;
  sigmoid_lanes(s);
  store_lanes(o, gv * s * uv);
}

template <class T>
R1_INLINE void forward_body(const T* gate, const T* up, T* out, int64_t n) {
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) forward_block(gate + i, up + i, out + i);
  if (i < n) {
    T g[kLanes] = {}, u[kLanes] = {}, o[kLanes];
    std::memcpy(g, gate + i, (n - i) * sizeof(T));
    std::memcpy(u, up + i, (n - i) * sizeof(T));
    forward_block(g, u, o);
    std::memcpy(out + i, o, (n - i) * sizeof(T));
  }
}

// d gate = d out * up * s (1 + gate (1 - s)) and d up = d out * gate * s,
// where s = sigmoid(gate).
template <class T>
R1_INLINE void backward_block(const T* g, const T* u, const T* d, T* dg, T* du) {
  Vec16 gv, uv, dv;
  load_lanes(gv, g);
  load_lanes(uv, u);
  load_lanes(dv, d);
  Vec16 s = gv;
  sigmoid_lanes(s);
  store_lanes(du, dv * gv * s);
  store_lanes(dg, dv * uv * s * (1.0f + gv * (1.0f - s)));
}

template <class T>
R1_INLINE void backward_body(const T* gate, const T* up, const T* grad_out, T* grad_gate, T* grad_up, int64_t n) {
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) backward_block(gate + i, up + i, grad_out + i, grad_gate + i, grad_up + i);
  if (i < n) {
    T g[kLanes] = {}, u[kLanes] = {}, d[kLanes] = {}, dg[kLanes], du[kLanes];
    std::memcpy(g, gate + i, (n - i) * sizeof(T));
    std::memcpy(u, up + i, (n - i) * sizeof(T));
    std::memcpy(d, grad_out + i, (n - i) * sizeof(T));
    backward_block(g, u, d, dg, du);
    std::memcpy(grad_gate + i, dg, (n - i) * sizeof(T));
    std::memcpy(grad_up + i, du, (n - i) * sizeof(T));
  }
}

R1_CPU_CLONES void forward_f32(const float* gate, const float* up, float* out, int64_t n) {
  forward_body(gate, up, out, n);
}

R1_CPU_CLONES void forward_bf16(const uint16_t* gate, const uint16_t* up, uint16_t* out, int64_t n) {
  forward_body(gate, up, out, n);
}

R1_CPU_CLONES void backward_f32(const float* gate, const float* up, const float* grad_out, float* grad_gate,
                                float* grad_up, int64_t n) {
  backward_body(gate, up, grad_out, grad_gate, grad_up, n);
}

R1_CPU_CLONES void backward_bf16(const uint16_t* gate, const uint16_t* up, const uint16_t* grad_out,
                                 uint16_t* grad_gate, uint16_t* grad_up, int64_t n) {
  backward_body(gate, up, grad_out, grad_gate, grad_up, n);
}

// Runs `loop` over [0, n) in chunks spread over LibTorch's intra-op threads.
template <class F>
void parallel_chunks(int64_t n, const F& loop) {
  constexpr int64_t kGrain = 16 * 1024;
  at::parallel_for(0, n, kGrain, [&](int64_t begin, int64_t end) { loop(begin, end - begin); });
}

// Returns silu(gate) * up for contiguous gate and up of one shape and dtype.
torch::Tensor fused_forward(const torch::Tensor& gate, const torch::Tensor& up) {
  auto out = torch::empty_like(gate);
  const int64_t n = gate.numel();
  if (gate.scalar_type() == torch::kFloat32) {
    const float *g = gate.data_ptr<float>(), *u = up.data_ptr<float>();
    float* o = out.data_ptr<float>();
    parallel_chunks(n, [&](int64_t i, int64_t m) { forward_f32(g + i, u + i, o + i, m); });
  } else {
    auto g = reinterpret_cast<const uint16_t*>(gate.data_ptr<at::BFloat16>());
    auto u = reinterpret_cast<const uint16_t*>(up.data_ptr<at::BFloat16>());
    auto o = reinterpret_cast<uint16_t*>(out.data_ptr<at::BFloat16>());
    parallel_chunks(n, [&](int64_t i, int64_t m) { forward_bf16(g + i, u + i, o + i, m); });
  }
  return out;
}

struct SwiGLUFunction : public torch::autograd::Function<SwiGLUFunction> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& gate,
                               const torch::Tensor& up) {
    ctx->save_for_backward({gate, up});
    return fused_forward(gate, up);
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    auto saved = ctx->get_saved_variables();
    const torch::Tensor& gate = saved[0];
    const torch::Tensor& up = saved[1];
    auto grad_out = grads[0].to(gate.scalar_type()).contiguous();
    auto grad_gate = torch::empty_like(gate);
    auto grad_up = torch::empty_like(up);
    const int64_t n = gate.numel();
    if (gate.scalar_type() == torch::kFloat32) {
      const float *g = gate.data_ptr<float>(), *u = up.data_ptr<float>(), *d = grad_out.data_ptr<float>();
      float *dg = grad_gate.data_ptr<float>(), *du = grad_up.data_ptr<float>();
      parallel_chunks(n, [&](int64_t i, int64_t m) { backward_f32(g + i, u + i, d + i, dg + i, du + i, m); });
    } else {
      auto bits = [](const torch::Tensor& t) { return reinterpret_cast<uint16_t*>(t.data_ptr<at::BFloat16>()); };
      const uint16_t *g = bits(gate), *u = bits(up), *d = bits(grad_out);
      uint16_t *dg = bits(grad_gate), *du = bits(grad_up);
      parallel_chunks(n, [&](int64_t i, int64_t m) { backward_bf16(g + i, u + i, d + i, dg + i, du + i, m); });
    }
    return {grad_gate, grad_up};
  }
};

}  // namespace

bool swiglu_fused_applies(const torch::Tensor& gate, const torch::Tensor& up) {
  const auto dtype = gate.scalar_type();
  return gate.device().is_cpu() && up.device().is_cpu() && dtype == up.scalar_type() &&
         (dtype == torch::kFloat32 || dtype == torch::kBFloat16) && gate.sizes() == up.sizes();
}

torch::Tensor swiglu(const torch::Tensor& gate, const torch::Tensor& up) {
  if (gate.sizes() != up.sizes())
    fail("swiglu: gate has shape {} but up has shape {}; both project the same input and must match", gate.sizes(),
         up.sizes());
  if (!swiglu_fused_applies(gate, up)) return torch::silu(gate) * up;
  auto g = gate.contiguous(), u = up.contiguous();
  if (torch::GradMode::is_enabled() && (g.requires_grad() || u.requires_grad()))
    return SwiGLUFunction::apply(g, u);
  return fused_forward(g, u);
}

}  // namespace r1
