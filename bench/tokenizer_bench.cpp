// Encoding throughput of the byte-level BPE tokenizer, single-threaded.
//
//   tokenizer_bench --tokenizer PATH --input FILE.jsonl [--passes N]
//
// Encodes every "text" record of the input (for example
// tests/data/tokenizer/parity_corpus.jsonl), once with an empty word cache and then N more times, and prints
// tokens per second for both as text and as a final JSON line.
// scripts/fixtures/bench_tokenizer.py runs Hugging Face tokenizers on the
// same input in the same run and prints the ratio.
#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tokenizer/load_tokenizer.h"
#include "util/error.h"

namespace {

std::vector<std::string> read_texts(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) r1::fail("cannot open {}: the file is missing or unreadable", path);
  std::vector<std::string> texts;
  std::string line;
  size_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty()) continue;
    const auto record = nlohmann::json::parse(line, nullptr, false);
    if (record.is_discarded()) r1::fail("{}:{}: invalid JSON", path, line_number);
    if (record.contains("text") && record["text"].is_string()) texts.push_back(record["text"].get<std::string>());
  }
  if (texts.empty()) r1::fail("{} has no records with a \"text\" string", path);
  return texts;
}

struct PassResult {
  size_t tokens = 0;
  double seconds = 0;
};

PassResult encode_all(const r1::Tokenizer& tokenizer, const std::vector<std::string>& texts, int passes) {
  PassResult result;
  const auto start = std::chrono::steady_clock::now();
  for (int pass = 0; pass < passes; ++pass) {
    for (const auto& text : texts) result.tokens += tokenizer.encode(text).size();
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Single-threaded encoding throughput of a Hugging Face byte-level BPE tokenizer"};
  std::string tokenizer_path;
  std::string input_path;
  int passes = 5;
  app.add_option("--tokenizer", tokenizer_path, "tokenizer.json or a folder with tokenizer files")->required();
  app.add_option("--input", input_path, "JSONL file of {\"text\": ...} records to encode")->required();
  app.add_option("--passes", passes, "Timed passes over the input after the first (cold-cache) pass")
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  try {
    const auto texts = read_texts(input_path);
    size_t bytes = 0;
    for (const auto& text : texts) bytes += text.size();

    const auto load_start = std::chrono::steady_clock::now();
    const auto tokenizer = r1::load_tokenizer(tokenizer_path);
    const double load_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - load_start).count();

    // The first pass fills the word cache; the later ones mostly hit it.
    const PassResult cold = encode_all(*tokenizer, texts, 1);
    const PassResult warm = encode_all(*tokenizer, texts, passes);
    const double cold_rate = cold.tokens / cold.seconds;
    const double warm_rate = warm.tokens / warm.seconds;

    fmt::print("input: {} texts, {:.2f} MB, {} tokens\n", texts.size(), bytes / 1e6, cold.tokens);
    fmt::print("load: {:.2f} s\n", load_seconds);
    fmt::print("first pass: {:.0f} tokens/s ({:.1f} MB/s)\n", cold_rate, bytes / cold.seconds / 1e6);
    fmt::print("next {} passes: {:.0f} tokens/s ({:.1f} MB/s)\n", passes, warm_rate,
               bytes * passes / warm.seconds / 1e6);
    const nlohmann::json summary = {{"texts", texts.size()},          {"bytes", bytes},
                                    {"tokens", cold.tokens},          {"load_seconds", load_seconds},
                                    {"first_pass_tokens_per_second", cold_rate},
                                    {"tokens_per_second", warm_rate}, {"passes", passes}};
    fmt::print("{}\n", summary.dump());
  } catch (const r1::Error& error) {
    fmt::print(stderr, "error: {}\n", error.what());
    return 1;
  }
  return 0;
}
