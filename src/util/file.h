// File helpers: atomic writes and reading whole files.
#pragma once

#include <cstdio>
#include <string>

namespace r1 {

// Writes to "<path>.tmp.<pid>" and renames it over `path` on commit(), after
// flushing it to disk, so readers see either the old file or the whole new
// one. Without commit() the temporary file is removed.
class AtomicFile {
 public:
  explicit AtomicFile(const std::string& path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, size_t size);
  void write(const std::string& text) { write(text.data(), text.size()); }
  void commit();

 private:
  std::string path_;
  std::string temp_path_;
  std::FILE* file_ = nullptr;
};

// Writes text to `path` atomically.
void write_file_atomic(const std::string& path, const std::string& text);

// Reads a whole file; throws r1::Error naming the path when it cannot.
std::string read_file(const std::string& path);

// Creates `dir` (and parents) and checks that a file can be written there;
// throws r1::Error naming the folder otherwise.
void ensure_writable_dir(const std::string& dir);

}  // namespace r1
