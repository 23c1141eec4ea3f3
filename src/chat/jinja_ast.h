// Syntax tree of a parsed Jinja template: expressions and statements.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "chat/jinja_lexer.h"
#include "chat/jinja_value.h"

namespace r1::jinja {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  enum class Kind {
    Literal,      // literal
    Name,         // name
    ListLiteral,  // operands = items
    TupleLiteral, // operands = items
    DictLiteral,  // operands = key0, value0, key1, value1, ...
    Attribute,    // operands[0].name
    Subscript,    // operands[0][operands[1]]
    Slice,        // operands[0][operands[1]:operands[2]:operands[3]]; absent parts are null
    Call,         // operands[0](operands[1..], keyword_args)
    Filter,       // operands[0] | name(operands[1..], keyword_args)
    Test,         // operands[0] is [not] name(operands[1..])
    Unary,        // name operands[0], with name "-", "+" or "not"
    Binary,       // operands[0] name operands[1], for + - * / // % ** ~
    Compare,      // operands[0] comparators[0] operands[1] ...; comparators include "in" and "not in"
    And,
    Or,
    Conditional,  // operands[0] if operands[1] else operands[2] (operands[2] may be null)
  };

  Kind kind = Kind::Literal;
  SourcePos pos;
  Value literal;
  std::string name;
  std::vector<ExprPtr> operands;
  std::vector<std::pair<std::string, ExprPtr>> keyword_args;
  std::vector<std::string> comparators;
  bool negated = false;
};

struct Node;
using NodePtr = std::unique_ptr<Node>;
using Body = std::vector<NodePtr>;

struct Node {
  enum class Kind {
    Text,       // text
    Output,     // {{ expr }}
    If,         // branches: (condition, body)...; else_body
    For,        // for targets in expr [if condition]: body; else_body when nothing was iterated
    Set,        // set targets = expr, or set target_object.target_attribute = expr
    SetBlock,   // set targets[0] %}body{% endset
    Break,
    Continue,
    Generation, // {% generation %}body{% endgeneration %}: rendered as its body
    Macro,      // macro name(parameters) body
  };

  Kind kind = Kind::Text;
  SourcePos pos;
  std::string text;
  ExprPtr expr;
  ExprPtr condition;
  std::vector<std::string> targets;
  std::string target_object;
  std::string target_attribute;
  std::vector<std::pair<ExprPtr, Body>> branches;
  Body body;
  Body else_body;
  // Macro parameters: name and default (null when required).
  std::vector<std::pair<std::string, ExprPtr>> parameters;
};

// Parses the segments of a template into its top-level body. Throws r1::Error
// naming the line, column and what was expected.
Body parse_template(const std::vector<Segment>& segments);

}  // namespace r1::jinja
