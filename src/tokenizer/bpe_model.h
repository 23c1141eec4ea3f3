// The BPE model: a vocabulary of byte-level tokens and a ranked list of
// merges. It turns one pre-tokenized word (already in the byte-level
// alphabet) into token ids by repeatedly merging the adjacent pair with the
// lowest merge rank, leftmost first, as Hugging Face tokenizers' BPE does.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace r1 {

class BpeModel {
 public:
  // vocab maps token text to id. merges lists the pairs in rank order (rank
  // 0 first), and each merged token must be in the vocabulary. With
  // ignore_merges, a word found whole in the vocabulary becomes that token
  // without merging (Llama 3 sets this).
  BpeModel(std::unordered_map<std::string, int64_t> vocab,
           const std::vector<std::pair<std::string, std::string>>& merges, bool ignore_merges);

  // Appends the ids of one word. Characters that are not in the vocabulary are
  // dropped, as Hugging Face tokenizers does when no unknown token is set.
  void tokenize(std::string_view word, std::vector<int64_t>& ids) const;

  std::optional<int64_t> token_to_id(std::string_view token) const;
  const std::unordered_map<std::string, int64_t>& vocab() const { return vocab_; }
  size_t merge_count() const { return merge_count_; }

 private:
  struct Merge {
    int32_t rank;
    int32_t merged_id;
  };
  static uint64_t pair_key(int64_t left, int64_t right) {
    return (static_cast<uint64_t>(left) << 32) | static_cast<uint32_t>(right);
  }

  void merge_word(std::string_view word, std::vector<int64_t>& ids) const;

  std::unordered_map<std::string, int64_t> vocab_;
  // The same map keyed by views of vocab_'s keys (stable in a node-based
  // map), so lookups need no std::string allocation.
  std::unordered_map<std::string_view, int64_t> index_;
  std::unordered_map<uint64_t, Merge> merges_;
  size_t merge_count_ = 0;
  bool ignore_merges_ = false;

  // Cache of merged words. Text repeats words constantly, and a hit skips
  // the merge loop. Guarded by cache_mutex_ because encode is const and may
  // run on several threads.
  mutable std::unordered_map<std::string, std::vector<int64_t>> cache_;
  mutable std::mutex cache_mutex_;
};

}  // namespace r1
