// GGUF, the single-file model format of llama.cpp and Ollama (version 3):
// a header of typed key/value metadata and tensor descriptions, then the
// tensor data, each tensor aligned to general.alignment bytes (32 unless the
// metadata sets it). All integers are little-endian; strings are a uint64
// byte count followed by UTF-8 bytes without a terminator.
//
// GgufWriter builds a file; read_gguf parses and checks one (for tests and
// inspection). Tensor shapes are given in PyTorch order (outermost first);
// the file stores them reversed, innermost dimension first, as ggml does.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace r1::gguf {

inline constexpr uint32_t kMagic = 0x46554747;  // "GGUF" read as a little-endian uint32
inline constexpr uint32_t kVersion = 3;
inline constexpr uint64_t kDefaultAlignment = 32;

enum class ValueType : uint32_t {
  kUint8 = 0,
  kInt8 = 1,
  kUint16 = 2,
  kInt16 = 3,
  kUint32 = 4,
  kInt32 = 5,
  kFloat32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
  kUint64 = 10,
  kInt64 = 11,
  kFloat64 = 12,
};

// ggml tensor types this project writes.
enum class TensorType : uint32_t {
  kF32 = 0,
  kF16 = 1,
  kBF16 = 30,
};

// Bytes per element; throws r1::Error for a type this project does not write.
uint64_t element_size(TensorType type);
std::string tensor_type_name(TensorType type);

// Fills `out` with exactly the tensor's byte count.
using TensorBytesWriter = std::function<void(std::string& out)>;

class GgufWriter {
 public:
  // Metadata setters; setting a key twice replaces its value.
  void set_uint32(const std::string& key, uint32_t value);
  void set_int32(const std::string& key, int32_t value);
  void set_uint64(const std::string& key, uint64_t value);
  void set_float32(const std::string& key, float value);
  void set_bool(const std::string& key, bool value);
  void set_string(const std::string& key, const std::string& value);
  void set_string_array(const std::string& key, const std::vector<std::string>& values);
  void set_int32_array(const std::string& key, const std::vector<int32_t>& values);
  void set_float32_array(const std::string& key, const std::vector<float>& values);

  // Declares a tensor; `bytes` is called once while the file is written and
  // must produce element_size(type) * prod(shape) bytes. Tensor names must be
  // unique and at most 63 bytes (ggml's GGML_MAX_NAME minus the terminator).
  void add_tensor(const std::string& name, const std::vector<int64_t>& shape, TensorType type,
                  TensorBytesWriter bytes);

  size_t tensor_count() const { return tensors_.size(); }

  // Writes the file atomically (temporary sibling, fsync, rename).
  void write(const std::filesystem::path& path) const;

 private:
  struct Entry {
    std::string key;
    std::string encoded;  // value type tag and value, as stored in the file
  };
  struct Tensor {
    std::string name;
    std::vector<int64_t> shape;
    TensorType type;
    TensorBytesWriter bytes;
  };

  void set_encoded(const std::string& key, std::string encoded);

  std::vector<Entry> metadata_;
  std::vector<Tensor> tensors_;
};

struct TensorInfo {
  std::string name;
  std::vector<int64_t> shape;  // PyTorch order (reversed from the file)
  uint32_t type = 0;           // ggml type id
  uint64_t offset = 0;         // from the start of the data section
};

struct GgufFile {
  uint32_t version = 0;
  // Metadata values as JSON (numbers, booleans, strings, arrays) with their
  // GGUF type in `metadata_types` (for arrays, the element type).
  std::map<std::string, nlohmann::json> metadata;
  std::map<std::string, ValueType> metadata_types;
  std::vector<TensorInfo> tensors;
  uint64_t alignment = kDefaultAlignment;
  uint64_t data_offset = 0;  // file offset of the data section
  uint64_t file_size = 0;
};

// Parses the header and checks it: magic, version, that every string, array
// and tensor lies inside the file, and that tensor offsets are aligned.
// Throws r1::Error naming the file and the bad field.
GgufFile read_gguf(const std::filesystem::path& path);

// Reads one tensor's raw bytes from a parsed file.
std::string read_gguf_tensor_bytes(const std::filesystem::path& path, const GgufFile& file, const TensorInfo& tensor);

}  // namespace r1::gguf
