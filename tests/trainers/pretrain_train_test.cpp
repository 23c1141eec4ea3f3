// Next-token pretraining on a tiny model: two workers move the weights as
// one does, the weight average replaces the last weights, and invalid
// options are rejected.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "model/tiny_models.h"
#include "model/transformer.h"
#include "trainers/pretrain.h"
#include "util/error.h"

namespace r1 {
namespace {

Transformer tiny_model(uint64_t seed) {
  torch::manual_seed(seed);
  Transformer model(test::tiny_config("llama"));
  model->init_weights(seed);
  return model;
}

// Rows of 4 to 9 tokens that count up from a random start.
LMExample counting_row(std::mt19937_64& rng) {
  LMExample example;
  const int64_t start = 1 + static_cast<int64_t>(rng() % 8);
  const int64_t length = 4 + static_cast<int64_t>(rng() % 6);
  for (int64_t t = 0; t < length; ++t) example.tokens.push_back(start + t);
  return example;
}

LMTrainOptions few_steps() {
  LMTrainOptions options;
  options.steps = 3;
  options.batch_size = 4;
  options.lr = 1e-2;
  options.warmup_steps = 1;
  options.log_every = 100;
  return options;
}

double max_difference(Transformer& a, Transformer& b) {
  double difference = 0;
  auto b_parameters = b->named_parameters();
  for (const auto& item : a->named_parameters())
    difference = std::max(difference, (item.value() - b_parameters[item.key()]).abs().max().item<double>());
  return difference;
}

TEST(Pretrain, WorkersMatchOneWorker) {
  LMTrainOptions options = few_steps();
  Transformer one_worker = tiny_model(2);
  train_language_model(one_worker, counting_row, options, 0, nullptr);

  Transformer two_workers = tiny_model(2);
  options.workers = 2;
  train_language_model(two_workers, counting_row, options, 0, nullptr);

  Transformer start = tiny_model(2);
  EXPECT_GT(max_difference(one_worker, start), 1e-3);
  EXPECT_LT(max_difference(one_worker, two_workers), 1e-4);
}

// With a decay close to 1, the average barely leaves the initial weights.
// A smaller decay follows the trained weights part of the way.
TEST(Pretrain, WeightAverageReplacesLastWeights) {
  LMTrainOptions options = few_steps();
  Transformer start = tiny_model(3);
  Transformer last = tiny_model(3);
  train_language_model(last, counting_row, options, 0, nullptr);

  Transformer slow = tiny_model(3);
  options.ema_decay = 0.999999;
  train_language_model(slow, counting_row, options, 0, nullptr);
  EXPECT_LT(max_difference(slow, start), 1e-4);

  Transformer averaged = tiny_model(3);
  options.ema_decay = 0.5;
  train_language_model(averaged, counting_row, options, 0, nullptr);
  EXPECT_GT(max_difference(averaged, start), 1e-4);
  EXPECT_GT(max_difference(averaged, last), 1e-4);
}

TEST(Pretrain, RejectsInvalidOptions) {
  LMTrainOptions options = few_steps();
  options.workers = 0;
  EXPECT_THROW(validate_lm_train_options(options), Error);
  options = few_steps();
  options.ema_decay = 1.0;
  EXPECT_THROW(validate_lm_train_options(options), Error);
  options.ema_decay = -0.1;
  EXPECT_THROW(validate_lm_train_options(options), Error);
  options.ema_decay = 0.99;
  EXPECT_NO_THROW(validate_lm_train_options(options));
}

}  // namespace
}  // namespace r1
