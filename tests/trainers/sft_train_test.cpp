// Supervised fine-tuning on a tiny model: the loss covers target tokens only
// (checked against a hand computation), gradient accumulation matches one
// large batch, and a few steps lower the loss on the training data.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "model/transformer.h"
#include "model/tiny_models.h"
#include "trainers/lm_batch.h"
#include "trainers/sft.h"
#include "util/error.h"

namespace r1 {
namespace {

Transformer tiny_model(uint64_t seed) {
  torch::manual_seed(seed);
  Transformer model(test::tiny_config("qwen2"));
  model->eval();
  return model;
}

// Sequences of a fixed pattern: a prompt of two tokens, then a completion
// that repeats the prompt's second token.
std::vector<LMExample> pattern_examples() {
  std::vector<LMExample> examples;
  for (int64_t a = 1; a <= 6; ++a) {
    LMExample example;
    example.tokens = {a, a + 6, a + 6, a + 6, 18};
    example.targets = {0, 0, 1, 1, 1};
    examples.push_back(example);
  }
  return examples;
}

// Two documents packed into one row score exactly as they do alone: each
// attends only to itself and its positions restart at 0.
TEST(LMBatch, PackedDocumentsMatchSeparateRows) {
  Transformer model = tiny_model(4);
  LMExample first, second, packed;
  first.tokens = {1, 5, 9, 2, 7};
  second.tokens = {1, 3, 3, 8};
  packed.tokens = first.tokens;
  packed.tokens.insert(packed.tokens.end(), second.tokens.begin(), second.tokens.end());
  packed.targets = {0, 1, 1, 1, 1, 0, 1, 1, 1};
  packed.document_starts = {5};

  torch::NoGradGuard no_grad;
  LMLoss alone_first = lm_nll(model, make_lm_batch({first}, 0, torch::kCPU));
  LMLoss alone_second = lm_nll(model, make_lm_batch({second}, 0, torch::kCPU));
  LMLoss together = lm_nll(model, make_lm_batch({packed}, 0, torch::kCPU));
  EXPECT_EQ(together.target_tokens, alone_first.target_tokens + alone_second.target_tokens);
  EXPECT_NEAR(together.nll_sum.item<double>(),
              alone_first.nll_sum.item<double>() + alone_second.nll_sum.item<double>(), 1e-4);

  LMBatch batch = make_lm_batch({packed}, 0, torch::kCPU);
  EXPECT_EQ(batch.positions[0][5].item<int64_t>(), 0);
  EXPECT_EQ(batch.positions[0][8].item<int64_t>(), 3);
  EXPECT_EQ(batch.documents[0][4].item<int64_t>(), 1);
  EXPECT_EQ(batch.documents[0][5].item<int64_t>(), 2);

  // without the starts the second document attends to the first, so scores differ
  packed.document_starts.clear();
  LMLoss unmasked = lm_nll(model, make_lm_batch({packed}, 0, torch::kCPU));
  EXPECT_GT(std::abs(unmasked.nll_sum.item<double>() - together.nll_sum.item<double>()), 1e-3);
}

TEST(LMBatch, PackFillsRowsFirstFit) {
  std::vector<LMExample> examples;
  for (int64_t length : {7, 3, 12, 2, 5, 4}) {
    LMExample example;
    example.tokens.assign(static_cast<size_t>(length), length);
    example.loss_start = 2;
    examples.push_back(example);
  }

  // longest first: [12], [7 3], [5 4], [2] with rows of up to 10 tokens
  std::vector<LMExample> rows = pack_examples(examples, 10);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].tokens.size(), 12u);
  EXPECT_TRUE(rows[0].document_starts.empty());
  EXPECT_EQ(rows[1].tokens.size(), 10u);
  EXPECT_EQ(rows[1].document_starts, std::vector<int64_t>{7});
  EXPECT_EQ(rows[2].document_starts, std::vector<int64_t>{5});
  EXPECT_EQ(rows[3].tokens.size(), 2u);

  // every example keeps its targets: loss_start 2 becomes flags 0 0 1 1 ...
  int64_t targets = 0;
  for (const LMExample& row : rows) {
    ASSERT_EQ(row.targets.size(), row.tokens.size());
    targets += count_targets(row);
  }
  EXPECT_EQ(targets, (7 - 2) + (3 - 2) + (12 - 2) + (2 - 2) + (5 - 2) + (4 - 2));
  EXPECT_EQ(rows[1].targets[7], 0);
  EXPECT_EQ(rows[1].targets[9], 1);

  EXPECT_THROW(pack_examples(examples, 0), Error);
  EXPECT_THROW(pack_examples(rows, 10), Error);
}

TEST(LMBatch, RejectsBadDocumentStarts) {
  LMExample example;
  example.tokens = {1, 2, 3, 4};
  example.document_starts = {2, 2};
  EXPECT_THROW(make_lm_batch({example}, 0, torch::kCPU), Error);
  example.document_starts = {4};
  EXPECT_THROW(make_lm_batch({example}, 0, torch::kCPU), Error);
}

TEST(SFTLoss, MasksPromptTokens) {
  Transformer model = tiny_model(1);
  LMExample example;
  example.tokens = {3, 5, 7, 9, 11};
  example.targets = {0, 0, 0, 1, 1};

  torch::NoGradGuard no_grad;
  LMLoss loss = lm_nll(model, make_lm_batch({example}, 0, torch::kCPU));
  EXPECT_EQ(loss.target_tokens, 2.0);

  // By hand: the logits at positions 2 and 3 predict tokens 9 and 11.
  auto tokens = torch::tensor(example.tokens, torch::kLong).unsqueeze(0);
  auto mask = torch::ones({1, 5}, torch::kBool);
  auto logprobs = torch::log_softmax(model->forward(tokens, positions_from_mask(mask), mask)[0], -1);  // [5,V]
  const double expected = -(logprobs[2][9].item<double>() + logprobs[3][11].item<double>());
  EXPECT_NEAR(loss.nll_sum.item<double>(), expected, 1e-5);

  // The same example with loss_start covers the same targets.
  LMExample by_start;
  by_start.tokens = example.tokens;
  by_start.loss_start = 3;
  LMLoss start_loss = lm_nll(model, make_lm_batch({by_start}, 0, torch::kCPU));
  EXPECT_NEAR(start_loss.nll_sum.item<double>(), expected, 1e-5);
}

TEST(SFTLoss, PaddingAddsNoLoss) {
  Transformer model = tiny_model(2);
  LMExample shorter;
  shorter.tokens = {3, 5, 7};
  shorter.targets = {0, 1, 1};
  LMExample longer;
  longer.tokens = {4, 6, 8, 10, 12, 14};
  longer.targets = {0, 0, 0, 0, 1, 1};

  torch::NoGradGuard no_grad;
  LMLoss alone = lm_nll(model, make_lm_batch({shorter}, 0, torch::kCPU));
  LMLoss other = lm_nll(model, make_lm_batch({longer}, 0, torch::kCPU));
  LMLoss together = lm_nll(model, make_lm_batch({shorter, longer}, 0, torch::kCPU));
  EXPECT_EQ(together.target_tokens, 4.0);
  EXPECT_NEAR(together.nll_sum.item<double>(), alone.nll_sum.item<double>() + other.nll_sum.item<double>(), 1e-4);
}

TEST(SFTLoss, CountTargetsSkipsFirstPosition) {
  LMExample example;
  example.tokens = {1, 2, 3};
  example.targets = {1, 1, 0};
  EXPECT_EQ(count_targets(example), 1);
}

TEST(SFTTraining, FewStepsLowerTrainingLoss) {
  Transformer model = tiny_model(3);
  auto examples = pattern_examples();
  const double before = lm_eval_loss(model, examples, 4, 0);

  SFTOptions options;
  options.max_steps = 30;
  options.micro_batch_size = 3;
  options.gradient_accumulation_steps = 2;
  options.lr = 1e-2;
  options.warmup_steps = 2;
  options.log_every = 10;
  train_sft(model, examples, {}, options, 0, nullptr);

  const double after = lm_eval_loss(model, examples, 4, 0);
  EXPECT_LT(after, before * 0.5) << "before " << before << ", after " << after;
}

TEST(SFTTraining, AccumulationMatchesOneBatch) {
  auto examples = pattern_examples();
  examples.resize(4);
  examples[1].tokens.push_back(2);  // unequal lengths, so padding and token weighting matter
  examples[1].targets.push_back(1);

  SFTOptions options;
  options.max_steps = 1;
  options.lr = 1e-2;
  Transformer one_batch = tiny_model(4);
  options.micro_batch_size = 4;
  options.gradient_accumulation_steps = 1;
  train_sft(one_batch, examples, {}, options, 0, nullptr);

  Transformer accumulated = tiny_model(4);
  options.micro_batch_size = 1;
  options.gradient_accumulation_steps = 4;
  train_sft(accumulated, examples, {}, options, 0, nullptr);

  auto a = one_batch->named_parameters();
  auto b = accumulated->named_parameters();
  for (const auto& item : a) EXPECT_TRUE(torch::allclose(item.value(), b[item.key()], 1e-4, 1e-5)) << item.key();
}

// Two workers each run a micro-batch; the step moves the weights as one
// worker running them in turn does.
TEST(SFTTraining, WorkersMatchOneWorker) {
  auto examples = pattern_examples();
  examples.resize(4);
  SFTOptions options;
  options.max_steps = 1;
  options.lr = 1e-2;
  options.micro_batch_size = 1;
  options.gradient_accumulation_steps = 4;
  Transformer one_worker = tiny_model(4);
  train_sft(one_worker, examples, {}, options, 0, nullptr);
  Transformer two_workers = tiny_model(4);
  options.workers = 2;
  train_sft(two_workers, examples, {}, options, 0, nullptr);

  auto a = one_worker->named_parameters();
  auto b = two_workers->named_parameters();
  for (const auto& item : a) EXPECT_TRUE(torch::allclose(item.value(), b[item.key()], 1e-4, 1e-5)) << item.key();
}

// Packing changes the rows, not the loss: one step on packed rows moves the
// weights as one step on padded examples does, with fewer computed positions.
TEST(SFTTraining, PackingMatchesPadding) {
  auto examples = pattern_examples();
  examples[1].tokens.push_back(2);
  examples[1].targets.push_back(1);
  examples[4].tokens.resize(3);
  examples[4].targets.resize(3);

  SFTOptions options;
  options.max_steps = 1;
  options.lr = 1e-2;
  options.micro_batch_size = 3;
  options.gradient_accumulation_steps = 2;
  SFTStepStats padded_stats, packed_stats;
  Transformer padded = tiny_model(6);
  train_sft(padded, examples, {}, options, 0, nullptr, [&](const SFTStepStats& s) { padded_stats = s; });

  Transformer packed = tiny_model(6);
  options.pack_tokens = 16;  // rows of 6+5+5 and 5+5+3 tokens: 32 positions against 33
  train_sft(packed, examples, {}, options, 0, nullptr, [&](const SFTStepStats& s) { packed_stats = s; });

  EXPECT_NEAR(packed_stats.loss, padded_stats.loss, 1e-5);
  EXPECT_EQ(packed_stats.target_tokens, padded_stats.target_tokens);
  EXPECT_EQ(packed_stats.tokens, padded_stats.tokens);
  EXPECT_LT(packed_stats.padded_tokens, padded_stats.padded_tokens);
  auto a = padded->named_parameters();
  auto b = packed->named_parameters();
  for (const auto& item : a) EXPECT_TRUE(torch::allclose(item.value(), b[item.key()], 1e-4, 1e-5)) << item.key();
}

TEST(SFTTraining, RejectsInvalidOptions) {
  Transformer model = tiny_model(5);
  auto examples = pattern_examples();
  SFTOptions options;
  options.micro_batch_size = 0;
  EXPECT_THROW(train_sft(model, examples, {}, options, 0, nullptr), Error);

  options = SFTOptions();
  options.min_lr_ratio = 2;
  EXPECT_THROW(train_sft(model, examples, {}, options, 0, nullptr), Error);

  options = SFTOptions();
  options.pack_tokens = -1;
  EXPECT_THROW(train_sft(model, examples, {}, options, 0, nullptr), Error);

  options = SFTOptions();
  options.workers = 0;
  EXPECT_THROW(train_sft(model, examples, {}, options, 0, nullptr), Error);

  LMExample no_targets;
  no_targets.tokens = {1, 2, 3};
  no_targets.targets = {0, 0, 0};
  EXPECT_THROW(train_sft(model, {no_targets}, {}, SFTOptions(), 0, nullptr), Error);
}

TEST(SFTTraining, TotalStepsFromEpochs) {
  SFTOptions options;
  options.epochs = 3;
  options.micro_batch_size = 2;
  options.gradient_accumulation_steps = 2;
  EXPECT_EQ(sft_total_steps(options, 10), 9);  // ceil(10 / 4) = 3 steps per epoch
  options.max_steps = 5;
  EXPECT_EQ(sft_total_steps(options, 10), 5);
}

}  // namespace
}  // namespace r1
