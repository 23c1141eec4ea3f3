#include <cstring>

#include "formats/atomic_dir.h"
#include "formats/gguf.h"
#include "util/error.h"
#include "util/file.h"

namespace r1::gguf {

namespace {

template <typename T>
void append_scalar(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));  // the host is little-endian, as GGUF is
  out.append(bytes, sizeof(T));
}

void append_string(std::string& out, const std::string& value) {
  append_scalar<uint64_t>(out, value.size());
  out.append(value);
}

void append_type(std::string& out, ValueType type) { append_scalar<uint32_t>(out, static_cast<uint32_t>(type)); }

uint64_t align_up(uint64_t offset, uint64_t alignment) { return (offset + alignment - 1) / alignment * alignment; }

}  // namespace

uint64_t element_size(TensorType type) {
  switch (type) {
    case TensorType::kF32:
      return 4;
    case TensorType::kF16:
    case TensorType::kBF16:
      return 2;
  }
  fail("gguf: tensor type {} is not supported; use F32, F16 or BF16", static_cast<uint32_t>(type));
}

std::string tensor_type_name(TensorType type) {
  switch (type) {
    case TensorType::kF32:
      return "F32";
    case TensorType::kF16:
      return "F16";
    case TensorType::kBF16:
      return "BF16";
  }
  return "type " + std::to_string(static_cast<uint32_t>(type));
}

void GgufWriter::set_encoded(const std::string& key, std::string encoded) {
  for (Entry& entry : metadata_) {
    if (entry.key == key) {
      entry.encoded = std::move(encoded);
      return;
    }
  }
  metadata_.push_back({key, std::move(encoded)});
}

void GgufWriter::set_uint32(const std::string& key, uint32_t value) {
  std::string e;
  append_type(e, ValueType::kUint32);
  append_scalar(e, value);
  set_encoded(key, std::move(e));
}

void GgufWriter::set_int32(const std::string& key, int32_t value) {
  std::string e;
  append_type(e, ValueType::kInt32);
  append_scalar(e, value);
  set_encoded(key, std::move(e));
}

void GgufWriter::set_uint64(const std::string& key, uint64_t value) {
  std::string e;
  append_type(e, ValueType::kUint64);
  append_scalar(e, value);
  set_encoded(key, std::move(e));
}

void GgufWriter::set_float32(const std::string& key, float value) {
  std::string e;
  append_type(e, ValueType::kFloat32);
  append_scalar(e, value);
  set_encoded(key, std::move(e));
}

void GgufWriter::set_bool(const std::string& key, bool value) {
  std::string e;
  append_type(e, ValueType::kBool);
  append_scalar<uint8_t>(e, value ? 1 : 0);
  set_encoded(key, std::move(e));
}

void GgufWriter::set_string(const std::string& key, const std::string& value) {
  std::string e;
  append_type(e, ValueType::kString);
  append_string(e, value);
  set_encoded(key, std::move(e));
}

void GgufWriter::set_string_array(const std::string& key, const std::vector<std::string>& values) {
  std::string e;
  append_type(e, ValueType::kArray);
  append_type(e, ValueType::kString);
  append_scalar<uint64_t>(e, values.size());
  for (const std::string& value : values) append_string(e, value);
  set_encoded(key, std::move(e));
}

void GgufWriter::set_int32_array(const std::string& key, const std::vector<int32_t>& values) {
  std::string e;
  append_type(e, ValueType::kArray);
  append_type(e, ValueType::kInt32);
  append_scalar<uint64_t>(e, values.size());
  for (int32_t value : values) append_scalar(e, value);
  set_encoded(key, std::move(e));
}

void GgufWriter::set_float32_array(const std::string& key, const std::vector<float>& values) {
  std::string e;
  append_type(e, ValueType::kArray);
  append_type(e, ValueType::kFloat32);
  append_scalar<uint64_t>(e, values.size());
  for (float value : values) append_scalar(e, value);
  set_encoded(key, std::move(e));
}

void GgufWriter::add_tensor(const std::string& name, const std::vector<int64_t>& shape, TensorType type,
                            TensorBytesWriter bytes) {
  if (name.empty() || name.size() > 63)
    fail("gguf: tensor name '{}' has {} bytes; names must have 1 to 63 bytes", name, name.size());
  for (const Tensor& tensor : tensors_)
    if (tensor.name == name) fail("gguf: tensor '{}' was added twice", name);
  if (shape.empty() || shape.size() > 4)
    fail("gguf: tensor '{}' has {} dimensions; ggml supports 1 to 4", name, shape.size());
  for (int64_t dim : shape)
    if (dim <= 0) fail("gguf: tensor '{}' has a dimension of size {}; sizes must be positive", name, dim);
  element_size(type);  // rejects unsupported types early
  tensors_.push_back({name, shape, type, std::move(bytes)});
}

void GgufWriter::write(const std::filesystem::path& path) const {
  const uint64_t alignment = kDefaultAlignment;

  // header: magic, version, counts, metadata
  std::string header;
  append_scalar<uint32_t>(header, kMagic);
  append_scalar<uint32_t>(header, kVersion);
  append_scalar<uint64_t>(header, tensors_.size());
  append_scalar<uint64_t>(header, metadata_.size());
  for (const Entry& entry : metadata_) {
    append_string(header, entry.key);
    header.append(entry.encoded);
  }

  // tensor infos: name, dimensions innermost first, type, aligned offset
  std::vector<uint64_t> sizes;
  uint64_t offset = 0;
  for (const Tensor& tensor : tensors_) {
    uint64_t count = 1;
    for (int64_t dim : tensor.shape) count *= static_cast<uint64_t>(dim);
    sizes.push_back(count * element_size(tensor.type));
    append_string(header, tensor.name);
    append_scalar<uint32_t>(header, static_cast<uint32_t>(tensor.shape.size()));
    for (auto dim = tensor.shape.rbegin(); dim != tensor.shape.rend(); ++dim)
      append_scalar<uint64_t>(header, static_cast<uint64_t>(*dim));
    append_scalar<uint32_t>(header, static_cast<uint32_t>(tensor.type));
    append_scalar<uint64_t>(header, offset);
    offset = align_up(offset + sizes.back(), alignment);
  }
  header.resize(align_up(header.size(), alignment), '\0');

  // data section: each tensor padded to the alignment
  AtomicFile file(path.string());
  file.write(header);
  std::string bytes;
  for (size_t i = 0; i < tensors_.size(); ++i) {
    bytes.clear();
    tensors_[i].bytes(bytes);
    if (bytes.size() != sizes[i])
      fail("gguf: tensor '{}' produced {} bytes but its shape and type need {}", tensors_[i].name, bytes.size(),
           sizes[i]);
    bytes.resize(align_up(bytes.size(), alignment), '\0');
    file.write(bytes);
  }
  file.commit();
  fsync_path(path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path());
}

}  // namespace r1::gguf
