// Loading errors and save/load round trips of Hugging Face model folders.
#include <gtest/gtest.h>

#include <fstream>

#include "formats/safetensors.h"
#include "io/hf_checkpoint.h"
#include "io/hf_fixtures.h"

namespace r1 {
namespace {

namespace fs = std::filesystem;

class HfCheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = test::make_temp_dir("hf-checkpoint"); }
  void TearDown() override { fs::remove_all(dir_); }

  // A writable copy of a fixture folder.
  fs::path copy_fixture(const std::string& family) {
    fs::path target = dir_ / family;
    fs::copy(test::hf_fixture(family), target, fs::copy_options::recursive);
    for (const auto& entry : fs::directory_iterator(target))
      fs::permissions(entry.path(), fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::add);
    return target;
  }

  nlohmann::json read_json(const fs::path& path) {
    std::ifstream in(path);
    return nlohmann::json::parse(in);
  }
  void write_json(const fs::path& path, const nlohmann::json& json) { std::ofstream(path) << json.dump(2); }

  // Expects load_hf_model(folder) to throw an r1::Error containing every fragment.
  void expect_load_error(const fs::path& folder, std::initializer_list<std::string> fragments,
                         const HfLoadOptions& options = {}) {
    try {
      load_hf_model(folder, options);
      FAIL() << "no error loading " << folder;
    } catch (const Error& e) {
      for (const auto& fragment : fragments)
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos)
            << "message '" << e.what() << "' lacks '" << fragment << "'";
    }
  }

  torch::Tensor batch_logits(HfModel& loaded, const std::map<std::string, torch::Tensor>& reference) {
    torch::NoGradGuard no_grad;
    auto mask = reference.at("batch_mask").to(torch::kBool);
    return loaded.model->forward(reference.at("batch_tokens"), positions_from_mask(mask), mask);
  }

  fs::path dir_;
};

TEST_F(HfCheckpointTest, ConfigAndGenerationConfigFields) {
  HfModel qwen3 = load_hf_model(test::hf_fixture("qwen3"));
  EXPECT_EQ(qwen3.config.model_type, "qwen3");
  EXPECT_TRUE(qwen3.config.qk_norm);
  EXPECT_TRUE(qwen3.config.tie_word_embeddings);
  EXPECT_EQ(qwen3.config.resolved_head_dim(), 8);
  EXPECT_DOUBLE_EQ(qwen3.config.rope_theta, 1000000.0);
  EXPECT_EQ(qwen3.generation.eos_token_ids, (std::vector<int64_t>{295, 293}));
  EXPECT_EQ(qwen3.generation.pad_token_id, 293);
  EXPECT_TRUE(qwen3.generation.do_sample);
  EXPECT_DOUBLE_EQ(qwen3.generation.temperature, 0.7);
  EXPECT_DOUBLE_EQ(qwen3.generation.top_p, 0.9);
  EXPECT_EQ(qwen3.generation.top_k, 20);

  ModelConfig llama = load_hf_config(test::hf_fixture("llama"));
  EXPECT_EQ(llama.rope_scaling.value("rope_type", ""), "llama3");
  EXPECT_DOUBLE_EQ(llama.rope_theta, 500000.0);
  EXPECT_EQ(llama.torch_dtype, "float16");
  EXPECT_FALSE(llama.tie_word_embeddings);
  EXPECT_TRUE(load_hf_config(test::hf_fixture("qwen2")).attention_bias);
}

TEST_F(HfCheckpointTest, LoadsInRequestedDtype) {
  HfLoadOptions options;
  options.dtype = torch::kBFloat16;
  HfModel loaded = load_hf_model(test::hf_fixture("llama"), options);
  for (const auto& item : loaded.model->named_parameters()) EXPECT_EQ(item.value().scalar_type(), torch::kBFloat16);
  auto logits = batch_logits(loaded, test::hf_reference("llama"));
  EXPECT_TRUE(torch::isfinite(logits).all().item<bool>());
}

TEST_F(HfCheckpointTest, SaveLoadRoundTripShardedFloat32) {
  auto reference = test::hf_reference("qwen2");
  HfModel original = load_hf_model(test::hf_fixture("qwen2"));
  HfSaveOptions options;
  options.dtype = torch::kFloat32;
  options.max_shard_bytes = 8000;
  options.tokenizer_source = test::hf_fixture("qwen2");
  save_hf_model(original.model, original.generation, dir_ / "saved", options);

  EXPECT_TRUE(fs::exists(dir_ / "saved" / "model.safetensors.index.json"));
  EXPECT_TRUE(fs::exists(dir_ / "saved" / "model-00001-of-00004.safetensors"));
  EXPECT_TRUE(fs::exists(dir_ / "saved" / "tokenizer.json"));
  EXPECT_TRUE(fs::exists(dir_ / "saved" / "tokenizer_config.json"));
  EXPECT_EQ(read_json(dir_ / "saved" / "config.json")["torch_dtype"], "float32");
  EXPECT_EQ(read_json(dir_ / "saved" / "generation_config.json")["eos_token_id"], nlohmann::json({295, 293}));

  HfModel reloaded = load_hf_model(dir_ / "saved");
  EXPECT_TRUE(torch::equal(batch_logits(reloaded, reference), batch_logits(original, reference)));
  EXPECT_EQ(reloaded.generation.top_k, original.generation.top_k);
  ModelConfig expected_config = original.config;
  expected_config.torch_dtype = "float32";  // the saved dtype, not the fixture's bfloat16
  EXPECT_EQ(reloaded.config.to_json(), expected_config.to_json());

  // no temporary folders are left next to the checkpoint
  for (const auto& entry : fs::directory_iterator(dir_))
    EXPECT_EQ(entry.path().filename().string().rfind(".saved", 0), std::string::npos) << entry.path();
}

TEST_F(HfCheckpointTest, SaveBfloat16RoundsOnce) {
  auto reference = test::hf_reference("llama");
  HfModel original = load_hf_model(test::hf_fixture("llama"));
  HfSaveOptions options;
  options.dtype = torch::kBFloat16;
  save_hf_model(original.model, original.generation, dir_ / "bf16", options);
  EXPECT_TRUE(fs::exists(dir_ / "bf16" / "model.safetensors"));
  EXPECT_EQ(SafetensorsFile((dir_ / "bf16" / "model.safetensors").string()).tensor("lm_head.weight").dtype, "BF16");

  // the same weights rounded to bf16 in memory give the same logits
  HfModel reloaded = load_hf_model(dir_ / "bf16");
  {
    torch::NoGradGuard no_grad;
    for (auto& item : original.model->named_parameters())
      item.value().copy_(item.value().to(torch::kBFloat16).to(torch::kFloat32));
  }
  EXPECT_TRUE(torch::equal(batch_logits(reloaded, reference), batch_logits(original, reference)));
}

TEST_F(HfCheckpointTest, SaveReplacesExistingCheckpoint) {
  HfModel original = load_hf_model(test::hf_fixture("qwen3"));
  fs::create_directories(dir_ / "out");
  std::ofstream(dir_ / "out" / "stale.txt") << "old";
  save_hf_model(original.model, original.generation, dir_ / "out");
  EXPECT_FALSE(fs::exists(dir_ / "out" / "stale.txt"));
  EXPECT_TRUE(fs::exists(dir_ / "out" / "model.safetensors"));
}

TEST_F(HfCheckpointTest, FailedSaveKeepsPreviousCheckpoint) {
  HfModel original = load_hf_model(test::hf_fixture("qwen3"));
  save_hf_model(original.model, original.generation, dir_ / "out");
  HfSaveOptions bad;
  bad.dtype = torch::kInt8;
  EXPECT_THROW(save_hf_model(original.model, original.generation, dir_ / "out", bad), Error);
  EXPECT_NO_THROW(load_hf_model(dir_ / "out"));
}

TEST_F(HfCheckpointTest, FailedSwapRemovesStagedFolder) {
  HfModel original = load_hf_model(test::hf_fixture("qwen3"));
  std::ofstream(dir_ / "occupied") << "a file, not a folder";

  // every file is staged before the swap finds a file at the destination
  EXPECT_THROW(save_hf_model(original.model, original.generation, dir_ / "occupied"), Error);
  std::ifstream in(dir_ / "occupied");
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "a file, not a folder");
  for (const auto& entry : fs::directory_iterator(dir_))
    EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << entry.path();
}

TEST_F(HfCheckpointTest, TiedCheckpointMayIncludeLmHead) {
  fs::path folder = copy_fixture("qwen2");
  SafetensorsFile source((folder / "model.safetensors").string());
  std::vector<SafetensorsTensor> tensors = source.tensors();
  SafetensorsTensor lm_head = source.tensor("model.embed_tokens.weight");
  lm_head.name = "lm_head.weight";
  tensors.push_back(lm_head);
  write_safetensors((dir_ / "with_head.safetensors").string(), tensors);
  fs::rename(dir_ / "with_head.safetensors", folder / "model.safetensors");
  EXPECT_NO_THROW(load_hf_model(folder));
}

TEST_F(HfCheckpointTest, GenerationConfigDefaultsAndChecks) {
  ModelConfig config = load_hf_config(test::hf_fixture("qwen2"));
  GenerationConfig defaults = GenerationConfig::from_json(nlohmann::json::object(), config);
  EXPECT_EQ(defaults.eos_token_ids, (std::vector<int64_t>{295}));  // from config.json
  EXPECT_FALSE(defaults.do_sample);
  EXPECT_EQ(defaults.top_k, 50);
  EXPECT_DOUBLE_EQ(defaults.top_p, 1.0);

  EXPECT_THROW(GenerationConfig::from_json({{"top_p", 1.5}}, config), Error);
  EXPECT_THROW(GenerationConfig::from_json({{"temperature", -1.0}}, config), Error);
  EXPECT_THROW(GenerationConfig::from_json({{"top_k", "many"}}, config), Error);

  fs::path folder = copy_fixture("qwen2");
  fs::remove(folder / "generation_config.json");
  EXPECT_EQ(load_hf_model(folder).generation.eos_token_ids, (std::vector<int64_t>{295}));
}

TEST_F(HfCheckpointTest, MissingFolderIsReported) {
  expect_load_error(dir_ / "absent", {"absent", "does not exist"});
}

TEST_F(HfCheckpointTest, MissingConfigIsReported) {
  fs::path folder = copy_fixture("qwen2");
  fs::remove(folder / "config.json");
  expect_load_error(folder, {"config.json", "not found"});
}

TEST_F(HfCheckpointTest, MissingWeightsAreReported) {
  fs::path folder = copy_fixture("qwen2");
  fs::remove(folder / "model.safetensors");
  expect_load_error(folder, {"model.safetensors", "neither"});
}

TEST_F(HfCheckpointTest, MissingShardIsReported) {
  fs::path folder = copy_fixture("llama");
  fs::remove(folder / "model-00002-of-00003.safetensors");
  expect_load_error(folder, {"model-00002-of-00003.safetensors", "does not exist"});
}

TEST_F(HfCheckpointTest, TruncatedWeightsAreReported) {
  fs::path folder = copy_fixture("qwen3");
  fs::resize_file(folder / "model.safetensors", fs::file_size(folder / "model.safetensors") - 100);
  expect_load_error(folder, {"model.safetensors", "truncated"});
}

TEST_F(HfCheckpointTest, HeaderLyingAboutOffsetsIsReported) {
  fs::path folder = copy_fixture("qwen3");
  fs::path path = folder / "model.safetensors";
  // shift the end offset of the first tensor in the header text by 4 bytes
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  size_t at = bytes.find("\"data_offsets\":[0,");
  ASSERT_NE(at, std::string::npos);
  size_t number = at + std::string("\"data_offsets\":[0,").size();
  size_t end = bytes.find(']', number);
  std::string original = bytes.substr(number, end - number);
  std::string changed = std::to_string(std::stoll(original) - 4);
  changed.resize(original.size(), ' ');
  bytes.replace(number, original.size(), changed);
  std::ofstream(path, std::ios::binary) << bytes;
  expect_load_error(folder, {"model.safetensors", "spans"});
}

TEST_F(HfCheckpointTest, UnknownModelTypeIsReported) {
  fs::path folder = copy_fixture("qwen2");
  auto config = read_json(folder / "config.json");
  config["model_type"] = "mistral";
  write_json(folder / "config.json", config);
  expect_load_error(folder, {"config.json", "mistral", "supported are llama, qwen2 and qwen3"});
}

TEST_F(HfCheckpointTest, UnsupportedWeightDtypeIsReported) {
  fs::path folder = copy_fixture("qwen3");
  SafetensorsFile source((folder / "model.safetensors").string());
  std::vector<SafetensorsTensor> tensors = source.tensors();
  std::vector<uint8_t> quantized;
  for (auto& tensor : tensors) {
    if (tensor.name != "model.norm.weight") continue;
    quantized.assign(tensor.size_bytes / 4, 1);
    tensor.dtype = "I8";
    tensor.data = quantized.data();
    tensor.size_bytes = quantized.size();
  }
  write_safetensors((dir_ / "quantized.safetensors").string(), tensors);
  fs::rename(dir_ / "quantized.safetensors", folder / "model.safetensors");
  expect_load_error(folder, {"model.norm.weight", "I8", "only F32, F16 and BF16", "convert"});
}

TEST_F(HfCheckpointTest, UnsupportedTargetDtypeIsReported) {
  HfLoadOptions options;
  options.dtype = torch::kInt8;
  expect_load_error(test::hf_fixture("qwen3"), {"not supported"}, options);
  EXPECT_THROW(parse_weight_dtype("int4"), Error);
  EXPECT_EQ(parse_weight_dtype("bf16"), torch::kBFloat16);
}

TEST_F(HfCheckpointTest, MisShapedTensorIsReported) {
  fs::path folder = copy_fixture("qwen3");
  auto config = read_json(folder / "config.json");
  config["intermediate_size"] = 40;
  write_json(folder / "config.json", config);
  expect_load_error(folder, {"wrong shape", "mlp.gate_proj.weight is [32, 16]", "needs [40, 16]"});
}

TEST_F(HfCheckpointTest, MissingAndUnexpectedTensorsAreListed) {
  fs::path folder = copy_fixture("qwen2");
  auto config = read_json(folder / "config.json");
  config["tie_word_embeddings"] = false;
  config["num_hidden_layers"] = 1;
  write_json(folder / "config.json", config);
  expect_load_error(folder, {"missing: lm_head.weight", "unexpected: model.layers.1."});
}

}  // namespace
}  // namespace r1
