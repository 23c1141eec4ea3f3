#include "io/safetensors_torch.h"

#include "util/error.h"

namespace r1 {

torch::Dtype torch_dtype_from_safetensors(const std::string& dtype) {
  if (dtype == "F32") return torch::kFloat32;
  if (dtype == "F16") return torch::kFloat16;
  if (dtype == "BF16") return torch::kBFloat16;
  if (dtype == "F64") return torch::kFloat64;
  if (dtype == "I64") return torch::kInt64;
  if (dtype == "I32") return torch::kInt32;
  if (dtype == "I16") return torch::kInt16;
  if (dtype == "I8") return torch::kInt8;
  if (dtype == "U8") return torch::kUInt8;
  if (dtype == "BOOL") return torch::kBool;
  fail("safetensors dtype '{}' is not supported; supported are F32, F16, BF16, F64 and integer types", dtype);
}

std::string safetensors_dtype_from_torch(torch::Dtype dtype) {
  switch (dtype) {
    case torch::kFloat32: return "F32";
    case torch::kFloat16: return "F16";
    case torch::kBFloat16: return "BF16";
    case torch::kFloat64: return "F64";
    case torch::kInt64: return "I64";
    case torch::kInt32: return "I32";
    case torch::kInt16: return "I16";
    case torch::kInt8: return "I8";
    case torch::kUInt8: return "U8";
    case torch::kBool: return "BOOL";
    default: fail("tensor dtype {} cannot be stored in safetensors", c10::toString(dtype));
  }
}

torch::Tensor tensor_from_safetensors(const SafetensorsTensor& tensor) {
  auto dtype = torch_dtype_from_safetensors(tensor.dtype);
  // from_blob does not own the memory; clone copies it out of the mapping
  return torch::from_blob(const_cast<uint8_t*>(tensor.data), tensor.shape, torch::TensorOptions().dtype(dtype))
      .clone();
}

SafetensorsTensor safetensors_view(const std::string& name, const torch::Tensor& tensor) {
  if (!tensor.is_contiguous() || tensor.device() != torch::kCPU)
    fail("safetensors_view: tensor '{}' must be contiguous and on the CPU", name);
  SafetensorsTensor view;
  view.name = name;
  view.dtype = safetensors_dtype_from_torch(tensor.scalar_type());
  view.shape = tensor.sizes().vec();
  view.data = static_cast<const uint8_t*>(tensor.data_ptr());
  view.size_bytes = tensor.numel() * tensor.element_size();
  return view;
}

}  // namespace r1
