// Throughput of the math accuracy reward: completions scored per second on
// one core, and on all cores through the batch scorer. With
// --reference-timing FILE (written by scripts/bench_math_reward.py, which
// times math-verify on the same input file in the same run), it also prints
// the speed-up over math-verify.
//
//   reward_bench [--input FILE.jsonl] [--reference-timing FILE.json] [--repeat N]
//
// Input records are {"completion": ..., "gold": ...} (or "answer"); the
// default input is the committed agreement corpus plus, when the real data
// folder is present, the MATH-500 reference solutions.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "rewards/batch_scorer.h"
#include "rewards/math/checker.h"

namespace {

struct Pair {
  std::string completion;
  std::string gold;
};

void read_pairs(const std::filesystem::path& path, std::vector<Pair>& pairs, const char* completion_key,
                const char* gold_key) {
  std::ifstream file(path);
  std::string line;
  while (std::getline(file, line)) {
    if (line.empty()) continue;
    auto row = nlohmann::json::parse(line);
    pairs.push_back({row.at(completion_key).get<std::string>(), row.at(gold_key).get<std::string>()});
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string input;
  std::string reference_timing;
  int repeat = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--input") input = argv[i + 1];
    if (flag == "--reference-timing") reference_timing = argv[i + 1];
    if (flag == "--repeat") repeat = std::stoi(argv[i + 1]);
  }

  // Inputs.
  std::vector<Pair> pairs;
  if (!input.empty()) {
    std::ifstream probe(input);
    std::string first;
    std::getline(probe, first);
    bool has_gold = nlohmann::json::parse(first).contains("gold");
    read_pairs(input, pairs, "completion", has_gold ? "gold" : "answer");
  } else {
    // CMake passes absolute source paths, so __FILE__ locates the repository.
    std::filesystem::path source = std::filesystem::path(__FILE__).parent_path().parent_path();
    read_pairs(source / "tests/data/rewards/math_corpus.jsonl", pairs, "completion", "gold");
    std::filesystem::path math500 = source / "../shared/data/math500/test.jsonl";
    if (const char* env = std::getenv("R1_DATA_DIR")) math500 = std::filesystem::path(env) / "math500/test.jsonl";
    if (std::filesystem::exists(math500)) read_pairs(math500, pairs, "solution", "answer");
  }
  if (pairs.empty()) {
    std::fprintf(stderr, "no input pairs; pass --input FILE.jsonl\n");
    return 1;
  }
  size_t bytes = 0;
  for (const Pair& pair : pairs) bytes += pair.completion.size();
  fmt::print("inputs: {} (completion, gold) pairs, mean completion {:.0f} bytes\n", pairs.size(),
             static_cast<double>(bytes) / pairs.size());

  // One core: the checker called in a loop, best of `repeat` passes.
  r1::rewards::math::CheckOptions options;
  options.extractors = r1::rewards::math::default_extractors("gsm8k");
  double best_seconds = 1e30;
  size_t correct = 0;
  for (int pass = 0; pass < repeat; ++pass) {
    correct = 0;
    auto start = std::chrono::steady_clock::now();
    for (const Pair& pair : pairs) correct += r1::rewards::math::check_completion(pair.completion, pair.gold, options).correct;
    best_seconds = std::min(best_seconds, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  double per_core = pairs.size() / best_seconds;
  fmt::print("r1 checker, 1 thread: {:.0f} completions/s ({:.1f} us each), {} correct\n", per_core,
             1e6 * best_seconds / pairs.size(), correct);

  // All cores through the batch scorer.
  size_t threads = std::max(1u, std::thread::hardware_concurrency());
  auto reward = std::make_shared<r1::rewards::CompositeReward>(
      "accuracy", r1::rewards::RewardRegistry::global(), nlohmann::json{{"accuracy", {{"dataset", "gsm8k"}}}});
  r1::rewards::BatchScorer scorer(reward, threads);
  std::vector<r1::rewards::RewardInput> inputs;
  for (const Pair& pair : pairs) {
    r1::rewards::RewardInput item;
    item.completion = pair.completion;
    item.reference.answer = pair.gold;
    inputs.push_back(std::move(item));
  }
  auto start = std::chrono::steady_clock::now();
  r1::rewards::BatchScores scores = scorer.score(inputs);
  double batch_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("r1 batch scorer, {} threads: {:.0f} completions/s (accuracy mean {:.4f})\n", threads,
             pairs.size() / batch_seconds, scores.components[0].mean);

  // Comparison with math-verify measured on the same inputs.
  if (!reference_timing.empty()) {
    std::ifstream file(reference_timing);
    auto timing = nlohmann::json::parse(file);
    double reference_per_second = timing.at("per_second").get<double>();
    fmt::print("math-verify {} (Python, 1 process): {:.0f} completions/s on {} pairs\n",
               timing.value("version", std::string("?")), reference_per_second, timing.value("count", 0));
    fmt::print("speed-up per core: {:.1f}x\n", per_core / reference_per_second);
  }
  return 0;
}
