#include "tokenizer/char_tokenizer.h"

#include <fstream>

#include <nlohmann/json.hpp>

#include "tokenizer/unicode.h"
#include "util/error.h"

namespace r1 {

namespace {

// The written forms of the special tokens, indexed by id.
const char32_t kSpecialCharacters[CharTokenizer::kNumSpecial] = {U'S', U'E', U'P', U'U'};

}  // namespace

CharTokenizer::CharTokenizer(std::vector<char32_t> characters) : characters_(std::move(characters)) {
  for (int64_t id = 0; id < kNumSpecial; ++id) ids_[kSpecialCharacters[id]] = id;
  for (size_t i = 0; i < characters_.size(); ++i) {
    if (ids_.count(characters_[i]) && ids_.at(characters_[i]) >= kNumSpecial)
      fail("character tokenizer: code point {} is listed twice", static_cast<uint32_t>(characters_[i]));
    // a listed S, E, P or U stays the special token, as verl's vocabulary does
    ids_.emplace(characters_[i], kNumSpecial + static_cast<int64_t>(i));
  }
}

std::vector<int64_t> CharTokenizer::encode(const std::string& text, bool /*add_special*/) const {
  // No begin-of-sequence token exists, so add_special changes nothing.
  std::vector<int64_t> ids;
  ids.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    int length = 1;
    const char32_t code_point = decode_utf8(text, pos, length);
    auto found = ids_.find(code_point);
    ids.push_back(found == ids_.end() ? kUnknown : found->second);
    pos += static_cast<size_t>(std::max(length, 1));
  }
  return ids;
}

std::string CharTokenizer::decode(const std::vector<int64_t>& ids, bool skip_special) const {
  std::string text;
  for (int64_t id : ids) {
    if (id < 0 || id >= vocab_size()) fail("character tokenizer: id {} is outside the vocabulary of {}", id, vocab_size());
    if (id < kNumSpecial) {
      if (!skip_special) append_utf8(kSpecialCharacters[id], text);
      continue;
    }
    append_utf8(characters_[id - kNumSpecial], text);
  }
  return text;
}

std::optional<int64_t> CharTokenizer::token_to_id(const std::string& token) const {
  std::vector<int64_t> ids = encode(token);
  if (ids.size() != 1 || (ids[0] == kUnknown && token != "U")) return std::nullopt;
  return ids[0];
}

std::string CharTokenizer::id_to_token(int64_t id) const { return decode({id}); }

bool has_char_tokenizer_config(const std::filesystem::path& folder) {
  const std::filesystem::path path = folder / "tokenizer_config.json";
  if (!std::filesystem::exists(path)) return false;
  try {
    std::ifstream in(path);
    return nlohmann::json::parse(in).contains("char_ords");
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

CharTokenizer load_char_tokenizer(const std::filesystem::path& folder) {
  const std::filesystem::path path = folder / "tokenizer_config.json";
  std::vector<char32_t> characters;
  try {
    std::ifstream in(path);
    nlohmann::json config = nlohmann::json::parse(in);
    for (const auto& ord : config.at("char_ords")) characters.push_back(static_cast<char32_t>(ord.get<uint32_t>()));
  } catch (const nlohmann::json::exception& e) {
    fail("{}: expected \"char_ords\", a list of Unicode code points ({})", path.string(), e.what());
  }
  return CharTokenizer(std::move(characters));
}

}  // namespace r1
