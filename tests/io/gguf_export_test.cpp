// GGUF export of the fixture models, read back with r1's GGUF reader. The
// Python side (scripts/fixtures/check_hf_exports.py) also reads these files
// with llama.cpp's gguf package.
#include <gtest/gtest.h>

#include <cstring>

#include "formats/gguf.h"
#include "io/gguf_export.h"
#include "io/hf_checkpoint.h"
#include "io/hf_fixtures.h"

namespace r1 {
namespace {

namespace fs = std::filesystem;

class GgufExportTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = test::make_temp_dir("gguf-export"); }
  void TearDown() override { fs::remove_all(dir_); }

  gguf::GgufFile export_family(const std::string& family, torch::Dtype dtype, HfModel& loaded, fs::path& path) {
    loaded = load_hf_model(test::hf_fixture(family));
    GgufExportOptions options;
    options.dtype = dtype;
    options.tokenizer_folder = test::hf_fixture(family);
    path = dir_ / (family + ".gguf");
    export_gguf(loaded.model, path, options);
    return gguf::read_gguf(path);
  }

  // A float32 tensor read from the file, in PyTorch shape.
  torch::Tensor read_f32(const fs::path& path, const gguf::GgufFile& file, const std::string& name) {
    for (const auto& tensor : file.tensors) {
      if (tensor.name != name) continue;
      EXPECT_EQ(tensor.type, static_cast<uint32_t>(gguf::TensorType::kF32)) << name;
      std::string bytes = gguf::read_gguf_tensor_bytes(path, file, tensor);
      return torch::from_blob(bytes.data(), tensor.shape, torch::kFloat32).clone();
    }
    ADD_FAILURE() << "tensor " << name << " not found";
    return {};
  }

  const gguf::TensorInfo* find(const gguf::GgufFile& file, const std::string& name) {
    for (const auto& tensor : file.tensors)
      if (tensor.name == name) return &tensor;
    return nullptr;
  }

  fs::path dir_;
};

TEST(GgufTensorNames, MatchLlamaCppNames) {
  EXPECT_EQ(gguf_tensor_name("model.embed_tokens.weight"), "token_embd.weight");
  EXPECT_EQ(gguf_tensor_name("model.norm.weight"), "output_norm.weight");
  EXPECT_EQ(gguf_tensor_name("lm_head.weight"), "output.weight");
  EXPECT_EQ(gguf_tensor_name("model.layers.11.input_layernorm.weight"), "blk.11.attn_norm.weight");
  EXPECT_EQ(gguf_tensor_name("model.layers.0.post_attention_layernorm.weight"), "blk.0.ffn_norm.weight");
  EXPECT_EQ(gguf_tensor_name("model.layers.0.self_attn.q_proj.bias"), "blk.0.attn_q.bias");
  EXPECT_EQ(gguf_tensor_name("model.layers.0.self_attn.o_proj.weight"), "blk.0.attn_output.weight");
  EXPECT_EQ(gguf_tensor_name("model.layers.2.self_attn.k_norm.weight"), "blk.2.attn_k_norm.weight");
  EXPECT_EQ(gguf_tensor_name("model.layers.2.mlp.down_proj.weight"), "blk.2.ffn_down.weight");
  EXPECT_THROW(gguf_tensor_name("model.layers.0.mlp.experts.weight"), Error);
}

TEST(GgufPermute, InterleavesHalvesPerHead) {
  // 2 heads of head_dim 4, one column: rows (h, i) -> value 10*h + i
  auto weight = torch::tensor({0.f, 1.f, 2.f, 3.f, 10.f, 11.f, 12.f, 13.f}).reshape({8, 1});
  auto permuted = permute_for_llama_rope(weight, 2).reshape({8});
  auto expected = torch::tensor({0.f, 2.f, 1.f, 3.f, 10.f, 12.f, 11.f, 13.f});
  EXPECT_TRUE(torch::equal(permuted, expected)) << permuted;
}

TEST_F(GgufExportTest, LlamaMetadataAndTensors) {
  HfModel loaded;
  fs::path path;
  gguf::GgufFile file = export_family("llama", torch::kFloat32, loaded, path);
  const ModelConfig& config = loaded.config;

  EXPECT_EQ(file.metadata.at("general.architecture"), "llama");
  EXPECT_EQ(file.metadata.at("general.file_type"), 0);
  EXPECT_EQ(file.metadata.at("llama.block_count"), config.num_hidden_layers);
  EXPECT_EQ(file.metadata.at("llama.context_length"), config.max_position_embeddings);
  EXPECT_EQ(file.metadata.at("llama.embedding_length"), config.hidden_size);
  EXPECT_EQ(file.metadata.at("llama.feed_forward_length"), config.intermediate_size);
  EXPECT_EQ(file.metadata.at("llama.attention.head_count"), config.num_attention_heads);
  EXPECT_EQ(file.metadata.at("llama.attention.head_count_kv"), config.num_key_value_heads);
  EXPECT_EQ(file.metadata.at("llama.rope.dimension_count"), config.resolved_head_dim());
  EXPECT_FLOAT_EQ(file.metadata.at("llama.rope.freq_base").get<float>(), 500000.0f);
  EXPECT_FLOAT_EQ(file.metadata.at("llama.attention.layer_norm_rms_epsilon").get<float>(), 1e-6f);
  EXPECT_EQ(file.metadata.at("tokenizer.ggml.model"), "gpt2");
  EXPECT_EQ(file.metadata.at("tokenizer.ggml.pre"), "qwen2");
  EXPECT_EQ(file.metadata.at("tokenizer.ggml.tokens").size(), 304u);
  EXPECT_EQ(file.metadata.at("tokenizer.ggml.eos_token_id"), 295);
  EXPECT_EQ(file.metadata.at("tokenizer.ggml.padding_token_id"), 293);

  // every parameter plus rope_freqs; untied, so output.weight is present
  EXPECT_EQ(file.tensors.size(), loaded.model->named_parameters().size() + 1);
  ASSERT_NE(find(file, "output.weight"), nullptr);
  EXPECT_EQ(find(file, "blk.0.ffn_gate.weight")->shape, (std::vector<int64_t>{32, 24}));

  // q and k rows reordered for llama.cpp's rope; other weights byte for byte
  auto params = loaded.model->named_parameters();
  auto q = read_f32(path, file, "blk.1.attn_q.weight");
  EXPECT_TRUE(torch::equal(q, permute_for_llama_rope(params["model.layers.1.self_attn.q_proj.weight"], 4)));
  EXPECT_FALSE(torch::equal(q, params["model.layers.1.self_attn.q_proj.weight"]));
  auto k = read_f32(path, file, "blk.1.attn_k.weight");
  EXPECT_TRUE(torch::equal(k, permute_for_llama_rope(params["model.layers.1.self_attn.k_proj.weight"], 2)));
  auto v = read_f32(path, file, "blk.1.attn_v.weight");
  EXPECT_TRUE(torch::equal(v, params["model.layers.1.self_attn.v_proj.weight"]));
  auto embedding = read_f32(path, file, "token_embd.weight");
  EXPECT_TRUE(torch::equal(embedding, params["model.embed_tokens.weight"]));

  // llama3 rope scaling: base frequencies divided by rope_freqs give r1's scaled frequencies
  auto factors = read_f32(path, file, "rope_freqs.weight");
  ModelConfig unscaled = config;
  unscaled.rope_scaling = nullptr;
  auto expected = rope_inverse_frequencies(config);
  auto from_factors = rope_inverse_frequencies(unscaled) / factors;
  EXPECT_TRUE(torch::allclose(from_factors, expected, 1e-5, 0)) << from_factors << expected;
  EXPECT_GT(factors.max().item<float>(), 1.0f);
}

TEST_F(GgufExportTest, Qwen2TiedFloat16) {
  HfModel loaded;
  fs::path path;
  gguf::GgufFile file = export_family("qwen2", torch::kFloat16, loaded, path);

  EXPECT_EQ(file.metadata.at("general.architecture"), "qwen2");
  EXPECT_EQ(file.metadata.at("general.file_type"), 1);
  EXPECT_EQ(file.metadata.count("qwen2.block_count"), 1u);
  EXPECT_EQ(find(file, "output.weight"), nullptr);  // tied: llama.cpp reuses token_embd
  EXPECT_EQ(find(file, "rope_freqs.weight"), nullptr);
  ASSERT_NE(find(file, "blk.0.attn_q.bias"), nullptr);
  EXPECT_EQ(find(file, "blk.0.attn_q.bias")->type, static_cast<uint32_t>(gguf::TensorType::kF32));
  EXPECT_EQ(find(file, "blk.0.attn_q.weight")->type, static_cast<uint32_t>(gguf::TensorType::kF16));
  EXPECT_EQ(find(file, "output_norm.weight")->type, static_cast<uint32_t>(gguf::TensorType::kF32));

  // Qwen keeps Hugging Face's q layout: f16 bytes equal the rounded weight
  auto params = loaded.model->named_parameters();
  const auto* q = find(file, "blk.0.attn_q.weight");
  std::string bytes = gguf::read_gguf_tensor_bytes(path, file, *q);
  auto stored = torch::from_blob(bytes.data(), q->shape, torch::kFloat16).to(torch::kFloat32);
  EXPECT_TRUE(torch::equal(stored, params["model.layers.0.self_attn.q_proj.weight"].to(torch::kFloat16).to(torch::kFloat32)));
}

TEST_F(GgufExportTest, Qwen3QkNormBfloat16) {
  HfModel loaded;
  fs::path path;
  gguf::GgufFile file = export_family("qwen3", torch::kBFloat16, loaded, path);
  EXPECT_EQ(file.metadata.at("general.architecture"), "qwen3");
  EXPECT_EQ(file.metadata.at("general.file_type"), 32);
  EXPECT_EQ(file.metadata.at("qwen3.attention.key_length"), 8);
  ASSERT_NE(find(file, "blk.1.attn_k_norm.weight"), nullptr);
  EXPECT_EQ(find(file, "blk.1.attn_k_norm.weight")->shape, (std::vector<int64_t>{8}));
  EXPECT_EQ(find(file, "blk.1.ffn_up.weight")->type, static_cast<uint32_t>(gguf::TensorType::kBF16));
}

TEST_F(GgufExportTest, MissingTokenizerIsReported) {
  HfModel loaded = load_hf_model(test::hf_fixture("qwen3"));
  GgufExportOptions options;
  options.tokenizer_folder = dir_;
  try {
    export_gguf(loaded.model, dir_ / "out.gguf", options);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("tokenizer.json"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir_ / "out.gguf"));
}

}  // namespace
}  // namespace r1
