#include "util/jsonl_log.h"

#include <cerrno>
#include <cstring>

#include "util/error.h"

namespace r1 {

JsonlLog::JsonlLog(const std::string& path, bool truncate) : path_(path) {
  file_ = std::fopen(path.c_str(), truncate ? "w" : "a");
  if (file_ == nullptr) fail("cannot open metrics log {}: {}", path, std::strerror(errno));
}

JsonlLog::~JsonlLog() {
  if (file_ != nullptr) std::fclose(file_);
}

void JsonlLog::write(const nlohmann::json& record) {
  if (file_ == nullptr) return;
  std::string line = record.dump() + "\n";
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0)
    fail("writing metrics log {} failed: {}", path_, std::strerror(errno));
}

}  // namespace r1
