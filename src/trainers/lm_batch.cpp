#include "trainers/lm_batch.h"

#include <algorithm>

#include "util/error.h"

namespace r1 {

namespace {

bool is_target(const LMExample& example, size_t t) {
  if (t == 0) return false;
  if (!example.targets.empty()) return example.targets[t] != 0;
  return static_cast<int64_t>(t) >= std::max<int64_t>(1, example.loss_start);
}

}  // namespace

int64_t count_targets(const LMExample& example) {
  int64_t count = 0;
  for (size_t t = 0; t < example.tokens.size(); ++t) count += is_target(example, t) ? 1 : 0;
  return count;
}

std::vector<LMExample> pack_examples(std::vector<LMExample> examples, int64_t row_tokens) {
  if (row_tokens < 1) fail("pack_examples: row_tokens={} must be >= 1", row_tokens);
  std::stable_sort(examples.begin(), examples.end(),
                   [](const LMExample& a, const LMExample& b) { return a.tokens.size() > b.tokens.size(); });

  std::vector<LMExample> rows;
  for (const LMExample& example : examples) {
    if (!example.document_starts.empty())
      fail("pack_examples: an example is already packed ({} document starts); pack single documents",
           example.document_starts.size());

    // the first row with room, else a new one
    LMExample* row = nullptr;
    for (LMExample& candidate : rows) {
      if (static_cast<int64_t>(candidate.tokens.size() + example.tokens.size()) <= row_tokens) {
        row = &candidate;
        break;
      }
    }
    if (row == nullptr) row = &rows.emplace_back();

    // append the tokens and one target flag per token
    if (!row->tokens.empty()) row->document_starts.push_back(static_cast<int64_t>(row->tokens.size()));
    row->tokens.insert(row->tokens.end(), example.tokens.begin(), example.tokens.end());
    for (size_t t = 0; t < example.tokens.size(); ++t) row->targets.push_back(is_target(example, t) ? 1 : 0);
  }
  return rows;
}

LMBatch make_lm_batch(const std::vector<LMExample>& examples, int64_t pad_id, torch::Device device) {
  if (examples.empty()) fail("make_lm_batch: the batch has no examples");
  int64_t T = 0;
  for (const auto& example : examples) {
    if (!example.targets.empty() && example.targets.size() != example.tokens.size())
      fail("make_lm_batch: an example has {} tokens but {} target flags; pass one flag per token",
           example.tokens.size(), example.targets.size());
    T = std::max<int64_t>(T, static_cast<int64_t>(example.tokens.size()));
    int64_t previous = 0;
    for (int64_t start : example.document_starts) {
      if (start <= previous || start >= static_cast<int64_t>(example.tokens.size()))
        fail("make_lm_batch: document start {} must be above {} and below the row's {} tokens", start, previous,
             example.tokens.size());
      previous = start;
    }
  }
  if (T < 2) fail("make_lm_batch: sequences of {} token(s) have nothing to predict; pass at least 2 tokens", T);

  const auto B = static_cast<int64_t>(examples.size());
  auto tokens = torch::full({B, T}, pad_id, torch::kLong);
  auto key_mask = torch::zeros({B, T}, torch::kBool);
  auto documents = torch::zeros({B, T}, torch::kLong);
  auto positions = torch::zeros({B, T}, torch::kLong);
  auto loss_mask = torch::zeros({B, T}, torch::kFloat32);
  auto tokens_a = tokens.accessor<int64_t, 2>();
  auto key_a = key_mask.accessor<bool, 2>();
  auto documents_a = documents.accessor<int64_t, 2>();
  auto positions_a = positions.accessor<int64_t, 2>();
  auto loss_a = loss_mask.accessor<float, 2>();
  for (int64_t b = 0; b < B; ++b) {
    const auto& example = examples[b];
    int64_t document = 1, document_start = 0;
    size_t next_start = 0;
    for (size_t t = 0; t < example.tokens.size(); ++t) {
      const auto position = static_cast<int64_t>(t);
      if (next_start < example.document_starts.size() && example.document_starts[next_start] == position) {
        ++document;
        document_start = position;
        ++next_start;
      }
      tokens_a[b][position] = example.tokens[t];
      key_a[b][position] = true;
      documents_a[b][position] = document;
      positions_a[b][position] = position - document_start;
      if (is_target(example, t)) loss_a[b][position] = 1.0f;
    }
  }
  return {tokens.to(device), key_mask.to(device), documents.to(device), positions.to(device), loss_mask.to(device)};
}

LMLoss lm_nll(Transformer& model, const LMBatch& batch) {
  const int64_t T = batch.tokens.size(1);
  auto logits = model->forward(batch.tokens, batch.positions, batch.documents);  // [B,T,V]
  auto logprobs = torch::log_softmax(logits.narrow(1, 0, T - 1).to(torch::kFloat32), -1);         // [B,T-1,V]
  auto targets = batch.tokens.narrow(1, 1, T - 1);
  auto mask = batch.loss_mask.narrow(1, 1, T - 1);
  auto nll = -logprobs.gather(2, targets.unsqueeze(-1)).squeeze(-1);  // [B,T-1]
  return {(nll * mask).sum(), mask.sum().item<double>()};
}

}  // namespace r1
