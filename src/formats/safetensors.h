// The safetensors file format: an 8-byte little-endian header length, a JSON
// header {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__":
// {string: string}}, then the raw little-endian tensor bytes (offsets are
// relative to the end of the header). Reading memory-maps the file, so a
// tensor's bytes are used in place without copying the whole file.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace r1 {

struct SafetensorsTensor {
  std::string name;
  std::string dtype;  // "F32", "F16", "BF16", "I64", ...
  std::vector<int64_t> shape;
  const uint8_t* data = nullptr;  // points into the mapping (reading) or caller memory (writing)
  size_t size_bytes = 0;
};

// Bytes per element of a safetensors dtype string; throws on unknown dtypes.
size_t safetensors_dtype_size(const std::string& dtype);

class SafetensorsFile {
 public:
  // Maps `path` read-only and validates the header: every tensor's offsets
  // lie inside the file, match dtype x shape, and do not overlap.
  explicit SafetensorsFile(const std::string& path);
  ~SafetensorsFile();
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

  const std::string& path() const { return path_; }
  const std::vector<SafetensorsTensor>& tensors() const { return tensors_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  bool contains(const std::string& name) const;
  // Throws r1::Error naming the file when the tensor is absent.
  const SafetensorsTensor& tensor(const std::string& name) const;

 private:
  std::string path_;
  void* mapping_ = nullptr;
  size_t mapping_size_ = 0;
  std::vector<SafetensorsTensor> tensors_;
  std::map<std::string, size_t> index_;
  std::map<std::string, std::string> metadata_;
};

// Writes tensors (in the given order) to `path` atomically: the bytes go to
// a temporary file beside it, which is flushed to disk and then renamed.
void write_safetensors(const std::string& path, const std::vector<SafetensorsTensor>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace r1
