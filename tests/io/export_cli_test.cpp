// The r1 export command on the fixture checkpoints.
#include <gtest/gtest.h>

#include <cstdlib>

#include "formats/gguf.h"
#include "io/hf_checkpoint.h"
#include "io/hf_fixtures.h"

namespace r1 {
namespace {

namespace fs = std::filesystem;

int run_export(const std::string& arguments) {
  std::string command = std::string(R1_BINARY) + " export " + arguments + " > /dev/null 2>&1";
  return std::system(command.c_str());
}

class ExportCliTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = test::make_temp_dir("export-cli"); }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(ExportCliTest, HfFolderInBfloat16) {
  fs::path out = dir_ / "qwen3-bf16";
  ASSERT_EQ(run_export("--model " + test::hf_fixture("qwen3").string() + " --format hf --dtype bf16 --out " +
                       out.string()),
            0);
  HfModel loaded = load_hf_model(out);
  EXPECT_EQ(loaded.config.torch_dtype, "bfloat16");
  EXPECT_TRUE(fs::exists(out / "tokenizer.json"));
  EXPECT_EQ(loaded.generation.top_k, 20);
}

TEST_F(ExportCliTest, GgufFile) {
  fs::path out = dir_ / "llama.gguf";
  ASSERT_EQ(run_export("--model " + test::hf_fixture("llama").string() + " --format gguf --dtype f16 --out " +
                       out.string()),
            0);
  gguf::GgufFile file = gguf::read_gguf(out);
  EXPECT_EQ(file.metadata.at("general.architecture"), "llama");
  EXPECT_EQ(file.metadata.at("general.file_type"), 1);
}

TEST_F(ExportCliTest, BadArgumentsFail) {
  const std::string model = " --model " + test::hf_fixture("qwen2").string();
  EXPECT_NE(run_export(model + " --format onnx --out " + (dir_ / "x").string()), 0);
  EXPECT_NE(run_export(model + " --dtype int4 --out " + (dir_ / "x").string()), 0);
  EXPECT_NE(run_export(model + " --max-shard-size 5XB --out " + (dir_ / "x").string()), 0);
  EXPECT_NE(run_export("--model " + (dir_ / "absent").string() + " --out " + (dir_ / "x").string()), 0);
  EXPECT_FALSE(fs::exists(dir_ / "x"));
}

}  // namespace
}  // namespace r1
