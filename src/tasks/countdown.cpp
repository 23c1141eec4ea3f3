#include "tasks/countdown.h"

#include <algorithm>
#include <fstream>
#include <numeric>
#include <set>

#include <nlohmann/json.hpp>

#include "tasks/countdown_search.h"
#include "util/error.h"
#include "util/file.h"

namespace r1 {

std::string CountdownProblem::key() const {
  auto sorted = nums;
  std::sort(sorted.begin(), sorted.end());
  std::string k;
  for (int64_t n : sorted) k += std::to_string(n) + ",";
  return k + "=" + std::to_string(target);
}

// ---------------------------------------------------------------------------
// generation and files

CountdownSplits generate_countdown_splits(int64_t train_count, int64_t heldout_count, uint64_t seed,
                                          const CountdownGeneratorOptions& options) {
  if (options.min_count < 2 || options.max_count < options.min_count || options.max_count > 6)
    fail("countdown: numbers per problem must satisfy 2 <= min ({}) <= max ({}) <= 6", options.min_count,
         options.max_count);
  if (options.min_number < 1 || options.max_number < options.min_number)
    fail("countdown: number range [{}, {}] is empty or not positive", options.min_number, options.max_number);
  if (options.max_target < options.min_target)
    fail("countdown: target range [{}, {}] is empty", options.min_target, options.max_target);

  std::mt19937_64 rng(seed);
  std::set<std::string> seen;
  CountdownSplits splits;
  const int64_t total = train_count + heldout_count;
  int64_t attempts = 0;
  std::vector<CountdownProblem> problems;
  while (static_cast<int64_t>(problems.size()) < total) {
    if (++attempts > 200 * total + 10000)
      fail("countdown: could only generate {} distinct problems of {} requested; widen the number or target range",
           problems.size(), total);
    CountdownProblem problem;
    int64_t count = std::uniform_int_distribution<int64_t>(options.min_count, options.max_count)(rng);
    for (int64_t i = 0; i < count; ++i)
      problem.nums.push_back(std::uniform_int_distribution<int64_t>(options.min_number, options.max_number)(rng));
    problem.target = std::uniform_int_distribution<int64_t>(options.min_target, options.max_target)(rng);
    if (seen.count(problem.key())) continue;
    if (count_countdown_solutions(problem, options.max_intermediate) == 0) continue;
    seen.insert(problem.key());
    problems.push_back(std::move(problem));
  }
  // held-out first, so growing the train split keeps the held-out split fixed
  splits.heldout.assign(problems.begin(), problems.begin() + heldout_count);
  splits.train.assign(problems.begin() + heldout_count, problems.end());
  return splits;
}

CountdownProblem parse_countdown_record(const std::string& text) {
  try {
    auto record = nlohmann::json::parse(text);
    CountdownProblem problem;
    problem.target = record.at("target").get<int64_t>();
    problem.nums = record.at("nums").get<std::vector<int64_t>>();
    if (problem.nums.empty()) fail("empty \"nums\"");
    return problem;
  } catch (const nlohmann::json::exception& e) {
    fail("{}", e.what());
  }
}

std::vector<CountdownProblem> load_countdown_jsonl(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail("cannot open Countdown file {}", path);
  std::vector<CountdownProblem> problems;
  std::string line;
  int64_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      problems.push_back(parse_countdown_record(line));
    } catch (const std::exception& e) {
      fail("{}:{}: malformed Countdown record ({}); expected {{\"target\": N, \"nums\": [a, b, ...]}}", path,
           line_number, e.what());
    }
  }
  if (problems.empty()) fail("{}: no Countdown records found", path);
  return problems;
}

void save_countdown_jsonl(const std::string& path, const std::vector<CountdownProblem>& problems) {
  std::string text;
  for (const auto& problem : problems)
    text += nlohmann::json{{"target", problem.target}, {"nums", problem.nums}}.dump() + "\n";
  write_file_atomic(path, text);
}

std::string countdown_prompt(const CountdownProblem& problem) {
  std::string text = "Using";
  for (int64_t n : problem.nums) text += " " + std::to_string(n);
  return text + " make " + std::to_string(problem.target) + ".\n";
}

// ---------------------------------------------------------------------------
// format

namespace {

size_t count_occurrences(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + needle.size()))
    ++count;
  return count;
}

bool is_blank(const std::string& text, size_t begin, size_t end) {
  for (size_t i = begin; i < end; ++i)
    if (!std::isspace(static_cast<unsigned char>(text[i]))) return false;
  return true;
}

}  // namespace

bool countdown_format_ok(const std::string& completion) {
  const std::string think_open = "<think>", think_close = "</think>";
  const std::string answer_open = "<answer>", answer_close = "</answer>";
  if (count_occurrences(completion, think_open) != 1 || count_occurrences(completion, think_close) != 1 ||
      count_occurrences(completion, answer_open) != 1 || count_occurrences(completion, answer_close) != 1)
    return false;
  size_t t0 = completion.find(think_open), t1 = completion.find(think_close);
  size_t a0 = completion.find(answer_open), a1 = completion.find(answer_close);
  if (!(t0 < t1 && t1 < a0 && a0 < a1)) return false;
  return is_blank(completion, 0, t0) && is_blank(completion, t1 + think_close.size(), a0) &&
         is_blank(completion, a1 + answer_close.size(), completion.size());
}

// ---------------------------------------------------------------------------
// exact evaluation of the answer expression

namespace {

struct Rational {
  __int128 num = 0, den = 1;
};

constexpr __int128 kRationalLimit = static_cast<__int128>(1) << 62;

bool normalize(Rational& r) {
  if (r.den == 0) return false;
  if (r.den < 0) {
    r.num = -r.num;
    r.den = -r.den;
  }
  __int128 a = r.num < 0 ? -r.num : r.num, b = r.den;
  while (b != 0) {
    __int128 t = a % b;
    a = b;
    b = t;
  }
  if (a > 1) {
    r.num /= a;
    r.den /= a;
  }
  return (r.num < kRationalLimit && r.num > -kRationalLimit && r.den < kRationalLimit);
}

class ExpressionParser {
 public:
  ExpressionParser(const std::string& text, std::vector<int64_t> available, bool allow_fractions)
      : text_(text), available_(std::move(available)), allow_fractions_(allow_fractions) {}

  bool parse(Rational& value, std::string& error) {
    if (!expression(value)) {
      error = error_;
      return false;
    }
    skip_spaces();
    if (pos_ != text_.size()) {
      error = "unexpected '" + std::string(1, text_[pos_]) + "' at position " + std::to_string(pos_);
      return false;
    }
    return true;
  }

 private:
  void skip_spaces() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  bool set_error(const std::string& message) {
    if (error_.empty()) error_ = message;
    return false;
  }

  bool check_integer(const Rational& r) {
    if (!allow_fractions_ && r.den != 1) return set_error("non-integer intermediate value");
    return true;
  }

  bool expression(Rational& value) {
    if (!term(value)) return false;
    while (true) {
      skip_spaces();
      if (pos_ >= text_.size() || (text_[pos_] != '+' && text_[pos_] != '-')) return true;
      char op = text_[pos_++];
      Rational rhs;
      if (!term(rhs)) return false;
      Rational result{op == '+' ? value.num * rhs.den + rhs.num * value.den
                                : value.num * rhs.den - rhs.num * value.den,
                      value.den * rhs.den};
      if (!normalize(result)) return set_error("value too large");
      value = result;
    }
  }

  bool term(Rational& value) {
    if (!factor(value)) return false;
    while (true) {
      skip_spaces();
      if (pos_ >= text_.size() || (text_[pos_] != '*' && text_[pos_] != '/')) return true;
      char op = text_[pos_++];
      Rational rhs;
      if (!factor(rhs)) return false;
      Rational result;
      if (op == '*') {
        result = {value.num * rhs.num, value.den * rhs.den};
      } else {
        if (rhs.num == 0) return set_error("division by zero");
        result = {value.num * rhs.den, value.den * rhs.num};
      }
      if (!normalize(result)) return set_error("value too large");
      if (!check_integer(result)) return false;
      value = result;
    }
  }

  bool factor(Rational& value) {
    skip_spaces();
    if (pos_ >= text_.size()) return set_error("expression ends early");
    if (text_[pos_] == '(') {
      ++pos_;
      if (++depth_ > 64) return set_error("parentheses nested too deeply");
      if (!expression(value)) return false;
      skip_spaces();
      if (pos_ >= text_.size() || text_[pos_] != ')') return set_error("missing ')'");
      ++pos_;
      --depth_;
      return true;
    }
    if (!std::isdigit(static_cast<unsigned char>(text_[pos_])))
      return set_error("unexpected '" + std::string(1, text_[pos_]) + "' at position " + std::to_string(pos_));
    size_t start = pos_;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    std::string digits = text_.substr(start, pos_ - start);
    if (digits.size() > 18) return set_error("number " + digits + " is not given");
    int64_t number = std::stoll(digits);
    auto it = std::find(available_.begin(), available_.end(), number);
    if (it == available_.end()) {
      bool given = false;
      for (int64_t n : original_) given = given || n == number;
      return set_error(given ? "number " + digits + " used more times than given" : "number " + digits + " is not given");
    }
    available_.erase(it);
    value = {number, 1};
    return true;
  }

  const std::string& text_;
  std::vector<int64_t> available_;
  const std::vector<int64_t> original_ = available_;
  bool allow_fractions_;
  size_t pos_ = 0;
  int depth_ = 0;
  std::string error_;
};

}  // namespace

bool evaluate_countdown_expression(const std::string& expression, const std::vector<int64_t>& nums,
                                   const CountdownCheckOptions& options, int64_t& numerator, int64_t& denominator,
                                   std::string& error) {
  if (expression.size() > 1000) {
    error = "answer longer than 1000 characters";
    return false;
  }
  ExpressionParser parser(expression, nums, options.allow_fractions);
  Rational value;
  if (!parser.parse(value, error)) return false;
  numerator = static_cast<int64_t>(value.num);
  denominator = static_cast<int64_t>(value.den);
  return true;
}

CountdownVerdict check_countdown(const std::string& completion, const CountdownProblem& problem,
                                 const CountdownCheckOptions& options) {
  CountdownVerdict verdict;
  verdict.format_ok = countdown_format_ok(completion);

  // the last complete <answer> block
  const std::string open = "<answer>", close = "</answer>";
  size_t end = completion.rfind(close);
  size_t begin = end == std::string::npos ? std::string::npos : completion.rfind(open, end);
  if (begin == std::string::npos) {
    verdict.reason = "no <answer>...</answer> block";
    return verdict;
  }
  verdict.has_answer = true;
  verdict.answer = completion.substr(begin + open.size(), end - begin - open.size());
  // an expression may be followed by "= target"; only the left side counts
  std::string expression = verdict.answer;
  if (size_t eq = expression.find('='); eq != std::string::npos) expression = expression.substr(0, eq);

  int64_t numerator = 0, denominator = 1;
  std::string error;
  if (!evaluate_countdown_expression(expression, problem.nums, options, numerator, denominator, error)) {
    verdict.reason = error;
    return verdict;
  }
  verdict.parsed = true;
  verdict.value = std::to_string(numerator) + (denominator != 1 ? "/" + std::to_string(denominator) : "");
  if (denominator != 1 || numerator != problem.target) {
    verdict.reason = "value " + std::to_string(numerator) + (denominator != 1 ? "/" + std::to_string(denominator) : "") +
                     " is not the target " + std::to_string(problem.target);
    return verdict;
  }
  verdict.correct = true;
  return verdict;
}

}  // namespace r1
