// save_checkpoint and load_checkpoint: an exact round trip of the logits, and
// errors that name the file when model.safetensors is missing or corrupt.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "io/checkpoint.h"
#include "model/tiny_models.h"
#include "util/error.h"

namespace r1 {
namespace {

namespace fs = std::filesystem;

class CheckpointTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("r1_checkpoint_" + std::to_string(::getpid()) + "_" + GetParam());
    fs::remove_all(dir_);
    torch::manual_seed(2);
    model_ = Transformer(test::tiny_config(GetParam()));
    model_->init_weights(4);
    // non-zero biases and norms, so a dropped tensor would show in the logits
    torch::NoGradGuard no_grad;
    for (auto& p : model_->parameters()) p.add_(0.05 * torch::randn_like(p));
    save_checkpoint(dir_.string(), model_, {{"type", "byte"}}, {{"stage", "test"}, {"step", 7}});
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Expects load_checkpoint to throw r1::Error whose message names model.safetensors.
  void expect_error_naming_weights() {
    try {
      load_checkpoint(dir_.string());
      FAIL() << "expected r1::Error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("model.safetensors"), std::string::npos) << e.what();
    }
  }

  fs::path dir_;
  Transformer model_{nullptr};
};

TEST_P(CheckpointTest, RoundTripIsExact) {
  Checkpoint loaded = load_checkpoint(dir_.string());
  EXPECT_EQ(loaded.trainer_state.at("step"), 7);
  EXPECT_EQ(loaded.tokenizer_spec.at("type"), "byte");
  ASSERT_NE(loaded.tokenizer, nullptr);

  torch::NoGradGuard no_grad;
  auto tokens = torch::randint(19, {2, 7}, torch::kLong);
  auto mask = torch::ones({2, 7}, torch::kBool);
  mask[0][0] = false;
  auto positions = positions_from_mask(mask);
  auto expected = model_->forward(tokens, positions, mask);
  auto actual = loaded.model->forward(tokens, positions, mask);
  EXPECT_TRUE(torch::equal(expected, actual)) << "max difference " << (expected - actual).abs().max().item<double>();
  EXPECT_EQ(loaded.model->config().to_json(), model_->config().to_json());
}

TEST_P(CheckpointTest, MissingWeightsNameFile) {
  fs::remove(dir_ / "model.safetensors");
  expect_error_naming_weights();
}

TEST_P(CheckpointTest, GarbageWeightsNameFile) {
  std::ofstream(dir_ / "model.safetensors", std::ios::binary | std::ios::trunc) << "not a safetensors file";
  expect_error_naming_weights();
}

TEST_P(CheckpointTest, TruncatedWeightsNameFile) {
  const auto path = dir_ / "model.safetensors";
  fs::resize_file(path, fs::file_size(path) / 2);
  expect_error_naming_weights();
}

TEST_P(CheckpointTest, SaveOverExistingCheckpoint) {
  // a second save replaces the first in place
  torch::NoGradGuard no_grad;
  for (auto& p : model_->parameters()) p.mul_(0.5);
  save_checkpoint(dir_.string(), model_, {{"type", "byte"}}, {{"stage", "test"}, {"step", 8}});
  Checkpoint loaded = load_checkpoint(dir_.string());
  EXPECT_EQ(loaded.trainer_state.at("step"), 8);
  auto a = model_->named_parameters(), b = loaded.model->named_parameters();
  for (const auto& item : a) EXPECT_TRUE(torch::equal(item.value(), b[item.key()])) << item.key();
}

INSTANTIATE_TEST_SUITE_P(Families, CheckpointTest, ::testing::Values("llama", "qwen2", "qwen3"));

}  // namespace
}  // namespace r1
