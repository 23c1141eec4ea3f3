#include "rewards/math/extract.h"

#include <algorithm>
#include <cctype>

#include "util/error.h"

namespace r1::rewards::math {

const char* extractor_name(Extractor extractor) {
  switch (extractor) {
    case Extractor::kBoxed: return "boxed";
    case Extractor::kAnswerTag: return "answer_tag";
    case Extractor::kGsm8k: return "gsm8k";
    case Extractor::kPhrase: return "phrase";
    case Extractor::kChoice: return "choice";
  }
  return "unknown";
}

Extractor parse_extractor(const std::string& name) {
  for (Extractor extractor : {Extractor::kBoxed, Extractor::kAnswerTag, Extractor::kGsm8k, Extractor::kPhrase,
                              Extractor::kChoice}) {
    if (name == extractor_name(extractor)) return extractor;
  }
  fail("unknown answer extractor '{}'; use boxed, answer_tag, gsm8k, phrase or choice", name);
}

std::vector<Extractor> default_extractors(const std::string& dataset_kind) {
  if (dataset_kind == "math") return {Extractor::kBoxed, Extractor::kAnswerTag, Extractor::kPhrase};
  if (dataset_kind == "gsm8k") {
    return {Extractor::kGsm8k, Extractor::kBoxed, Extractor::kAnswerTag, Extractor::kPhrase};
  }
  if (dataset_kind == "choice") {
    return {Extractor::kBoxed, Extractor::kAnswerTag, Extractor::kPhrase, Extractor::kChoice};
  }
  fail("unknown dataset kind '{}' for answer extraction; use math, gsm8k or choice", dataset_kind);
}

namespace {

enum class Outcome { kFound, kNone, kUnterminated };

std::string trim(std::string_view text) {
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return std::string(text.substr(begin, end - begin));
}

// Position just past the brace group opening at `open`, or npos.
size_t match_brace(std::string_view text, size_t open) {
  int depth = 0;
  for (size_t i = open; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\') {
      ++i;
      continue;
    }
    if (c == '{') ++depth;
    if (c == '}' && --depth == 0) return i + 1;
  }
  return std::string_view::npos;
}

// Finds the next \boxed or \fbox at or after `from` (not \boxedx).
size_t find_box(std::string_view text, size_t from, size_t& keyword_length) {
  size_t best = std::string_view::npos;
  for (std::string_view keyword : {std::string_view("\\boxed"), std::string_view("\\fbox")}) {
    size_t position = from;
    while ((position = text.find(keyword, position)) != std::string_view::npos) {
      size_t end = position + keyword.size();
      if (end < text.size() && std::isalpha(static_cast<unsigned char>(text[end]))) {
        position = end;
        continue;
      }
      if (position < best) {
        best = position;
        keyword_length = keyword.size();
      }
      break;
    }
  }
  return best;
}

Outcome extract_boxed(std::string_view text, std::string& answer) {
  Outcome outcome = Outcome::kNone;
  size_t position = 0;
  size_t keyword_length = 0;
  // Scan boxes left to right; a nested box lies inside its parent and is skipped with it.
  while ((position = find_box(text, position, keyword_length)) != std::string_view::npos) {
    size_t i = position + keyword_length;
    while (i < text.size() && text[i] == ' ') ++i;
    if (i >= text.size()) return Outcome::kUnterminated;
    if (text[i] == '{') {
      size_t end = match_brace(text, i);
      if (end == std::string_view::npos) return Outcome::kUnterminated;
      answer = trim(text.substr(i + 1, end - i - 2));
      outcome = Outcome::kFound;
      position = end;
    } else {
      // "\boxed 5": the argument runs to the next space or math delimiter.
      size_t end = i;
      while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end])) && text[end] != '$') ++end;
      answer = trim(text.substr(i, end - i));
      while (!answer.empty() && (answer.back() == '.' || answer.back() == ',')) answer.pop_back();
      outcome = answer.empty() ? Outcome::kUnterminated : Outcome::kFound;
      position = end;
    }
  }
  return outcome;
}

Outcome extract_answer_tag(std::string_view text, std::string& answer) {
  size_t open = text.rfind("<answer>");
  if (open == std::string_view::npos) return Outcome::kNone;
  size_t close = text.find("</answer>", open);
  if (close == std::string_view::npos) return Outcome::kUnterminated;
  answer = trim(text.substr(open + 8, close - open - 8));
  return answer.empty() ? Outcome::kNone : Outcome::kFound;
}

Outcome extract_gsm8k(std::string_view text, std::string& answer) {
  size_t marker = text.rfind("####");
  if (marker == std::string_view::npos) return Outcome::kNone;
  size_t end = text.find('\n', marker);
  std::string line = trim(text.substr(marker + 4, end == std::string_view::npos ? std::string_view::npos : end - marker - 4));
  for (size_t braced = line.find("{,}"); braced != std::string::npos; braced = line.find("{,}")) line.erase(braced, 3);
  std::string cleaned;
  for (char c : line) {
    if (c != '$' && c != ',') cleaned += c;
  }
  cleaned = trim(cleaned);
  while (!cleaned.empty() && cleaned.back() == '.') cleaned.pop_back();
  if (cleaned.empty()) return Outcome::kNone;
  answer = cleaned;
  return Outcome::kFound;
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The answer that follows a phrase: a $...$ or \(...\) math span, or the rest
// of the sentence.
std::string phrase_answer(std::string_view rest) {
  std::string text = trim(rest);
  while (!text.empty() && (text[0] == ':' || text[0] == '*' || text[0] == ' ')) text.erase(0, 1);

  // A math span right after the phrase is the whole answer.
  if (text.rfind("$$", 0) == 0) {
    size_t close = text.find("$$", 2);
    if (close != std::string::npos) return trim(text.substr(2, close - 2));
  }
  if (!text.empty() && text[0] == '$') {
    size_t close = text.find('$', 1);
    if (close != std::string::npos) return trim(text.substr(1, close - 1));
  }
  if (text.rfind("\\(", 0) == 0 || text.rfind("\\[", 0) == 0) {
    size_t close = text.find(text[1] == '(' ? "\\)" : "\\]", 2);
    if (close != std::string::npos) return trim(text.substr(2, close - 2));
  }

  // The sentence ends at a newline, at ". " or a final ".", or at ", " before a word.
  size_t end = text.find('\n');
  if (end == std::string::npos) end = text.size();
  for (size_t i = 0; i < end; ++i) {
    // A period inside a number (1.5) is followed by a digit, so it never ends the sentence here.
    bool sentence_end = text[i] == '.' && (i + 1 == end || text[i + 1] == ' ');
    bool clause_end = text[i] == ',' && i + 2 < end && text[i + 1] == ' ' &&
                      std::isalpha(static_cast<unsigned char>(text[i + 2]));
    if (sentence_end || clause_end) {
      end = i;
      break;
    }
  }
  std::string answer = trim(text.substr(0, end));
  while (!answer.empty() && (answer.back() == '.' || answer.back() == '*')) answer.pop_back();
  return trim(answer);
}

Outcome extract_phrase(std::string_view text, std::string& answer) {
  std::string lower = lowercase(text);
  size_t best = std::string::npos;
  size_t best_end = 0;
  for (std::string_view phrase : {"final answer is", "final answer:", "the answer is", "answer is:", "answer:"}) {
    size_t position = lower.rfind(phrase);
    if (position != std::string::npos && (best == std::string::npos || position > best)) {
      best = position;
      best_end = position + phrase.size();
    }
  }
  if (best == std::string::npos) return Outcome::kNone;
  answer = phrase_answer(text.substr(best_end));
  return answer.empty() ? Outcome::kNone : Outcome::kFound;
}

Outcome extract_choice(std::string_view text, std::string& answer) {
  // The last "(X)" with X in A-J.
  for (size_t i = text.size(); i >= 3; --i) {
    size_t start = i - 3;
    if (text[start] == '(' && text[start + 2] == ')' && text[start + 1] >= 'A' && text[start + 1] <= 'J') {
      answer = std::string(1, text[start + 1]);
      return Outcome::kFound;
    }
  }
  return Outcome::kNone;
}

}  // namespace

Extraction extract_answer(std::string_view completion, const std::vector<Extractor>& extractors, bool truncated) {
  Extraction result;
  if (truncated) {
    result.failure = "truncated";
    return result;
  }
  for (Extractor extractor : extractors) {
    std::string answer;
    Outcome outcome = Outcome::kNone;
    switch (extractor) {
      case Extractor::kBoxed: outcome = extract_boxed(completion, answer); break;
      case Extractor::kAnswerTag: outcome = extract_answer_tag(completion, answer); break;
      case Extractor::kGsm8k: outcome = extract_gsm8k(completion, answer); break;
      case Extractor::kPhrase: outcome = extract_phrase(completion, answer); break;
      case Extractor::kChoice: outcome = extract_choice(completion, answer); break;
    }
    if (outcome == Outcome::kUnterminated) {
      result.failure = extractor == Extractor::kAnswerTag ? "unterminated_answer_tag" : "unterminated_box";
      return result;
    }
    if (outcome == Outcome::kFound) {
      result.found = true;
      result.answer = std::move(answer);
      result.extractor = extractor_name(extractor);
      return result;
    }
  }
  result.failure = "none";
  return result;
}

}  // namespace r1::rewards::math
