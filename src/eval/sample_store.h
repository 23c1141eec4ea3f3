// samples.jsonl of an evaluation run: one JSON line per finished sample,
// appended as generation goes, and read back to resume a run.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace r1 {

struct StoredSample {
  std::string problem_id;
  int64_t sample = 0;        // 0..k-1, or -1 for the greedy decode
  int64_t prompt_index = 0;  // position of the problem in the evaluated list
  std::string completion;
  std::string answer;     // the extracted answer ("" when none)
  std::string canonical;  // the answer key of majority votes
  bool correct = false;
  int64_t length = 0;  // completion tokens, stop token included
  bool truncated = false;

  nlohmann::ordered_json to_json() const;
  // Throws r1::Error naming the missing or mistyped field.
  static StoredSample from_json(const nlohmann::json& json);
};

struct SampleFile {
  std::vector<StoredSample> samples;
  // A last line without its newline is a write cut short by an interrupted
  // run; it is dropped and counted here.
  size_t dropped_partial_lines = 0;
};

// Reads samples.jsonl; a missing file reads as empty. Throws r1::Error naming
// the file and line for a malformed complete line.
SampleFile read_sample_file(const std::string& path);

// Appends samples to samples.jsonl, flushing after each batch so an
// interrupted run keeps every finished sample.
class SampleWriter {
 public:
  // Opens `path` for appending; with `truncate_first` the file starts empty.
  // A partial last line is cut off first, so appended lines stay whole. An
  // empty path discards the samples.
  SampleWriter(const std::string& path, bool truncate_first);
  void append(const std::vector<StoredSample>& samples);

 private:
  std::string path_;
  std::ofstream out_;
};

}  // namespace r1
