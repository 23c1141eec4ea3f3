// Passes without a KV cache compute attention in query blocks that skip keys
// no query of the block may see. These tests use sequences longer than
// several blocks and check the result against passes that cannot skip
// anything: decoding one token at a time with the cache, and each packed
// document run alone. Forward values and parameter gradients must agree.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model/tiny_models.h"
#include "model/transformer.h"
#include "sampling/generate.h"

namespace r1 {
namespace {

constexpr double kTolerance = 1e-5;  // float32 logits

class AttentionBlocksTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    torch::manual_seed(11);
    config_ = test::tiny_config(GetParam());
    config_.max_position_embeddings = 512;
    model_ = Transformer(config_);
    model_->init_weights(7);
    torch::NoGradGuard no_grad;
    for (auto& p : model_->parameters()) p.mul_(4.0);
  }

  torch::Tensor random_tokens(int64_t n) { return torch::randint(3, config_.vocab_size, {n}, torch::kLong); }

  ModelConfig config_;
  Transformer model_{nullptr};
};

// Rows of 150 and 90 tokens (left-padded to [2,150], three query blocks):
// one full pass against 150 single-token steps with the cache.
TEST_P(AttentionBlocksTest, LongRowsMatchIncrementalDecoding) {
  torch::NoGradGuard no_grad;
  std::vector<std::vector<int64_t>> rows;
  for (int64_t n : {150, 90}) {
    auto t = random_tokens(n);
    rows.emplace_back(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + n);
  }
  torch::Tensor tokens, mask;
  left_pad_batch(rows, 0, tokens, mask);
  auto positions = positions_from_mask(mask);
  auto full = model_->forward(tokens, positions, mask);  // [2,150,V]

  const int64_t T = tokens.size(1);
  KVCache cache = model_->make_cache(2, T);
  double worst = 0;
  for (int64_t t = 0; t < T; ++t) {
    auto step = model_->forward(tokens.narrow(1, t, 1), positions.narrow(1, t, 1), mask.narrow(1, 0, t + 1), &cache);
    auto diff = (step - full.narrow(1, t, 1)).abs().amax(-1) * mask.narrow(1, t, 1).to(torch::kFloat32);  // [2,1]
    worst = std::max(worst, diff.max().item<double>());
  }
  // relative to the largest logit: the scaled weights give logits near 5
  const double largest = full.abs().max().item<double>();
  EXPECT_LT(worst / std::max(1.0, largest), kTolerance);
  EXPECT_GT(full.std().item<double>(), 0.1);
  std::printf("%s: max |blocked - incremental| = %.3g, largest logit %.3g\n", GetParam().c_str(), worst, largest);
}

// Two rows that pack documents of 40, 70, 25 and 60 tokens, and of 100 and
// 95, so that query blocks begin in the middle of documents. Each
// document's logits and the parameter gradients of a weighted sum of them
// must equal those of the documents run alone.
TEST_P(AttentionBlocksTest, PackedDocumentsMatchDocumentsAlone) {
  const std::vector<std::vector<int64_t>> layout = {{40, 70, 25, 60}, {100, 95}};
  const int64_t T = 195;

  // the packed batch: document numbers from 1 in key_mask, positions from 0
  // in each document, padding after the last document
  auto tokens = torch::zeros({2, T}, torch::kLong);
  auto documents = torch::zeros({2, T}, torch::kLong);
  auto positions = torch::zeros({2, T}, torch::kLong);
  std::vector<std::vector<torch::Tensor>> docs(layout.size());
  for (size_t r = 0; r < layout.size(); ++r) {
    int64_t offset = 0, number = 1;
    for (int64_t length : layout[r]) {
      auto doc = random_tokens(length);
      docs[r].push_back(doc);
      tokens[static_cast<int64_t>(r)].narrow(0, offset, length).copy_(doc);
      documents[static_cast<int64_t>(r)].narrow(0, offset, length).fill_(number++);
      positions[static_cast<int64_t>(r)].narrow(0, offset, length).copy_(torch::arange(length));
      offset += length;
    }
  }
  auto weights = torch::randn({2, T, config_.vocab_size});

  // packed pass
  model_->zero_grad();
  auto packed = model_->forward(tokens, positions, documents);  // [2,T,V]
  (packed * weights * documents.ne(0).unsqueeze(-1)).sum().backward();
  std::vector<torch::Tensor> packed_grads;
  for (auto& p : model_->parameters()) packed_grads.push_back(p.grad().clone());

  // each document alone, accumulating the same weighted sum
  model_->zero_grad();
  double worst = 0;
  for (size_t r = 0; r < layout.size(); ++r) {
    int64_t offset = 0;
    for (size_t d = 0; d < docs[r].size(); ++d) {
      const int64_t length = layout[r][d];
      auto alone = model_->forward(docs[r][d].view({1, length}), torch::arange(length).view({1, length}),
                                   torch::ones({1, length}, torch::kLong));  // [1,L,V]
      auto w = weights[static_cast<int64_t>(r)].narrow(0, offset, length).unsqueeze(0);
      (alone * w).sum().backward();
      auto reference = packed[static_cast<int64_t>(r)].narrow(0, offset, length).detach();
      worst = std::max(worst, (alone.squeeze(0).detach() - reference).abs().max().item<double>());
      offset += length;
    }
  }
  // relative to the largest logit, as above
  const double largest = packed.abs().max().item<double>();
  EXPECT_LT(worst / std::max(1.0, largest), kTolerance) << "logits";

  auto parameters = model_->parameters();
  double worst_grad = 0;
  for (size_t i = 0; i < parameters.size(); ++i) {
    auto scale = std::max(1.0, packed_grads[i].abs().max().item<double>());
    worst_grad = std::max(worst_grad, (parameters[i].grad() - packed_grads[i]).abs().max().item<double>() / scale);
  }
  EXPECT_LT(worst_grad, 1e-4) << "gradients, relative to the largest entry";
  std::printf("%s: max |packed - alone| logits %.3g, gradients %.3g\n", GetParam().c_str(), worst, worst_grad);
}

INSTANTIATE_TEST_SUITE_P(Families, AttentionBlocksTest, ::testing::Values("llama", "qwen2", "qwen3"));

}  // namespace
}  // namespace r1
