// Mixed precision for training passes: weights and optimizer state stay in
// float32 while matrix products run in bfloat16 under LibTorch's autocast.
// Log-softmax and RMSNorm statistics run in float32 in the model code. The
// attention scores stay in bfloat16 from product to softmax (which sums in
// float32), because converting [B,H,T,S] tensors between dtypes costs more on
// CPU than the products themselves.
#pragma once

#include <torch/torch.h>

#include <string>

namespace r1 {

enum class Precision { kFloat32, kBFloat16Mixed };

// Parses "fp32", "bf16-mixed" or "auto". "auto" picks bf16-mixed on CUDA
// and on CPUs with native bfloat16 products (AVX512-BF16 or AMX), where a
// small model's training steps measured about 1.4x faster, and fp32 elsewhere,
// where bfloat16 is emulated. Throws r1::Error naming the value.
Precision parse_precision(const std::string& name, torch::Device device);
std::string precision_name(Precision precision);

// True when this CPU multiplies bfloat16 matrices natively.
bool cpu_has_native_bf16();

// Turns autocast on for `device` for the scope's lifetime when `precision`
// is bf16-mixed, and restores the previous state on exit. Leaving the
// outermost scope drops autocast's cache of casted weights, so the next
// pass uses the weights the optimizer just updated.
class AutocastScope {
 public:
  AutocastScope(torch::Device device, Precision precision);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool active_ = false;
  bool cuda_ = false;
  bool was_enabled_ = false;
  at::ScalarType previous_dtype_ = at::kBFloat16;
};

// The dtype that matrix products on `device` return: autocast's dtype where
// autocast is on, else `weights`.
torch::Dtype product_dtype(torch::Device device, torch::Dtype weights);

// A scope that turns autocast off (CPU and CUDA) and restores the previous
// state on exit. It gives float32 products inside a bf16-mixed pass.
class AutocastPause {
 public:
  AutocastPause();
  ~AutocastPause();
  AutocastPause(const AutocastPause&) = delete;
  AutocastPause& operator=(const AutocastPause&) = delete;

 private:
  bool cpu_was_enabled_ = false;
  bool cuda_was_enabled_ = false;
};

}  // namespace r1
