// Shared helpers of the Hugging Face checkpoint tests: the fixture folders
// made by scripts/fixtures/make_hf_fixtures.py and their reference tensors.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include <torch/torch.h>

#include "formats/safetensors.h"
#include "test_util.h"
#include "util/error.h"

namespace r1::test {

inline std::filesystem::path hf_fixture(const std::string& family) { return fixture_dir() / "hf" / family; }

// All tensors of a safetensors file as owning CPU tensors.
inline std::map<std::string, torch::Tensor> read_tensors(const std::filesystem::path& path) {
  SafetensorsFile file(path.string());
  std::map<std::string, torch::Tensor> result;
  for (const auto& tensor : file.tensors()) {
    torch::Dtype dtype = torch::kFloat32;
    if (tensor.dtype == "I64") dtype = torch::kLong;
    else if (tensor.dtype == "F16") dtype = torch::kFloat16;
    else if (tensor.dtype == "BF16") dtype = torch::kBFloat16;
    else if (tensor.dtype != "F32") fail("unexpected dtype {} in {}", tensor.dtype, path.string());
    result[tensor.name] =
        torch::from_blob(const_cast<uint8_t*>(tensor.data), tensor.shape, torch::TensorOptions().dtype(dtype)).clone();
  }
  return result;
}

inline std::map<std::string, torch::Tensor> hf_reference(const std::string& family) {
  return read_tensors(fixture_dir() / "hf" / (family + "_reference.safetensors"));
}

// A fresh empty folder under the system temporary folder.
inline std::filesystem::path make_temp_dir(const std::string& label) {
  auto base = std::filesystem::temp_directory_path() /
              ("r1-" + label + "-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
  std::filesystem::remove_all(base);
  std::filesystem::create_directories(base);
  return base;
}

}  // namespace r1::test
