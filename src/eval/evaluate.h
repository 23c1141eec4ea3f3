// Evaluation as reasoning papers report it: k sampled completions per problem
// (temperature 0.6, top-p 0.95 by default), pass@1 as their mean correctness,
// pass@k, cons@k by majority vote, plus greedy accuracy, response length and
// the share of responses that revise themselves.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "metrics/pass_at_k.h"
#include "model/transformer.h"
#include "sampling/generate.h"
#include "tasks/rl_task.h"
#include "tokenizer/tokenizer.h"

namespace r1 {

struct EvalOptions {
  int64_t k = 8;  // samples per problem
  SamplingParams sampling{0.6, 0.95, 0, 0.0, 1.0};
  int64_t max_new_tokens = 512;
  bool greedy = true;  // also decode once greedily per problem
  int64_t max_batch_rows = 512;
  int64_t workers = 1;  // threads decoding chunks of problems at once (GenerationOptions::workers)
  uint64_t seed = 1234;
  // Token ids that end a completion; empty uses the tokenizer's end-of-sequence id.
  std::vector<int64_t> stop_token_ids;
  // Whether the tokenizer adds its begin-of-sequence token to each prompt.
  // Prompts rendered by a chat template already contain it.
  bool add_special_tokens = true;
};

struct EvalSample {
  size_t problem = 0;
  int64_t sample = 0;  // -1 for the greedy decode
  std::string completion;
  int64_t length = 0;  // completion tokens, end token included
  bool stopped = true; // false when cut off by max_new_tokens
  bool correct = false;
  std::string answer;
  bool revises = false;
};

struct EvalReport {
  SamplingMetrics metrics;
  double greedy_accuracy = -1;  // -1 when not run
  double mean_length = 0;       // over sampled completions, in tokens
  double max_length = 0;
  double truncated_share = 0;
  double revision_share = 0;
  double seconds = 0;
  std::vector<EvalSample> samples;

  nlohmann::json to_json() const;  // the figures, without the samples
};

// True when a response revisits its own earlier work ("wait", "recheck",
// "mistake", ...), case-insensitively.
bool revises_itself(const std::string& completion);

// Checks k, max_new_tokens and the sampling parameters; throws r1::Error
// naming the first invalid one.
void validate_eval_options(const EvalOptions& options);

EvalReport evaluate(Transformer& model, const Tokenizer& tokenizer, const RLTask& task, const EvalOptions& options,
                    const std::function<void(const std::string& phase, int64_t done, int64_t total)>& progress = {});

// Writes every sample as one JSON line (problem, sample, completion, answer,
// correct, length, stopped).
void write_eval_samples(const std::string& path, const EvalReport& report);

}  // namespace r1
