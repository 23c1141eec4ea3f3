#include "chat/jinja_lexer.h"

#include <algorithm>
#include <cctype>

#include "chat/utf8.h"
#include "util/error.h"

namespace r1::jinja {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

// Maps byte offsets to line and column.
class PositionTable {
 public:
  explicit PositionTable(const std::string& source) {
    line_starts_.push_back(0);
    for (size_t i = 0; i < source.size(); ++i) {
      if (source[i] == '\n') line_starts_.push_back(i + 1);
    }
  }

  SourcePos at(size_t offset) const {
    auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
    const size_t line = static_cast<size_t>(it - line_starts_.begin());
    return {static_cast<int>(line), static_cast<int>(offset - line_starts_[line - 1] + 1)};
  }

 private:
  std::vector<size_t> line_starts_;
};

// Normalizes "\r\n" and "\r" to "\n" and drops one trailing newline.
std::string normalize_newlines(const std::string& source) {
  std::string out;
  out.reserve(source.size());
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      out += '\n';
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
    } else {
      out += source[i];
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes the escapes of a string literal as Python's "unicode-escape" codec
// does, which is what Jinja2 applies to string literals.
std::string unescape_string(const std::string& raw) {
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\' || i + 1 >= raw.size()) {
      out += raw[i];
      continue;
    }
    const char c = raw[++i];
    switch (c) {
      case '\n':
        break;  // A backslash before a newline continues the line.
      case '\\':
        out += '\\';
        break;
      case '\'':
        out += '\'';
        break;
      case '"':
        out += '"';
        break;
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case 'x':
      case 'u':
      case 'U': {
        const size_t digits = c == 'x' ? 2 : (c == 'u' ? 4 : 8);
        char32_t code_point = 0;
        bool valid = true;
        for (size_t k = 1; valid && k <= digits; ++k) {
          if (i + k >= raw.size() || hex_value(raw[i + k]) < 0) {
            valid = false;
          } else {
            code_point = code_point * 16 + static_cast<char32_t>(hex_value(raw[i + k]));
          }
        }
        if (!valid) fail("chat template: invalid \\{} escape in string literal \"{}\"; write {} hex digits", c, raw, digits);
        utf8_append(out, code_point);
        i += digits;
        break;
      }
      default:
        if (c >= '0' && c <= '7') {
          int value = c - '0';
          for (int k = 0; k < 2 && i + 1 < raw.size() && raw[i + 1] >= '0' && raw[i + 1] <= '7'; ++k) {
            value = value * 8 + (raw[++i] - '0');
          }
          utf8_append(out, static_cast<char32_t>(value));
        } else {
          // Python keeps unknown escapes as written.
          out += '\\';
          out += c;
        }
    }
  }
  return out;
}

// Operators, longest first so that "//" wins over "/".
const char* const kOperators[] = {"//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<",
                                  ">",  "=",  "(",  ")",  "[",  "]",  "{", "}", ",", ".", ":", "|", ";"};

class Lexer {
 public:
  explicit Lexer(std::string source) : source_(std::move(source)), positions_(source_) {}

  std::vector<Segment> run() {
    size_t pos = 0;
    bool line_starting = true;
    while (pos < source_.size()) {
      // Find the next tag opener.
      size_t open = source_.find('{', pos);
      while (open != std::string::npos && open + 1 < source_.size() && source_[open + 1] != '{' &&
             source_[open + 1] != '%' && source_[open + 1] != '#') {
        open = source_.find('{', open + 1);
      }
      if (open == std::string::npos || open + 1 >= source_.size()) {
        add_text(source_.substr(pos), pos);
        break;
      }

      const char tag = source_[open + 1];
      size_t inner = open + 2;
      char left_control = 0;
      if (inner < source_.size() && (source_[inner] == '-' || source_[inner] == '+')) {
        left_control = source_[inner];
        ++inner;
      }

      std::string text = source_.substr(pos, open - pos);
      strip_before_tag(text, left_control, tag != '{', line_starting);
      add_text(text, pos);

      // The tag itself.
      size_t after = 0;
      char right_control = 0;
      if (tag == '#') {
        after = scan_comment(open, inner, right_control);
      } else {
        Segment segment;
        segment.kind = tag == '{' ? Segment::Kind::Expression : Segment::Kind::Statement;
        segment.pos = positions_.at(open);
        after = scan_tokens(open, inner, tag == '{' ? '}' : '%', segment.tokens, right_control);
        if (is_raw_begin(segment)) {
          pos = scan_raw(open, after, right_control, line_starting);
          continue;
        }
        segments_.push_back(std::move(segment));
      }

      // Whitespace control after the tag; trim_blocks drops one newline
      // after statements and comments.
      if (right_control == '-') {
        while (after < source_.size() && is_space(source_[after])) ++after;
      } else if (right_control != '+' && tag != '{' && after < source_.size() && source_[after] == '\n') {
        ++after;
      }
      line_starting = after > 0 && source_[after - 1] == '\n';
      pos = after;
    }
    return std::move(segments_);
  }

 private:
  // Whitespace control on the text before a tag: "-" strips all trailing
  // whitespace, and lstrip_blocks drops spaces and tabs between the line
  // start and a statement or comment tag.
  static void strip_before_tag(std::string& text, char left_control, bool block_tag, bool line_starting) {
    if (left_control == '-') {
      size_t end = text.size();
      while (end > 0 && is_space(text[end - 1])) --end;
      text.resize(end);
      return;
    }
    if (left_control == '+' || !block_tag) return;
    const size_t newline = text.rfind('\n');
    const size_t line_start = newline == std::string::npos ? 0 : newline + 1;
    const bool at_line_start = line_start > 0 || line_starting;
    const bool only_space =
        line_start < text.size() &&
        std::all_of(text.begin() + static_cast<long>(line_start), text.end(), [](char c) { return is_space(c); });
    if (at_line_start && only_space) text.resize(line_start);
  }

  static bool is_raw_begin(const Segment& segment) {
    return segment.kind == Segment::Kind::Statement && segment.tokens.size() == 2 &&
           segment.tokens[0].kind == Token::Kind::Name && segment.tokens[0].text == "raw";
  }

  // Emits the text of {% raw %}...{% endraw %} unchanged and returns the
  // offset after the closing tag. As in Jinja2, trim_blocks does not apply
  // after {% raw %}, but it does after {% endraw %}.
  size_t scan_raw(size_t open, size_t content_start, char begin_control, bool& line_starting) {
    if (begin_control == '-') {
      while (content_start < source_.size() && is_space(source_[content_start])) ++content_start;
    }

    // Find "{%", an optional "-" or "+", "endraw", an optional "-" or "+", "%}".
    size_t search = content_start;
    size_t close = std::string::npos;
    size_t after = 0;
    char left_control = 0;
    char right_control = 0;
    while (close == std::string::npos) {
      const size_t tag = source_.find("{%", search);
      if (tag == std::string::npos) {
        const SourcePos at = positions_.at(open);
        fail("chat template line {}, column {}: raw block is not closed; expected '{{% endraw %}}'", at.line, at.column);
      }
      size_t cursor = tag + 2;
      left_control = 0;
      right_control = 0;
      if (cursor < source_.size() && (source_[cursor] == '-' || source_[cursor] == '+')) left_control = source_[cursor++];
      while (cursor < source_.size() && is_space(source_[cursor])) ++cursor;
      if (source_.compare(cursor, 6, "endraw") == 0) {
        cursor += 6;
        while (cursor < source_.size() && is_space(source_[cursor])) ++cursor;
        if (cursor < source_.size() && (source_[cursor] == '-' || source_[cursor] == '+')) right_control = source_[cursor++];
        if (source_.compare(cursor, 2, "%}") == 0) {
          close = tag;
          after = cursor + 2;
        }
      }
      search = tag + 2;
    }

    std::string text = source_.substr(content_start, close - content_start);
    const bool raw_line_starting = content_start > 0 && source_[content_start - 1] == '\n';
    strip_before_tag(text, left_control, true, raw_line_starting);
    add_text(text, content_start);

    if (right_control == '-') {
      while (after < source_.size() && is_space(source_[after])) ++after;
    } else if (right_control != '+' && after < source_.size() && source_[after] == '\n') {
      ++after;
    }
    line_starting = after > 0 && source_[after - 1] == '\n';
    return after;
  }

  void add_text(const std::string& text, size_t offset) {
    if (text.empty()) return;
    Segment segment;
    segment.kind = Segment::Kind::Text;
    segment.text = text;
    segment.pos = positions_.at(offset);
    segments_.push_back(std::move(segment));
  }

  // Returns the offset after "#}".
  size_t scan_comment(size_t open, size_t inner, char& right_control) {
    const size_t close = source_.find("#}", inner);
    if (close == std::string::npos) {
      const SourcePos at = positions_.at(open);
      fail("chat template line {}, column {}: comment is not closed; expected '#}}'", at.line, at.column);
    }
    if (close > inner && (source_[close - 1] == '-' || source_[close - 1] == '+')) right_control = source_[close - 1];
    return close + 2;
  }

  // Tokenizes until the closing "}}" or "%}" outside brackets; returns the
  // offset after it.
  size_t scan_tokens(size_t open, size_t pos, char close_char, std::vector<Token>& tokens, char& right_control) {
    int depth = 0;
    while (true) {
      while (pos < source_.size() && is_space(source_[pos])) ++pos;
      if (pos >= source_.size()) {
        const SourcePos at = positions_.at(open);
        fail("chat template line {}, column {}: tag is not closed; expected '{}}}'", at.line, at.column, close_char);
      }

      // The closing delimiter, with an optional "-" or "+" before it.
      if (depth == 0) {
        size_t check = pos;
        char control = 0;
        if ((source_[check] == '-' || source_[check] == '+') && check + 1 < source_.size()) {
          control = source_[check];
          ++check;
        }
        if (check + 1 < source_.size() && source_[check] == close_char && source_[check + 1] == '}') {
          // "-" followed by the delimiter is a control marker, not a minus.
          right_control = control;
          Token end;
          end.kind = Token::Kind::End;
          end.pos = positions_.at(pos);
          tokens.push_back(end);
          return check + 2;
        }
      }

      Token token;
      token.pos = positions_.at(pos);
      const char c = source_[pos];
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        size_t end = pos;
        while (end < source_.size() && (std::isalnum(static_cast<unsigned char>(source_[end])) || source_[end] == '_')) ++end;
        token.kind = Token::Kind::Name;
        token.text = source_.substr(pos, end - pos);
        pos = end;
      } else if (std::isdigit(static_cast<unsigned char>(c))) {
        pos = scan_number(pos, token);
      } else if (c == '\'' || c == '"') {
        size_t end = pos + 1;
        while (end < source_.size() && source_[end] != c) {
          if (source_[end] == '\\') ++end;
          ++end;
        }
        if (end >= source_.size()) {
          fail("chat template line {}, column {}: string literal is not closed; expected {}", token.pos.line,
               token.pos.column, c);
        }
        token.kind = Token::Kind::String;
        token.text = unescape_string(source_.substr(pos + 1, end - pos - 1));
        pos = end + 1;
      } else {
        bool matched = false;
        for (const char* op : kOperators) {
          const std::string symbol(op);
          if (source_.compare(pos, symbol.size(), symbol) == 0) {
            token.kind = Token::Kind::Operator;
            token.text = symbol;
            pos += symbol.size();
            matched = true;
            break;
          }
        }
        if (!matched) {
          fail("chat template line {}, column {}: unexpected character '{}' in tag", token.pos.line, token.pos.column,
               c);
        }
        if (token.text == "(" || token.text == "[" || token.text == "{") ++depth;
        if ((token.text == ")" || token.text == "]" || token.text == "}") && depth > 0) --depth;
      }
      tokens.push_back(std::move(token));
    }
  }

  size_t scan_number(size_t pos, Token& token) {
    size_t end = pos;
    auto digits = [&] {
      while (end < source_.size() && (std::isdigit(static_cast<unsigned char>(source_[end])) || source_[end] == '_')) ++end;
    };
    digits();
    token.kind = Token::Kind::Integer;
    if (end + 1 < source_.size() && source_[end] == '.' && std::isdigit(static_cast<unsigned char>(source_[end + 1]))) {
      ++end;
      digits();
      token.kind = Token::Kind::Float;
    }
    if (end < source_.size() && (source_[end] == 'e' || source_[end] == 'E')) {
      size_t exponent = end + 1;
      if (exponent < source_.size() && (source_[exponent] == '+' || source_[exponent] == '-')) ++exponent;
      if (exponent < source_.size() && std::isdigit(static_cast<unsigned char>(source_[exponent]))) {
        end = exponent;
        digits();
        token.kind = Token::Kind::Float;
      }
    }
    token.text = source_.substr(pos, end - pos);
    token.text.erase(std::remove(token.text.begin(), token.text.end(), '_'), token.text.end());
    return end;
  }

  std::string source_;
  PositionTable positions_;
  std::vector<Segment> segments_;
};

}  // namespace

std::vector<Segment> tokenize_template(const std::string& source) { return Lexer(normalize_newlines(source)).run(); }

}  // namespace r1::jinja
