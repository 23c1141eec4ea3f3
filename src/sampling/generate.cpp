#include "sampling/generate.h"

#include <algorithm>
#include <mutex>

#include <ATen/CPUGeneratorImpl.h>

#include "runtime/workers.h"
#include "util/error.h"

namespace r1 {

void left_pad_batch(const std::vector<std::vector<int64_t>>& sequences, int64_t pad_id, torch::Tensor& tokens,
                    torch::Tensor& mask) {
  const int64_t B = static_cast<int64_t>(sequences.size());
  int64_t T = 0;
  for (const auto& sequence : sequences) T = std::max<int64_t>(T, static_cast<int64_t>(sequence.size()));
  tokens = torch::full({B, T}, pad_id, torch::kLong);
  mask = torch::zeros({B, T}, torch::kBool);
  auto tokens_a = tokens.accessor<int64_t, 2>();
  auto mask_a = mask.accessor<bool, 2>();
  for (int64_t b = 0; b < B; ++b) {
    const auto& sequence = sequences[b];
    const int64_t offset = T - static_cast<int64_t>(sequence.size());
    for (size_t t = 0; t < sequence.size(); ++t) {
      tokens_a[b][offset + static_cast<int64_t>(t)] = sequence[t];
      mask_a[b][offset + static_cast<int64_t>(t)] = true;
    }
  }
}

namespace {

// Generates for one chunk of prompts; appends to `out` in prompt-major order.
// With `row_seeds`, the chunk's rows use row_seeds[first_row, first_row + rows)
// in place of `generator`.
void generate_chunk(Transformer& model, const std::vector<std::vector<int64_t>>& prompts,
                    const GenerationOptions& options, const std::vector<uint64_t>* row_seeds, size_t first_row,
                    at::Generator& generator, std::vector<Completion>& out) {
  const torch::Device device = model->device();
  const int64_t P = static_cast<int64_t>(prompts.size());
  const int64_t G = options.num_samples;
  const int64_t rows = P * G;

  // prefill the distinct prompts once: tokens/mask [P,Tp]
  torch::Tensor tokens, mask;
  left_pad_batch(prompts, /*pad_id=*/0, tokens, mask);
  const int64_t Tp = tokens.size(1);
  tokens = tokens.to(device);
  mask = mask.to(device);
  auto positions = positions_from_mask(mask);
  KVCache cache = model->make_cache(P, Tp + options.max_new_tokens);
  auto hidden = model->hidden_states(tokens, positions, mask, &cache);           // [P,Tp,C]
  auto logits = model->logits(hidden.select(1, Tp - 1));                          // [P,V]

  // share the prefill among the G samples of each prompt
  logits = logits.repeat_interleave(G, 0);                                        // [P*G,V]
  cache.repeat_rows(G);
  mask = mask.repeat_interleave(G, 0);                                            // [P*G,Tp]
  auto next_position = positions.select(1, Tp - 1).repeat_interleave(G, 0) + 1;  // [P*G]

  std::vector<Completion> completions(rows);
  std::vector<int64_t> active(rows);  // original row of each batch row
  for (int64_t r = 0; r < rows; ++r) active[r] = r;
  auto is_stop = [&](int64_t token) {
    return std::find(options.stop_token_ids.begin(), options.stop_token_ids.end(), token) !=
           options.stop_token_ids.end();
  };

  // history for the repetition penalty: prompt + generated, [B,L]
  const bool track_history = options.sampling.repetition_penalty != 1.0;
  torch::Tensor history;
  if (track_history) history = tokens.repeat_interleave(G, 0);

  for (int64_t step = 0; step < options.max_new_tokens; ++step) {
    // sample and record; rows that stopped earlier but are still in the
    // batch (not yet compacted away) take no further tokens
    torch::Tensor next;  // [B]
    if (row_seeds == nullptr || options.sampling.temperature == 0) {
      next = sample_tokens(logits, options.sampling, generator, history);
    } else {
      auto uniform = torch::empty({static_cast<int64_t>(active.size()), 1}, torch::kFloat32);  // [B,1]
      auto uniform_a = uniform.accessor<float, 2>();
      for (size_t b = 0; b < active.size(); ++b)
        uniform_a[b][0] = counter_uniform((*row_seeds)[first_row + active[b]], static_cast<uint64_t>(step));
      next = sample_tokens_with_uniforms(logits, options.sampling, uniform, history);
    }
    auto next_cpu = next.to(torch::kCPU);
    auto next_a = next_cpu.accessor<int64_t, 1>();
    std::vector<int64_t> keep;
    keep.reserve(active.size());
    for (size_t b = 0; b < active.size(); ++b) {
      Completion& completion = completions[active[b]];
      if (completion.stopped) continue;
      completion.tokens.push_back(next_a[b]);
      if (is_stop(next_a[b])) {
        completion.stopped = true;
      } else {
        keep.push_back(static_cast<int64_t>(b));
      }
    }
    if (keep.empty() || step + 1 == options.max_new_tokens) break;

    // drop finished rows once they are an eighth of the batch
    const int64_t finished = static_cast<int64_t>(active.size() - keep.size());
    if (finished * 8 >= static_cast<int64_t>(active.size())) {
      auto index = torch::tensor(keep, torch::kLong).to(device);
      cache.select_rows(index);
      mask = mask.index_select(0, index);
      next = next.index_select(0, index);
      next_position = next_position.index_select(0, index);
      if (track_history) history = history.index_select(0, index);
      std::vector<int64_t> still_active;
      still_active.reserve(keep.size());
      for (int64_t b : keep) still_active.push_back(active[b]);
      active.swap(still_active);
    }

    // decode one token for every row still in the batch
    auto step_tokens = next.view({-1, 1});
    mask = torch::cat({mask, torch::ones({mask.size(0), 1}, mask.options())}, 1);
    if (track_history) history = torch::cat({history, step_tokens}, 1);
    auto step_hidden = model->hidden_states(step_tokens, next_position.view({-1, 1}), mask, &cache);  // [B,1,C]
    logits = model->logits(step_hidden.select(1, 0));                                                // [B,V]
    next_position = next_position + 1;
  }
  for (auto& completion : completions) out.push_back(std::move(completion));
}

}  // namespace

namespace {

std::vector<Completion> generate_rows(Transformer& model, const std::vector<std::vector<int64_t>>& prompts,
                                      const GenerationOptions& options, const std::vector<uint64_t>* row_seeds,
                                      at::Generator& generator, const std::function<void(int64_t, int64_t)>& progress) {
  if (options.num_samples < 1) fail("generate: num_samples={} must be >= 1", options.num_samples);
  if (options.max_new_tokens < 1) fail("generate: max_new_tokens={} must be >= 1", options.max_new_tokens);
  if (options.max_batch_rows < 1) fail("generate: max_batch_rows={} must be >= 1", options.max_batch_rows);
  if (options.workers < 1) fail("generate: workers={} must be >= 1", options.workers);
  options.sampling.validate();
  for (const auto& prompt : prompts)
    if (prompt.empty()) fail("generate: an empty prompt cannot be continued; add a begin-of-sequence token");
  const size_t rows = prompts.size() * static_cast<size_t>(options.num_samples);
  if (row_seeds != nullptr && row_seeds->size() != rows)
    fail("generate: {} row seeds for {} completions; pass one per completion", row_seeds->size(), rows);
  if (prompts.empty()) return {};

  // chunks of whole prompts; with several workers, max_batch_rows is shared
  // among them and every worker gets at least one chunk when it can
  const int64_t P = static_cast<int64_t>(prompts.size());
  const int64_t workers = std::min<int64_t>(options.workers, P);
  int64_t prompts_per_chunk = std::max<int64_t>(1, options.max_batch_rows / workers / options.num_samples);
  prompts_per_chunk = std::min(prompts_per_chunk, (P + workers - 1) / workers);
  const int64_t chunks = (P + prompts_per_chunk - 1) / prompts_per_chunk;
  auto run_chunk = [&](int64_t chunk, at::Generator& chunk_generator, std::vector<Completion>& out) {
    const size_t start = static_cast<size_t>(chunk * prompts_per_chunk);
    const size_t end = std::min(prompts.size(), start + static_cast<size_t>(prompts_per_chunk));
    std::vector<std::vector<int64_t>> chunk_prompts(prompts.begin() + start, prompts.begin() + end);
    generate_chunk(model, chunk_prompts, options, row_seeds, start * static_cast<size_t>(options.num_samples),
                   chunk_generator, out);
  };

  std::vector<Completion> out;
  out.reserve(rows);
  if (workers == 1) {
    torch::InferenceMode inference;
    for (int64_t chunk = 0; chunk < chunks; ++chunk) {
      run_chunk(chunk, generator, out);
      if (progress) progress(std::min(P, (chunk + 1) * prompts_per_chunk), P);
    }
    return out;
  }

  // Each chunk draws from its own generator, seeded in chunk order from
  // `generator`, so the result does not depend on which worker ran it.
  std::vector<at::Generator> generators;
  for (int64_t chunk = 0; chunk < chunks; ++chunk) {
    uint64_t seed = 0;
    if (row_seeds == nullptr) {
      std::lock_guard<std::mutex> lock(generator.mutex());
      seed = generator.get<at::CPUGeneratorImpl>()->random64();
    }
    generators.push_back(at::detail::createCPUGenerator(seed));
  }
  std::vector<std::vector<Completion>> results(chunks);
  std::mutex progress_mutex;
  int64_t done = 0;
  run_on_workers(chunks, workers, [&](int64_t chunk) {
    torch::InferenceMode inference;
    run_chunk(chunk, generators[chunk], results[chunk]);
    if (progress) {
      std::lock_guard<std::mutex> lock(progress_mutex);
      done += static_cast<int64_t>(results[chunk].size()) / options.num_samples;
      progress(done, P);
    }
  });
  for (auto& chunk_out : results)
    for (auto& completion : chunk_out) out.push_back(std::move(completion));
  return out;
}

}  // namespace

std::vector<Completion> generate(Transformer& model, const std::vector<std::vector<int64_t>>& prompts,
                                 const GenerationOptions& options, at::Generator& generator,
                                 const std::function<void(int64_t, int64_t)>& progress) {
  return generate_rows(model, prompts, options, nullptr, generator, progress);
}

std::vector<Completion> generate_seeded(Transformer& model, const std::vector<std::vector<int64_t>>& prompts,
                                        const GenerationOptions& options, const std::vector<uint64_t>& row_seeds,
                                        const std::function<void(int64_t, int64_t)>& progress) {
  at::Generator unused = at::detail::createCPUGenerator(0);  // greedy decoding draws nothing
  return generate_rows(model, prompts, options, &row_seeds, unused, progress);
}

}  // namespace r1
