// Completion log-probabilities for GRPO against a hand computation from one
// full forward pass: the prompt is left-padded, the completion right-padded,
// and a temperature divides the logits before the softmax.
#include <gtest/gtest.h>

#include <vector>

#include "model/tiny_models.h"
#include "model/transformer.h"
#include "trainers/logprobs.h"

namespace r1 {
namespace {

// log softmax(logits / temperature) of each completion token, from a forward
// pass over one unpadded row.
std::vector<double> reference_logprobs(Transformer& model, const std::vector<int64_t>& prompt,
                                       const std::vector<int64_t>& completion, double temperature) {
  std::vector<int64_t> row = prompt;
  row.insert(row.end(), completion.begin(), completion.end());
  auto tokens = torch::tensor(row, torch::kLong).view({1, -1});
  auto mask = torch::ones_like(tokens, torch::kBool);
  auto logits = model->forward(tokens, positions_from_mask(mask), mask)[0];  // [T,V]
  auto logprobs = torch::log_softmax(logits / temperature, -1);
  std::vector<double> out;
  for (size_t t = 0; t < completion.size(); ++t)
    out.push_back(logprobs[static_cast<int64_t>(prompt.size() + t) - 1][completion[t]].item<double>());
  return out;
}

TEST(CompletionLogprobs, MatchFullForwardAtTemperature) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(4);
  Transformer model(test::tiny_config("llama"));
  model->init_weights(6);
  for (auto& p : model->parameters()) p.mul_(4.0);  // logits far from uniform, so the temperature matters

  const std::vector<std::vector<int64_t>> prompts = {{1, 2, 3}, {4, 5}};
  const std::vector<std::vector<int64_t>> completions = {{6, 7, 8, 9}, {10, 11}};
  SequenceBatch batch = make_sequence_batch(prompts, completions, 0, torch::kCPU);
  for (double temperature : {1.0, 0.6}) {
    auto logprobs = completion_logprobs(model, batch, temperature);  // [2,4]
    for (size_t b = 0; b < prompts.size(); ++b) {
      auto expected = reference_logprobs(model, prompts[b], completions[b], temperature);
      for (size_t t = 0; t < expected.size(); ++t)
        EXPECT_NEAR(logprobs[b][t].item<double>(), expected[t], 1e-4) << "row " << b << " token " << t;
    }
    EXPECT_EQ(logprobs[1][2].item<double>(), 0.0);  // padding
  }
  auto cold = completion_logprobs(model, batch, 0.6), warm = completion_logprobs(model, batch, 1.0);
  EXPECT_GT((cold - warm).abs().max().item<double>(), 1e-2);
}

}  // namespace
}  // namespace r1
