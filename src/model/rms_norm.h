// RMSNorm over the last dimension, fused into one pass on CPU.
//
// Written with LibTorch ops, RMSNorm takes about ten passes over its input
// forward and backward (square, mean, rsqrt, two products, and their
// gradients). In training with bfloat16 autocast the residual stream and the
// norm weights stay float32, and rms_norm() computes each row's scale and
// output in one pass, and the input and weight gradients in one more.
// Other dtypes, devices and mixed inputs use the LibTorch ops.
#pragma once

#include <torch/torch.h>

namespace r1 {

// Returns weight * (x / sqrt(mean(x^2) + eps)) over the last dimension of x
// [..., C], with weight [C]. The normalisation runs in at least float32 and
// is cast back to x's dtype before the product with the weight, as Hugging
// Face's Llama and Qwen2 do.
torch::Tensor rms_norm(const torch::Tensor& x, const torch::Tensor& weight, double eps);

// Returns whether rms_norm() takes the fused CPU path for these inputs.
bool rms_norm_fused_applies(const torch::Tensor& x, const torch::Tensor& weight);

}  // namespace r1
