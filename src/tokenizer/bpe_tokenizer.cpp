#include "tokenizer/bpe_tokenizer.h"

#include "tokenizer/byte_level.h"
#include "tokenizer/unicode.h"
#include "util/error.h"

namespace r1 {
namespace {

// The bytes that Hugging Face's ByteLevel decoder writes for one token: the
// bytes behind its byte-level characters, or its own UTF-8 text when a
// character is outside the byte-level alphabet (as in most added tokens).
std::string bytes_of_token(const std::string& token) {
  if (auto bytes = decode_byte_level(token)) return *bytes;
  return token;
}

}  // namespace

BpeTokenizer::BpeTokenizer(BpeTokenizerConfig config)
    : model_(std::move(config.vocab), config.merges, config.ignore_merges),
      added_(config.added_tokens),
      nfc_(config.nfc),
      splits_(std::move(config.splits)),
      add_prefix_space_(config.add_prefix_space),
      byte_level_regex_(config.byte_level_regex) {
  // The id space covers the vocabulary and the added tokens.
  int64_t max_id = -1;
  for (const auto& [token, id] : model_.vocab()) max_id = std::max(max_id, id);
  for (const auto& token : config.added_tokens) max_id = std::max(max_id, token.id);
  if (max_id < 0) fail("the tokenizer has an empty vocabulary; check that the vocabulary file is complete");
  token_text_.resize(max_id + 1);
  decoded_bytes_.resize(max_id + 1);
  special_.resize(max_id + 1, false);

  for (const auto& [token, id] : model_.vocab()) {
    if (id < 0) fail("token \"{}\" has a negative id {}; ids must be 0 or more", token, id);
    token_text_[id] = token;
    decoded_bytes_[id] = bytes_of_token(token);
  }
  for (const auto& token : config.added_tokens) {
    if (token.id < 0) fail("added token \"{}\" has a negative id {}; ids must be 0 or more", token.content, token.id);
    token_text_[token.id] = token.content;
    decoded_bytes_[token.id] = bytes_of_token(token.content);
    special_[token.id] = token.special;
    added_ids_[token.content] = token.id;
  }

  // Special tokens by role.
  for (const auto& token : config.prefix_tokens) prefix_ids_.push_back(*required_token(token, "prefix"));
  for (const auto& token : config.suffix_tokens) suffix_ids_.push_back(*required_token(token, "suffix"));
  bos_id_ = required_token(config.bos_token, "bos_token");
  eos_id_ = required_token(config.eos_token, "eos_token");
  pad_id_ = required_token(config.pad_token, "pad_token");
}

std::optional<int64_t> BpeTokenizer::required_token(const std::optional<std::string>& token, const char* role) const {
  if (!token) return std::nullopt;
  const auto id = token_to_id(*token);
  if (!id) fail("{} \"{}\" is not in the vocabulary; fix tokenizer_config.json or the tokenizer file", role, *token);
  return id;
}

std::optional<int64_t> BpeTokenizer::token_to_id(const std::string& token) const {
  const auto it = added_ids_.find(token);
  if (it != added_ids_.end()) return it->second;
  return model_.token_to_id(token);
}

std::string BpeTokenizer::id_to_token(int64_t id) const {
  if (id < 0 || id >= vocab_size()) fail("token id {} is out of range [0, {})", id, vocab_size());
  return token_text_[id];
}

bool BpeTokenizer::is_special(int64_t id) const { return id >= 0 && id < vocab_size() && special_[id]; }

std::vector<int64_t> BpeTokenizer::encode(const std::string& text, bool add_special) const {
  std::vector<int64_t> ids;
  ids.reserve(text.size() / 3 + 4);
  if (add_special) ids.insert(ids.end(), prefix_ids_.begin(), prefix_ids_.end());

  // Added tokens matched in the raw text come first; the text between them
  // goes through the rest of the pipeline.
  std::vector<TextSegment> segments;
  added_.split(text, false, segments);
  for (const TextSegment& segment : segments) {
    if (segment.token_id >= 0) {
      ids.push_back(segment.token_id);
    } else {
      encode_plain(segment.text, ids);
    }
  }

  if (add_special) ids.insert(ids.end(), suffix_ids_.begin(), suffix_ids_.end());
  return ids;
}

void BpeTokenizer::encode_plain(std::string_view text, std::vector<int64_t>& ids) const {
  // Normalize, then split again at added tokens flagged `normalized`.
  std::string normalized;
  if (nfc_) {
    normalized = normalize_nfc(text);
    text = normalized;
  }
  if (!added_.has_normalized_tokens()) {
    encode_normalized(text, ids);
    return;
  }
  std::vector<TextSegment> segments;
  added_.split(text, true, segments);
  for (const TextSegment& segment : segments) {
    if (segment.token_id >= 0) {
      ids.push_back(segment.token_id);
    } else {
      encode_normalized(segment.text, ids);
    }
  }
}

void BpeTokenizer::encode_normalized(std::string_view text, std::vector<int64_t>& ids) const {
  // Regex splits, each one applied to every piece of the previous one.
  thread_local std::vector<std::string_view> pieces;
  thread_local std::vector<std::string_view> next_pieces;
  pieces.assign(1, text);
  for (SplitPattern pattern : splits_) {
    next_pieces.clear();
    for (std::string_view piece : pieces) split_pretokens(piece, pattern, next_pieces);
    pieces.swap(next_pieces);
  }

  // The ByteLevel step: an optional space in front of each piece that lacks
  // one, its own regex split, then the byte-level alphabet and BPE.
  thread_local std::string prefixed;
  thread_local std::string word;
  thread_local std::vector<std::string_view> words;
  for (std::string_view piece : pieces) {
    if (add_prefix_space_ && (piece.empty() || piece[0] != ' ')) {
      prefixed.assign(" ");
      prefixed.append(piece);
      piece = prefixed;
    }
    words.clear();
    if (byte_level_regex_) {
      split_pretokens(piece, *byte_level_regex_, words);
    } else {
      words.push_back(piece);
    }
    for (std::string_view raw_word : words) {
      word.clear();
      append_byte_level(raw_word, word);
      model_.tokenize(word, ids);
    }
  }
}

std::string BpeTokenizer::decode(const std::vector<int64_t>& ids, bool skip_special) const {
  std::string out;
  for (int64_t id : ids) {
    // Ids without a token (such as the padding rows of a model's embedding
    // beyond the tokenizer's vocabulary) are skipped, as in Hugging Face.
    if (id < 0 || id >= vocab_size()) continue;
    if (skip_special && special_[id]) continue;
    out += decoded_bytes_[id];
  }
  return out;
}

}  // namespace r1
