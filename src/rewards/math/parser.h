// Parser of LaTeX and plain-text math answers into an expression tree.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "rewards/math/expr.h"
#include "rewards/math/limits.h"

namespace r1::rewards::math {

struct ParseError : std::runtime_error {
  explicit ParseError(const std::string& what) : std::runtime_error(what) {}
};

// Parses one answer (already stripped of wrappers and normalized). Throws
// ParseError for text that is not math and LimitExceeded when the budget runs
// out.
NodePtr parse_math(std::string_view text, CheckBudget& budget);

// Parses an answer the way the checker does: strips wrappers, normalizes,
// parses, and falls back to a kText node of the normalized text when the
// text is not math. Returns nullptr for an empty answer or unbalanced braces.
// Throws LimitExceeded.
NodePtr parse_answer(std::string_view answer, CheckBudget& budget);

}  // namespace r1::rewards::math
