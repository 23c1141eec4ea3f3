#include "formats/safetensors_checkpoint.h"

#include <fstream>

#include <nlohmann/json.hpp>

#include "util/error.h"

namespace fs = std::filesystem;

namespace r1 {

namespace {

nlohmann::json read_index(const fs::path& path) {
  std::ifstream stream(path);
  if (!stream) fail("cannot open '{}'", path.string());
  try {
    return nlohmann::json::parse(stream);
  } catch (const nlohmann::json::exception& e) {
    fail("'{}' is not valid JSON ({}); re-download or re-save the checkpoint", path.string(), e.what());
  }
}

}  // namespace

SafetensorsCheckpoint::SafetensorsCheckpoint(const fs::path& folder) : folder_(folder) {
  const fs::path single = folder / "model.safetensors";
  const fs::path index_path = folder / "model.safetensors.index.json";

  // one file: every tensor in it
  if (!fs::exists(index_path)) {
    if (!fs::exists(single))
      fail("'{}' has neither model.safetensors nor model.safetensors.index.json; point to a Hugging Face model "
           "folder saved with safetensors (PyTorch .bin checkpoints are not supported)",
           folder.string());
    files_.push_back(std::make_unique<SafetensorsFile>(single.string()));
    for (const auto& tensor : files_.back()->tensors()) locations_[tensor.name] = files_.back().get();
    return;
  }

  // shards: open each file named in the weight map once
  nlohmann::json index = read_index(index_path);
  if (!index.contains("weight_map") || !index["weight_map"].is_object())
    fail("'{}' has no \"weight_map\" object; the index is corrupt", index_path.string());
  std::map<std::string, const SafetensorsFile*> by_file;
  for (auto& [name, file_value] : index["weight_map"].items()) {
    if (!file_value.is_string())
      fail("'{}': weight_map entry for '{}' is not a file name", index_path.string(), name);
    std::string file = file_value.get<std::string>();
    if (file.find('/') != std::string::npos || file == "..")
      fail("'{}': shard '{}' for tensor '{}' is not a plain file name in the folder", index_path.string(), file, name);
    auto found = by_file.find(file);
    if (found == by_file.end()) {
      fs::path shard = folder / file;
      if (!fs::exists(shard))
        fail("'{}' lists shard '{}' (for tensor '{}') but '{}' does not exist; the download is incomplete",
             index_path.string(), file, name, shard.string());
      files_.push_back(std::make_unique<SafetensorsFile>(shard.string()));
      found = by_file.emplace(file, files_.back().get()).first;
    }
    if (!found->second->contains(name))
      fail("'{}' maps tensor '{}' to '{}' but that shard does not contain it; the index and shards do not match",
           index_path.string(), name, found->second->path());
    locations_[name] = found->second;
  }

  // a tensor stored in a shard but missing from the index, or in two shards
  for (const auto& file : files_) {
    for (const auto& tensor : file->tensors()) {
      auto location = locations_.find(tensor.name);
      if (location == locations_.end())
        fail("'{}' contains tensor '{}' which '{}' does not list; the index and shards do not match", file->path(),
             tensor.name, index_path.string());
      if (location->second != file.get())
        fail("tensor '{}' is stored in both '{}' and '{}'; the checkpoint is inconsistent", tensor.name,
             location->second->path(), file->path());
    }
  }
}

std::vector<std::string> SafetensorsCheckpoint::names() const {
  std::vector<std::string> result;
  for (const auto& [name, file] : locations_) result.push_back(name);
  return result;
}

const SafetensorsTensor& SafetensorsCheckpoint::tensor(const std::string& name) const {
  auto found = locations_.find(name);
  if (found == locations_.end()) fail("tensor '{}' is not in the checkpoint in '{}'", name, folder_.string());
  return found->second->tensor(name);
}

const std::string& SafetensorsCheckpoint::file_of(const std::string& name) const {
  auto found = locations_.find(name);
  if (found == locations_.end()) fail("tensor '{}' is not in the checkpoint in '{}'", name, folder_.string());
  return found->second->path();
}

}  // namespace r1
