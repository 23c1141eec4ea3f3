#include "rewards/math/parser.h"

#include <set>

#include "rewards/math/lexer.h"
#include "rewards/math/normalize.h"

namespace r1::rewards::math {

namespace {

const std::set<std::string>& function_names() {
  static const std::set<std::string> names = {
      "sin", "cos", "tan", "sec", "csc", "cot", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
      "log", "ln", "lg", "exp", "sqrt", "abs", "floor", "ceil", "max", "min", "gcd", "lcm", "det"};
  return names;
}

bool is_relation(const Token& token) {
  if (token.kind == TokenKind::kChar) return token.text == "=" || token.text == "<" || token.text == ">";
  if (token.kind == TokenKind::kCommand) {
    return token.text == "\\le" || token.text == "\\ge" || token.text == "\\ne" || token.text == "\\in" ||
           token.text == "\\approx" || token.text == "\\lt" || token.text == "\\gt" || token.text == "\\equiv";
  }
  return false;
}

std::string relation_name(const Token& token) {
  if (token.text == "\\lt") return "<";
  if (token.text == "\\gt") return ">";
  if (token.text == "\\approx") return "=";
  return token.text;
}

mpq_class parse_decimal(const std::string& text, const CheckLimits& limits) {
  // text: digits[.digits][e[+-]digits]
  size_t e = text.find('e');
  std::string mantissa = text.substr(0, e);
  long exponent = 0;
  if (e != std::string::npos) {
    std::string exponent_text = text.substr(e + 1);
    if (exponent_text.size() > 6) throw LimitExceeded("exponent too large");
    exponent = std::stol(exponent_text);
  }
  size_t dot = mantissa.find('.');
  std::string digits = mantissa;
  if (dot != std::string::npos) {
    digits = mantissa.substr(0, dot) + mantissa.substr(dot + 1);
    exponent -= static_cast<long>(mantissa.size() - dot - 1);
  }
  if (digits.size() > limits.max_exact_bits / 3 || (exponent < 0 ? -exponent : exponent) > 100000) {
    throw LimitExceeded("number too large");
  }
  mpz_class value(digits, 10);
  mpz_class scale;
  mpz_ui_pow_ui(scale.get_mpz_t(), 10, static_cast<unsigned long>(exponent < 0 ? -exponent : exponent));
  mpq_class result = exponent >= 0 ? mpq_class(value * scale) : mpq_class(value, scale);
  result.canonicalize();
  return result;
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, CheckBudget& budget) : tokens_(std::move(tokens)), budget_(budget) {
    tokens_.push_back(Token{TokenKind::kEnd_, ""});
  }

  NodePtr parse() {
    NodePtr result = parse_list({});
    if (peek().kind != TokenKind::kEnd_) throw ParseError("unexpected '" + peek().text + "'");
    return result;
  }

 private:
  // --- token helpers ---
  const Token& peek(size_t ahead = 0) const {
    size_t index = std::min(position_ + ahead, tokens_.size() - 1);
    return tokens_[index];
  }
  Token next() {
    const Token& token = peek();
    if (position_ < tokens_.size() - 1) ++position_;
    return token;
  }
  bool at_char(const char* text) const { return peek().kind == TokenKind::kChar && peek().text == text; }
  bool at_command(const char* text) const { return peek().kind == TokenKind::kCommand && peek().text == text; }
  void expect_char(const char* text) {
    if (!at_char(text)) throw ParseError(std::string("expected '") + text + "'");
    next();
  }

  NodePtr node(NodeKind kind, std::vector<NodePtr> children = {}, std::string text = "") {
    budget_.tick();
    if (++node_count_ > budget_.limits().max_nodes) throw LimitExceeded("node limit");
    return make_node(kind, std::move(children), std::move(text));
  }

  struct DepthGuard {
    Parser& parser;
    explicit DepthGuard(Parser& p) : parser(p) {
      if (++parser.depth_ > parser.budget_.limits().max_depth) throw LimitExceeded("nesting limit");
    }
    ~DepthGuard() { --parser.depth_; }
  };

  // Whether the current token ends a list item: a separator or a closer.
  bool at_item_end() const {
    const Token& token = peek();
    if (token.kind == TokenKind::kEnd_ || token.kind == TokenKind::kEnd) return true;
    if (token.kind == TokenKind::kChar) {
      return token.text == "," || token.text == ";" || token.text == ")" || token.text == "]" ||
             token.text == "}" || token.text == "&" || token.text == "|";
    }
    if (token.kind == TokenKind::kCommand) return token.text == "\\}" || token.text == "\\\\";
    return false;
  }

  // list := union ((',' | ';') union)*; returns the item itself when single.
  NodePtr parse_list(const std::vector<std::string>& closers) {
    DepthGuard guard(*this);
    std::vector<NodePtr> items;
    items.push_back(parse_union());
    while (at_char(",") || at_char(";")) {
      next();
      if (at_item_end()) continue;  // trailing comma
      items.push_back(parse_union());
    }
    if (items.size() == 1) return items[0];
    return node(NodeKind::kList, std::move(items));
  }

  NodePtr parse_union() {
    NodePtr first = parse_relation();
    if (!at_command("\\cup") && !(peek().kind == TokenKind::kLetter && peek().text == "U")) return first;
    std::vector<NodePtr> parts{first};
    while (at_command("\\cup") || (peek().kind == TokenKind::kLetter && peek().text == "U")) {
      next();
      parts.push_back(parse_relation());
    }
    return node(NodeKind::kUnion, std::move(parts));
  }

  NodePtr parse_relation() {
    NodePtr first = parse_additive();
    if (!is_relation(peek())) return first;
    auto relation = std::make_shared<Node>();
    relation->kind = NodeKind::kRelation;
    relation->children.push_back(first);
    while (is_relation(peek())) {
      relation->ops.push_back(relation_name(next()));
      relation->children.push_back(parse_additive());
    }
    node(NodeKind::kRelation);  // counts the node
    return relation;
  }

  NodePtr parse_additive() {
    DepthGuard guard(*this);
    NodePtr left = parse_term();
    while (true) {
      if (at_char("+")) {
        next();
        left = node(NodeKind::kAdd, {left, parse_term()});
      } else if (at_char("-")) {
        next();
        left = node(NodeKind::kAdd, {left, node(NodeKind::kNeg, {parse_term()})});
      } else if (at_command("\\pm")) {
        next();
        left = node(NodeKind::kPlusMinus, {left, parse_term()});
      } else {
        return left;
      }
    }
  }

  // Whether the current token can start a factor of an implicit product (2x, 2\pi, (a)(b)).
  bool starts_factor() const {
    const Token& token = peek();
    switch (token.kind) {
      case TokenKind::kNumber:
      case TokenKind::kLetter:
      case TokenKind::kWord:
      case TokenKind::kBegin: return true;
      case TokenKind::kText: return false;
      case TokenKind::kChar: return token.text == "(" || token.text == "{";
      case TokenKind::kCommand:
        return token.text != "\\cdot" && token.text != "\\times" && token.text != "\\div" && token.text != "\\pm" &&
               token.text != "\\cup" && token.text != "\\cap" && token.text != "\\}" && token.text != "\\\\" &&
               token.text != "\\{" && !is_relation(token) && token.text != "\\dots" && token.text != "\\ldots" &&
               token.text != "\\cdots";
      default: return false;
    }
  }

  NodePtr parse_term() {
    DepthGuard guard(*this);
    // A mixed number may carry a sign: -1\frac{1}{3} is -(1 + 1/3).
    size_t number_ahead = at_char("-") ? 1 : 0;
    bool leading_integer = peek(number_ahead).kind == TokenKind::kNumber &&
                           peek(number_ahead).text.find_first_of(".e") == std::string::npos;
    NodePtr left = parse_unary();
    bool first = true;
    while (true) {
      if (at_char("*") || at_command("\\cdot") || at_command("\\times") || at_command("\\ast")) {
        next();
        left = node(NodeKind::kMul, {left, parse_unary()});
      } else if (at_char("/") || at_command("\\div")) {
        next();
        left = node(NodeKind::kDiv, {left, parse_unary()});
      } else if (starts_factor()) {
        // Mixed number: an integer directly followed by \frac of two integers.
        bool negative = left->kind == NodeKind::kNeg && left->children[0]->kind == NodeKind::kNumber;
        bool mixed = first && leading_integer && (left->kind == NodeKind::kNumber || negative) && at_command("\\frac");
        NodePtr right = parse_power();
        if (mixed && right->kind == NodeKind::kDiv && right->children[0]->kind == NodeKind::kNumber &&
            right->children[1]->kind == NodeKind::kNumber) {
          left = negative ? node(NodeKind::kNeg, {node(NodeKind::kAdd, {left->children[0], right})})
                          : node(NodeKind::kAdd, {left, right});
        } else {
          left = node(NodeKind::kMul, {left, right});
        }
      } else {
        return left;
      }
      first = false;
    }
  }

  NodePtr parse_unary() {
    DepthGuard guard(*this);
    if (at_char("-")) {
      next();
      return node(NodeKind::kNeg, {parse_unary()});
    }
    if (at_char("+")) {
      next();
      return parse_unary();
    }
    if (at_command("\\pm")) {
      next();
      return node(NodeKind::kPlusMinus, {parse_unary()});
    }
    return parse_power();
  }

  // An exponent or a subscript: a braced group, or one token (x^2, x^-1, x^\pi).
  NodePtr parse_script() {
    if (at_char("{")) return parse_primary();
    if (at_char("-")) {
      next();
      return node(NodeKind::kNeg, {parse_script()});
    }
    if (peek().kind == TokenKind::kNumber && peek().text.size() > 1 && peek().text.find_first_of(".e") == std::string::npos) {
      // x^23 in LaTeX is x^2 followed by 3.
      Token& token = tokens_[position_];
      NodePtr digit = make_number(mpq_class(token.text.substr(0, 1)));
      token.text = token.text.substr(1);
      return digit;
    }
    return parse_primary();
  }

  NodePtr parse_power() {
    DepthGuard guard(*this);
    NodePtr base = parse_primary();
    while (true) {
      if (at_char("^")) {
        next();
        base = node(NodeKind::kPow, {base, parse_script()});
      } else if (at_char("!")) {
        next();
        base = node(NodeKind::kFactorial, {base});
      } else if (at_char("%")) {
        next();
        base = node(NodeKind::kPercent, {base});
      } else if (at_char("_")) {
        next();
        NodePtr subscript = parse_script();
        if (base->kind == NodeKind::kSymbol) {
          base = node(NodeKind::kSymbol, {}, base->text + "_" + to_string(*subscript));
        } else if (base->kind == NodeKind::kNumber) {
          // A number in another base (1011_2) is compared as written.
          base = node(NodeKind::kText, {}, to_string(*base) + "_" + to_string(*subscript));
        }
      } else if (at_char("'")) {
        next();
        if (base->kind == NodeKind::kSymbol) base = node(NodeKind::kSymbol, {}, base->text + "'");
      } else {
        return base;
      }
    }
  }

  // A \frac or \sqrt argument: a braced group, or one token (\frac12, \sqrt2).
  NodePtr parse_argument() {
    if (at_char("{")) return parse_primary();
    if (peek().kind == TokenKind::kNumber && peek().text.size() > 1) {
      Token& token = tokens_[position_];
      NodePtr digit = make_number(mpq_class(token.text.substr(0, 1)));
      token.text = token.text.substr(1);
      if (token.text[0] == '.') throw ParseError("invalid shorthand argument");
      return digit;
    }
    return parse_primary();
  }

  NodePtr parse_function(const std::string& name) {
    std::vector<NodePtr> arguments;
    std::string function = name;
    // \log_2 x, \log_{10}(x): the base becomes a second argument.
    NodePtr base;
    if (at_char("_")) {
      next();
      base = parse_script();
    }
    if (at_char("^")) {
      // \sin^2 x = (\sin x)^2
      next();
      NodePtr exponent = parse_script();
      NodePtr inner = parse_function(name);
      return node(NodeKind::kPow, {inner, exponent});
    }
    if (at_char("(")) {
      next();
      NodePtr argument = parse_list({});
      expect_char(")");
      if (argument->kind == NodeKind::kList) {
        arguments = argument->children;
      } else {
        arguments.push_back(argument);
      }
    } else {
      arguments.push_back(parse_power());
    }
    if (base) arguments.push_back(base);
    return node(NodeKind::kFunction, std::move(arguments), function);
  }

  NodePtr parse_bracketed(const std::string& open) {
    // ( and [ open groups, tuples and intervals.
    if ((at_char(")") && open == "(") || (at_char("]") && open == "[")) {
      std::string brackets = open + next().text;
      return node(NodeKind::kBracketed, {}, brackets);
    }
    NodePtr inside = parse_list({});
    if (!at_char(")") && !at_char("]")) throw ParseError("unclosed bracket");
    std::string close = next().text;
    bool single = inside->kind != NodeKind::kList;
    if (single && ((open == "(" && close == ")") || (open == "[" && close == "]"))) return inside;
    std::vector<NodePtr> items = single ? std::vector<NodePtr>{inside} : inside->children;
    return node(NodeKind::kBracketed, std::move(items), open + close);
  }

  NodePtr parse_matrix(const std::string& environment) {
    std::vector<NodePtr> rows;
    std::vector<NodePtr> cells;
    while (peek().kind != TokenKind::kEnd && peek().kind != TokenKind::kEnd_) {
      if (at_char("&")) {
        next();
        continue;
      }
      if (at_command("\\\\")) {
        next();
        if (!cells.empty()) rows.push_back(node(NodeKind::kList, std::move(cells)));
        cells.clear();
        continue;
      }
      cells.push_back(parse_relation());
      if (!at_char("&") && !at_command("\\\\") && peek().kind != TokenKind::kEnd) throw ParseError("bad matrix cell");
    }
    if (peek().kind != TokenKind::kEnd) throw ParseError("unterminated \\begin{" + environment + "}");
    next();
    if (!cells.empty()) rows.push_back(node(NodeKind::kList, std::move(cells)));
    return node(NodeKind::kMatrix, std::move(rows), environment);
  }

  NodePtr parse_command(const Token& token) {
    const std::string& name = token.text;
    if (name == "\\frac") {
      NodePtr numerator = parse_argument();
      NodePtr denominator = parse_argument();
      return node(NodeKind::kDiv, {numerator, denominator});
    }

    if (name == "\\sqrt") {
      NodePtr degree;
      if (at_char("[")) {
        next();
        degree = parse_additive();
        expect_char("]");
      }
      NodePtr radicand = parse_argument();
      if (!degree) degree = make_number(mpq_class(2));
      return node(NodeKind::kPow, {radicand, node(NodeKind::kDiv, {make_number(mpq_class(1)), degree})});
    }

    if (name == "\\binom") {
      NodePtr n = parse_argument();
      NodePtr k = parse_argument();
      return node(NodeKind::kFunction, {n, k}, "binom");
    }


    if (name == "\\pi") return node(NodeKind::kConstant, {}, "pi");
    if (name == "\\infty") return node(NodeKind::kInfinity);
    if (name == "\\emptyset") return node(NodeKind::kSet);
    if (name == "\\{") {
      if (at_command("\\}")) {
        next();
        return node(NodeKind::kSet);
      }
      NodePtr inside = parse_list({});
      if (!at_command("\\}")) throw ParseError("unclosed \\{");
      next();
      std::vector<NodePtr> items = inside->kind == NodeKind::kList ? inside->children : std::vector<NodePtr>{inside};
      return node(NodeKind::kSet, std::move(items));
    }

    if (name == "\\lfloor" || name == "\\lceil") {
      NodePtr inside = parse_additive();
      if (!at_command(name == "\\lfloor" ? "\\rfloor" : "\\rceil")) throw ParseError("unclosed " + name);
      next();
      return node(NodeKind::kFunction, {inside}, name == "\\lfloor" ? "floor" : "ceil");
    }

    if (name == "\\dots" || name == "\\ldots" || name == "\\cdots") return node(NodeKind::kText, {}, "...");
    std::string bare = name.substr(1);
    if (function_names().count(bare) != 0) return parse_function(bare);
    if (name.size() == 2 && !std::isalpha(static_cast<unsigned char>(name[1]))) {
      throw ParseError("unexpected " + name);
    }
    // Greek letters and other named symbols are variables.
    return node(NodeKind::kSymbol, {}, name);
  }

  NodePtr parse_primary() {
    DepthGuard guard(*this);
    Token token = next();
    switch (token.kind) {
      case TokenKind::kNumber: return make_number(parse_decimal(token.text, budget_.limits()));
      case TokenKind::kLetter:
        if (token.text == "e") return node(NodeKind::kConstant, {}, "e");
        return node(NodeKind::kSymbol, {}, token.text);
      case TokenKind::kWord: {
        std::string lower;
        for (char c : token.text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (function_names().count(lower) != 0 && lower == token.text) return parse_function(lower);
        if (lower == "pi") return node(NodeKind::kConstant, {}, "pi");
        if (lower == "inf" || lower == "infty" || lower == "infinity") return node(NodeKind::kInfinity);
        if (token.text.size() == 2) {
          // "xy" is the product x * y.
          std::vector<NodePtr> factors;
          for (char c : token.text) {
            factors.push_back(c == 'e' ? node(NodeKind::kConstant, {}, "e")
                                       : node(NodeKind::kSymbol, {}, std::string(1, c)));
          }
          return node(NodeKind::kMul, std::move(factors));
        }
        throw ParseError("word '" + token.text + "'");
      }
      case TokenKind::kText: throw ParseError("text '" + token.text + "'");
      case TokenKind::kCommand: return parse_command(token);
      case TokenKind::kBegin: return parse_matrix(token.text);
      case TokenKind::kChar:
        if (token.text == "(" || token.text == "[") return parse_bracketed(token.text);
        if (token.text == "{") {
          if (at_char("}")) {
            next();
            return node(NodeKind::kList);
          }
          NodePtr inside = parse_list({});
          expect_char("}");
          return inside;
        }
        if (token.text == "|") {
          NodePtr inside = parse_additive();
          expect_char("|");
          return node(NodeKind::kFunction, {inside}, "abs");
        }
        throw ParseError("unexpected '" + token.text + "'");
      default: throw ParseError("unexpected end of answer");
    }
  }

  std::vector<Token> tokens_;
  size_t position_ = 0;
  CheckBudget& budget_;
  int depth_ = 0;
  size_t node_count_ = 0;
};

std::string normalize_text_answer(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == ' ' || c == '(' || c == ')' || c == '{' || c == '}' || c == '\\' || c == '.' || c == '$') continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace

NodePtr parse_math(std::string_view text, CheckBudget& budget) {
  std::vector<Token> tokens = tokenize(text, budget);
  if (tokens.empty()) throw ParseError("empty answer");
  Parser parser(std::move(tokens), budget);
  return parser.parse();
}

NodePtr parse_answer(std::string_view answer, CheckBudget& budget) {
  if (answer.size() > budget.limits().max_answer_bytes) throw LimitExceeded("answer too long");
  std::string stripped = strip_answer_wrappers(answer);
  std::string normalized = normalize_latex(stripped);
  if (normalized.find_first_not_of(" \t\r\n") == std::string::npos) return nullptr;

  // Braces must balance for any reading of the answer.
  int depth = 0;
  for (size_t i = 0; i < normalized.size(); ++i) {
    if (normalized[i] == '\\') {
      ++i;
      continue;
    }
    if (normalized[i] == '{') ++depth;
    if (normalized[i] == '}' && --depth < 0) return nullptr;
  }
  if (depth != 0) return nullptr;

  try {
    return parse_math(normalized, budget);
  } catch (const ParseError&) {
    // Not math: compare as text ("Devon", "\text{(C)}", "east").
    std::string text = normalize_text_answer(normalized);
    for (std::string prefix : {"textbf", "text", "mathrm", "mbox"}) {
      size_t position;
      while ((position = text.find(prefix)) != std::string::npos) text.erase(position, prefix.size());
    }
    if (text.empty()) return nullptr;
    return make_node(NodeKind::kText, {}, text);
  }
}

}  // namespace r1::rewards::math
