#include "tokenizer/bpe_model.h"

#include <queue>

#include "tokenizer/unicode.h"
#include "util/error.h"

namespace r1 {
namespace {

// Words longer than this are merged without caching, and the cache is
// cleared when it contains this many words, which bounds its memory.
constexpr size_t kMaxCachedWordBytes = 256;
constexpr size_t kMaxCachedWords = 200000;

}  // namespace

BpeModel::BpeModel(std::unordered_map<std::string, int64_t> vocab,
                   const std::vector<std::pair<std::string, std::string>>& merges, bool ignore_merges)
    : vocab_(std::move(vocab)), merge_count_(merges.size()), ignore_merges_(ignore_merges) {
  index_.reserve(vocab_.size());
  for (const auto& [token, id] : vocab_) index_.emplace(token, id);

  merges_.reserve(merges.size());
  std::string merged;
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const auto& [left, right] = merges[rank];
    const auto left_id = token_to_id(left);
    const auto right_id = token_to_id(right);
    if (!left_id || !right_id) {
      fail("merge {} \"{} {}\" uses a token that is not in the vocabulary; the merges do not belong to this vocabulary",
           rank, left, right);
    }
    merged.assign(left).append(right);
    const auto merged_id = token_to_id(merged);
    if (!merged_id) {
      fail("merge {} \"{} {}\" makes \"{}{}\", which is not in the vocabulary; the merges do not belong to this vocabulary",
           rank, left, right, left, right);
    }

    // A pair listed twice keeps its first (lowest) rank.
    merges_.emplace(pair_key(*left_id, *right_id),
                    Merge{static_cast<int32_t>(rank), static_cast<int32_t>(*merged_id)});
  }
}

std::optional<int64_t> BpeModel::token_to_id(std::string_view token) const {
  const auto it = index_.find(token);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

void BpeModel::tokenize(std::string_view word, std::vector<int64_t>& ids) const {
  if (word.empty()) return;
  if (ignore_merges_) {
    if (const auto id = token_to_id(word)) {
      ids.push_back(*id);
      return;
    }
  }
  if (word.size() > kMaxCachedWordBytes) {
    merge_word(word, ids);
    return;
  }

  std::string key(word);
  {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    const auto it = cache_.find(key);
    if (it != cache_.end()) {
      ids.insert(ids.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  std::vector<int64_t> word_ids;
  merge_word(word, word_ids);
  ids.insert(ids.end(), word_ids.begin(), word_ids.end());
  std::lock_guard<std::mutex> lock(cache_mutex_);
  if (cache_.size() >= kMaxCachedWords) cache_.clear();
  cache_.emplace(std::move(key), std::move(word_ids));
}

void BpeModel::merge_word(std::string_view word, std::vector<int64_t>& ids) const {
  // Symbols form a doubly linked list over the word's characters. A merged
  // symbol keeps the position of its left part, and its right part is
  // marked dead (id -1).
  struct Symbol {
    int64_t id;
    int prev;
    int next;
  };
  std::vector<Symbol> symbols;
  symbols.reserve(word.size());
  size_t pos = 0;
  while (pos < word.size()) {
    int length = 0;
    decode_utf8(word, pos, length);
    const auto id = token_to_id(word.substr(pos, length));
    pos += length;
    if (!id) continue;
    const int index = static_cast<int>(symbols.size());
    symbols.push_back(Symbol{*id, index - 1, index + 1});
  }
  if (symbols.empty()) return;
  symbols.back().next = -1;

  // Candidate merges ordered by (rank, position): the lowest rank first and,
  // among equal ranks, the leftmost.
  struct Candidate {
    int32_t rank;
    int position;
    int32_t merged_id;
    bool operator>(const Candidate& other) const {
      return rank != other.rank ? rank > other.rank : position > other.position;
    }
  };
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> queue;
  auto push_candidate = [&](int left) {
    const int right = symbols[left].next;
    if (left < 0 || right < 0) return;
    const auto it = merges_.find(pair_key(symbols[left].id, symbols[right].id));
    if (it != merges_.end()) queue.push(Candidate{it->second.rank, left, it->second.merged_id});
  };
  for (int i = 0; i + 1 < static_cast<int>(symbols.size()); ++i) push_candidate(i);

  // Merge loop. A candidate is stale when either side has changed since it
  // was queued. Each rank belongs to one pair, so a rank that differs from
  // the current pair's rank marks it stale.
  while (!queue.empty()) {
    const Candidate top = queue.top();
    queue.pop();
    Symbol& left = symbols[top.position];
    if (left.id < 0 || left.next < 0) continue;
    Symbol& right = symbols[left.next];
    const auto it = merges_.find(pair_key(left.id, right.id));
    if (it == merges_.end() || it->second.rank != top.rank) continue;

    left.id = top.merged_id;
    right.id = -1;
    left.next = right.next;
    if (right.next >= 0) symbols[right.next].prev = top.position;
    if (left.prev >= 0) push_candidate(left.prev);
    push_candidate(top.position);
  }

  for (int i = 0; i >= 0; i = symbols[i].next) ids.push_back(symbols[i].id);
}

}  // namespace r1
