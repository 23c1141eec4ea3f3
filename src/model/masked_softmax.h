// The attention's softmax over masked scores, softmax(scores + bias), fused
// into one pass forward and one backward.
//
// LibTorch 1.13 spends about 3 ns per element on a bfloat16 softmax on one
// core, and adding the mask first writes the scores once more. On CPU, for
// float32 and bfloat16, masked_softmax() reads the scores and the bias once,
// computes in float32 and writes the probabilities once. Its backward pass
// reads the probabilities and their gradient once. Other devices, dtypes and
// shapes use the LibTorch ops.
#pragma once

#include <torch/torch.h>

namespace r1 {

// Returns softmax(scores + bias) over the last dimension, in the scores'
// dtype. scores [B, H..., t, s] (any number of head dimensions); bias
// [B or 1, 1..., t, s], additive, with -inf on masked keys. A row whose keys
// are all masked gives zeros on the fused path. The bias gets no gradient.
torch::Tensor masked_softmax(const torch::Tensor& scores, const torch::Tensor& bias);

// Returns whether masked_softmax() takes the fused CPU path for these inputs.
bool masked_softmax_fused_applies(const torch::Tensor& scores, const torch::Tensor& bias);

}  // namespace r1
