// Mathematical equivalence of two parsed answers.
//
// Scalars without variables are compared exactly as rationals when both are
// rational, and within kRelativeTolerance when pi, e or an irrational root or
// function forces floating point. Expressions with variables are compared by
// evaluating both at kIdentityPoints random rational points (exactly where the
// expressions are rational functions). For two rational functions that differ,
// the difference's numerator is a nonzero polynomial of total degree d, and
// each point's numerators are drawn from 2^21 + 1 values, so by the
// Schwartz-Zippel lemma all points agree with probability at most
// (d / 2^21)^kIdentityPoints: below 1e-12 for d <= 1000.
#pragma once

#include "rewards/math/expr.h"
#include "rewards/math/limits.h"

namespace r1::rewards::math {

constexpr int kIdentityPoints = 3;

// Whether `answer` is equivalent to `gold`. Throws LimitExceeded.
bool equivalent(const Node& answer, const Node& gold, CheckBudget& budget);

}  // namespace r1::rewards::math
