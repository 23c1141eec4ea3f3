#include "chat/jinja_template.h"

#include <cmath>

#include "chat/jinja_builtins.h"
#include "chat/utf8.h"
#include "util/error.h"

namespace r1::jinja {

namespace {

// An error that already names its template position, so outer expressions
// pass it on unchanged.
class PositionedError : public Error {
 public:
  explicit PositionedError(const std::string& message) : Error(message) {}
};

// Upper bound for `text * count`, so a template cannot exhaust memory.
constexpr uint64_t kMaxRepeatBytes = 1ull << 26;

// Macro calls nested deeper than this fail instead of exhausting the stack.
constexpr int kMaxMacroDepth = 100;

// Control flow out of a loop body.
enum class Flow { Normal, Break, Continue };

// Python slice indices for a sequence of `size` items.
std::vector<int64_t> slice_indices(int64_t size, const Value& start_value, const Value& stop_value, const Value& step_value) {
  auto read = [](const Value& value, const char* what) -> std::optional<int64_t> {
    if (value.is_undefined() || value.is_none()) return std::nullopt;
    if (!value.is_int()) fail("slice {} must be an integer or none, got {}", what, value.type_name());
    return value.as_int();
  };
  const int64_t step = read(step_value, "step").value_or(1);
  if (step == 0) fail("slice step cannot be zero");

  auto clamp = [&](std::optional<int64_t> index, int64_t fallback) {
    if (!index) return fallback;
    int64_t value = *index;
    if (value < 0) value += size;
    if (step > 0) return std::clamp<int64_t>(value, 0, size);
    return std::clamp<int64_t>(value, -1, size - 1);
  };
  const int64_t start = clamp(read(start_value, "start"), step > 0 ? 0 : size - 1);
  const int64_t stop = clamp(read(stop_value, "stop"), step > 0 ? size : -1);

  std::vector<int64_t> indices;
  for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) indices.push_back(i);
  return indices;
}

Value arithmetic(const std::string& op, const Value& left, const Value& right) {
  const bool numbers = (left.is_number() || left.is_bool()) && (right.is_number() || right.is_bool());
  auto as_number = [](const Value& value) { return value.is_bool() ? Value(static_cast<int64_t>(value.as_bool())) : value; };

  if (op == "+") {
    if (left.is_string() && right.is_string()) return Value(left.as_string() + right.as_string());
    if (left.is_list() && right.is_list()) {
      ValueList joined = left.as_list();
      joined.insert(joined.end(), right.as_list().begin(), right.as_list().end());
      return Value(std::move(joined));
    }
  }
  if (op == "*" && ((left.is_string() && right.is_int()) || (left.is_int() && right.is_string()))) {
    const std::string& text = left.is_string() ? left.as_string() : right.as_string();
    const int64_t times = left.is_int() ? left.as_int() : right.as_int();
    if (times > 0 && text.size() * static_cast<uint64_t>(times) > kMaxRepeatBytes) {
      fail("string repetition would produce more than {} bytes", kMaxRepeatBytes);
    }
    std::string out;
    for (int64_t i = 0; i < times; ++i) out += text;
    return Value(out);
  }
  if (!numbers) {
    const std::string left_name = left.is_undefined() ? "undefined '" + left.undefined_name() + "'" : "'" + left.type_name() + "'";
    const std::string right_name = right.is_undefined() ? "undefined '" + right.undefined_name() + "'" : "'" + right.type_name() + "'";
    fail("unsupported operand types for {}: {} and {}", op, left_name, right_name);
  }

  const Value a = as_number(left);
  const Value b = as_number(right);
  const bool integers = a.is_int() && b.is_int();
  if (op == "+") return integers ? Value(a.as_int() + b.as_int()) : Value(a.as_float() + b.as_float());
  if (op == "-") return integers ? Value(a.as_int() - b.as_int()) : Value(a.as_float() - b.as_float());
  if (op == "*") return integers ? Value(a.as_int() * b.as_int()) : Value(a.as_float() * b.as_float());
  if (op == "/") {
    if (b.as_float() == 0.0) fail("division by zero");
    return Value(a.as_float() / b.as_float());
  }
  if (op == "//" || op == "%") {
    if (b.as_float() == 0.0) fail("integer division or modulo by zero");
    if (integers) {
      // Python rounds toward negative infinity.
      int64_t quotient = a.as_int() / b.as_int();
      if ((a.as_int() % b.as_int() != 0) && ((a.as_int() < 0) != (b.as_int() < 0))) --quotient;
      return op == "//" ? Value(quotient) : Value(a.as_int() - quotient * b.as_int());
    }
    const double quotient = std::floor(a.as_float() / b.as_float());
    return op == "//" ? Value(quotient) : Value(a.as_float() - quotient * b.as_float());
  }
  if (op == "**") {
    if (integers && b.as_int() >= 0) {
      // Exact while the result fits in 64 bits, like Python's int, then float.
      const double estimate = std::pow(static_cast<double>(a.as_int()), static_cast<double>(b.as_int()));
      if (std::fabs(estimate) < 9.0e18) {
        // Exponentiation by squaring; every intermediate is at most the result.
        int64_t result = 1;
        int64_t base = a.as_int();
        for (int64_t exponent = b.as_int(); exponent > 0; exponent >>= 1) {
          if (exponent & 1) result *= base;
          if (exponent > 1) base *= base;
        }
        return Value(result);
      }
      return Value(estimate);
    }
    return Value(std::pow(a.as_float(), b.as_float()));
  }
  fail("unknown operator '{}'", op);
}

bool compare(const std::string& op, const Value& left, const Value& right) {
  if (op == "==") return left.equals(right);
  if (op == "!=") return !left.equals(right);
  if (op == "in") return contains(right, left);
  if (op == "not in") return !contains(right, left);

  int order = 0;
  if ((left.is_number() || left.is_bool()) && (right.is_number() || right.is_bool())) {
    const double a = left.is_bool() ? left.as_bool() : left.as_float();
    const double b = right.is_bool() ? right.as_bool() : right.as_float();
    order = a < b ? -1 : (a > b ? 1 : 0);
  } else if (left.is_string() && right.is_string()) {
    order = left.as_string().compare(right.as_string());
  } else {
    fail("'{}' not supported between instances of '{}' and '{}'", op, left.type_name(), right.type_name());
  }
  if (op == "<") return order < 0;
  if (op == "<=") return order <= 0;
  if (op == ">") return order > 0;
  return order >= 0;
}

class Renderer {
 public:
  explicit Renderer(Dict variables) { frames_.push_back(std::move(variables)); }

  Flow exec(const Body& body, std::string& out) {
    for (const NodePtr& node : body) {
      const Flow flow = exec_node(*node, out);
      if (flow != Flow::Normal) return flow;
    }
    return Flow::Normal;
  }

 private:
  Value lookup(const std::string& name) const {
    for (auto frame = frames_.rbegin(); frame != frames_.rend(); ++frame) {
      if (const Value* found = frame->find(name)) return *found;
    }
    return Value::undefined(name);
  }

  void assign(const std::vector<std::string>& targets, const Value& value) {
    if (targets.size() == 1) {
      frames_.back().set(targets[0], value);
      return;
    }
    const ValueList items = iterate(value);
    if (items.size() != targets.size()) {
      fail("cannot unpack {} values into {} variables", items.size(), targets.size());
    }
    for (size_t i = 0; i < targets.size(); ++i) frames_.back().set(targets[i], items[i]);
  }

  Flow exec_node(const Node& node, std::string& out) {
    try {
      return exec_node_unchecked(node, out);
    } catch (const PositionedError&) {
      throw;
    } catch (const Error& error) {
      throw PositionedError(fmt::format("chat template line {}, column {}: {}", node.pos.line, node.pos.column, error.what()));
    }
  }

  Flow exec_node_unchecked(const Node& node, std::string& out) {
    switch (node.kind) {
      case Node::Kind::Text:
        out += node.text;
        return Flow::Normal;
      case Node::Kind::Output:
        out += eval(*node.expr).to_output();
        return Flow::Normal;
      case Node::Kind::If:
        for (const auto& [condition, body] : node.branches) {
          if (eval(*condition).truthy()) return exec(body, out);
        }
        return exec(node.else_body, out);
      case Node::Kind::For:
        return exec_for(node, out);
      case Node::Kind::Set:
        exec_set(node);
        return Flow::Normal;
      case Node::Kind::SetBlock: {
        std::string captured;
        exec(node.body, captured);
        assign(node.targets, Value(captured));
        return Flow::Normal;
      }
      case Node::Kind::Break:
        return Flow::Break;
      case Node::Kind::Continue:
        return Flow::Continue;
      case Node::Kind::Generation:
        return exec(node.body, out);
      case Node::Kind::Macro:
        define_macro(node);
        return Flow::Normal;
    }
    return Flow::Normal;
  }

  void exec_set(const Node& node) {
    const Value value = eval(*node.expr);
    if (node.target_object.empty()) {
      assign(node.targets, value);
      return;
    }
    Value object = lookup(node.target_object);
    if (!object.is_namespace()) {
      fail("cannot set attribute '{}' on '{}' of type {}; only namespace() objects accept {{% set x.attr = ... %}}",
           node.target_attribute, node.target_object, object.type_name());
    }
    object.as_dict().set(node.target_attribute, value);
  }

  Flow exec_for(const Node& node, std::string& out) {
    const Value iterable = eval(*node.expr);
    if (iterable.is_none()) fail("'NoneType' object is not iterable in for loop");
    ValueList items = iterate(iterable);

    // Loop filtering (`for x in xs if cond`) happens before loop.* counts.
    if (node.condition) {
      ValueList kept;
      for (const Value& item : items) {
        frames_.emplace_back();
        assign(node.targets, item);
        const bool keep = eval(*node.condition).truthy();
        frames_.pop_back();
        if (keep) kept.push_back(item);
      }
      items = std::move(kept);
    }

    if (items.empty()) return exec(node.else_body, out);
    const auto count = static_cast<int64_t>(items.size());
    for (int64_t i = 0; i < count; ++i) {
      Dict loop;
      loop.set("index", Value(i + 1));
      loop.set("index0", Value(i));
      loop.set("revindex", Value(count - i));
      loop.set("revindex0", Value(count - i - 1));
      loop.set("first", Value(i == 0));
      loop.set("last", Value(i == count - 1));
      loop.set("length", Value(count));
      loop.set("depth", Value(static_cast<int64_t>(1)));
      loop.set("depth0", Value(static_cast<int64_t>(0)));
      loop.set("previtem", i > 0 ? items[static_cast<size_t>(i - 1)] : Value::undefined("previtem"));
      loop.set("nextitem", i + 1 < count ? items[static_cast<size_t>(i + 1)] : Value::undefined("nextitem"));

      // Each iteration gets its own scope, so {% set %} inside the loop
      // does not leak out (the reason templates use namespace()).
      frames_.emplace_back();
      frames_.back().set("loop", Value(std::move(loop)));
      assign(node.targets, items[static_cast<size_t>(i)]);
      Flow flow = Flow::Normal;
      try {
        flow = exec(node.body, out);
      } catch (...) {
        frames_.pop_back();
        throw;
      }
      frames_.pop_back();
      if (flow == Flow::Break) break;
    }
    return Flow::Normal;
  }

  void define_macro(const Node& node) {
    const Node* macro = &node;
    Value function = Value::make_function(node.text, [this, macro](const ValueList& args, const KeywordArgs& kwargs) -> Value {
      if (args.size() > macro->parameters.size()) {
        fail("macro '{}' takes {} arguments, got {}", macro->text, macro->parameters.size(), args.size());
      }
      Dict scope;
      for (size_t i = 0; i < macro->parameters.size(); ++i) {
        const auto& [name, default_value] = macro->parameters[i];
        Value value = i < args.size() ? args[i] : Value::undefined(name);
        for (const auto& [key, keyword_value] : kwargs) {
          if (key == name) value = keyword_value;
        }
        if (value.is_undefined() && default_value) value = eval(*default_value);
        scope.set(name, value);
      }
      if (macro_depth_ >= kMaxMacroDepth) fail("macro '{}' nested more than {} calls deep", macro->text, kMaxMacroDepth);
      // The body sees the template's top-level variables and its arguments,
      // not the caller's loop variables, as in Jinja2.
      std::vector<Dict> caller_frames(std::make_move_iterator(frames_.begin() + 1), std::make_move_iterator(frames_.end()));
      frames_.resize(1);
      frames_.push_back(std::move(scope));
      ++macro_depth_;
      auto restore = [&] {
        --macro_depth_;
        frames_.resize(1);
        for (Dict& frame : caller_frames) frames_.push_back(std::move(frame));
      };
      std::string rendered;
      try {
        exec(macro->body, rendered);
      } catch (...) {
        restore();
        throw;
      }
      restore();
      return Value(rendered);
    });
    frames_.back().set(node.text, function);
  }

  Value eval(const Expr& expr) {
    try {
      return eval_unchecked(expr);
    } catch (const PositionedError&) {
      throw;
    } catch (const Error& error) {
      throw PositionedError(fmt::format("chat template line {}, column {}: {}", expr.pos.line, expr.pos.column, error.what()));
    }
  }

  void eval_arguments(const Expr& expr, size_t first, ValueList& args, KeywordArgs& kwargs) {
    for (size_t i = first; i < expr.operands.size(); ++i) args.push_back(eval(*expr.operands[i]));
    for (const auto& [key, value] : expr.keyword_args) kwargs.emplace_back(key, eval(*value));
  }

  Value eval_unchecked(const Expr& expr) {
    switch (expr.kind) {
      case Expr::Kind::Literal:
        return expr.literal;
      case Expr::Kind::Name:
        return lookup(expr.name);
      case Expr::Kind::ListLiteral:
      case Expr::Kind::TupleLiteral: {
        ValueList items;
        for (const ExprPtr& item : expr.operands) items.push_back(eval(*item));
        if (expr.kind == Expr::Kind::TupleLiteral) return Value::make_tuple(std::move(items));
        return Value(std::move(items));
      }
      case Expr::Kind::DictLiteral: {
        Dict dict;
        for (size_t i = 0; i + 1 < expr.operands.size(); i += 2) {
          const Value key = eval(*expr.operands[i]);
          if (!key.is_string()) fail("dict literal keys must be strings, got {}", key.type_name());
          dict.set(key.as_string(), eval(*expr.operands[i + 1]));
        }
        return Value(std::move(dict));
      }
      case Expr::Kind::Attribute:
        return get_attribute(eval(*expr.operands[0]), expr.name);
      case Expr::Kind::Subscript:
        return get_item(eval(*expr.operands[0]), eval(*expr.operands[1]));
      case Expr::Kind::Slice:
        return eval_slice(expr);
      case Expr::Kind::Call:
        return eval_call(expr);
      case Expr::Kind::Filter: {
        const Value input = eval(*expr.operands[0]);
        ValueList args;
        KeywordArgs kwargs;
        eval_arguments(expr, 1, args, kwargs);
        return apply_filter(expr.name, input, args, kwargs);
      }
      case Expr::Kind::Test: {
        const Value input = eval(*expr.operands[0]);
        ValueList args;
        KeywordArgs kwargs;
        eval_arguments(expr, 1, args, kwargs);
        return Value(apply_test(expr.name, input, args) != expr.negated);
      }
      case Expr::Kind::Unary: {
        const Value operand = eval(*expr.operands[0]);
        if (expr.name == "not") return Value(!operand.truthy());
        if (operand.is_int()) return Value(expr.name == "-" ? -operand.as_int() : operand.as_int());
        if (operand.is_float()) return Value(expr.name == "-" ? -operand.as_float() : operand.as_float());
        fail("bad operand type for unary {}: '{}'", expr.name, operand.type_name());
      }
      case Expr::Kind::Binary: {
        const Value left = eval(*expr.operands[0]);
        const Value right = eval(*expr.operands[1]);
        if (expr.name == "~") return Value(left.to_output() + right.to_output());
        return arithmetic(expr.name, left, right);
      }
      case Expr::Kind::Compare: {
        Value left = eval(*expr.operands[0]);
        for (size_t i = 0; i < expr.comparators.size(); ++i) {
          Value right = eval(*expr.operands[i + 1]);
          if (!compare(expr.comparators[i], left, right)) return Value(false);
          left = std::move(right);
        }
        return Value(true);
      }
      case Expr::Kind::And: {
        Value left = eval(*expr.operands[0]);
        if (!left.truthy()) return left;
        return eval(*expr.operands[1]);
      }
      case Expr::Kind::Or: {
        Value left = eval(*expr.operands[0]);
        if (left.truthy()) return left;
        return eval(*expr.operands[1]);
      }
      case Expr::Kind::Conditional:
        if (eval(*expr.operands[1]).truthy()) return eval(*expr.operands[0]);
        return expr.operands[2] ? eval(*expr.operands[2]) : Value::undefined();
    }
    return Value::undefined();
  }

  Value eval_slice(const Expr& expr) {
    const Value object = eval(*expr.operands[0]);
    const Value start = expr.operands[1] ? eval(*expr.operands[1]) : Value::none();
    const Value stop = expr.operands[2] ? eval(*expr.operands[2]) : Value::none();
    const Value step = expr.operands[3] ? eval(*expr.operands[3]) : Value::none();
    if (object.is_list()) {
      const auto& list = object.as_list();
      ValueList out;
      for (int64_t i : slice_indices(static_cast<int64_t>(list.size()), start, stop, step)) out.push_back(list[static_cast<size_t>(i)]);
      return Value(std::move(out));
    }
    if (object.is_string()) {
      const std::u32string code_points = utf8_decode(object.as_string());
      std::u32string out;
      for (int64_t i : slice_indices(static_cast<int64_t>(code_points.size()), start, stop, step)) out.push_back(code_points[static_cast<size_t>(i)]);
      return Value(utf8_encode(out));
    }
    if (object.is_undefined()) fail("'{}' is undefined, so it cannot be sliced", object.undefined_name());
    fail("'{}' object cannot be sliced", object.type_name());
  }

  Value eval_call(const Expr& expr) {
    ValueList args;
    KeywordArgs kwargs;
    const Expr& callee = *expr.operands[0];

    // Method calls on built-in types: text.split(","), message.get("x").
    if (callee.kind == Expr::Kind::Attribute) {
      const Value object = eval(*callee.operands[0]);
      eval_arguments(expr, 1, args, kwargs);
      if (auto result = call_method(object, callee.name, args, kwargs)) return *result;
      const Value attribute = get_attribute(object, callee.name);
      if (attribute.is_function()) return attribute.as_function()(args, kwargs);
      fail("'{}' object has no method '{}'", object.type_name(), callee.name);
    }

    const Value function = eval(callee);
    eval_arguments(expr, 1, args, kwargs);
    if (function.is_function()) return function.as_function()(args, kwargs);
    if (function.is_undefined()) fail("'{}' is undefined and cannot be called", function.undefined_name());
    fail("'{}' object is not callable", function.type_name());
  }

  std::vector<Dict> frames_;
  int macro_depth_ = 0;
};

}  // namespace

Template::Template(const std::string& source)
    : body_(std::make_shared<const Body>(parse_template(tokenize_template(source)))) {}

std::string Template::render(const Dict& variables) const {
  Dict scope = make_globals();
  for (const auto& [key, value] : variables.entries()) scope.set(key, value);

  Renderer renderer(std::move(scope));
  std::string out;
  if (renderer.exec(*body_, out) != Flow::Normal) {
    fail("chat template: 'break' or 'continue' outside a for loop");
  }
  return out;
}

}  // namespace r1::jinja
