#include <cstring>
#include <fstream>

#include "formats/gguf.h"
#include "util/error.h"

namespace r1::gguf {

namespace {

// Sequential reader that checks every read against the file size, so a
// truncated or corrupt file raises an error instead of reading garbage.
class Cursor {
 public:
  explicit Cursor(const std::filesystem::path& path) : path_(path), stream_(path, std::ios::binary) {
    if (!stream_) fail("gguf: cannot open '{}'; check the path", path.string());
    size_ = std::filesystem::file_size(path);
  }

  uint64_t position() const { return position_; }
  uint64_t size() const { return size_; }

  void read(void* out, uint64_t count, const char* what) {
    if (count > size_ - position_)
      fail("gguf: '{}' is truncated: {} needs {} bytes at offset {} but the file has {} bytes", path_.string(), what,
           count, position_, size_);
    stream_.read(static_cast<char*>(out), static_cast<std::streamsize>(count));
    if (!stream_) fail("gguf: reading {} from '{}' failed", what, path_.string());
    position_ += count;
  }

  template <typename T>
  T scalar(const char* what) {
    T value;
    read(&value, sizeof(T), what);
    return value;
  }

  std::string string(const char* what) {
    uint64_t length = scalar<uint64_t>(what);
    if (length > size_ - position_)
      fail("gguf: '{}' is corrupt: {} claims {} bytes at offset {} but only {} remain", path_.string(), what, length,
           position_, size_ - position_);
    std::string value(length, '\0');
    read(value.data(), length, what);
    return value;
  }

 private:
  std::filesystem::path path_;
  std::ifstream stream_;
  uint64_t size_ = 0;
  uint64_t position_ = 0;
};

nlohmann::json read_value(Cursor& cursor, ValueType type, const std::string& key, const std::filesystem::path& path) {
  switch (type) {
    case ValueType::kUint8:
      return cursor.scalar<uint8_t>(key.c_str());
    case ValueType::kInt8:
      return cursor.scalar<int8_t>(key.c_str());
    case ValueType::kUint16:
      return cursor.scalar<uint16_t>(key.c_str());
    case ValueType::kInt16:
      return cursor.scalar<int16_t>(key.c_str());
    case ValueType::kUint32:
      return cursor.scalar<uint32_t>(key.c_str());
    case ValueType::kInt32:
      return cursor.scalar<int32_t>(key.c_str());
    case ValueType::kFloat32:
      return cursor.scalar<float>(key.c_str());
    case ValueType::kBool:
      return cursor.scalar<uint8_t>(key.c_str()) != 0;
    case ValueType::kString:
      return cursor.string(key.c_str());
    case ValueType::kUint64:
      return cursor.scalar<uint64_t>(key.c_str());
    case ValueType::kInt64:
      return cursor.scalar<int64_t>(key.c_str());
    case ValueType::kFloat64:
      return cursor.scalar<double>(key.c_str());
    case ValueType::kArray:
      break;
  }
  fail("gguf: '{}' has metadata '{}' of unknown value type {}", path.string(), key, static_cast<uint32_t>(type));
}

}  // namespace

GgufFile read_gguf(const std::filesystem::path& path) {
  Cursor cursor(path);
  GgufFile file;
  file.file_size = cursor.size();

  // fixed header
  uint32_t magic = cursor.scalar<uint32_t>("the magic number");
  if (magic != kMagic) fail("gguf: '{}' is not a GGUF file (magic 0x{:08x}, expected 0x{:08x})", path.string(), magic, kMagic);
  file.version = cursor.scalar<uint32_t>("the version");
  if (file.version != 2 && file.version != 3)
    fail("gguf: '{}' has version {}; versions 2 and 3 are supported", path.string(), file.version);
  uint64_t tensor_count = cursor.scalar<uint64_t>("the tensor count");
  uint64_t metadata_count = cursor.scalar<uint64_t>("the metadata count");

  // metadata
  for (uint64_t i = 0; i < metadata_count; ++i) {
    std::string key = cursor.string("a metadata key");
    auto type = static_cast<ValueType>(cursor.scalar<uint32_t>("a metadata type"));
    if (type == ValueType::kArray) {
      auto element_type = static_cast<ValueType>(cursor.scalar<uint32_t>("an array type"));
      uint64_t length = cursor.scalar<uint64_t>("an array length");
      if (element_type == ValueType::kArray)
        fail("gguf: '{}' has a nested array in '{}'; nested arrays are not supported", path.string(), key);
      if (length > cursor.size() - cursor.position())
        fail("gguf: '{}' is corrupt: array '{}' claims {} elements but only {} bytes remain", path.string(), key,
             length, cursor.size() - cursor.position());
      nlohmann::json values = nlohmann::json::array();
      for (uint64_t j = 0; j < length; ++j) values.push_back(read_value(cursor, element_type, key, path));
      file.metadata[key] = std::move(values);
      file.metadata_types[key] = element_type;
    } else {
      file.metadata[key] = read_value(cursor, type, key, path);
      file.metadata_types[key] = type;
    }
  }
  if (file.metadata.count("general.alignment")) {
    file.alignment = file.metadata["general.alignment"].get<uint64_t>();
    if (file.alignment == 0 || (file.alignment & (file.alignment - 1)) != 0)
      fail("gguf: '{}' has general.alignment={}; it must be a power of two", path.string(), file.alignment);
  }

  // tensor infos
  for (uint64_t i = 0; i < tensor_count; ++i) {
    TensorInfo tensor;
    tensor.name = cursor.string("a tensor name");
    uint32_t n_dims = cursor.scalar<uint32_t>("a tensor rank");
    if (n_dims == 0 || n_dims > 4)
      fail("gguf: '{}' tensor '{}' has {} dimensions; 1 to 4 are valid", path.string(), tensor.name, n_dims);
    std::vector<int64_t> dims(n_dims);
    for (uint32_t d = 0; d < n_dims; ++d) dims[d] = static_cast<int64_t>(cursor.scalar<uint64_t>("a tensor dimension"));
    tensor.shape.assign(dims.rbegin(), dims.rend());
    tensor.type = cursor.scalar<uint32_t>("a tensor type");
    tensor.offset = cursor.scalar<uint64_t>("a tensor offset");
    if (tensor.offset % file.alignment != 0)
      fail("gguf: '{}' tensor '{}' has offset {}, not a multiple of the alignment {}", path.string(), tensor.name,
           tensor.offset, file.alignment);
    file.tensors.push_back(std::move(tensor));
  }
  file.data_offset = (cursor.position() + file.alignment - 1) / file.alignment * file.alignment;

  // every tensor of a known type must lie inside the file
  for (const TensorInfo& tensor : file.tensors) {
    uint64_t bytes = 0;
    if (tensor.type == static_cast<uint32_t>(TensorType::kF32) || tensor.type == static_cast<uint32_t>(TensorType::kF16) ||
        tensor.type == static_cast<uint32_t>(TensorType::kBF16)) {
      bytes = element_size(static_cast<TensorType>(tensor.type));
      for (int64_t dim : tensor.shape) bytes *= static_cast<uint64_t>(dim);
    }
    if (file.data_offset + tensor.offset + bytes > file.file_size)
      fail("gguf: '{}' is truncated: tensor '{}' ends at byte {} but the file has {} bytes", path.string(),
           tensor.name, file.data_offset + tensor.offset + bytes, file.file_size);
  }
  return file;
}

std::string read_gguf_tensor_bytes(const std::filesystem::path& path, const GgufFile& file, const TensorInfo& tensor) {
  uint64_t bytes = element_size(static_cast<TensorType>(tensor.type));
  for (int64_t dim : tensor.shape) bytes *= static_cast<uint64_t>(dim);
  std::ifstream stream(path, std::ios::binary);
  if (!stream) fail("gguf: cannot open '{}'", path.string());
  stream.seekg(static_cast<std::streamoff>(file.data_offset + tensor.offset));
  std::string out(bytes, '\0');
  stream.read(out.data(), static_cast<std::streamsize>(bytes));
  if (!stream) fail("gguf: '{}' is truncated inside tensor '{}'", path.string(), tensor.name);
  return out;
}

}  // namespace r1::gguf
