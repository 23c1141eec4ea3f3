#include "formats/safetensors.h"

#include <cstdio>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "util/error.h"
#include "util/file.h"

namespace r1 {

size_t safetensors_dtype_size(const std::string& dtype) {
  if (dtype == "F64" || dtype == "I64" || dtype == "U64") return 8;
  if (dtype == "F32" || dtype == "I32" || dtype == "U32") return 4;
  if (dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16") return 2;
  if (dtype == "I8" || dtype == "U8" || dtype == "BOOL" || dtype == "F8_E4M3" || dtype == "F8_E5M2") return 1;
  fail("safetensors: unknown dtype '{}'", dtype);
}

SafetensorsFile::SafetensorsFile(const std::string& path) : path_(path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) fail("{}: cannot open safetensors file: {}", path, std::strerror(errno));
  struct stat info {};
  if (fstat(fd, &info) != 0) {
    ::close(fd);
    fail("{}: cannot stat: {}", path, std::strerror(errno));
  }
  mapping_size_ = static_cast<size_t>(info.st_size);
  if (mapping_size_ < 8) {
    ::close(fd);
    fail("{}: file is {} bytes, too short for a safetensors header; the file is truncated or not safetensors", path,
         mapping_size_);
  }
  mapping_ = mmap(nullptr, mapping_size_, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (mapping_ == MAP_FAILED) {
    mapping_ = nullptr;
    fail("{}: mmap failed: {}", path, std::strerror(errno));
  }
  const auto* bytes = static_cast<const uint8_t*>(mapping_);

  // header length and JSON header
  uint64_t header_size = 0;
  for (int i = 7; i >= 0; --i) header_size = (header_size << 8) | bytes[i];
  if (header_size > mapping_size_ - 8) {
    munmap(mapping_, mapping_size_);
    mapping_ = nullptr;
    fail("{}: header claims {} bytes but the file has {} after the length field; the file is truncated", path,
         header_size, mapping_size_ - 8);
  }
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes + 8, bytes + 8 + header_size);
  } catch (const nlohmann::json::exception& e) {
    munmap(mapping_, mapping_size_);
    mapping_ = nullptr;
    fail("{}: header is not valid JSON ({}); the file is corrupt", path, e.what());
  }
  const uint8_t* data_start = bytes + 8 + header_size;
  const size_t data_size = mapping_size_ - 8 - header_size;

  // tensors, each checked against the data section
  try {
    if (!header.is_object()) fail("{}: header is not a JSON object", path);
    for (auto& [name, entry] : header.items()) {
      if (name == "__metadata__") {
        for (auto& [key, value] : entry.items())
          metadata_[key] = value.is_string() ? value.get<std::string>() : value.dump();
        continue;
      }
      SafetensorsTensor tensor;
      tensor.name = name;
      tensor.dtype = entry.at("dtype").get<std::string>();
      tensor.shape = entry.at("shape").get<std::vector<int64_t>>();
      auto offsets = entry.at("data_offsets").get<std::vector<uint64_t>>();
      if (offsets.size() != 2 || offsets[0] > offsets[1] || offsets[1] > data_size)
        fail("{}: tensor '{}' has data_offsets outside the {}-byte data section; the file is truncated or corrupt",
             path, name, data_size);
      uint64_t elements = 1;
      for (int64_t dim : tensor.shape) {
        if (dim < 0) fail("{}: tensor '{}' has a negative dimension {}", path, name, dim);
        elements *= static_cast<uint64_t>(dim);
      }
      const uint64_t expected = elements * safetensors_dtype_size(tensor.dtype);
      if (offsets[1] - offsets[0] != expected)
        fail("{}: tensor '{}' spans {} bytes but dtype {} and its shape need {}", path, name,
             offsets[1] - offsets[0], tensor.dtype, expected);
      tensor.data = data_start + offsets[0];
      tensor.size_bytes = expected;
      index_[name] = tensors_.size();
      tensors_.push_back(std::move(tensor));
    }
  } catch (const nlohmann::json::exception& e) {
    munmap(mapping_, mapping_size_);
    mapping_ = nullptr;
    fail("{}: malformed tensor entry in the header ({})", path, e.what());
  } catch (...) {
    munmap(mapping_, mapping_size_);
    mapping_ = nullptr;
    throw;
  }
}

SafetensorsFile::~SafetensorsFile() {
  if (mapping_ != nullptr) munmap(mapping_, mapping_size_);
  mapping_ = nullptr;
}

bool SafetensorsFile::contains(const std::string& name) const { return index_.count(name) > 0; }

const SafetensorsTensor& SafetensorsFile::tensor(const std::string& name) const {
  auto it = index_.find(name);
  if (it == index_.end()) fail("{}: tensor '{}' not found", path_, name);
  return tensors_[it->second];
}

void write_safetensors(const std::string& path, const std::vector<SafetensorsTensor>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  // header with consecutive offsets
  nlohmann::ordered_json header;
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& tensor : tensors) {
    const uint64_t size = tensor.size_bytes;
    header[tensor.name] = {{"dtype", tensor.dtype}, {"shape", tensor.shape}, {"data_offsets", {offset, offset + size}}};
    offset += size;
  }
  std::string header_text = header.dump();
  // pad with spaces so the data section starts 8-byte aligned
  while ((header_text.size() + 8) % 8 != 0) header_text.push_back(' ');

  AtomicFile file(path);
  uint64_t header_size = header_text.size();
  uint8_t length_bytes[8];
  for (int i = 0; i < 8; ++i) length_bytes[i] = static_cast<uint8_t>((header_size >> (8 * i)) & 0xff);
  file.write(length_bytes, 8);
  file.write(header_text.data(), header_text.size());
  for (const auto& tensor : tensors) file.write(tensor.data, tensor.size_bytes);
  file.commit();
}

}  // namespace r1
