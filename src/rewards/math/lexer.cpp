#include "rewards/math/lexer.h"

#include <cctype>

#include "rewards/math/normalize.h"
#include "rewards/math/parser.h"

namespace r1::rewards::math {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string lowercase_trimmed(std::string_view text) {
  std::string out;
  for (char c : text) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t begin = out.find_first_not_of(" \t\n");
  if (begin == std::string::npos) return "";
  size_t end = out.find_last_not_of(" \t\n");
  return out.substr(begin, end - begin + 1);
}

// True when every space-separated word of `text` is a unit word.
bool is_all_units(std::string_view text) {
  std::string lower = lowercase_trimmed(text);
  if (lower.empty()) return false;
  size_t start = 0;
  while (start < lower.size()) {
    size_t end = lower.find(' ', start);
    if (end == std::string::npos) end = lower.size();
    std::string word = lower.substr(start, end - start);
    while (!word.empty() && (word.back() == '.' || word.back() == ',')) word.pop_back();
    if (!word.empty() && !is_unit_word(word)) return false;
    start = end + 1;
  }
  return true;
}

class Lexer {
 public:
  Lexer(std::string_view text, CheckBudget& budget) : text_(text), budget_(budget) {}

  std::vector<Token> run() {
    lex(text_);
    if (bracket_depth_ < 0) bracket_depth_ = 0;
    drop_trailing_words();
    return std::move(tokens_);
  }

 private:
  // Index just past the brace group opening at `open`; ParseError if unclosed.
  size_t group_end(std::string_view text, size_t open) {
    int depth = 0;
    for (size_t i = open; i < text.size(); ++i) {
      if (text[i] == '\\') {
        ++i;
        continue;
      }
      if (text[i] == '{') ++depth;
      if (text[i] == '}' && --depth == 0) return i + 1;
    }
    throw ParseError("unbalanced braces");
  }

  // Reads "{content}" at `i` (after optional spaces); returns content and moves i.
  std::string_view read_group(std::string_view text, size_t& i) {
    while (i < text.size() && text[i] == ' ') ++i;
    if (i >= text.size() || text[i] != '{') throw ParseError("expected '{'");
    size_t end = group_end(text, i);
    std::string_view content = text.substr(i + 1, end - i - 2);
    i = end;
    return content;
  }

  void push(TokenKind kind, std::string text) {
    budget_.tick();
    if (tokens_.size() > budget_.limits().max_nodes) throw LimitExceeded("token limit");
    tokens_.push_back(Token{kind, std::move(text)});
  }

  bool previous_is_quantity() const {
    if (tokens_.empty()) return false;
    const Token& last = tokens_.back();
    return last.kind == TokenKind::kNumber ||
           (last.kind == TokenKind::kChar && (last.text == ")" || last.text == "}" || last.text == "%"));
  }

  // Skips a "^2", "^3" or "^{2}" that follows a dropped unit (cm^2).
  static void skip_unit_power(std::string_view text, size_t& i) {
    size_t j = i;
    while (j < text.size() && text[j] == ' ') ++j;
    if (j < text.size() && text[j] == '^') {
      ++j;
      if (j < text.size() && is_digit(text[j])) {
        i = j + 1;
      } else if (j + 2 < text.size() && text[j] == '{' && is_digit(text[j + 1]) && text[j + 2] == '}') {
        i = j + 3;
      }
    }
  }

  // Returns true when the content was dropped as units.
  bool lex_text_command(std::string_view content) {
    std::string lower = lowercase_trimmed(content);
    if (lower.empty()) return false;
    if (is_all_units(content)) return true;
    if (lower == "or" || lower == "and" || lower == ",") {
      push(TokenKind::kChar, ",");
      return false;
    }
    // Plain numbers and single letters inside \text are math.
    bool math_like = true;
    for (char c : lower) {
      if (!is_digit(c) && c != '.' && c != ' ' && c != '-') math_like = false;
    }
    std::string trimmed(content);
    if (math_like || (lower.size() == 1 && is_alpha(lower[0]))) {
      lex(content);
      return false;
    }
    push(TokenKind::kText, trimmed);
    return false;
  }

  void lex_number(std::string_view text, size_t& i) {
    std::string number;
    while (i < text.size() && is_digit(text[i])) number += text[i++];

    // Thousands separators: 12,500 and 1,234,567 outside brackets, with a
    // first group of 1-3 digits not starting with 0 and groups of exactly 3.
    if (bracket_depth_ == 0 && !number.empty() && number.size() <= 3 && number[0] != '0') {
      size_t j = i;
      std::string grouped = number;
      while (j + 3 < text.size() && text[j] == ',' && is_digit(text[j + 1]) &&
             is_digit(text[j + 2]) && is_digit(text[j + 3]) && (j + 4 >= text.size() || !is_digit(text[j + 4]))) {
        grouped += text.substr(j + 1, 3);
        j += 4;
      }
      if (j != i) {
        number = grouped;
        i = j;
      }
    }

    if (i + 1 < text.size() && text[i] == '.' && is_digit(text[i + 1])) {
      number += text[i++];
      while (i < text.size() && is_digit(text[i])) number += text[i++];
    }
    if (number.empty()) {
      // ".5"
      number = "0";
      number += text[i++];
      while (i < text.size() && is_digit(text[i])) number += text[i++];
    }

    // Scientific notation 3e5, 2.5E-3: only when no letter follows the exponent.
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
      size_t j = i + 1;
      if (j < text.size() && (text[j] == '+' || text[j] == '-')) ++j;
      size_t digits_start = j;
      while (j < text.size() && is_digit(text[j])) ++j;
      if (j > digits_start && (j >= text.size() || !is_alpha(text[j]))) {
        number += "e" + std::string(text.substr(i + 1, j - i - 1));
        i = j;
      }
    }
    push(TokenKind::kNumber, number);
  }

  void lex_command(std::string_view text, size_t& i) {
    size_t start = i++;
    if (i >= text.size()) return;
    if (!is_alpha(text[i])) {
      std::string command = "\\" + std::string(1, text[i++]);
      if (command == "\\{") ++bracket_depth_;
      if (command == "\\}") --bracket_depth_;
      push(TokenKind::kCommand, command);
      return;
    }
    while (i < text.size() && is_alpha(text[i])) ++i;
    std::string name(text.substr(start, i - start));

    if (name == "\\text" || name == "\\textbf" || name == "\\mbox" || name == "\\textrm" ||
        name == "\\textit" || name == "\\textnormal" || name == "\\textsf" || name == "\\texttt") {
      if (lex_text_command(read_group(text, i))) skip_unit_power(text, i);
      return;
    }
    if (name == "\\mathrm" || name == "\\mathbf" || name == "\\mathit" || name == "\\mathsf" ||
        name == "\\operatorname" || name == "\\boldsymbol" || name == "\\mathbb" || name == "\\mathcal" ||
        name == "\\bf" || name == "\\rm" || name == "\\it") {
      if (name == "\\bf" || name == "\\rm" || name == "\\it") return;
      std::string_view content = read_group(text, i);
      if (is_all_units(content) && previous_is_quantity()) {
        skip_unit_power(text, i);
        return;
      }
      lex(content);
      return;
    }
    if (name == "\\begin" || name == "\\end") {
      std::string env(read_group(text, i));
      if (name == "\\begin" && env == "array") {
        size_t j = i;
        while (j < text.size() && text[j] == ' ') ++j;
        if (j < text.size() && text[j] == '{') read_group(text, i);
      }
      push(name == "\\begin" ? TokenKind::kBegin : TokenKind::kEnd, env);
      return;
    }
    push(TokenKind::kCommand, name);
  }

  void lex(std::string_view text) {
    if (++depth_ > budget_.limits().max_depth) throw LimitExceeded("nesting limit");
    size_t i = 0;
    while (i < text.size()) {
      budget_.tick();
      char c = text[i];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++i;
      } else if (is_digit(c) || (c == '.' && i + 1 < text.size() && is_digit(text[i + 1]))) {
        lex_number(text, i);
      } else if (is_alpha(c)) {
        size_t start = i;
        while (i < text.size() && is_alpha(text[i])) ++i;
        std::string word(text.substr(start, i - start));
        if (word.size() >= 2 && is_unit_word(word) && previous_is_quantity()) {
          skip_unit_power(text, i);
          continue;
        }
        push(word.size() == 1 ? TokenKind::kLetter : TokenKind::kWord, word);
      } else if (c == '\\') {
        lex_command(text, i);
      } else if (static_cast<unsigned char>(c) >= 0x80) {
        // Other non-ASCII text (words in other scripts): one text token.
        size_t start = i;
        while (i < text.size() && (static_cast<unsigned char>(text[i]) >= 0x80)) ++i;
        push(TokenKind::kText, std::string(text.substr(start, i - start)));
      } else {
        if (c == '(' || c == '[') ++bracket_depth_;
        if (c == ')' || c == ']') --bracket_depth_;
        if (c == '{') {
          group_end(text, i);  // checks balance
        }
        push(TokenKind::kChar, std::string(1, c));
        ++i;
      }
    }
    --depth_;
  }

  // "5 apples", "12 \text{ sq units}": words after the last number carry no value.
  void drop_trailing_words() {
    size_t end = tokens_.size();
    while (end > 0 && (tokens_[end - 1].kind == TokenKind::kWord || tokens_[end - 1].kind == TokenKind::kText ||
                       (tokens_[end - 1].kind == TokenKind::kChar && tokens_[end - 1].text == "."))) {
      --end;
    }
    if (end == tokens_.size() || end == 0) return;
    const Token& last = tokens_[end - 1];
    bool quantity = last.kind == TokenKind::kNumber || (last.kind == TokenKind::kChar && last.text == "%");
    bool words_only = true;
    for (size_t k = end; k < tokens_.size(); ++k) {
      if (tokens_[k].kind == TokenKind::kWord && tokens_[k].text.size() < 3) words_only = false;
    }
    if (quantity && words_only) tokens_.resize(end);
  }

  std::string_view text_;
  CheckBudget& budget_;
  std::vector<Token> tokens_;
  int depth_ = 0;
  int bracket_depth_ = 0;
};

}  // namespace

std::vector<Token> tokenize(std::string_view text, CheckBudget& budget) {
  Lexer lexer(text, budget);
  return lexer.run();
}

}  // namespace r1::rewards::math
