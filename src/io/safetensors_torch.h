// Conversions between LibTorch tensors and safetensors entries.
#pragma once

#include <torch/torch.h>

#include <string>

#include "formats/safetensors.h"

namespace r1 {

// "F32" <-> torch::kFloat32, "BF16" <-> kBFloat16, "F16" <-> kFloat16, and
// the integer types; throws r1::Error for other dtypes.
torch::Dtype torch_dtype_from_safetensors(const std::string& dtype);
std::string safetensors_dtype_from_torch(torch::Dtype dtype);

// A CPU copy of a mapped tensor (the mapping may close afterwards).
torch::Tensor tensor_from_safetensors(const SafetensorsTensor& tensor);

// A view of a contiguous CPU tensor for writing; `tensor` must outlive it.
SafetensorsTensor safetensors_view(const std::string& name, const torch::Tensor& tensor);

}  // namespace r1
