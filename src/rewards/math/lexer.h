// Tokens of an answer for the math parser.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rewards/math/limits.h"

namespace r1::rewards::math {

enum class TokenKind {
  kNumber,   // digits with an optional decimal point and exponent ("3e5")
  kLetter,   // one ASCII letter: a variable
  kWord,     // two or more ASCII letters ("sin", "pi", "Devon")
  kCommand,  // \name, or \ and one non-letter character (\{, \\)
  kText,     // contents of \text{...}, \mbox{...}, \textbf{...} (not units)
  kBegin,    // \begin{env}: text = env
  kEnd,      // \end{env}
  kChar,     // any other single character: + - * / ^ _ ( ) [ ] { } , = < > ! | & ; %
  kEnd_,     // end of input
};

struct Token {
  TokenKind kind;
  std::string text;
};

// Splits normalized answer text into tokens. Drops unit words after numbers
// and inside \text{}, and joins thousands separators (12,500) into numbers.
// Throws ParseError on unbalanced braces and LimitExceeded on budget.
std::vector<Token> tokenize(std::string_view text, CheckBudget& budget);

}  // namespace r1::rewards::math
