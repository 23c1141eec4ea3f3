// The CPU decode-attention loops against softmax(q k^T + bias) v computed with
// LibTorch's own products, over head sizes and slot counts on both sides of
// the loops' 32-wide blocks, with masked slots and slots past S in the cache.
#include <gtest/gtest.h>

#include <limits>

#include "model/decode_attention.h"
#include "util/error.h"

namespace r1 {
namespace {

struct Shape {
  int64_t B, Hkv, G, D, S, C;
};

class DecodeAttentionTest : public ::testing::TestWithParam<Shape> {};

TEST_P(DecodeAttentionTest, MatchesBatchedProducts) {
  const Shape s = GetParam();
  torch::manual_seed(11);
  auto q = torch::randn({s.B, s.Hkv, s.G, s.D});
  auto keys = torch::randn({s.B, s.Hkv, s.C, s.D});
  auto values = torch::randn({s.B, s.Hkv, s.C, s.D});
  auto keys_t = keys.transpose(2, 3).contiguous();  // the cache's layout [B,Hkv,D,C]

  // Hide every third slot of row 0 and the first slot of the last row. The
  // final slot (the query's own) stays visible.
  auto bias = torch::zeros({s.B, s.S});
  const float inf = std::numeric_limits<float>::infinity();
  for (int64_t j = 0; j + 1 < s.S; j += 3) bias[0][j] = -inf;
  if (s.S > 1) bias[s.B - 1][0] = -inf;

  auto used_keys = keys.narrow(2, 0, s.S);
  auto used_values = values.narrow(2, 0, s.S);
  auto scores = torch::matmul(q, used_keys.transpose(-2, -1)) + bias.view({s.B, 1, 1, s.S});
  auto expected = torch::matmul(torch::softmax(scores, -1), used_values);  // [B,Hkv,G,D]

  ASSERT_TRUE(decode_attention_applies(q, keys_t, values, bias));
  auto got = decode_attention(q, keys_t, values, s.S, bias);
  ASSERT_EQ(got.sizes(), expected.sizes());
  EXPECT_LT((got - expected).abs().max().item<double>(), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Shapes, DecodeAttentionTest,
                         ::testing::Values(Shape{1, 1, 1, 8, 1, 1},      // a single slot
                                           Shape{2, 2, 2, 32, 31, 31},   // fewer slots than a block
                                           Shape{2, 2, 2, 32, 33, 80},   // a block read past S
                                           Shape{3, 2, 7, 64, 100, 100}, // a partial last block
                                           Shape{2, 1, 3, 72, 64, 70},   // head size past a block
                                           Shape{4, 2, 2, 16, 97, 130}));

TEST(DecodeAttention, DeclinesTensorsItCannotRead) {
  auto q = torch::randn({1, 1, 1, 8});
  auto keys_t = torch::randn({1, 1, 8, 4});
  auto values = torch::randn({1, 1, 4, 8});
  auto bias = torch::zeros({1, 4});
  EXPECT_TRUE(decode_attention_applies(q, keys_t, values, bias));
  EXPECT_FALSE(decode_attention_applies(q.to(torch::kBFloat16), keys_t, values, bias));
  EXPECT_FALSE(decode_attention_applies(q, keys_t.transpose(2, 3), values, bias));
  EXPECT_FALSE(decode_attention_applies(q.clone().requires_grad_(true), keys_t, values, bias));
  EXPECT_THROW(decode_attention(q, keys_t, values, 5, bias), Error);                       // S past the cache
  EXPECT_THROW(decode_attention(q, keys_t, values, 4, torch::zeros({1, 3})), Error);       // bias of 3 slots
  EXPECT_THROW(decode_attention(q, keys_t, torch::randn({1, 1, 4, 6}), 4, bias), Error);  // head size 6
}

}  // namespace
}  // namespace r1
