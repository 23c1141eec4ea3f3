#include "formats/safetensors.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <set>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "util/error.h"
#include "util/file.h"

namespace r1 {

namespace {

// The reference implementation rejects headers over 100 MB; so does this one.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

bool is_known_dtype(const std::string& dtype) {
  static const char* const known[] = {"F64", "I64", "U64", "F32", "I32",     "U32",    "F16",
                                      "BF16", "I16", "U16", "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2"};
  for (const char* name : known)
    if (dtype == name) return true;
  return false;
}

// Parses the JSON header and rejects a tensor name that appears twice, which
// nlohmann::json would otherwise resolve silently by keeping the last entry.
nlohmann::json parse_header(const std::string& path, const uint8_t* begin, uint64_t size) {
  std::set<std::string> top_level_keys;
  auto reject_duplicates = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    if (event == nlohmann::json::parse_event_t::key && depth == 1) {
      std::string key = parsed.get<std::string>();
      if (!top_level_keys.insert(key).second)
        fail("{}: tensor '{}' appears twice in the header; the file is corrupt", path, key);
    }
    return true;
  };
  return nlohmann::json::parse(begin, begin + size, reject_duplicates);
}

// Checks that the tensors cover the data section exactly, without overlaps
// or gaps, as the format requires. A header that lies about offsets fails here.
void check_tensors_tile_data(const std::string& path, const std::vector<SafetensorsTensor>& tensors,
                             const uint8_t* data_start, uint64_t data_size) {
  std::vector<const SafetensorsTensor*> by_offset;
  for (const auto& tensor : tensors) by_offset.push_back(&tensor);
  std::sort(by_offset.begin(), by_offset.end(),
            [](const SafetensorsTensor* a, const SafetensorsTensor* b) { return a->data < b->data; });
  uint64_t expected_begin = 0;
  for (const SafetensorsTensor* tensor : by_offset) {
    uint64_t begin = static_cast<uint64_t>(tensor->data - data_start);
    if (begin < expected_begin)
      fail("{}: tensor '{}' starts at data offset {} inside the previous tensor (which ends at {}); the header is "
           "corrupt",
           path, tensor->name, begin, expected_begin);
    if (begin > expected_begin)
      fail("{}: tensor '{}' starts at data offset {} but the previous tensor ends at {}, leaving a gap; the header "
           "is corrupt",
           path, tensor->name, begin, expected_begin);
    expected_begin = begin + tensor->size_bytes;
  }
  if (expected_begin != data_size)
    fail("{}: the tensors cover {} bytes but the data section has {}; the file has trailing bytes or a wrong header",
         path, expected_begin, data_size);
}

}  // namespace

size_t safetensors_dtype_size(const std::string& dtype) {
  if (dtype == "F64" || dtype == "I64" || dtype == "U64") return 8;
  if (dtype == "F32" || dtype == "I32" || dtype == "U32") return 4;
  if (dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16") return 2;
  if (dtype == "I8" || dtype == "U8" || dtype == "BOOL" || dtype == "F8_E4M3" || dtype == "F8_E5M2") return 1;
  fail("safetensors: unknown dtype '{}'; known are F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, BOOL, F8_E4M3 and F8_E5M2", dtype);
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
  if (header_size > kMaxHeaderBytes || header_size < 2 || bytes[8] != '{') {
    munmap(mapping_, mapping_size_);
    mapping_ = nullptr;
    fail("{}: header length {} is invalid (a JSON object of at most {} bytes is expected); the file is corrupt or "
         "not safetensors",
         path, header_size, kMaxHeaderBytes);
  }
  nlohmann::json header;
  try {
    header = parse_header(path, bytes + 8, header_size);
  } catch (const nlohmann::json::exception& e) {
    munmap(mapping_, mapping_size_);
    mapping_ = nullptr;
    fail("{}: header is not valid JSON ({}); the file is corrupt", path, e.what());
  } catch (...) {
    munmap(mapping_, mapping_size_);
    mapping_ = nullptr;
    throw;
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
        if (dim > 0 && elements > std::numeric_limits<uint64_t>::max() / 16 / static_cast<uint64_t>(dim))
          fail("{}: tensor '{}' has a shape whose element count overflows; the header is corrupt", path, name);
        elements *= static_cast<uint64_t>(dim);
      }
      if (!is_known_dtype(tensor.dtype))
        fail("{}: tensor '{}' has unknown dtype '{}'; the file is corrupt or from a newer safetensors version", path,
             name, tensor.dtype);
      const uint64_t expected = elements * safetensors_dtype_size(tensor.dtype);
      if (offsets[1] - offsets[0] != expected)
        fail("{}: tensor '{}' spans {} bytes but dtype {} and its shape need {}", path, name,
             offsets[1] - offsets[0], tensor.dtype, expected);
      tensor.data = data_start + offsets[0];
      tensor.size_bytes = expected;
      index_[name] = tensors_.size();
      tensors_.push_back(std::move(tensor));
    }
    check_tensors_tile_data(path, tensors_, data_start, data_size);
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
