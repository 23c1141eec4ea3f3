// Writing and reading GGUF files, and tokenizer metadata from tokenizer.json.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "formats/gguf.h"
#include "formats/gguf_vocab.h"
#include "test_util.h"
#include "util/error.h"

namespace r1::gguf {
namespace {

namespace fs = std::filesystem;

fs::path temp_path(const std::string& name) {
  return fs::temp_directory_path() / ("r1-gguf-test-" + std::to_string(::getpid()) + "-" + name);
}

std::string float_bytes(const std::vector<float>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
}

GgufWriter sample_writer() {
  GgufWriter writer;
  writer.set_string("general.architecture", "llama");
  writer.set_uint32("llama.block_count", 2);
  writer.set_int32("sample.int", -7);
  writer.set_uint64("sample.u64", 1ull << 40);
  writer.set_float32("llama.rope.freq_base", 500000.0f);
  writer.set_bool("tokenizer.ggml.add_bos_token", true);
  writer.set_string_array("tokenizer.ggml.tokens", {"a", "b", "<|im_end|>"});
  writer.set_int32_array("tokenizer.ggml.token_type", {1, 1, 3});
  writer.set_float32_array("sample.floats", {0.5f, 2.0f});
  writer.add_tensor("token_embd.weight", {3, 2}, TensorType::kF32,
                    [](std::string& out) { out = float_bytes({1, 2, 3, 4, 5, 6}); });
  writer.add_tensor("output_norm.weight", {5}, TensorType::kF16, [](std::string& out) { out.assign(10, '\x01'); });
  return writer;
}

TEST(Gguf, WriteReadRoundTrip) {
  fs::path path = temp_path("round.gguf");
  sample_writer().write(path);
  GgufFile file = read_gguf(path);

  EXPECT_EQ(file.version, 3u);
  EXPECT_EQ(file.metadata.at("general.architecture"), "llama");
  EXPECT_EQ(file.metadata.at("llama.block_count"), 2);
  EXPECT_EQ(file.metadata_types.at("llama.block_count"), ValueType::kUint32);
  EXPECT_EQ(file.metadata.at("sample.int"), -7);
  EXPECT_EQ(file.metadata.at("sample.u64").get<uint64_t>(), 1ull << 40);
  EXPECT_FLOAT_EQ(file.metadata.at("llama.rope.freq_base").get<float>(), 500000.0f);
  EXPECT_EQ(file.metadata.at("tokenizer.ggml.add_bos_token"), true);
  EXPECT_EQ(file.metadata.at("tokenizer.ggml.tokens"), nlohmann::json({"a", "b", "<|im_end|>"}));
  EXPECT_EQ(file.metadata_types.at("tokenizer.ggml.token_type"), ValueType::kInt32);
  EXPECT_EQ(file.metadata.at("sample.floats"), nlohmann::json({0.5, 2.0}));

  ASSERT_EQ(file.tensors.size(), 2u);
  EXPECT_EQ(file.tensors[0].name, "token_embd.weight");
  EXPECT_EQ(file.tensors[0].shape, (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(file.tensors[0].type, 0u);
  EXPECT_EQ(file.tensors[1].offset % 32, 0u);
  EXPECT_EQ(file.data_offset % 32, 0u);
  EXPECT_EQ(read_gguf_tensor_bytes(path, file, file.tensors[0]), float_bytes({1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(read_gguf_tensor_bytes(path, file, file.tensors[1]), std::string(10, '\x01'));
  fs::remove(path);
}

TEST(Gguf, DimensionsStoredInnermostFirst) {
  fs::path path = temp_path("dims.gguf");
  GgufWriter writer;
  writer.add_tensor("w", {4, 3}, TensorType::kF32, [](std::string& out) { out.assign(48, '\0'); });
  writer.write(path);

  // tensor info follows the 24-byte fixed header: name, n_dims, ne[0], ne[1]
  std::ifstream in(path, std::ios::binary);
  in.seekg(24 + 8 + 1);
  uint32_t n_dims = 0;
  uint64_t ne[2] = {0, 0};
  in.read(reinterpret_cast<char*>(&n_dims), 4);
  in.read(reinterpret_cast<char*>(ne), 16);
  EXPECT_EQ(n_dims, 2u);
  EXPECT_EQ(ne[0], 3u);
  EXPECT_EQ(ne[1], 4u);
  fs::remove(path);
}

TEST(Gguf, WrongTensorByteCountIsRejected) {
  GgufWriter writer;
  writer.add_tensor("w", {4}, TensorType::kF32, [](std::string& out) { out.assign(3, '\0'); });
  EXPECT_THROW(writer.write(temp_path("wrong.gguf")), Error);
  EXPECT_FALSE(fs::exists(temp_path("wrong.gguf")));
}

TEST(Gguf, InvalidTensorDeclarationsAreRejected) {
  GgufWriter writer;
  auto bytes = [](std::string& out) { out.clear(); };
  EXPECT_THROW(writer.add_tensor(std::string(64, 'x'), {1}, TensorType::kF32, bytes), Error);
  EXPECT_THROW(writer.add_tensor("zero", {0}, TensorType::kF32, bytes), Error);
  EXPECT_THROW(writer.add_tensor("q", {1}, static_cast<TensorType>(2), bytes), Error);
  writer.add_tensor("once", {1}, TensorType::kF32, bytes);
  EXPECT_THROW(writer.add_tensor("once", {1}, TensorType::kF32, bytes), Error);
}

TEST(Gguf, TruncatedFileIsRejected) {
  fs::path path = temp_path("truncated.gguf");
  sample_writer().write(path);
  fs::resize_file(path, fs::file_size(path) - 40);
  try {
    read_gguf(path);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
  fs::resize_file(path, 50);
  EXPECT_THROW(read_gguf(path), Error);
  fs::remove(path);
}

TEST(Gguf, WrongMagicIsRejected) {
  fs::path path = temp_path("magic.gguf");
  std::ofstream(path) << "not a gguf file at all, just text";
  try {
    read_gguf(path);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not a GGUF file"), std::string::npos) << e.what();
  }
  fs::remove(path);
}

TEST(GgufVocab, FixtureTokenizerFillsEmbeddingRows) {
  fs::path folder = test::fixture_dir() / "hf" / "qwen2";
  GgufVocab vocab = read_hf_vocab(folder, 304, ConfigTokenIds{});

  ASSERT_EQ(vocab.tokens.size(), 304u);
  ASSERT_EQ(vocab.token_types.size(), 304u);
  EXPECT_EQ(vocab.tokens[300], "[PAD300]");
  EXPECT_EQ(vocab.token_types[300], kUnused);
  EXPECT_EQ(vocab.tokens[295], "<|im_end|>");
  EXPECT_EQ(vocab.token_types[295], kControl);
  EXPECT_EQ(vocab.token_types[0], kNormal);
  EXPECT_EQ(vocab.eos_id, 295u);
  EXPECT_EQ(vocab.pad_id, 293u);
  EXPECT_FALSE(vocab.bos_id.has_value());
  EXPECT_EQ(vocab.add_bos, false);
  EXPECT_EQ(vocab.pre, "qwen2");
  EXPECT_FALSE(vocab.merges.empty());
  EXPECT_NE(vocab.merges[0].find(' '), std::string::npos);
  EXPECT_NE(vocab.chat_template.find("<|im_start|>"), std::string::npos);
}

TEST(GgufVocab, VocabLargerThanModelIsRejected) {
  fs::path folder = test::fixture_dir() / "hf" / "qwen2";
  EXPECT_THROW(read_hf_vocab(folder, 100, ConfigTokenIds{}), Error);
}

TEST(GgufVocab, MissingTokenizerJsonIsNamed) {
  try {
    read_hf_vocab(fs::temp_directory_path(), 10, ConfigTokenIds{});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("tokenizer.json"), std::string::npos) << e.what();
  }
}

TEST(GgufVocab, RealTokenizersGetLlamaCppPreNames) {
  R1_REQUIRE_REAL_DATA("tokenizer-qwen3");
  R1_REQUIRE_REAL_DATA("tokenizer-llama3");
  GgufVocab qwen = read_hf_vocab(test::real_data_dir() / "tokenizer-qwen3", 151936, ConfigTokenIds{});
  EXPECT_EQ(qwen.pre, "qwen2");
  EXPECT_EQ(qwen.tokens[151645], "<|im_end|>");
  EXPECT_EQ(qwen.eos_id, 151645u);
  EXPECT_EQ(qwen.tokens[151935], "[PAD151935]");
  EXPECT_EQ(qwen.merges[0], "Ġ Ġ");

  GgufVocab llama = read_hf_vocab(test::real_data_dir() / "tokenizer-llama3", 128256, ConfigTokenIds{});
  EXPECT_EQ(llama.pre, "llama-bpe");
  EXPECT_EQ(llama.bos_id, 128000u);
  EXPECT_EQ(llama.token_types[128000], kControl);
}

}  // namespace
}  // namespace r1::gguf
