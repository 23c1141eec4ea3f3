// Splits a Jinja template into text, {{ expression }}, {% statement %} and
// {# comment #} segments, and each tag into tokens. Whitespace handling
// matches the Jinja2 environment that Hugging Face transformers builds for
// chat templates: trim_blocks and lstrip_blocks on, "-" and "+" markers on
// tags, newlines normalized to "\n", and one trailing newline of the
// template removed (keep_trailing_newline off).
#pragma once

#include <string>
#include <vector>

namespace r1::jinja {

// A position in the template source, both 1-based.
struct SourcePos {
  int line = 1;
  int column = 1;
};

struct Token {
  enum class Kind { Name, String, Integer, Float, Operator, End };
  Kind kind = Kind::End;
  // Name text, decoded string literal, number text or operator symbol.
  std::string text;
  SourcePos pos;
};

struct Segment {
  enum class Kind { Text, Expression, Statement };
  Kind kind = Kind::Text;
  std::string text;           // Text segments only.
  std::vector<Token> tokens;  // Expression and statement segments, ending with an End token.
  SourcePos pos;
};

// Throws r1::Error naming the line and column of an unterminated tag, string
// or an unexpected character.
std::vector<Segment> tokenize_template(const std::string& source);

}  // namespace r1::jinja
