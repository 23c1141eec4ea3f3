// Export of a model to GGUF for llama.cpp and Ollama, with tensor names,
// layouts and metadata keys as llama.cpp's convert_hf_to_gguf.py writes them
// for the llama, qwen2 and qwen3 architectures.
#pragma once

#include <filesystem>
#include <string>

#include <torch/torch.h>

#include "model/transformer.h"

namespace r1 {

struct GgufExportOptions {
  // Matrices are stored in this dtype (float32, float16 or bfloat16). 1-D
  // tensors (norms, biases, rope factors) stay float32, as llama.cpp's
  // converter keeps them.
  torch::Dtype dtype = torch::kFloat16;
  // Folder with tokenizer.json (and tokenizer_config.json) for the
  // tokenizer.ggml.* metadata.
  std::filesystem::path tokenizer_folder;
  std::string name;  // general.name; empty means the model_type
  std::string pre;   // tokenizer.ggml.pre override; empty means detect it
};

// The GGUF tensor name of a Hugging Face parameter name
// (model.layers.3.self_attn.q_proj.weight -> blk.3.attn_q.weight); throws
// r1::Error for a name with no GGUF counterpart.
std::string gguf_tensor_name(const std::string& hf_name);

// Reorders the rows of a Llama q_proj/k_proj weight (or bias) from the
// rotate-half layout of Hugging Face to the interleaved pairs that
// llama.cpp's LLAMA rope expects. n_head is the head count of that
// projection. weight [n_head*D, ...] -> same shape.
torch::Tensor permute_for_llama_rope(const torch::Tensor& weight, int64_t n_head);

// Writes `path` atomically.
void export_gguf(Transformer& model, const std::filesystem::path& path, const GgufExportOptions& options);

}  // namespace r1
