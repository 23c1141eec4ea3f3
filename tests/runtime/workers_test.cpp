// Worker threads: every task runs once, errors reach the caller, thread
// counts come back, and gradients summed from the workers equal those of
// backward() on each loss in turn.
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

#include <ATen/Parallel.h>

#include "model/tiny_models.h"
#include "model/transformer.h"
#include "runtime/runtime.h"
#include "runtime/workers.h"
#include "util/error.h"

namespace r1 {
namespace {

TEST(Workers, RunEveryTaskOnceAndRestoreThreads) {
  const int threads = at::get_num_threads();
  std::vector<std::atomic<int>> runs(9);
  std::atomic<int> single_threaded{0};
  run_on_workers(9, 3, [&](int64_t task) {
    ++runs[task];
    if (at::get_num_threads() == 1) ++single_threaded;
  });
  for (const auto& count : runs) EXPECT_EQ(count.load(), 1);
  EXPECT_EQ(single_threaded.load(), 9);
  EXPECT_EQ(at::get_num_threads(), threads);
}

TEST(Workers, OneWorkerRunsInOrder) {
  std::vector<int64_t> order;
  run_on_workers(4, 1, [&](int64_t task) { order.push_back(task); });
  EXPECT_EQ(order, (std::vector<int64_t>{0, 1, 2, 3}));
}

TEST(Workers, ErrorReachesTheCaller) {
  const int threads = at::get_num_threads();
  EXPECT_THROW(run_on_workers(6, 2,
                              [](int64_t task) {
                                if (task == 3) throw std::runtime_error("task 3 failed");
                              }),
               std::runtime_error);
  EXPECT_EQ(at::get_num_threads(), threads);
  EXPECT_THROW(run_on_workers(2, 0, [](int64_t) {}), Error);
}

// The summed gradients of three micro-batches on two workers equal those of
// backward() on each micro-batch in turn.
TEST(Workers, AccumulatedGradientsMatchSequentialBackward) {
  torch::manual_seed(3);
  Transformer model(test::tiny_config("qwen2"));
  model->init_weights(4);
  auto tokens = torch::randint(3, 19, {6, 7}, torch::kLong);
  auto mask = torch::ones({6, 7}, torch::kBool);
  auto positions = positions_from_mask(mask);
  auto loss_of = [&](int64_t task) {
    auto rows = tokens.narrow(0, 2 * task, 2);
    auto logits = model->forward(rows, positions.narrow(0, 2 * task, 2), mask.narrow(0, 2 * task, 2));
    return torch::log_softmax(logits, -1).select(-1, 5).mean() * static_cast<double>(task + 1);
  };

  for (auto& p : model->parameters()) p.mutable_grad() = torch::Tensor();
  accumulate_gradients(model->parameters(), 3, 1, loss_of);
  std::vector<torch::Tensor> sequential;
  for (const auto& p : model->parameters()) sequential.push_back(p.grad().clone());

  for (auto& p : model->parameters()) p.mutable_grad() = torch::Tensor();
  accumulate_gradients(model->parameters(), 3, 2, loss_of);
  const auto parameters = model->parameters();
  for (size_t i = 0; i < parameters.size(); ++i) {
    ASSERT_TRUE(parameters[i].grad().defined()) << "parameter " << i;
    EXPECT_TRUE(torch::allclose(parameters[i].grad(), sequential[i], 1e-5, 1e-6)) << "parameter " << i;
  }
  EXPECT_GT(sequential[0].abs().max().item<double>(), 0.0);
}

TEST(Workers, SetOpenBlasThreadsReportsThePreviousCount) {
  const int previous = set_openblas_threads(1);
  if (previous == 0) GTEST_SKIP() << "this LibTorch does not use OpenBLAS";
  EXPECT_EQ(set_openblas_threads(previous), 1);
}

}  // namespace
}  // namespace r1
