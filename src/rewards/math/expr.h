// Expression tree of a parsed answer: numbers are exact rationals, and
// collections (lists, sets, intervals, tuples, matrices) keep their shape so
// that equivalence can compare them element by element.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <gmpxx.h>

namespace r1::rewards::math {

enum class NodeKind {
  kNumber,      // exact rational `number`
  kSymbol,      // variable `text` (x, \theta, x_1)
  kConstant,    // `text` = "pi" or "e"
  kInfinity,    // positive infinity; negate with kNeg
  kText,        // words that are not math: compared as normalized text
  kAdd,         // sum of children
  kNeg,         // -child
  kMul,         // product of children
  kDiv,         // children[0] / children[1]
  kPow,         // children[0] ^ children[1]
  kFunction,    // `text`(children...): sin, log, abs, floor, binom, ...
  kFactorial,   // child!
  kPercent,     // child %
  kPlusMinus,   // children[0] ± children[1]; one child for a leading ±
  kRelation,    // children joined by the operators in `ops` (=, <, \le, \in, ...)
  kList,        // comma-separated items without brackets: compared order-free
  kSet,         // \{...\}: compared order-free
  kBracketed,   // tuple or interval: `text` holds the two bracket characters
  kUnion,       // union of children (intervals or sets)
  kMatrix,      // rows are kList children
};

struct Node;
using NodePtr = std::shared_ptr<const Node>;

struct Node {
  NodeKind kind;
  std::string text;
  mpq_class number;
  std::vector<NodePtr> children;
  std::vector<std::string> ops;  // kRelation only
};

NodePtr make_node(NodeKind kind, std::vector<NodePtr> children = {}, std::string text = "");
NodePtr make_number(const mpq_class& value);

// A canonical rendering used for structural comparison and for messages.
std::string to_string(const Node& node);

bool contains_kind(const Node& node, NodeKind kind);

}  // namespace r1::rewards::math
