// The weights of a Hugging Face model folder: either one model.safetensors
// or shards listed by model.safetensors.index.json, whose "weight_map" maps
// each tensor name to its shard file. All files stay memory-mapped while the
// checkpoint is open.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "formats/safetensors.h"

namespace r1 {

class SafetensorsCheckpoint {
 public:
  // Opens the folder's weights. Throws r1::Error when neither file exists,
  // when the index names a missing shard or a tensor its shard lacks, or
  // when two shards hold the same tensor.
  explicit SafetensorsCheckpoint(const std::filesystem::path& folder);

  // Tensor names in sorted order.
  std::vector<std::string> names() const;
  bool contains(const std::string& name) const { return locations_.count(name) > 0; }

  // The tensor, pointing into its mapped shard; throws when absent.
  const SafetensorsTensor& tensor(const std::string& name) const;

  // The path of the shard file that contains `name`.
  const std::string& file_of(const std::string& name) const;

  const std::vector<std::unique_ptr<SafetensorsFile>>& files() const { return files_; }

 private:
  std::filesystem::path folder_;
  std::vector<std::unique_ptr<SafetensorsFile>> files_;
  std::map<std::string, const SafetensorsFile*> locations_;
};

}  // namespace r1
