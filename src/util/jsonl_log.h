// Append-only JSON-lines log for metrics: one object per line, flushed after
// each write so an interrupted run keeps every line written so far.
#pragma once

#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

namespace r1 {

class JsonlLog {
 public:
  JsonlLog() = default;
  // Opens `path` for appending (truncates first when `truncate`).
  explicit JsonlLog(const std::string& path, bool truncate = true);
  ~JsonlLog();
  JsonlLog(const JsonlLog&) = delete;
  JsonlLog& operator=(const JsonlLog&) = delete;

  bool is_open() const { return file_ != nullptr; }
  void write(const nlohmann::json& record);

 private:
  std::FILE* file_ = nullptr;
  std::string path_;
};

}  // namespace r1
