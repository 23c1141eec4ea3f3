// block_views() against plain narrow(): same values, and the same gradient
// when ranges overlap, leave gaps or are skipped by the loss.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "model/block_views.h"
#include "util/error.h"

namespace r1 {
namespace {

TEST(BlockViews, ValuesAndGradientsMatchNarrow) {
  torch::manual_seed(3);
  auto x = torch::randn({2, 9, 3}, torch::kFloat64);
  // overlapping, a gap at slot 8, and one range the loss does not use
  const std::vector<BlockRange> ranges = {{0, 4}, {2, 5}, {6, 2}, {1, 1}};
  auto weights = torch::randn({static_cast<int64_t>(ranges.size()), 2, 9, 3}, torch::kFloat64);

  auto loss_of = [&](const std::vector<torch::Tensor>& views) {
    torch::Tensor loss = torch::zeros({}, torch::kFloat64);
    for (size_t i = 0; i + 1 < views.size(); ++i)
      loss = loss + (views[i] * weights[i].narrow(1, 0, views[i].size(1))).sum();
    return loss;
  };

  auto a = x.clone().requires_grad_(true);
  auto views = block_views(a, 1, ranges);
  ASSERT_EQ(views.size(), ranges.size());
  loss_of(views).backward();

  auto b = x.clone().requires_grad_(true);
  std::vector<torch::Tensor> narrowed;
  for (const auto& r : ranges) narrowed.push_back(b.narrow(1, r.start, r.length));
  loss_of(narrowed).backward();

  for (size_t i = 0; i < ranges.size(); ++i) EXPECT_TRUE(torch::equal(views[i], narrowed[i])) << "range " << i;
  EXPECT_TRUE(torch::allclose(a.grad(), b.grad(), 0, 1e-12));
  EXPECT_EQ(a.grad().select(1, 8).abs().sum().item<double>(), 0.0);
}

TEST(BlockViews, NegativeDimensionAndNoGrad) {
  auto x = torch::arange(10, torch::kFloat32).view({2, 5});
  auto views = block_views(x, -1, {{1, 3}});
  EXPECT_TRUE(torch::equal(views[0], x.narrow(1, 1, 3)));
}

TEST(BlockViews, RejectsRangesOutsideTheTensor) {
  auto x = torch::zeros({2, 5});
  EXPECT_THROW(block_views(x, 1, {{3, 3}}), Error);
  EXPECT_THROW(block_views(x, 1, {{-1, 2}}), Error);
  EXPECT_THROW(block_views(x, 2, {{0, 1}}), Error);
}

}  // namespace
}  // namespace r1
