#include "rewards/math/evaluate.h"

#include <cmath>

namespace r1::rewards::math {

Value Value::make_exact(mpq_class value) {
  Value result;
  result.kind = Kind::kExact;
  result.exact = std::move(value);
  return result;
}

Value Value::make_approx(long double value) {
  if (std::isnan(value)) return invalid();
  if (std::isinf(value)) return invalid();  // overflow, not a mathematical infinity
  Value result;
  result.kind = Kind::kApprox;
  result.approx = value;
  return result;
}

Value Value::make_infinity(int sign) {
  Value result;
  result.kind = Kind::kInfinity;
  result.infinity_sign = sign;
  return result;
}

namespace {

// Converts a rational of any size to long double without overflowing double.
long double rational_to_long_double(const mpq_class& value) {
  if (value == 0) return 0.0L;
  long numerator_exponent = 0;
  long denominator_exponent = 0;
  double numerator = mpz_get_d_2exp(&numerator_exponent, value.get_num_mpz_t());
  double denominator = mpz_get_d_2exp(&denominator_exponent, value.get_den_mpz_t());
  long exponent = numerator_exponent - denominator_exponent;
  if (exponent > 16000) return (numerator > 0 ? 1 : -1) * HUGE_VALL;
  if (exponent < -16000) return 0.0L;
  return std::ldexp(static_cast<long double>(numerator) / denominator, static_cast<int>(exponent));
}

size_t rational_bits(const mpq_class& value) {
  return mpz_sizeinbase(value.get_num_mpz_t(), 2) + mpz_sizeinbase(value.get_den_mpz_t(), 2);
}

// The exact k-th root of a non-negative integer, if it is one.
bool exact_root(const mpz_class& value, unsigned long k, mpz_class& root) {
  if (value < 0) return false;
  return mpz_root(root.get_mpz_t(), value.get_mpz_t(), k) != 0;
}

class Evaluator {
 public:
  Evaluator(const Environment& environment, CheckBudget& budget) : environment_(environment), budget_(budget) {}

  Value eval(const Node& node) {
    budget_.tick();
    if (++depth_ > budget_.limits().max_depth) throw LimitExceeded("nesting limit");
    Value result = eval_node(node);
    --depth_;
    if (result.kind == Value::Kind::kExact && rational_bits(result.exact) > budget_.limits().max_exact_bits) {
      result = Value::make_approx(rational_to_long_double(result.exact));
    }
    return result;
  }

 private:
  Value eval_node(const Node& node) {
    switch (node.kind) {
      case NodeKind::kNumber: return Value::make_exact(node.number);
      case NodeKind::kSymbol: {
        auto found = environment_.find(node.text);
        return found == environment_.end() ? Value::invalid() : found->second;
      }
      case NodeKind::kConstant:
        if (node.text == "pi") return Value::make_approx(3.14159265358979323846264338327950288L);
        if (node.text == "e") {
          auto found = environment_.find("e");
          if (found != environment_.end()) return found->second;
          return Value::make_approx(2.71828182845904523536028747135266250L);
        }
        return Value::invalid();
      case NodeKind::kInfinity: return Value::make_infinity(1);
      case NodeKind::kAdd: {
        Value sum = Value::make_exact(0);
        for (const NodePtr& child : node.children) {
          sum = add(sum, eval(*child));
          if (!sum.valid()) return sum;
        }
        return sum;
      }
      case NodeKind::kNeg: return negate(eval(*node.children[0]));
      case NodeKind::kMul: {
        Value product = Value::make_exact(1);
        for (const NodePtr& child : node.children) {
          product = multiply(product, eval(*child));
          if (!product.valid()) return product;
        }
        return product;
      }
      case NodeKind::kDiv: return divide(eval(*node.children[0]), eval(*node.children[1]));
      case NodeKind::kPow: return power(eval(*node.children[0]), eval(*node.children[1]));
      case NodeKind::kPercent: return divide(eval(*node.children[0]), Value::make_exact(100));
      case NodeKind::kFactorial: return factorial(eval(*node.children[0]));
      case NodeKind::kFunction: return function(node);
      default: return Value::invalid();
    }
  }

  static Value negate(Value value) {
    if (value.kind == Value::Kind::kExact) value.exact = -value.exact;
    if (value.kind == Value::Kind::kApprox) value.approx = -value.approx;
    if (value.kind == Value::Kind::kInfinity) value.infinity_sign = -value.infinity_sign;
    return value;
  }

  static Value add(const Value& a, const Value& b) {
    if (!a.valid() || !b.valid()) return Value::invalid();
    if (a.kind == Value::Kind::kInfinity || b.kind == Value::Kind::kInfinity) {
      if (a.kind == Value::Kind::kInfinity && b.kind == Value::Kind::kInfinity) {
        return a.infinity_sign == b.infinity_sign ? a : Value::invalid();
      }
      return a.kind == Value::Kind::kInfinity ? a : b;
    }
    if (a.kind == Value::Kind::kExact && b.kind == Value::Kind::kExact) return Value::make_exact(a.exact + b.exact);
    return Value::make_approx(a.to_long_double() + b.to_long_double());
  }

  static int sign(const Value& value) {
    switch (value.kind) {
      case Value::Kind::kExact: return sgn(value.exact);
      case Value::Kind::kApprox: return value.approx > 0 ? 1 : (value.approx < 0 ? -1 : 0);
      case Value::Kind::kInfinity: return value.infinity_sign;
      default: return 0;
    }
  }

  static Value multiply(const Value& a, const Value& b) {
    if (!a.valid() || !b.valid()) return Value::invalid();
    if (a.kind == Value::Kind::kInfinity || b.kind == Value::Kind::kInfinity) {
      int product_sign = sign(a) * sign(b);
      return product_sign == 0 ? Value::invalid() : Value::make_infinity(product_sign);
    }
    if (a.kind == Value::Kind::kExact && b.kind == Value::Kind::kExact) return Value::make_exact(a.exact * b.exact);
    return Value::make_approx(a.to_long_double() * b.to_long_double());
  }

  static Value divide(const Value& a, const Value& b) {
    if (!a.valid() || !b.valid()) return Value::invalid();
    if (b.kind == Value::Kind::kInfinity) {
      return a.kind == Value::Kind::kInfinity ? Value::invalid() : Value::make_exact(0);
    }
    if (sign(b) == 0) return Value::invalid();
    if (a.kind == Value::Kind::kInfinity) return Value::make_infinity(a.infinity_sign * sign(b));
    if (a.kind == Value::Kind::kExact && b.kind == Value::Kind::kExact) return Value::make_exact(a.exact / b.exact);
    return Value::make_approx(a.to_long_double() / b.to_long_double());
  }

  Value power(const Value& base, const Value& exponent) {
    if (!base.valid() || !exponent.valid()) return Value::invalid();
    if (base.kind == Value::Kind::kInfinity || exponent.kind == Value::Kind::kInfinity) return Value::invalid();

    if (base.kind == Value::Kind::kExact && exponent.kind == Value::Kind::kExact) {
      const mpq_class& b = base.exact;
      const mpq_class& e = exponent.exact;
      if (b == 0) {
        if (e > 0) return Value::make_exact(0);
        return Value::invalid();
      }
      // The exact result b^(p/q) has about bits(b) * |p| bits: past the size
      // limit the value is computed in floating point.
      mpz_class p = e.get_num();
      mpz_class q = e.get_den();
      mpz_class abs_p = abs(p);
      size_t base_bits = rational_bits(b);
      if (abs_p.fits_ulong_p() && q.fits_ulong_p() && q <= 64 &&
          base_bits * abs_p.get_ui() <= budget_.limits().max_exact_bits) {
        unsigned long k = q.get_ui();
        mpz_class numerator_root;
        mpz_class denominator_root;
        mpz_class numerator = abs(b.get_num());
        bool negative_base = b < 0;
        bool odd_root = (k % 2) == 1;
        if ((!negative_base || odd_root) && exact_root(numerator, k, numerator_root) &&
            exact_root(b.get_den(), k, denominator_root)) {
          mpq_class root(numerator_root, denominator_root);
          if (negative_base) root = -root;
          mpz_class num_power;
          mpz_class den_power;
          mpz_pow_ui(num_power.get_mpz_t(), root.get_num_mpz_t(), abs_p.get_ui());
          mpz_pow_ui(den_power.get_mpz_t(), root.get_den_mpz_t(), abs_p.get_ui());
          mpq_class result(num_power, den_power);
          result.canonicalize();
          if (p < 0) result = 1 / result;
          return Value::make_exact(result);
        }
        if (negative_base) return Value::invalid();  // even root of a negative number
      }
    }

    long double b = base.to_long_double();
    long double e = exponent.to_long_double();
    if (b < 0 && std::floor(e) != e) return Value::invalid();
    return Value::make_approx(std::pow(b, e));
  }

  Value factorial(const Value& value) {
    if (value.kind != Value::Kind::kExact || value.exact.get_den() != 1 || value.exact < 0) return Value::invalid();
    if (value.exact > 2000) return Value::invalid();
    mpz_class result;
    mpz_fac_ui(result.get_mpz_t(), value.exact.get_num().get_ui());
    return Value::make_exact(mpq_class(result));
  }

  Value function(const Node& node) {
    std::vector<Value> arguments;
    for (const NodePtr& child : node.children) {
      arguments.push_back(eval(*child));
      if (!arguments.back().valid()) return Value::invalid();
      if (arguments.back().kind == Value::Kind::kInfinity) return Value::invalid();
    }
    const std::string& name = node.text;
    if (arguments.empty()) return Value::invalid();
    const Value& x = arguments[0];

    if (name == "abs") return sign(x) < 0 ? negate(x) : x;
    if (name == "sqrt") return power(x, Value::make_exact(mpq_class(1, 2)));
    if (name == "binom" && arguments.size() == 2) {
      const Value& k = arguments[1];
      if (x.kind != Value::Kind::kExact || k.kind != Value::Kind::kExact || x.exact.get_den() != 1 ||
          k.exact.get_den() != 1 || x.exact < 0 || x.exact > 100000 || k.exact < 0) {
        return Value::invalid();
      }
      if (k.exact > x.exact) return Value::make_exact(0);
      mpz_class result;
      mpz_bin_uiui(result.get_mpz_t(), x.exact.get_num().get_ui(), k.exact.get_num().get_ui());
      return Value::make_exact(mpq_class(result));
    }
    if ((name == "floor" || name == "ceil") && x.kind == Value::Kind::kExact) {
      mpz_class result;
      if (name == "floor") {
        mpz_fdiv_q(result.get_mpz_t(), x.exact.get_num_mpz_t(), x.exact.get_den_mpz_t());
      } else {
        mpz_cdiv_q(result.get_mpz_t(), x.exact.get_num_mpz_t(), x.exact.get_den_mpz_t());
      }
      return Value::make_exact(mpq_class(result));
    }
    if ((name == "max" || name == "min") && arguments.size() >= 1) {
      Value best = arguments[0];
      for (const Value& candidate : arguments) {
        long double difference = candidate.to_long_double() - best.to_long_double();
        if ((name == "max" && difference > 0) || (name == "min" && difference < 0)) best = candidate;
      }
      return best;
    }

    long double v = x.to_long_double();
    if (name == "log" || name == "ln" || name == "lg") {
      if (v <= 0) return Value::invalid();
      long double base = name == "ln" ? 1.0L : (name == "lg" ? 10.0L : 0.0L);
      if (arguments.size() == 2) base = arguments[1].to_long_double();
      if (name == "log" && arguments.size() == 1) return Value::make_approx(std::log(v));
      if (base == 1.0L && name == "ln") return Value::make_approx(std::log(v));
      if (base <= 0 || base == 1.0L) return Value::invalid();
      return Value::make_approx(std::log(v) / std::log(base));
    }
    if (name == "exp") return Value::make_approx(std::exp(v));
    if (name == "sin") return Value::make_approx(std::sin(v));
    if (name == "cos") return Value::make_approx(std::cos(v));
    if (name == "tan") return Value::make_approx(std::tan(v));
    if (name == "sec") return Value::make_approx(1.0L / std::cos(v));
    if (name == "csc") return Value::make_approx(1.0L / std::sin(v));
    if (name == "cot") return Value::make_approx(1.0L / std::tan(v));
    if (name == "arcsin") return Value::make_approx(std::asin(v));
    if (name == "arccos") return Value::make_approx(std::acos(v));
    if (name == "arctan") return Value::make_approx(std::atan(v));
    if (name == "sinh") return Value::make_approx(std::sinh(v));
    if (name == "cosh") return Value::make_approx(std::cosh(v));
    if (name == "tanh") return Value::make_approx(std::tanh(v));
    return Value::invalid();
  }

  const Environment& environment_;
  CheckBudget& budget_;
  int depth_ = 0;
};

}  // namespace

long double Value::to_long_double() const {
  switch (kind) {
    case Kind::kExact: return rational_to_long_double(exact);
    case Kind::kApprox: return approx;
    case Kind::kInfinity: return infinity_sign * HUGE_VALL;
    default: return NAN;
  }
}

Value evaluate(const Node& node, const Environment& environment, CheckBudget& budget) {
  Evaluator evaluator(environment, budget);
  return evaluator.eval(node);
}

bool values_equal(const Value& a, const Value& b) {
  if (!a.valid() || !b.valid()) return false;
  if (a.kind == Value::Kind::kInfinity || b.kind == Value::Kind::kInfinity) {
    return a.kind == b.kind && a.infinity_sign == b.infinity_sign;
  }
  if (a.kind == Value::Kind::kExact && b.kind == Value::Kind::kExact) return a.exact == b.exact;
  long double x = a.to_long_double();
  long double y = b.to_long_double();
  if (!std::isfinite(x) || !std::isfinite(y)) return false;
  long double scale = std::max(std::fabs(x), std::fabs(y));
  return std::fabs(x - y) <= std::max(kRelativeTolerance * scale, 1e-12L);
}

}  // namespace r1::rewards::math
