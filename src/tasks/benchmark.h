// Named evaluation benchmarks (GSM8K, MATH-500, MATH, AIME 2024/2025, AMC
// 2023, Countdown) and generic question-answer JSONL files. Each benchmark
// defines the fields of the question, the gold answer, the record id and the
// grouping (MATH level and subject). It also sets the zero-shot prompt and
// how the accuracy reward extracts answers. Nothing is downloaded: the caller
// passes the path of the file.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tasks/rl_task.h"

namespace r1 {

struct BenchmarkSpec {
  std::string name;  // "" for a generic file
  std::string prompt_field;
  std::string answer_field;
  std::string answer_after;  // gold answer = text after the last marker (GSM8K: "####")
  std::string id_field;      // "" numbers records by their 1-based line
  std::string prompt_template = "math";  // template name or text with {question}
  std::string accuracy_dataset = "math"; // extractor order of the accuracy reward: "math", "gsm8k", "choice"
  // (record field, group key) pairs, e.g. ("type", "subject") for MATH.
  std::vector<std::pair<std::string, std::string>> group_fields;
  std::string source;  // where the file comes from, for the documentation and error messages
};

// The names known to benchmark_spec().
std::vector<std::string> benchmark_names();

// The defaults of a named benchmark. Throws r1::Error listing the names for
// an unknown one.
BenchmarkSpec benchmark_spec(const std::string& name);

struct BenchmarkOptions {
  std::string name;       // a benchmark name, or "" for a generic question-answer file
  std::string data_path;  // the JSONL file
  // Overrides of the benchmark's defaults; an empty string keeps the default.
  std::string prompt_field, answer_field, answer_after, id_field, prompt_template;
  // Skip malformed records, records without the fields and duplicate ids
  // (counted in LoadedBenchmark::bad_records) instead of throwing.
  bool skip_bad_records = false;
  size_t scoring_threads = 0;  // 0 uses every core
};

struct BenchmarkProblem {
  std::string id;
  size_t line = 0;   // 1-based line in the file
  std::string gold;  // the gold answer as the checker reads it
  std::map<std::string, std::string> groups;  // e.g. {"level": "3", "subject": "Algebra"}
};

struct LoadedBenchmark {
  BenchmarkSpec spec;  // with the overrides applied
  std::string data_path;
  std::string prompt_template_text;
  std::unique_ptr<RLTask> task;
  std::vector<BenchmarkProblem> problems;  // problem i of `task`
  size_t lines = 0;             // non-blank lines read
  size_t bad_records = 0;       // skipped: malformed, missing fields or duplicate ids
  size_t unparseable_gold = 0;  // dropped: the checker cannot parse the gold answer
  std::vector<std::string> errors;  // "file:line: reason" of each skipped record

  // The answer key that majority votes compare: the math checker's canonical
  // form, or the Countdown value as it is.
  std::string canonical_answer(const std::string& extracted) const;
};

// Loads the file with the benchmark's defaults and the overrides. Throws
// r1::Error naming the file and line for a missing or empty file, malformed
// JSON, a record without the question or answer field, or a duplicate id,
// unless options.skip_bad_records.
LoadedBenchmark load_benchmark(const BenchmarkOptions& options);

}  // namespace r1
