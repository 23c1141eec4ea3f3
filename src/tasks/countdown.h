// Countdown, the R1-Zero reproductions' reasoning task: given 3 or 4 numbers
// and a target, write an arithmetic expression with + - * / and parentheses
// that uses each given number at most once and equals the target.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace r1 {

struct CountdownProblem {
  std::vector<int64_t> nums;
  int64_t target = 0;

  // Canonical key (sorted numbers and target), used to keep splits disjoint.
  std::string key() const;
};

struct CountdownGeneratorOptions {
  int64_t min_count = 3, max_count = 4;      // how many numbers per problem
  int64_t min_number = 1, max_number = 10;   // range of each number
  int64_t min_target = 10, max_target = 40;  // range of the target
  int64_t max_intermediate = 200;            // no step of the solution exceeds this
};

// Problems with at least one solution whose steps stay within the options,
// drawn with `seed`. The train and held-out splits of one seed never share a
// problem (by key).
struct CountdownSplits {
  std::vector<CountdownProblem> train;
  std::vector<CountdownProblem> heldout;
};
CountdownSplits generate_countdown_splits(int64_t train_count, int64_t heldout_count, uint64_t seed,
                                          const CountdownGeneratorOptions& options = {});

// Reads JSONL records {"target": N, "nums": [...]}; errors name the line.
std::vector<CountdownProblem> load_countdown_jsonl(const std::string& path);

// Parses one such record. Throws r1::Error with the reason (without file and
// line) for malformed JSON, a missing field or empty "nums".
CountdownProblem parse_countdown_record(const std::string& text);
void save_countdown_jsonl(const std::string& path, const std::vector<CountdownProblem>& problems);

// The prompt text (without special tokens) for a problem.
std::string countdown_prompt(const CountdownProblem& problem);

// Verdict on one completion. The completion is the decoded text with special
// tokens in written form and without the end-of-sequence token.
struct CountdownVerdict {
  bool format_ok = false;  // <think>..</think> then <answer>..</answer>, nothing after
  bool has_answer = false; // an <answer> block was found
  bool parsed = false;     // the answer is a well-formed expression
  bool correct = false;    // valid numbers, each at most once, equals the target
  std::string answer;      // the extracted answer text
  std::string value;       // its exact value ("46", "7/2") when it parsed
  std::string reason;      // why it is not correct (empty when correct)
};

struct CountdownCheckOptions {
  // Allow intermediate values that are not integers (such as (7/2)*4 = 14).
  // The TinyZero checker evaluates in floating point and accepts them; set
  // false for the original game's integer-only rule.
  bool allow_fractions = true;
};

CountdownVerdict check_countdown(const std::string& completion, const CountdownProblem& problem,
                                 const CountdownCheckOptions& options = {});

// Checks only the <think>/<answer> structure: exactly one think block followed
// by exactly one answer block, tags not nested, only whitespace between and
// after them.
bool countdown_format_ok(const std::string& completion);

// Evaluates an answer expression exactly with rationals. Sets `error` and
// returns false when the expression is malformed, uses a number that is not
// given (or more often than given), divides by zero, or produces a
// non-integer intermediate value while allow_fractions is false.
bool evaluate_countdown_expression(const std::string& expression, const std::vector<int64_t>& nums,
                                   const CountdownCheckOptions& options, int64_t& numerator, int64_t& denominator,
                                   std::string& error);

}  // namespace r1
