// The math answer checker: extraction, parsing of both answers and
// equivalence, under hard time and size limits.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rewards/math/extract.h"
#include "rewards/math/limits.h"

namespace r1::rewards::math {

struct CheckOptions {
  std::vector<Extractor> extractors = default_extractors("math");
  CheckLimits limits;
};

enum class CheckStatus {
  kOk,               // verdict reached
  kNoAnswer,         // the completion has no final answer: incorrect
  kGoldUnparseable,  // the gold answer is empty or malformed: skip the sample
  kLimitExceeded,    // time or size limit: incorrect
};

struct CheckResult {
  bool correct = false;
  CheckStatus status = CheckStatus::kOk;
  std::string extracted;  // the completion's answer as extracted (empty when none)
  std::string extractor;  // which extractor found it
  std::string detail;     // why there is no verdict, when status != kOk
  double seconds = 0.0;
};

// Extracts the gold answer from its wrapping: the text after the last "####",
// the last \boxed{} of a worked solution, or the whole text.
std::string gold_answer_text(std::string_view gold);

// Checks a completion against the gold answer. Thread-safe; never throws.
CheckResult check_completion(std::string_view completion, std::string_view gold, const CheckOptions& options,
                             bool truncated = false);

// Compares two answers directly (no extraction from the first one). Never throws.
CheckResult check_answer(std::string_view answer, std::string_view gold, const CheckLimits& limits = {});

// The canonical form of an extracted answer, for majority votes: the parsed
// expression rendered by to_string(), so "\frac{1}{2}", "\dfrac{1}{2}" and "$1/2$"
// agree. Falls back to the normalized text when the answer does not parse
// within `limits`, and returns "" for an empty answer. Never throws.
std::string canonical_answer(std::string_view answer, const CheckLimits& limits = {});

}  // namespace r1::rewards::math
