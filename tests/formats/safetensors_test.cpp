// Reading, writing and validating safetensors files and sharded checkpoints.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "formats/safetensors.h"
#include "formats/safetensors_checkpoint.h"
#include "test_util.h"
#include "util/error.h"

namespace r1 {
namespace {

namespace fs = std::filesystem;

class SafetensorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("r1-safetensors-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes a file with the given JSON header text and data bytes.
  fs::path write_raw(const std::string& name, const std::string& header, const std::string& data) {
    fs::path path = dir_ / name;
    std::ofstream out(path, std::ios::binary);
    uint64_t size = header.size();
    out.write(reinterpret_cast<const char*>(&size), 8);
    out << header << data;
    return path;
  }

  // Expects SafetensorsFile(path) to throw an r1::Error containing every fragment.
  void expect_error(const fs::path& path, std::initializer_list<std::string> fragments) {
    try {
      SafetensorsFile file(path.string());
      FAIL() << "no error for " << path;
    } catch (const Error& e) {
      for (const auto& fragment : fragments) EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos)
          << "message '" << e.what() << "' lacks '" << fragment << "'";
    }
  }

  fs::path dir_;
};

TEST_F(SafetensorsTest, WriteReadRoundTrip) {
  std::vector<float> a = {1.5f, -2.0f, 3.25f, 0.0f, 7.0f, 8.0f};
  std::vector<uint16_t> b = {0x3f80, 0x4000};
  std::vector<SafetensorsTensor> tensors(2);
  tensors[0] = {"a", "F32", {2, 3}, reinterpret_cast<const uint8_t*>(a.data()), a.size() * 4};
  tensors[1] = {"b", "BF16", {2}, reinterpret_cast<const uint8_t*>(b.data()), b.size() * 2};
  fs::path path = dir_ / "round.safetensors";
  write_safetensors(path.string(), tensors, {{"format", "pt"}});

  SafetensorsFile file(path.string());
  ASSERT_EQ(file.tensors().size(), 2u);
  EXPECT_EQ(file.metadata().at("format"), "pt");
  const auto& read_a = file.tensor("a");
  EXPECT_EQ(read_a.dtype, "F32");
  EXPECT_EQ(read_a.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(std::memcmp(read_a.data, a.data(), 24), 0);
  EXPECT_EQ(std::memcmp(file.tensor("b").data, b.data(), 4), 0);
  EXPECT_FALSE(file.contains("c"));
}

TEST_F(SafetensorsTest, MissingFileNamesPath) {
  expect_error(dir_ / "absent.safetensors", {"absent.safetensors", "cannot open"});
}

TEST_F(SafetensorsTest, TruncatedFileIsRejected) {
  std::string header = R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})";
  fs::path path = write_raw("truncated.safetensors", header, std::string(10, '\0'));
  expect_error(path, {"truncated.safetensors", "'w'", "truncated"});
}

TEST_F(SafetensorsTest, HeaderLongerThanFileIsRejected) {
  fs::path path = dir_ / "short.safetensors";
  std::ofstream out(path, std::ios::binary);
  uint64_t size = 1000;
  out.write(reinterpret_cast<const char*>(&size), 8);
  out << "{}";
  out.close();
  expect_error(path, {"short.safetensors", "1000", "truncated"});
}

TEST_F(SafetensorsTest, OverlappingOffsetsAreRejected) {
  std::string header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                       R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})";
  fs::path path = write_raw("overlap.safetensors", header, std::string(12, '\0'));
  expect_error(path, {"overlap.safetensors", "'b'", "inside the previous tensor"});
}

TEST_F(SafetensorsTest, GapBetweenTensorsIsRejected) {
  std::string header = R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                       R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})";
  fs::path path = write_raw("gap.safetensors", header, std::string(12, '\0'));
  expect_error(path, {"gap.safetensors", "'b'", "gap"});
}

TEST_F(SafetensorsTest, TrailingBytesAreRejected) {
  std::string header = R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
  fs::path path = write_raw("trailing.safetensors", header, std::string(9, '\0'));
  expect_error(path, {"trailing.safetensors", "cover 4 bytes", "9"});
}

TEST_F(SafetensorsTest, SizeNotMatchingShapeIsRejected) {
  std::string header = R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})";
  fs::path path = write_raw("mismatch.safetensors", header, std::string(8, '\0'));
  expect_error(path, {"'a'", "spans 8 bytes", "need 12"});
}

TEST_F(SafetensorsTest, DuplicateTensorNameIsRejected) {
  std::string header = R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                       R"("a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})";
  fs::path path = write_raw("duplicate.safetensors", header, std::string(8, '\0'));
  expect_error(path, {"'a'", "twice"});
}

TEST_F(SafetensorsTest, UnknownDtypeNamesTensor) {
  std::string header = R"({"a":{"dtype":"Q4","shape":[1],"data_offsets":[0,4]}})";
  fs::path path = write_raw("dtype.safetensors", header, std::string(4, '\0'));
  expect_error(path, {"'a'", "unknown dtype 'Q4'"});
}

TEST_F(SafetensorsTest, InvalidJsonHeaderIsRejected) {
  fs::path path = write_raw("json.safetensors", "{\"a\": [1, 2", "");
  expect_error(path, {"json.safetensors", "not valid JSON"});
}

TEST_F(SafetensorsTest, NonJsonHeaderIsRejected) {
  fs::path path = write_raw("garbage.safetensors", "garbage!", "");
  expect_error(path, {"garbage.safetensors", "not safetensors"});
}

// Sharded checkpoints: model.safetensors.index.json and its shards.
class ShardedCheckpointTest : public SafetensorsTest {
 protected:
  void write_shards() {
    std::string one = R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
    std::string two = R"({"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
    write_raw("model-00001-of-00002.safetensors", one, std::string(4, '\0'));
    write_raw("model-00002-of-00002.safetensors", two, std::string(4, '\0'));
  }
  void write_index(const std::string& weight_map) {
    std::ofstream(dir_ / "model.safetensors.index.json")
        << R"({"metadata": {"total_size": 8}, "weight_map": )" << weight_map << "}";
  }
  void expect_checkpoint_error(std::initializer_list<std::string> fragments) {
    try {
      SafetensorsCheckpoint checkpoint(dir_);
      FAIL() << "no error";
    } catch (const Error& e) {
      for (const auto& fragment : fragments) EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos)
          << "message '" << e.what() << "' lacks '" << fragment << "'";
    }
  }
};

TEST_F(ShardedCheckpointTest, IndexMapsTensorsToShards) {
  write_shards();
  write_index(R"({"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"})");
  SafetensorsCheckpoint checkpoint(dir_);
  EXPECT_EQ(checkpoint.names(), (std::vector<std::string>{"a", "b"}));
  EXPECT_NE(checkpoint.file_of("b").find("model-00002-of-00002"), std::string::npos);
  EXPECT_EQ(checkpoint.tensor("a").shape, (std::vector<int64_t>{1}));
  EXPECT_EQ(checkpoint.files().size(), 2u);
}

TEST_F(ShardedCheckpointTest, MissingShardIsNamed) {
  write_shards();
  fs::remove(dir_ / "model-00002-of-00002.safetensors");
  write_index(R"({"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"})");
  expect_checkpoint_error({"model-00002-of-00002.safetensors", "'b'", "does not exist"});
}

TEST_F(ShardedCheckpointTest, TensorMissingFromShardIsNamed) {
  write_shards();
  write_index(R"({"a": "model-00001-of-00002.safetensors", "b": "model-00001-of-00002.safetensors"})");
  expect_checkpoint_error({"'b'", "does not contain it"});
}

TEST_F(ShardedCheckpointTest, UnlistedTensorIsNamed) {
  write_shards();
  write_index(R"({"a": "model-00001-of-00002.safetensors"})");
  // shard two is never opened, so its tensor is simply not part of the model
  SafetensorsCheckpoint checkpoint(dir_);
  EXPECT_EQ(checkpoint.names(), (std::vector<std::string>{"a"}));
}

TEST_F(ShardedCheckpointTest, NoWeightsFileIsReported) {
  expect_checkpoint_error({"neither model.safetensors nor model.safetensors.index.json"});
}

TEST_F(ShardedCheckpointTest, ShardPathOutsideFolderIsRejected) {
  write_shards();
  write_index(R"({"a": "../model-00001-of-00002.safetensors"})");
  expect_checkpoint_error({"not a plain file name"});
}

}  // namespace
}  // namespace r1
