// Batches of token sequences for next-token training (pretraining and
// supervised fine-tuning) and their masked negative log-likelihood.
//
// Dimension letters: B rows, T sequence length (right-padded), V vocab.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "model/transformer.h"

namespace r1 {

struct LMExample {
  std::vector<int64_t> tokens;
  int64_t loss_start = 1;  // first position whose token is a target (1: all but the first)
  // When non-empty, one flag per token: 1 where the token is a target. It
  // replaces loss_start, so prompts and other non-target spans carry no loss.
  // Position 0 is never a target because nothing precedes it.
  std::vector<uint8_t> targets;
  // Offsets where packed documents after the first begin, ascending. Tokens
  // attend only within their own document and positions restart at 0 at
  // each start. Empty: the row is one document.
  std::vector<int64_t> document_starts;
};

// Target positions of an example (position 0 excluded).
int64_t count_targets(const LMExample& example);

// Packs whole examples into rows of at most `row_tokens` tokens, first-fit
// with the longest example first, so rows come out nearly full. An example
// longer than row_tokens gets a row of its own. Each row records where its
// documents start, and every example keeps its own target flags.
std::vector<LMExample> pack_examples(std::vector<LMExample> examples, int64_t row_tokens);

struct LMBatch {
  torch::Tensor tokens;     // [B,T] int64, right-padded with pad_id
  torch::Tensor key_mask;   // [B,T] bool, true on real tokens
  torch::Tensor documents;  // [B,T] int64: 0 on padding, else the token's document number from 1
  torch::Tensor positions;  // [B,T] int64: offset of each token within its document
  torch::Tensor loss_mask;  // [B,T] float, 1 where the token at that position is a target
};

// Right-pads `examples` into one batch on `device`.
LMBatch make_lm_batch(const std::vector<LMExample>& examples, int64_t pad_id, torch::Device device);

struct LMLoss {
  torch::Tensor nll_sum;      // scalar: summed -log p(target | prefix), differentiable
  double target_tokens = 0;   // number of target positions summed
};

// Runs `model` on the batch and sums the next-token loss over target
// positions (the logits at t-1 predict the token at t).
LMLoss lm_nll(Transformer& model, const LMBatch& batch);

}  // namespace r1
