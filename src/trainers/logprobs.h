// Per-token log-probabilities of completions under a model, the quantity
// every policy-gradient loss is built from.
//
// Dimension letters: B rows, Tp prompt length (left-padded), Tc completion
// length (right-padded), V vocab.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "model/transformer.h"

namespace r1 {

// A batch of prompt + completion sequences laid out as
// [left pad | prompt | completion | right pad].
struct SequenceBatch {
  torch::Tensor tokens;           // [B, Tp+Tc] int64
  torch::Tensor key_mask;         // [B, Tp+Tc] bool, real tokens
  torch::Tensor positions;        // [B, Tp+Tc] int64
  torch::Tensor completion_mask;  // [B, Tc] float, 1 on completion tokens
  int64_t prompt_length = 0;      // Tp
};

SequenceBatch make_sequence_batch(const std::vector<std::vector<int64_t>>& prompts,
                                  const std::vector<std::vector<int64_t>>& completions, int64_t pad_id,
                                  torch::Device device);

// Rows [begin, end) of a batch.
SequenceBatch slice_batch(const SequenceBatch& batch, int64_t begin, int64_t end);

// log pi(completion token t | prefix) for every completion slot: [B,Tc]
// (zero where completion_mask is zero). With `temperature`, pi is the
// distribution of softmax(logits / temperature) that sampling drew from.
torch::Tensor completion_logprobs(Transformer& model, const SequenceBatch& batch, double temperature = 1.0);

}  // namespace r1
