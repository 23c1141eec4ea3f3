// Batched autoregressive generation with a KV cache: all completions decode
// together, the G completions of one prompt share a single prefill of that
// prompt, and finished rows are dropped from the batch so they stop costing
// compute.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "model/transformer.h"
#include "sampling/sampler.h"

namespace r1 {

struct GenerationOptions {
  int64_t max_new_tokens = 256;
  SamplingParams sampling;
  std::vector<int64_t> stop_token_ids;  // generation of a row ends after one of these
  int64_t num_samples = 1;              // completions per prompt (G)
  int64_t max_batch_rows = 512;         // rows decoded together; prompts are chunked to fit
  // Threads that decode separate chunks of prompts at once, each with one
  // compute thread, sharing max_batch_rows (see runtime/workers.h). With more
  // than one worker, generate() draws one seed per chunk from its generator,
  // so its samples differ from a one-worker run with the same seed.
  int64_t workers = 1;
};

struct Completion {
  std::vector<int64_t> tokens;  // generated ids, including the stop token when one ended it
  bool stopped = false;         // ended by a stop token (false: hit max_new_tokens)
};

// Completions for every prompt, prompt-major: result[p * G + g]. Prompts are
// token ids (with any begin token already included). Runs in inference mode.
std::vector<Completion> generate(Transformer& model, const std::vector<std::vector<int64_t>>& prompts,
                                 const GenerationOptions& options, at::Generator& generator,
                                 const std::function<void(int64_t done, int64_t total)>& progress = {});

// Generates like generate() with one seed per completion, in prompt-major
// order like the result. Completion r draws its token at step t from
// counter_uniform(row_seeds[r], t) instead of a shared generator. So it does
// not depend on the other rows of its batch, up to floating-point
// differences in the batched forward pass. Throws r1::Error unless row_seeds has prompts.size() * num_samples
// entries.
std::vector<Completion> generate_seeded(Transformer& model, const std::vector<std::vector<int64_t>>& prompts,
                                        const GenerationOptions& options, const std::vector<uint64_t>& row_seeds,
                                        const std::function<void(int64_t done, int64_t total)>& progress = {});

// Left-pads token lists into a batch: tokens [B,T] and mask [B,T] (true for
// real tokens).
void left_pad_batch(const std::vector<std::vector<int64_t>>& sequences, int64_t pad_id, torch::Tensor& tokens,
                    torch::Tensor& mask);

}  // namespace r1
