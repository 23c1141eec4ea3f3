#include "rewards/math/expr.h"

namespace r1::rewards::math {

NodePtr make_node(NodeKind kind, std::vector<NodePtr> children, std::string text) {
  auto node = std::make_shared<Node>();
  node->kind = kind;
  node->children = std::move(children);
  node->text = std::move(text);
  return node;
}

NodePtr make_number(const mpq_class& value) {
  auto node = std::make_shared<Node>();
  node->kind = NodeKind::kNumber;
  node->number = value;
  return node;
}

namespace {

std::string join(const Node& node, const char* separator) {
  std::string out;
  for (size_t i = 0; i < node.children.size(); ++i) {
    if (i > 0) out += separator;
    out += to_string(*node.children[i]);
  }
  return out;
}

}  // namespace

std::string to_string(const Node& node) {
  switch (node.kind) {
    case NodeKind::kNumber: return node.number.get_str();
    case NodeKind::kSymbol: return node.text;
    case NodeKind::kConstant: return node.text;
    case NodeKind::kInfinity: return "oo";
    case NodeKind::kText: return "\"" + node.text + "\"";
    case NodeKind::kAdd: return "(" + join(node, " + ") + ")";
    case NodeKind::kNeg: return "-(" + to_string(*node.children[0]) + ")";
    case NodeKind::kMul: return "(" + join(node, " * ") + ")";
    case NodeKind::kDiv: return "(" + join(node, " / ") + ")";
    case NodeKind::kPow: return "(" + join(node, " ^ ") + ")";
    case NodeKind::kFunction: return node.text + "(" + join(node, ", ") + ")";
    case NodeKind::kFactorial: return "(" + to_string(*node.children[0]) + ")!";
    case NodeKind::kPercent: return "(" + to_string(*node.children[0]) + ")%";
    case NodeKind::kPlusMinus: return "(" + join(node, " +- ") + ")";
    case NodeKind::kRelation: {
      std::string out = to_string(*node.children[0]);
      for (size_t i = 1; i < node.children.size(); ++i) {
        out += " " + node.ops[i - 1] + " " + to_string(*node.children[i]);
      }
      return out;
    }
    case NodeKind::kList: return "list(" + join(node, ", ") + ")";
    case NodeKind::kSet: return "{" + join(node, ", ") + "}";
    case NodeKind::kBracketed:
      return std::string(1, node.text[0]) + join(node, ", ") + std::string(1, node.text[1]);
    case NodeKind::kUnion: return join(node, " U ");
    case NodeKind::kMatrix: return "matrix(" + join(node, "; ") + ")";
  }
  return "?";
}

bool contains_kind(const Node& node, NodeKind kind) {
  if (node.kind == kind) return true;
  for (const NodePtr& child : node.children) {
    if (contains_kind(*child, kind)) return true;
  }
  return false;
}

}  // namespace r1::rewards::math
