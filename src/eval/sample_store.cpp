#include "eval/sample_store.h"

#include <filesystem>
#include <sstream>

#include <fmt/format.h>

#include "util/error.h"

namespace r1 {

nlohmann::ordered_json StoredSample::to_json() const {
  return {{"problem_id", problem_id}, {"sample", sample},       {"prompt_index", prompt_index},
          {"completion", completion}, {"answer", answer},       {"canonical", canonical},
          {"correct", correct},       {"length", length},       {"truncated", truncated}};
}

StoredSample StoredSample::from_json(const nlohmann::json& json) {
  StoredSample sample;
  try {
    sample.problem_id = json.at("problem_id").get<std::string>();
    sample.sample = json.at("sample").get<int64_t>();
    sample.prompt_index = json.at("prompt_index").get<int64_t>();
    sample.completion = json.at("completion").get<std::string>();
    sample.answer = json.at("answer").get<std::string>();
    sample.canonical = json.at("canonical").get<std::string>();
    sample.correct = json.at("correct").get<bool>();
    sample.length = json.at("length").get<int64_t>();
    sample.truncated = json.at("truncated").get<bool>();
  } catch (const nlohmann::json::exception& e) {
    fail("invalid sample record: {}", e.what());
  }
  return sample;
}

namespace {

// The whole file; "" when it does not exist.
std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

SampleFile read_sample_file(const std::string& path) {
  SampleFile file;
  const std::string text = read_all(path);
  size_t start = 0;
  for (size_t line = 1; start < text.size(); ++line) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) {
      ++file.dropped_partial_lines;
      break;
    }
    std::string record = text.substr(start, end - start);
    start = end + 1;
    if (record.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      file.samples.push_back(StoredSample::from_json(nlohmann::json::parse(record)));
    } catch (const std::exception& e) {
      fail("{}:{}: {}; remove the line or rerun with --overwrite", path, line, e.what());
    }
  }
  return file;
}

SampleWriter::SampleWriter(const std::string& path, bool truncate_first) : path_(path) {
  if (path.empty()) return;
  if (!truncate_first && std::filesystem::exists(path)) {
    // Cut a partial last line so the next record starts on its own line.
    const std::string text = read_all(path);
    const size_t whole = text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1;
    if (whole != text.size()) std::filesystem::resize_file(path, whole);
  }
  out_.open(path, truncate_first ? std::ios::trunc : std::ios::app);
  if (!out_) fail("cannot open {} for writing; check the folder's permissions", path);
}

void SampleWriter::append(const std::vector<StoredSample>& samples) {
  if (path_.empty()) return;
  for (const StoredSample& sample : samples)
    out_ << sample.to_json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  out_.flush();
  if (!out_) fail("writing {} failed; check the free disk space", path_);
}

}  // namespace r1
