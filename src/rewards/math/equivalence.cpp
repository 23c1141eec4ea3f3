#include "rewards/math/equivalence.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <set>

#include "rewards/math/evaluate.h"

namespace r1::rewards::math {

namespace {

void collect_symbols(const Node& node, std::set<std::string>& symbols) {
  if (node.kind == NodeKind::kSymbol) symbols.insert(node.text);
  for (const NodePtr& child : node.children) collect_symbols(*child, symbols);
}

// The operator of the same relation with its sides swapped (< becomes >).
std::string mirrored_relation(const std::string& op) {
  if (op == "<") return ">";
  if (op == ">") return "<";
  if (op == "\\le") return "\\ge";
  if (op == "\\ge") return "\\le";
  return op;
}

bool is_collection(const Node& node) {
  return node.kind == NodeKind::kList || node.kind == NodeKind::kSet;
}

// Deterministic generator (splitmix64) so a verdict never depends on the run.
struct SplitMix {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
};

// Expands every ± into both signs: 1 \pm \sqrt{2} -> {1 + \sqrt{2}, 1 - \sqrt{2}}.
std::vector<NodePtr> expand_plus_minus(const NodePtr& node, CheckBudget& budget, int depth = 0) {
  budget.tick();
  if (depth > budget.limits().max_depth) throw LimitExceeded("nesting limit");
  if (!contains_kind(*node, NodeKind::kPlusMinus)) return {node};
  if (node->kind == NodeKind::kPlusMinus) {
    std::vector<NodePtr> results;
    std::vector<NodePtr> lefts = node->children.size() == 2 ? expand_plus_minus(node->children[0], budget, depth + 1)
                                                            : std::vector<NodePtr>{nullptr};
    std::vector<NodePtr> rights = expand_plus_minus(node->children.back(), budget, depth + 1);
    for (const NodePtr& left : lefts) {
      for (const NodePtr& right : rights) {
        NodePtr negative = make_node(NodeKind::kNeg, {right});
        if (left) {
          results.push_back(make_node(NodeKind::kAdd, {left, right}));
          results.push_back(make_node(NodeKind::kAdd, {left, negative}));
        } else {
          results.push_back(right);
          results.push_back(negative);
        }
      }
    }
    if (results.size() > 64) throw LimitExceeded("too many +- terms");
    return results;
  }
  // Expand the first child that contains a ±, then recurse on the results.
  for (size_t i = 0; i < node->children.size(); ++i) {
    if (!contains_kind(*node->children[i], NodeKind::kPlusMinus)) continue;
    std::vector<NodePtr> results;
    for (const NodePtr& variant : expand_plus_minus(node->children[i], budget, depth + 1)) {
      auto copy = std::make_shared<Node>(*node);
      copy->children[i] = variant;
      for (const NodePtr& expanded : expand_plus_minus(copy, budget, depth + 1)) results.push_back(expanded);
    }
    if (results.size() > 64) throw LimitExceeded("too many +- terms");
    return results;
  }
  return {node};
}

class Comparator {
 public:
  explicit Comparator(CheckBudget& budget) : budget_(budget) {}

  bool equal(const Node& a, const Node& b, int depth = 0) {
    budget_.tick();
    if (depth > budget_.limits().max_depth) throw LimitExceeded("nesting limit");

    // Text answers ("Devon", "(C)") compare as normalized text, and comma-separated
    // text ("\text{A, D}") as an order-free list of items.
    if (a.kind == NodeKind::kText || b.kind == NodeKind::kText) {
      std::vector<std::string> a_items = text_items(a);
      std::vector<std::string> b_items = text_items(b);
      std::sort(a_items.begin(), a_items.end());
      std::sort(b_items.begin(), b_items.end());
      return a_items == b_items;
    }

    // An inequality in one variable matches the interval it describes: x > 3 and (3, \infty).
    if (a.kind == NodeKind::kRelation && (b.kind == NodeKind::kBracketed || b.kind == NodeKind::kUnion)) {
      NodePtr interval = inequality_to_interval(a);
      if (interval) return equal(*interval, b, depth + 1);
    }
    if (b.kind == NodeKind::kRelation && (a.kind == NodeKind::kBracketed || a.kind == NodeKind::kUnion)) {
      NodePtr interval = inequality_to_interval(b);
      if (interval) return equal(a, *interval, depth + 1);
    }

    // An assignment or membership matches its value: "k = 11" and 11, "x \in [1, 2]" and [1, 2].
    if (a.kind == NodeKind::kRelation && b.kind != NodeKind::kRelation) return relation_matches_value(a, b, depth);
    if (b.kind == NodeKind::kRelation && a.kind != NodeKind::kRelation) return relation_matches_value(b, a, depth);
    if (a.kind == NodeKind::kRelation) return relations_equal(a, b, depth);

    // Collections without brackets (lists, sets, ± expansions) compare order-free.
    bool a_many = is_collection(a) || contains_kind(a, NodeKind::kPlusMinus);
    bool b_many = is_collection(b) || contains_kind(b, NodeKind::kPlusMinus);
    if (a_many || b_many) {
      if (!a_many || !b_many) return false;
      return multisets_equal(items_of(a), items_of(b), depth);
    }

    if (a.kind == NodeKind::kBracketed || b.kind == NodeKind::kBracketed) {
      if (a.kind != b.kind || a.text != b.text) return false;
      return sequences_equal(a.children, b.children, depth);
    }
    if (a.kind == NodeKind::kMatrix || b.kind == NodeKind::kMatrix) {
      if (a.kind != b.kind || a.children.size() != b.children.size()) return false;
      for (size_t row = 0; row < a.children.size(); ++row) {
        if (!sequences_equal(a.children[row]->children, b.children[row]->children, depth)) return false;
      }
      return true;
    }
    if (a.kind == NodeKind::kUnion || b.kind == NodeKind::kUnion) {
      if (a.kind != b.kind) return false;
      return multisets_equal(a.children, b.children, depth);
    }

    // 50% matches both 0.5 and 50 when the other side has no percent sign.
    if ((a.kind == NodeKind::kPercent) != (b.kind == NodeKind::kPercent)) {
      const Node& percent = a.kind == NodeKind::kPercent ? a : b;
      const Node& other = a.kind == NodeKind::kPercent ? b : a;
      if (scalars_equal(*percent.children[0], other)) return true;
    }
    return scalars_equal(a, b);
  }

 private:
  std::string text_of(const Node& node) {
    std::string text = node.kind == NodeKind::kText ? node.text : to_string(node);
    std::string out;
    for (char c : text) {
      if (c == ' ' || c == '(' || c == ')' || c == '"' || c == '\\' || c == '{' || c == '}') continue;
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
  }

  // Normalized text of each item: split at commas for text, one item per
  // element for lists and sets, the whole node otherwise.
  std::vector<std::string> text_items(const Node& node) {
    std::vector<std::string> items;
    if (node.kind == NodeKind::kText) {
      std::string text = text_of(node);
      size_t start = 0;
      while (true) {
        size_t comma = text.find(',', start);
        items.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    } else if (is_collection(node)) {
      for (const NodePtr& child : node.children) items.push_back(text_of(*child));
    } else {
      items.push_back(text_of(node));
    }
    return items;
  }

  std::vector<NodePtr> items_of(const Node& node) {
    std::vector<NodePtr> items;
    std::vector<NodePtr> sources;
    if (is_collection(node)) {
      sources = node.children;
    } else {
      sources.push_back(std::make_shared<Node>(node));
    }
    for (const NodePtr& source : sources) {
      for (const NodePtr& item : expand_plus_minus(source, budget_)) items.push_back(item);
    }
    return items;
  }

  // The interval of "x < b", "x \ge a", "a < x \le b" (and mirrored forms), or nullptr.
  static NodePtr inequality_to_interval(const Node& relation) {
    auto is_less = [](const std::string& op) { return op == "<" || op == "\\le"; };
    auto is_greater = [](const std::string& op) { return op == ">" || op == "\\ge"; };
    auto closed = [](const std::string& op) { return op == "\\le" || op == "\\ge"; };
    auto infinity = [](bool negative) {
      NodePtr positive = make_node(NodeKind::kInfinity);
      return negative ? make_node(NodeKind::kNeg, {positive}) : positive;
    };
    auto interval = [](NodePtr low, bool low_closed, NodePtr high, bool high_closed) {
      std::string brackets{low_closed ? '[' : '(', high_closed ? ']' : ')'};
      return make_node(NodeKind::kBracketed, {std::move(low), std::move(high)}, brackets);
    };
    const auto& c = relation.children;
    const auto& ops = relation.ops;
    bool variable_first = c[0]->kind == NodeKind::kSymbol;
    if (c.size() == 2 && (variable_first || c[1]->kind == NodeKind::kSymbol)) {
      // Normalize to "variable op bound".
      std::string op = ops[0];
      NodePtr bound = variable_first ? c[1] : c[0];
      if (!variable_first) op = mirrored_relation(op);
      if (is_less(op)) return interval(infinity(true), false, bound, closed(op));
      if (is_greater(op)) return interval(bound, closed(op), infinity(false), false);
      return nullptr;
    }
    if (c.size() == 3 && c[1]->kind == NodeKind::kSymbol) {
      if (is_less(ops[0]) && is_less(ops[1])) return interval(c[0], closed(ops[0]), c[2], closed(ops[1]));
      if (is_greater(ops[0]) && is_greater(ops[1])) return interval(c[2], closed(ops[1]), c[0], closed(ops[0]));
    }
    return nullptr;
  }

  bool relation_matches_value(const Node& relation, const Node& value, int depth) {
    if (relation.children.size() != 2) return false;
    const std::string& op = relation.ops[0];
    if (op != "=" && op != "\\in") return false;
    // The left side must name something (k = 11, f(x) = ...): "3 = 5" is not an answer of 5.
    std::set<std::string> left_symbols;
    collect_symbols(*relation.children[0], left_symbols);
    if (left_symbols.empty()) return false;
    return equal(*relation.children[1], value, depth + 1);
  }

  bool relations_equal(const Node& a, const Node& b, int depth) {
    if (a.children.size() != b.children.size()) return false;
    // Same chain of operators, or the mirrored chain (x > 3 and 3 < x).
    size_t n = a.children.size();
    bool same_ops = a.ops == b.ops;
    bool mirror_ops = true;
    for (size_t i = 0; i < a.ops.size(); ++i) {
      if (mirrored_relation(a.ops[i]) != b.ops[n - 2 - i]) mirror_ops = false;
    }
    if (same_ops) {
      bool all = true;
      for (size_t i = 0; i < n && all; ++i) all = equal(*a.children[i], *b.children[i], depth + 1);
      if (all) return true;
    }
    if (mirror_ops) {
      bool all = true;
      for (size_t i = 0; i < n && all; ++i) all = equal(*a.children[i], *b.children[n - 1 - i], depth + 1);
      if (all) return true;
    }
    // Equations with the same solution set up to a factor: l1 - r1 = c (l2 - r2).
    if (n == 2 && a.ops[0] == "=" && b.ops[0] == "=") {
      NodePtr left = make_node(NodeKind::kAdd, {a.children[0], make_node(NodeKind::kNeg, {a.children[1]})});
      NodePtr right = make_node(NodeKind::kAdd, {b.children[0], make_node(NodeKind::kNeg, {b.children[1]})});
      return proportional(*left, *right);
    }
    return false;
  }

  bool sequences_equal(const std::vector<NodePtr>& a, const std::vector<NodePtr>& b, int depth) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!equal(*a[i], *b[i], depth + 1)) return false;
    }
    return true;
  }

  // Order-free matching with each item used once (greedy is exact for an
  // equivalence relation).
  bool multisets_equal(const std::vector<NodePtr>& a, const std::vector<NodePtr>& b, int depth) {
    if (a.size() != b.size()) return false;
    if (a.size() > 256) throw LimitExceeded("collection too large");
    std::vector<bool> used(b.size(), false);
    for (const NodePtr& item : a) {
      bool matched = false;
      for (size_t j = 0; j < b.size() && !matched; ++j) {
        if (!used[j] && equal(*item, *b[j], depth + 1)) {
          used[j] = true;
          matched = true;
        }
      }
      if (!matched) return false;
    }
    return true;
  }

  // Random rational points for the symbols; the same points for both sides.
  std::vector<Environment> sample_points(const std::set<std::string>& symbols, uint64_t seed, int count) {
    SplitMix random{seed};
    std::vector<Environment> points;
    for (int k = 0; k < count; ++k) {
      Environment environment;
      for (const std::string& symbol : symbols) {
        long numerator = static_cast<long>(random.next() % ((1u << 21) + 1)) - (1 << 20);
        long denominator = static_cast<long>(random.next() % 1024) + 1;
        mpq_class value(numerator, denominator);
        value.canonicalize();
        environment[symbol] = Value::make_exact(value);
      }
      points.push_back(std::move(environment));
    }
    return points;
  }

  bool scalars_equal(const Node& a, const Node& b) {
    std::set<std::string> symbols;
    collect_symbols(a, symbols);
    collect_symbols(b, symbols);

    if (symbols.empty()) {
      Value x = evaluate(a, {}, budget_);
      Value y = evaluate(b, {}, budget_);
      if (x.valid() && y.valid()) return values_equal(x, y);
      // Values out of range (huge powers, unknown functions) match only when written the same way.
      return to_string(a) == to_string(b);
    }

    // Identity test at random points; points where either side is undefined
    // (division by zero, log of a negative) are replaced, up to 8 tries.
    int agreeing = 0;
    uint64_t seed = 0x5eed;
    for (int attempt = 0; attempt < kIdentityPoints + 8 && agreeing < kIdentityPoints; ++attempt) {
      Environment point = sample_points(symbols, seed + static_cast<uint64_t>(attempt), 1)[0];
      Value x = evaluate(a, point, budget_);
      Value y = evaluate(b, point, budget_);
      if (!x.valid() || !y.valid()) continue;
      if (!values_equal(x, y)) return false;
      ++agreeing;
    }
    if (agreeing == kIdentityPoints) return true;
    return to_string(a) == to_string(b);
  }

  // Whether a = c * b for a nonzero constant c, tested at random points.
  bool proportional(const Node& a, const Node& b) {
    std::set<std::string> symbols;
    collect_symbols(a, symbols);
    collect_symbols(b, symbols);
    Value ratio;
    int agreeing = 0;
    for (int attempt = 0; attempt < kIdentityPoints + 8 && agreeing < kIdentityPoints + 1; ++attempt) {
      Environment point = sample_points(symbols, 0xfeed + static_cast<uint64_t>(attempt), 1)[0];
      Value x = evaluate(a, point, budget_);
      Value y = evaluate(b, point, budget_);
      if (!x.valid() || !y.valid() || x.kind == Value::Kind::kInfinity || y.kind == Value::Kind::kInfinity) continue;
      bool x_zero = x.kind == Value::Kind::kExact ? x.exact == 0 : x.approx == 0;
      bool y_zero = y.kind == Value::Kind::kExact ? y.exact == 0 : y.approx == 0;
      if (x_zero || y_zero) {
        if (x_zero != y_zero) return false;
        continue;
      }
      Value current;
      if (x.kind == Value::Kind::kExact && y.kind == Value::Kind::kExact) {
        current = Value::make_exact(x.exact / y.exact);
      } else {
        current = Value::make_approx(x.to_long_double() / y.to_long_double());
      }
      if (agreeing > 0 && !values_equal(current, ratio)) return false;
      ratio = current;
      ++agreeing;
    }
    return agreeing == kIdentityPoints + 1;
  }

  CheckBudget& budget_;
};

}  // namespace

bool equivalent(const Node& answer, const Node& gold, CheckBudget& budget) {
  Comparator comparator(budget);
  return comparator.equal(answer, gold);
}

}  // namespace r1::rewards::math
