#include "rewards/language_reward.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <vector>

#include "util/error.h"

namespace r1::rewards {

namespace {

enum class Script { kNone, kLatin, kCyrillic, kGreek, kArabic, kHebrew, kDevanagari, kThai, kHangul, kHiragana, kKatakana, kHan };

Script script_of(char32_t c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return Script::kLatin;
  if ((c >= 0x00C0 && c <= 0x024F && c != 0x00D7 && c != 0x00F7) || (c >= 0x1E00 && c <= 0x1EFF)) return Script::kLatin;
  if (c >= 0x0370 && c <= 0x03FF) return Script::kGreek;
  if (c >= 0x0400 && c <= 0x052F) return Script::kCyrillic;
  if (c >= 0x0590 && c <= 0x05FF) return Script::kHebrew;
  if ((c >= 0x0600 && c <= 0x06FF) || (c >= 0x0750 && c <= 0x077F)) return Script::kArabic;
  if (c >= 0x0900 && c <= 0x097F) return Script::kDevanagari;
  if (c >= 0x0E00 && c <= 0x0E7F) return Script::kThai;
  if ((c >= 0xAC00 && c <= 0xD7AF) || (c >= 0x1100 && c <= 0x11FF) || (c >= 0x3130 && c <= 0x318F)) return Script::kHangul;
  if (c >= 0x3040 && c <= 0x309F) return Script::kHiragana;
  if ((c >= 0x30A0 && c <= 0x30FF) || (c >= 0x31F0 && c <= 0x31FF)) return Script::kKatakana;
  if ((c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2FA1F) ||
      (c >= 0xF900 && c <= 0xFAFF)) {
    return Script::kHan;
  }
  return Script::kNone;
}

// Decodes one UTF-8 code point at `i`; invalid bytes decode as U+FFFD.
char32_t decode_utf8(std::string_view text, size_t& i) {
  unsigned char lead = static_cast<unsigned char>(text[i++]);
  if (lead < 0x80) return lead;
  int extra = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : -1;
  if (extra < 0) return 0xFFFD;
  char32_t code = lead & (0x3F >> extra);
  for (int k = 0; k < extra; ++k) {
    if (i >= text.size() || (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) return 0xFFFD;
    code = (code << 6) | (static_cast<unsigned char>(text[i++]) & 0x3F);
  }
  return code;
}

struct LanguageSpec {
  std::set<Script> scripts;
  bool per_character = false;  // Chinese and Japanese: each character is a word
};

LanguageSpec language_spec(const std::string& language) {
  static const std::set<std::string> latin = {"en", "fr", "de", "es", "it", "pt", "nl", "vi", "id", "tr", "pl"};
  if (latin.count(language)) return {{Script::kLatin}, false};
  if (language == "zh") return {{Script::kHan}, true};
  if (language == "ja") return {{Script::kHan, Script::kHiragana, Script::kKatakana}, true};
  if (language == "ko") return {{Script::kHangul}, false};
  if (language == "ru" || language == "uk" || language == "bg" || language == "sr") return {{Script::kCyrillic}, false};
  if (language == "el") return {{Script::kGreek}, false};
  if (language == "ar" || language == "fa") return {{Script::kArabic}, false};
  if (language == "he") return {{Script::kHebrew}, false};
  if (language == "hi" || language == "mr") return {{Script::kDevanagari}, false};
  if (language == "th") return {{Script::kThai}, false};
  fail("unknown language '{}'; use an ISO 639-1 code such as en, zh, ja, ko, ru, fr, de, es", language);
}

// Function words that mark a Latin-script text as one language and not the
// others in this table (words shared with English, such as "die", are left out).
const std::vector<std::pair<std::string, std::set<std::string>>>& latin_function_words() {
  static const std::vector<std::pair<std::string, std::set<std::string>>> words = {
      {"en", {"the", "and", "is", "of", "that", "this", "with", "which", "we", "are", "then", "so", "therefore"}},
      {"fr", {"les", "des", "est", "une", "et", "du", "nous", "avec", "donc", "pour", "dans", "sont", "cette"}},
      {"de", {"und", "der", "das", "ist", "nicht", "wir", "mit", "eine", "ein", "den", "dem", "also", "auch"}},
      {"es", {"los", "las", "el", "es", "y", "que", "una", "del", "por", "con", "entonces", "para", "como"}},
  };
  return words;
}

bool is_foreign_latin_word(const std::string& lower, const std::string& language) {
  bool target_has = false;
  bool other_has = false;
  for (const auto& [code, words] : latin_function_words()) {
    if (words.count(lower) == 0) continue;
    if (code == language) {
      target_has = true;
    } else {
      other_has = true;
    }
  }
  bool target_listed = false;
  for (const auto& entry : latin_function_words()) target_listed |= entry.first == language;
  return target_listed && other_has && !target_has;
}

// Removes math spans and LaTeX commands, which are not words of any language.
std::string strip_math(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '$') {
      bool display = i + 1 < text.size() && text[i + 1] == '$';
      size_t close = text.find(display ? "$$" : "$", i + (display ? 2 : 1));
      // An unpaired $ is a currency sign, not math.
      if (close != std::string_view::npos) {
        i = close + (display ? 2 : 1);
        out += ' ';
        continue;
      }
    }
    if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == '(' || text[i + 1] == '[')) {
      size_t close = text.find(text[i + 1] == '(' ? "\\)" : "\\]", i + 2);
      if (close != std::string_view::npos) {
        i = close + 2;
        out += ' ';
        continue;
      }
    }
    if (text[i] == '\\') {
      ++i;
      while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
      out += ' ';
      continue;
    }
    out += text[i++];
  }
  return out;
}

}  // namespace

LanguageCount count_language_words(std::string_view text, const std::string& language) {
  LanguageSpec spec = language_spec(language);
  std::string clean = strip_math(text);
  LanguageCount count;

  size_t i = 0;
  while (i < clean.size()) {
    size_t start = i;
    char32_t c = decode_utf8(clean, i);
    Script script = script_of(c);
    if (script == Script::kNone) continue;

    bool ideographic = script == Script::kHan || script == Script::kHiragana || script == Script::kKatakana;
    if (ideographic) {
      ++count.total_words;
      if (spec.scripts.count(script)) ++count.target_words;
      continue;
    }

    // A run of letters of one script is one word.
    size_t end = i;
    while (end < clean.size()) {
      size_t next = end;
      char32_t following = decode_utf8(clean, next);
      if (script_of(following) != script && following != '\'') break;
      end = next;
    }
    std::string word = clean.substr(start, end - start);
    i = end;
    if (script == Script::kLatin && word.size() == 1) continue;  // a variable such as x
    ++count.total_words;
    if (spec.scripts.count(script) == 0) continue;
    if (script == Script::kLatin) {
      std::string lower = word;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      if (is_foreign_latin_word(lower, language)) continue;
    }
    ++count.target_words;
  }
  return count;
}

std::string_view chain_of_thought(std::string_view completion) {
  size_t close = completion.find("</think>");
  if (close == std::string_view::npos) {
    size_t open = completion.find("<think>");
    return open == std::string_view::npos ? completion : completion.substr(open + 7);
  }
  size_t open = completion.rfind("<think>", close);
  size_t begin = open == std::string_view::npos ? 0 : open + 7;
  return completion.substr(begin, close - begin);
}

bool is_language_mixed(std::string_view completion, const std::string& language, double min_share) {
  LanguageCount count = count_language_words(chain_of_thought(completion), language);
  return count.total_words > 0 && count.share() < min_share;
}

LanguageReward::LanguageReward(const nlohmann::json& options) {
  language_ = options.value("language", std::string("en"));
  language_spec(language_);  // rejects unknown languages now
  std::string scope = options.value("scope", std::string("think"));
  if (scope != "think" && scope != "completion") {
    fail("invalid language option scope '{}'; use think or completion", scope);
  }
  whole_completion_ = scope == "completion";
}

RewardResult LanguageReward::score(const RewardInput& input) const {
  std::string_view text = whole_completion_ ? std::string_view(input.completion) : chain_of_thought(input.completion);
  LanguageCount count = count_language_words(text, language_);
  RewardResult result;
  result.value = count.share();
  result.details["target_words"] = count.target_words;
  result.details["words"] = count.total_words;
  return result;
}

}  // namespace r1::rewards
