// Recursive-descent parser with Jinja2's operator precedence, from loosest to
// tightest: conditional expression, or, and, not, comparisons and "in",
// + and -, ~, * / // %, **, unary minus, then postfix (attribute, subscript,
// call) followed by filters and "is" tests. So `a + b | trim` filters b
// only and `not x is defined` negates the test.
#include <set>

#include "chat/jinja_ast.h"
#include "util/error.h"

namespace r1::jinja {

namespace {

std::string describe(const Token& token) {
  switch (token.kind) {
    case Token::Kind::End:
      return "end of tag";
    case Token::Kind::String:
      return "string '" + token.text + "'";
    default:
      return "'" + token.text + "'";
  }
}

[[noreturn]] void fail_at(const SourcePos& pos, const std::string& message) {
  fail("chat template line {}, column {}: {}", pos.line, pos.column, message);
}

// Deeper nesting than this is rejected instead of exhausting the stack.
constexpr int kMaxNesting = 200;

int64_t parse_integer(const Token& token) {
  try {
    return std::stoll(token.text);
  } catch (const std::exception&) {
    fail_at(token.pos, "integer literal " + token.text + " does not fit in 64 bits");
  }
}

double parse_float(const Token& token) {
  try {
    return std::stod(token.text);
  } catch (const std::exception&) {
    fail_at(token.pos, "float literal " + token.text + " is out of range");
  }
}

// Parses the tokens of one tag.
class ExpressionParser {
 public:
  explicit ExpressionParser(const std::vector<Token>& tokens) : tokens_(tokens) {}

  const Token& peek(size_t ahead = 0) const {
    const size_t index = std::min(index_ + ahead, tokens_.size() - 1);
    return tokens_[index];
  }
  const Token& next() {
    const Token& token = tokens_[index_];
    if (index_ + 1 < tokens_.size()) ++index_;
    return token;
  }
  bool at_end() const { return peek().kind == Token::Kind::End; }
  bool is_operator(const std::string& symbol, size_t ahead = 0) const {
    return peek(ahead).kind == Token::Kind::Operator && peek(ahead).text == symbol;
  }
  bool is_name(const std::string& name, size_t ahead = 0) const {
    return peek(ahead).kind == Token::Kind::Name && peek(ahead).text == name;
  }
  bool accept_operator(const std::string& symbol) {
    if (!is_operator(symbol)) return false;
    next();
    return true;
  }
  bool accept_name(const std::string& name) {
    if (!is_name(name)) return false;
    next();
    return true;
  }
  void expect_operator(const std::string& symbol) {
    if (!accept_operator(symbol)) fail_at(peek().pos, "expected '" + symbol + "', found " + describe(peek()));
  }
  std::string expect_name(const std::string& what) {
    if (peek().kind != Token::Kind::Name) fail_at(peek().pos, "expected " + what + ", found " + describe(peek()));
    return next().text;
  }
  void expect_end(const std::string& tag) {
    if (!at_end()) fail_at(peek().pos, "expected end of '" + tag + "' tag, found " + describe(peek()));
  }

  ExprPtr parse_expression(bool allow_conditional = true) {
    const NestingGuard guard(*this);
    ExprPtr value = parse_or();
    if (!allow_conditional) return value;
    while (is_name("if")) {
      const SourcePos pos = next().pos;
      auto node = make(Expr::Kind::Conditional, pos);
      ExprPtr condition = parse_or();
      ExprPtr otherwise;
      if (accept_name("else")) otherwise = parse_expression();
      node->operands.push_back(std::move(value));
      node->operands.push_back(std::move(condition));
      node->operands.push_back(std::move(otherwise));
      value = std::move(node);
    }
    return value;
  }

  // A comma-separated list without brackets becomes a tuple: `a, b`.
  ExprPtr parse_tuple() {
    const SourcePos pos = peek().pos;
    ExprPtr first = parse_expression();
    if (!is_operator(",")) return first;
    auto tuple = make(Expr::Kind::TupleLiteral, pos);
    tuple->operands.push_back(std::move(first));
    while (accept_operator(",")) {
      if (at_end()) break;
      tuple->operands.push_back(parse_expression());
    }
    return tuple;
  }

 private:
  static ExprPtr make(Expr::Kind kind, SourcePos pos) {
    auto node = std::make_unique<Expr>();
    node->kind = kind;
    node->pos = pos;
    return node;
  }

  ExprPtr parse_or() {
    ExprPtr left = parse_and();
    while (is_name("or")) {
      auto node = make(Expr::Kind::Or, next().pos);
      node->operands.push_back(std::move(left));
      node->operands.push_back(parse_and());
      left = std::move(node);
    }
    return left;
  }

  ExprPtr parse_and() {
    ExprPtr left = parse_not();
    while (is_name("and")) {
      auto node = make(Expr::Kind::And, next().pos);
      node->operands.push_back(std::move(left));
      node->operands.push_back(parse_not());
      left = std::move(node);
    }
    return left;
  }

  ExprPtr parse_not() {
    if (is_name("not")) {
      auto node = make(Expr::Kind::Unary, next().pos);
      node->name = "not";
      node->operands.push_back(parse_not());
      return node;
    }
    return parse_compare();
  }

  ExprPtr parse_compare() {
    const SourcePos pos = peek().pos;
    ExprPtr first = parse_math1();
    auto node = make(Expr::Kind::Compare, pos);
    node->operands.push_back(std::move(first));
    static const std::set<std::string> kComparators = {"==", "!=", "<", "<=", ">", ">="};
    while (true) {
      if (peek().kind == Token::Kind::Operator && kComparators.count(peek().text)) {
        node->comparators.push_back(next().text);
      } else if (is_name("in")) {
        next();
        node->comparators.push_back("in");
      } else if (is_name("not") && is_name("in", 1)) {
        next();
        next();
        node->comparators.push_back("not in");
      } else {
        break;
      }
      node->operands.push_back(parse_math1());
    }
    if (node->comparators.empty()) return std::move(node->operands[0]);
    return node;
  }

  ExprPtr binary(const std::string& symbol, ExprPtr left, ExprPtr right, SourcePos pos) {
    auto node = make(Expr::Kind::Binary, pos);
    node->name = symbol;
    node->operands.push_back(std::move(left));
    node->operands.push_back(std::move(right));
    return node;
  }

  ExprPtr parse_math1() {
    ExprPtr left = parse_concat();
    while (is_operator("+") || is_operator("-")) {
      const Token& op = next();
      left = binary(op.text, std::move(left), parse_concat(), op.pos);
    }
    return left;
  }

  ExprPtr parse_concat() {
    ExprPtr left = parse_math2();
    while (is_operator("~")) {
      const Token& op = next();
      left = binary("~", std::move(left), parse_math2(), op.pos);
    }
    return left;
  }

  ExprPtr parse_math2() {
    ExprPtr left = parse_pow();
    while (is_operator("*") || is_operator("/") || is_operator("//") || is_operator("%")) {
      const Token& op = next();
      left = binary(op.text, std::move(left), parse_pow(), op.pos);
    }
    return left;
  }

  ExprPtr parse_pow() {
    ExprPtr left = parse_unary(true);
    while (is_operator("**")) {
      const Token& op = next();
      left = binary("**", std::move(left), parse_unary(true), op.pos);
    }
    return left;
  }

  ExprPtr parse_unary(bool with_filter) {
    const NestingGuard guard(*this);
    ExprPtr node;
    if (is_operator("-") || is_operator("+")) {
      const Token& op = next();
      node = make(Expr::Kind::Unary, op.pos);
      node->name = op.text;
      node->operands.push_back(parse_unary(false));
    } else {
      node = parse_primary();
    }
    node = parse_postfix(std::move(node));
    if (with_filter) node = parse_filters_and_tests(std::move(node));
    return node;
  }

  ExprPtr parse_primary() {
    const Token& token = peek();
    switch (token.kind) {
      case Token::Kind::Name: {
        next();
        auto node = make(Expr::Kind::Literal, token.pos);
        if (token.text == "true" || token.text == "True") {
          node->literal = Value(true);
        } else if (token.text == "false" || token.text == "False") {
          node->literal = Value(false);
        } else if (token.text == "none" || token.text == "None") {
          node->literal = Value::none();
        } else {
          node->kind = Expr::Kind::Name;
          node->name = token.text;
        }
        return node;
      }
      case Token::Kind::String: {
        // Adjacent string literals concatenate.
        std::string text;
        const SourcePos pos = token.pos;
        while (peek().kind == Token::Kind::String) text += next().text;
        auto node = make(Expr::Kind::Literal, pos);
        node->literal = Value(text);
        return node;
      }
      case Token::Kind::Integer: {
        next();
        auto node = make(Expr::Kind::Literal, token.pos);
        node->literal = Value(parse_integer(token));
        return node;
      }
      case Token::Kind::Float: {
        next();
        auto node = make(Expr::Kind::Literal, token.pos);
        node->literal = Value(parse_float(token));
        return node;
      }
      case Token::Kind::Operator:
        if (token.text == "(") return parse_parenthesized();
        if (token.text == "[") return parse_list();
        if (token.text == "{") return parse_dict();
        break;
      case Token::Kind::End:
        break;
    }
    fail_at(token.pos, "expected an expression, found " + describe(token));
  }

  ExprPtr parse_parenthesized() {
    const SourcePos pos = next().pos;
    if (accept_operator(")")) return make(Expr::Kind::TupleLiteral, pos);
    ExprPtr first = parse_expression();
    if (accept_operator(")")) return first;
    auto tuple = make(Expr::Kind::TupleLiteral, pos);
    tuple->operands.push_back(std::move(first));
    while (accept_operator(",")) {
      if (is_operator(")")) break;
      tuple->operands.push_back(parse_expression());
    }
    expect_operator(")");
    return tuple;
  }

  ExprPtr parse_list() {
    auto node = make(Expr::Kind::ListLiteral, next().pos);
    while (!is_operator("]")) {
      if (!node->operands.empty()) expect_operator(",");
      if (is_operator("]")) break;
      node->operands.push_back(parse_expression());
    }
    expect_operator("]");
    return node;
  }

  ExprPtr parse_dict() {
    auto node = make(Expr::Kind::DictLiteral, next().pos);
    while (!is_operator("}")) {
      if (!node->operands.empty()) expect_operator(",");
      if (is_operator("}")) break;
      node->operands.push_back(parse_expression());
      expect_operator(":");
      node->operands.push_back(parse_expression());
    }
    expect_operator("}");
    return node;
  }

  ExprPtr parse_postfix(ExprPtr node) {
    while (true) {
      if (is_operator(".")) {
        const SourcePos pos = next().pos;
        const Token& attribute = next();
        if (attribute.kind == Token::Kind::Integer) {
          // foo.0 means foo[0].
          auto subscript = make(Expr::Kind::Subscript, pos);
          auto index = make(Expr::Kind::Literal, attribute.pos);
          index->literal = Value(parse_integer(attribute));
          subscript->operands.push_back(std::move(node));
          subscript->operands.push_back(std::move(index));
          node = std::move(subscript);
          continue;
        }
        if (attribute.kind != Token::Kind::Name) fail_at(attribute.pos, "expected an attribute name after '.', found " + describe(attribute));
        auto access = make(Expr::Kind::Attribute, pos);
        access->name = attribute.text;
        access->operands.push_back(std::move(node));
        node = std::move(access);
      } else if (is_operator("[")) {
        node = parse_subscript(std::move(node));
      } else if (is_operator("(")) {
        node = parse_call(std::move(node));
      } else {
        return node;
      }
    }
  }

  ExprPtr parse_subscript(ExprPtr object) {
    const SourcePos pos = next().pos;
    ExprPtr parts[3];
    int part = 0;
    bool is_slice = false;
    while (!is_operator("]")) {
      if (accept_operator(":")) {
        is_slice = true;
        ++part;
        if (part > 2) fail_at(peek().pos, "a slice takes at most start:stop:step");
        continue;
      }
      if (parts[part]) fail_at(peek().pos, "expected ':' or ']' in subscript, found " + describe(peek()));
      parts[part] = parse_expression();
    }
    expect_operator("]");
    if (!is_slice) {
      if (!parts[0]) fail_at(pos, "expected an index inside '[]'");
      auto node = make(Expr::Kind::Subscript, pos);
      node->operands.push_back(std::move(object));
      node->operands.push_back(std::move(parts[0]));
      return node;
    }
    auto node = make(Expr::Kind::Slice, pos);
    node->operands.push_back(std::move(object));
    for (auto& item : parts) node->operands.push_back(std::move(item));
    return node;
  }

  // Reads "(args, name=value)" into node->operands and node->keyword_args.
  void parse_arguments(Expr& node) {
    expect_operator("(");
    while (!is_operator(")")) {
      if (peek().kind == Token::Kind::Name && is_operator("=", 1)) {
        const std::string key = next().text;
        next();
        node.keyword_args.emplace_back(key, parse_expression());
      } else {
        if (!node.keyword_args.empty()) fail_at(peek().pos, "a positional argument cannot follow a keyword argument");
        node.operands.push_back(parse_expression());
      }
      if (!accept_operator(",")) break;
    }
    expect_operator(")");
  }

  ExprPtr parse_call(ExprPtr callee) {
    auto node = make(Expr::Kind::Call, peek().pos);
    node->operands.push_back(std::move(callee));
    parse_arguments(*node);
    return node;
  }

  ExprPtr parse_filters_and_tests(ExprPtr node) {
    while (true) {
      if (is_operator("|")) {
        next();
        auto filter = make(Expr::Kind::Filter, peek().pos);
        filter->name = expect_name("a filter name after '|'");
        while (accept_operator(".")) filter->name += "." + expect_name("a filter name");
        filter->operands.push_back(std::move(node));
        if (is_operator("(")) parse_arguments(*filter);
        node = std::move(filter);
      } else if (is_name("is")) {
        const SourcePos pos = next().pos;
        auto test = make(Expr::Kind::Test, pos);
        test->negated = accept_name("not");
        test->name = expect_name("a test name after 'is'");
        test->operands.push_back(std::move(node));
        if (is_operator("(")) {
          parse_arguments(*test);
        } else if (starts_test_argument()) {
          test->operands.push_back(parse_postfix(parse_primary()));
        }
        node = std::move(test);
      } else if (is_operator("(")) {
        node = parse_call(std::move(node));
      } else {
        return node;
      }
    }
  }

  // Jinja2 lets a test take one argument without parentheses: `x is divisibleby 3`.
  bool starts_test_argument() const {
    const Token& token = peek();
    if (token.kind == Token::Kind::String || token.kind == Token::Kind::Integer || token.kind == Token::Kind::Float) return true;
    if (token.kind == Token::Kind::Operator) return token.text == "[" || token.text == "{";
    if (token.kind != Token::Kind::Name) return false;
    static const std::set<std::string> kStopWords = {"else", "or", "and", "if", "in", "is", "not", "for", "recursive"};
    return kStopWords.count(token.text) == 0;
  }

  // Counts recursion depth and rejects pathological nesting.
  class NestingGuard {
   public:
    explicit NestingGuard(ExpressionParser& parser) : parser_(parser) {
      if (++parser_.depth_ > kMaxNesting) {
        fail_at(parser_.peek().pos, "expression nested more than " + std::to_string(kMaxNesting) + " levels deep");
      }
    }
    ~NestingGuard() { --parser_.depth_; }
    NestingGuard(const NestingGuard&) = delete;
    NestingGuard& operator=(const NestingGuard&) = delete;

   private:
    ExpressionParser& parser_;
  };

  const std::vector<Token>& tokens_;
  size_t index_ = 0;
  int depth_ = 0;
};

// Builds statement nodes from the segment stream.
class TemplateParser {
 public:
  explicit TemplateParser(const std::vector<Segment>& segments) : segments_(segments) {}

  Body parse() {
    Body body = parse_body({});
    if (index_ < segments_.size()) {
      const Segment& segment = segments_[index_];
      fail_at(segment.pos, "unexpected '" + segment.tokens[0].text + "' without a matching opening tag");
    }
    return body;
  }

 private:
  static std::string tag_name(const Segment& segment) {
    if (segment.kind != Segment::Kind::Statement || segment.tokens.empty() || segment.tokens[0].kind != Token::Kind::Name) return "";
    return segment.tokens[0].text;
  }

  // Parses nodes until a statement whose name is in `stop` (left unconsumed)
  // or the end of the template.
  Body parse_body(const std::set<std::string>& stop) {
    Body body;
    while (index_ < segments_.size()) {
      const Segment& segment = segments_[index_];
      if (segment.kind == Segment::Kind::Text) {
        auto node = std::make_unique<Node>();
        node->kind = Node::Kind::Text;
        node->pos = segment.pos;
        node->text = segment.text;
        body.push_back(std::move(node));
        ++index_;
        continue;
      }
      if (segment.kind == Segment::Kind::Expression) {
        ExpressionParser parser(segment.tokens);
        auto node = std::make_unique<Node>();
        node->kind = Node::Kind::Output;
        node->pos = segment.pos;
        node->expr = parser.parse_expression();
        parser.expect_end("{{");
        body.push_back(std::move(node));
        ++index_;
        continue;
      }
      const std::string name = tag_name(segment);
      if (name.empty()) fail_at(segment.pos, "expected a statement name after '{%'");
      if (stop.count(name)) return body;
      body.push_back(parse_statement(segment, name));
    }
    if (!stop.empty()) {
      std::string expected;
      for (const auto& tag : stop) expected += (expected.empty() ? "'" : " or '") + tag + "'";
      fail_at(open_positions_.empty() ? SourcePos{} : open_positions_.back(),
              "block is not closed; expected " + expected + " before the end of the template");
    }
    return body;
  }

  NodePtr parse_statement(const Segment& segment, const std::string& name) {
    if (open_positions_.size() >= static_cast<size_t>(kMaxNesting)) {
      fail_at(segment.pos, "blocks nested more than " + std::to_string(kMaxNesting) + " levels deep");
    }
    ExpressionParser parser(segment.tokens);
    parser.next();  // the statement name
    auto node = std::make_unique<Node>();
    node->pos = segment.pos;
    ++index_;

    if (name == "if") {
      node->kind = Node::Kind::If;
      ExprPtr condition = parser.parse_expression();
      parser.expect_end("if");
      open_positions_.push_back(segment.pos);
      while (true) {
        Body body = parse_body({"elif", "else", "endif"});
        node->branches.emplace_back(std::move(condition), std::move(body));
        const Segment& closer = segments_[index_];
        const std::string closer_name = tag_name(closer);
        ExpressionParser closer_parser(closer.tokens);
        closer_parser.next();
        ++index_;
        if (closer_name == "elif") {
          condition = closer_parser.parse_expression();
          closer_parser.expect_end("elif");
          continue;
        }
        closer_parser.expect_end(closer_name);
        if (closer_name == "else") {
          node->else_body = parse_body({"endif"});
          ExpressionParser end_parser(segments_[index_].tokens);
          end_parser.next();
          end_parser.expect_end("endif");
          ++index_;
        }
        break;
      }
      open_positions_.pop_back();
      return node;
    }

    if (name == "for") {
      node->kind = Node::Kind::For;
      node->targets.push_back(parser.expect_name("a loop variable after 'for'"));
      while (parser.accept_operator(",")) node->targets.push_back(parser.expect_name("a loop variable after ','"));
      if (!parser.accept_name("in")) fail_at(parser.peek().pos, "expected 'in' in for loop, found " + describe(parser.peek()));
      node->expr = parser.parse_expression(false);
      if (parser.accept_name("if")) node->condition = parser.parse_expression(false);
      if (parser.is_name("recursive")) fail_at(parser.peek().pos, "recursive for loops are not supported");
      parser.expect_end("for");
      open_positions_.push_back(segment.pos);
      node->body = parse_body({"else", "endfor"});
      if (tag_name(segments_[index_]) == "else") {
        ++index_;
        node->else_body = parse_body({"endfor"});
      }
      ++index_;
      open_positions_.pop_back();
      return node;
    }

    if (name == "set") {
      const std::string first = parser.expect_name("a variable name after 'set'");
      if (parser.accept_operator(".")) {
        node->kind = Node::Kind::Set;
        node->target_object = first;
        node->target_attribute = parser.expect_name("an attribute name after '.'");
      } else {
        node->targets.push_back(first);
        while (parser.accept_operator(",")) node->targets.push_back(parser.expect_name("a variable name after ','"));
        if (parser.at_end()) {
          // Block form: {% set name %}...{% endset %}
          if (node->targets.size() != 1) fail_at(segment.pos, "a block set assigns exactly one variable");
          node->kind = Node::Kind::SetBlock;
          open_positions_.push_back(segment.pos);
          node->body = parse_body({"endset"});
          ++index_;
          open_positions_.pop_back();
          return node;
        }
        node->kind = Node::Kind::Set;
      }
      parser.expect_operator("=");
      node->expr = parser.parse_tuple();
      parser.expect_end("set");
      return node;
    }

    if (name == "break" || name == "continue") {
      node->kind = name == "break" ? Node::Kind::Break : Node::Kind::Continue;
      parser.expect_end(name);
      return node;
    }

    if (name == "generation") {
      node->kind = Node::Kind::Generation;
      parser.expect_end(name);
      open_positions_.push_back(segment.pos);
      node->body = parse_body({"endgeneration"});
      ++index_;
      open_positions_.pop_back();
      return node;
    }

    if (name == "macro") {
      node->kind = Node::Kind::Macro;
      node->text = parser.expect_name("a macro name");
      parser.expect_operator("(");
      while (!parser.is_operator(")")) {
        const std::string parameter = parser.expect_name("a parameter name");
        ExprPtr default_value;
        if (parser.accept_operator("=")) default_value = parser.parse_expression();
        node->parameters.emplace_back(parameter, std::move(default_value));
        if (!parser.accept_operator(",")) break;
      }
      parser.expect_operator(")");
      parser.expect_end("macro");
      open_positions_.push_back(segment.pos);
      node->body = parse_body({"endmacro"});
      ++index_;
      open_positions_.pop_back();
      return node;
    }

    fail_at(segment.pos, "unsupported or unexpected tag '" + name +
                             "'; supported: if/elif/else, for, set, macro, break, continue, generation");
  }

  const std::vector<Segment>& segments_;
  size_t index_ = 0;
  std::vector<SourcePos> open_positions_;
};

}  // namespace

Body parse_template(const std::vector<Segment>& segments) { return TemplateParser(segments).parse(); }

}  // namespace r1::jinja
