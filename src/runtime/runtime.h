// Process-wide runtime settings: compute threads, device selection, seeds.
#pragma once

#include <torch/torch.h>

#include <string>

namespace r1 {

// Sets LibTorch's intra-op threads; 0 means every core. Returns the count set.
int configure_threads(int threads);

// Parses "cpu", "cuda" or "cuda:N"; throws r1::Error when CUDA is asked for
// but not available.
torch::Device parse_device(const std::string& name);

// Parses "float32"/"fp32", "bfloat16"/"bf16", "float16"/"fp16".
torch::Dtype parse_dtype(const std::string& name);
std::string dtype_name(torch::Dtype dtype);

// Seeds LibTorch's global generators.
void seed_everything(uint64_t seed);

}  // namespace r1
