// Evaluation of expression trees: exact rational arithmetic where the value
// is rational, long double where an irrational value (pi, e, a non-square
// root, a logarithm) forces it.
#pragma once

#include <map>
#include <string>

#include <gmpxx.h>

#include "rewards/math/expr.h"
#include "rewards/math/limits.h"

namespace r1::rewards::math {

struct Value {
  enum class Kind { kExact, kApprox, kInfinity, kInvalid };
  Kind kind = Kind::kInvalid;
  mpq_class exact;
  long double approx = 0.0L;
  int infinity_sign = 1;

  static Value make_exact(mpq_class value);
  static Value make_approx(long double value);
  static Value make_infinity(int sign);
  static Value invalid() { return Value{}; }
  bool valid() const { return kind != Kind::kInvalid; }
  long double to_long_double() const;
};

// Values substituted for symbols.
using Environment = std::map<std::string, Value>;

// Evaluates a scalar expression. Collections, relations, text and undefined
// operations (division by zero, unknown symbols, domain errors, overflow)
// give Value::invalid(). Throws LimitExceeded.
Value evaluate(const Node& node, const Environment& environment, CheckBudget& budget);

// Relative tolerance of comparisons that involve a floating-point value.
constexpr long double kRelativeTolerance = 1e-9L;

// Whether two valid values are equal: exactly when both are exact, otherwise
// within kRelativeTolerance (or 1e-12 absolute near zero).
bool values_equal(const Value& a, const Value& b);

}  // namespace r1::rewards::math
