#include "rewards/math/checker.h"

#include <chrono>
#include <exception>
#include <new>

#include "rewards/math/equivalence.h"
#include "rewards/math/normalize.h"
#include "rewards/math/parser.h"

namespace r1::rewards::math {

std::string gold_answer_text(std::string_view gold) {
  size_t marker = gold.rfind("####");
  if (marker != std::string_view::npos) return std::string(gold.substr(marker + 4));
  if (gold.find("\\boxed") != std::string_view::npos || gold.find("\\fbox") != std::string_view::npos) {
    Extraction boxed = extract_answer(gold, {Extractor::kBoxed}, false);
    if (boxed.found) return boxed.answer;
  }
  return std::string(gold);
}

namespace {

// Compares an extracted answer with the gold, filling `result`.
void compare_answers(std::string_view answer, std::string_view gold, CheckBudget& budget, CheckResult& result) {
  NodePtr gold_tree = parse_answer(gold_answer_text(gold), budget);
  if (!gold_tree) {
    result.status = CheckStatus::kGoldUnparseable;
    result.detail = "gold answer is empty or has unbalanced braces";
    return;
  }
  NodePtr answer_tree = parse_answer(answer, budget);
  if (!answer_tree) {
    result.status = CheckStatus::kNoAnswer;
    result.detail = "extracted answer is empty or has unbalanced braces";
    return;
  }
  result.correct = equivalent(*answer_tree, *gold_tree, budget);
}

template <typename Body>
CheckResult run_checked(const CheckLimits& limits, Body body) {
  auto start = std::chrono::steady_clock::now();
  CheckResult result;
  try {
    CheckBudget budget(limits);
    body(budget, result);
  } catch (const LimitExceeded& e) {
    result.correct = false;
    result.status = CheckStatus::kLimitExceeded;
    result.detail = e.what();
  } catch (const std::bad_alloc&) {
    result.correct = false;
    result.status = CheckStatus::kLimitExceeded;
    result.detail = "out of memory";
  } catch (const std::exception& e) {
    // Parser bugs must not take down training: report and score incorrect.
    result.correct = false;
    result.status = CheckStatus::kLimitExceeded;
    result.detail = std::string("internal error: ") + e.what();
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace

CheckResult check_completion(std::string_view completion, std::string_view gold, const CheckOptions& options,
                             bool truncated) {
  return run_checked(options.limits, [&](CheckBudget& budget, CheckResult& result) {
    if (completion.size() > options.limits.max_completion_bytes) throw LimitExceeded("completion too long");
    Extraction extraction = extract_answer(completion, options.extractors, truncated);
    if (!extraction.found) {
      // The gold is still checked so that a broken gold is counted as such.
      NodePtr gold_tree = parse_answer(gold_answer_text(gold), budget);
      result.status = gold_tree ? CheckStatus::kNoAnswer : CheckStatus::kGoldUnparseable;
      result.detail = gold_tree ? "no final answer: " + extraction.failure : "gold answer is empty or has unbalanced braces";
      return;
    }
    result.extracted = extraction.answer;
    result.extractor = extraction.extractor;
    compare_answers(extraction.answer, gold, budget, result);
  });
}

CheckResult check_answer(std::string_view answer, std::string_view gold, const CheckLimits& limits) {
  return run_checked(limits, [&](CheckBudget& budget, CheckResult& result) {
    result.extracted = std::string(answer);
    compare_answers(answer, gold, budget, result);
  });
}

std::string canonical_answer(std::string_view answer, const CheckLimits& limits) {
  if (answer.find_first_not_of(" \t\r\n") == std::string_view::npos) return "";
  try {
    CheckBudget budget(limits);
    NodePtr tree = parse_answer(answer, budget);
    if (tree) return to_string(*tree);
  } catch (const std::exception&) {
    // over the limits or a parser failure: vote on the normalized text
  }
  return normalize_latex(strip_answer_wrappers(answer));
}

}  // namespace r1::rewards::math
