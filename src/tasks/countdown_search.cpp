#include "tasks/countdown_search.h"

#include <algorithm>
#include <numeric>
#include <set>

#include "util/error.h"

namespace r1 {

bool apply_chain_step(int64_t left, char op, int64_t right, int64_t max_intermediate, int64_t& result) {
  switch (op) {
    case '+': result = left + right; break;
    case '-':
      if (left <= right) return false;
      result = left - right;
      break;
    case '*': result = left * right; break;
    case '/':
      if (right == 0 || left % right != 0) return false;
      result = left / right;
      break;
    default: return false;
  }
  return result <= max_intermediate;
}

namespace {

constexpr char kOps[4] = {'+', '-', '*', '/'};

// Depth-first enumeration of chains from `value` over the unused numbers.
int64_t count_from(int64_t value, std::vector<int64_t>& unused, int64_t target, int64_t max_intermediate,
                   int depth) {
  int64_t count = (depth >= 1 && value == target) ? 1 : 0;
  for (size_t i = 0; i < unused.size(); ++i) {
    int64_t number = unused[i];
    unused.erase(unused.begin() + static_cast<long>(i));
    for (char op : kOps) {
      int64_t result = 0;
      if (apply_chain_step(value, op, number, max_intermediate, result))
        count += count_from(result, unused, target, max_intermediate, depth + 1);
    }
    unused.insert(unused.begin() + static_cast<long>(i), number);
  }
  return count;
}

bool has_additive_top_level(const std::string& expression) {
  int depth = 0;
  for (char c : expression) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth == 0 && (c == '+' || c == '-')) return true;
  }
  return false;
}

}  // namespace

int64_t count_countdown_solutions(const CountdownProblem& problem, int64_t max_intermediate) {
  int64_t count = 0;
  std::vector<int64_t> unused = problem.nums;
  for (size_t i = 0; i < unused.size(); ++i) {
    int64_t first = unused[i];
    unused.erase(unused.begin() + static_cast<long>(i));
    count += count_from(first, unused, problem.target, max_intermediate, 0);
    unused.insert(unused.begin() + static_cast<long>(i), first);
  }
  return count;
}

bool random_chain(const CountdownProblem& problem, int64_t max_intermediate, std::mt19937_64& rng, Chain& chain) {
  const int64_t n = static_cast<int64_t>(problem.nums.size());
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::vector<int64_t> order = problem.nums;
    std::shuffle(order.begin(), order.end(), rng);
    int64_t length = std::uniform_int_distribution<int64_t>(2, n)(rng);
    chain = Chain{};
    chain.first = order[0];
    bool ok = true;
    for (int64_t i = 1; i < length && ok; ++i) {
      // draw among the operations that are allowed here
      std::vector<char> allowed;
      for (char op : kOps) {
        int64_t result = 0;
        if (apply_chain_step(chain.value(), op, order[i], max_intermediate, result)) allowed.push_back(op);
      }
      if (allowed.empty()) {
        ok = false;
        break;
      }
      char op = allowed[std::uniform_int_distribution<size_t>(0, allowed.size() - 1)(rng)];
      ChainStep step{chain.value(), op, order[i], 0};
      apply_chain_step(step.left, op, step.right, max_intermediate, step.result);
      chain.steps.push_back(step);
    }
    if (ok) return true;
  }
  return false;
}

std::string chain_expression(const Chain& chain) {
  std::string expression = std::to_string(chain.first);
  for (const ChainStep& step : chain.steps) {
    if ((step.op == '*' || step.op == '/') && has_additive_top_level(expression)) expression = "(" + expression + ")";
    if (step.op == '-' && has_additive_top_level(expression)) expression = "(" + expression + ")";
    expression += step.op + std::to_string(step.right);
  }
  return expression;
}

namespace {

std::string step_text(int64_t left, char op, int64_t right, int64_t result) {
  return std::to_string(left) + op + std::to_string(right) + "=" + std::to_string(result);
}

// A plausible wrong result for a step: off by a small amount.
int64_t slipped_result(int64_t result, std::mt19937_64& rng) {
  int64_t delta = std::uniform_int_distribution<int64_t>(1, 3)(rng);
  if (result > delta && std::bernoulli_distribution(0.5)(rng)) return result - delta;
  return result + delta;
}

}  // namespace

std::string chain_text(const Chain& chain) {
  std::string text;
  for (size_t i = 0; i < chain.steps.size(); ++i) {
    if (i > 0) text += ", ";
    const ChainStep& step = chain.steps[i];
    text += step_text(step.left, step.op, step.right, step.result);
  }
  return text;
}

bool steered_chain(const CountdownProblem& part, int64_t max_intermediate, double steer_rate, std::mt19937_64& rng,
                   Chain& chain) {
  std::bernoulli_distribution steer(steer_rate);
  chain = Chain{};
  chain.first = part.nums[0];
  for (size_t i = 1; i < part.nums.size(); ++i) {
    // the allowed operations; a steered step takes the one landing closest
    // to the target, the others a random one
    std::vector<std::pair<char, int64_t>> allowed;
    for (char op : kOps) {
      int64_t result = 0;
      if (apply_chain_step(chain.value(), op, part.nums[i], max_intermediate, result)) allowed.push_back({op, result});
    }
    if (allowed.empty()) return false;
    size_t pick = std::uniform_int_distribution<size_t>(0, allowed.size() - 1)(rng);
    if (steer(rng)) {
      for (size_t k = 0; k < allowed.size(); ++k)
        if (std::llabs(allowed[k].second - part.target) < std::llabs(allowed[pick].second - part.target)) pick = k;
    }
    chain.steps.push_back({chain.value(), allowed[pick].first, part.nums[i], allowed[pick].second});
  }
  return !chain.steps.empty();
}

void validate_trace_options(const CountdownTraceOptions& options) {
  if (options.guess_share < 0 || options.thorough_share < 0 || options.guess_share + options.thorough_share > 1)
    fail("traces: guess share {} plus thorough share {} must lie in [0, 1]; lower one of them", options.guess_share,
         options.thorough_share);
  if (options.min_patience < 1 || options.max_patience < options.min_patience)
    fail("traces: invalid quick patience range [{}, {}] (empty or below 1); raise --max-patience", options.min_patience,
         options.max_patience);
  if (options.compare_slip_rate < 0 || options.compare_slip_rate > 1)
    fail("traces: compare_slip_rate={} must lie in [0, 1]; 0 writes no misread comparisons", options.compare_slip_rate);
  if (options.give_up_rate < 0 || options.give_up_rate > 1)
    fail("traces: give_up_rate={} must lie in [0, 1]; 0 draws the tries uniformly", options.give_up_rate);
  if (options.thorough_min_patience < 1 || options.thorough_max_patience < options.thorough_min_patience)
    fail("traces: invalid thorough patience range [{}, {}] (empty or below 1); raise --thorough-max-patience",
         options.thorough_min_patience, options.thorough_max_patience);
}

std::string countdown_trace(const CountdownProblem& problem, const CountdownTraceOptions& options,
                            std::mt19937_64& rng) {
  Chain chain;

  // the style: guess, quick trial and error, or a thorough search
  const double style = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  if (style < options.guess_share) {
    if (!random_chain(problem, options.max_intermediate, rng, chain)) chain.first = problem.nums[0];
    return "<think>\nI will guess.\n</think>\n<answer>" + chain_expression(chain) + "</answer>";
  }
  const bool thorough = style < options.guess_share + options.thorough_share;
  std::bernoulli_distribution slip(options.slip_rate);
  std::bernoulli_distribution noticed(thorough ? options.thorough_slip_noticed_rate : options.slip_noticed_rate);
  std::bernoulli_distribution misread(options.compare_slip_rate);

  // trial and error: set one number aside, combine the others, then check
  // whether the gap to the target is the number set aside
  // ("5 aside: 8*3=24, 24-3=21, 24-21=3 vs 5 no")
  int64_t patience = 0;
  if (thorough) {
    patience = std::uniform_int_distribution<int64_t>(options.thorough_min_patience,
                                                      options.thorough_max_patience)(rng);
  } else if (options.give_up_rate == 0) {
    patience = std::uniform_int_distribution<int64_t>(options.min_patience, options.max_patience)(rng);
  } else {
    std::bernoulli_distribution give_up(options.give_up_rate);
    patience = options.min_patience;
    while (patience < options.max_patience && !give_up(rng)) ++patience;
  }
  std::string think = thorough ? "Let me be thorough.\n" : "";
  const double steer_rate = thorough ? options.thorough_steer_rate : options.steer_rate;
  std::string answer = std::to_string(problem.nums[0]);
  std::set<std::string> tried;  // tries already written, so that none is repeated
  for (int64_t attempt = 0; attempt < patience; ++attempt) {
    int64_t aside = 0;
    bool fresh = false;
    for (int draw = 0; draw < 20 && !fresh; ++draw) {
      // the number set aside, then the others in the prompt's order or shuffled
      std::vector<int64_t> order = problem.nums;
      const size_t aside_index = std::uniform_int_distribution<size_t>(0, order.size() - 1)(rng);
      aside = order[aside_index];
      order.erase(order.begin() + static_cast<long>(aside_index));
      if (options.shuffle_chains) std::shuffle(order.begin(), order.end(), rng);
      CountdownProblem part{order, problem.target};
      if (!steered_chain(part, options.max_intermediate, steer_rate, rng, chain)) continue;
      fresh = tried.insert(std::to_string(aside) + ":" + chain_text(chain)).second;
    }
    if (!fresh) break;

    // write the steps; a slip changes the value that later steps build on
    std::string line = std::to_string(aside) + " aside: ";
    Chain written;
    written.first = chain.first;
    int64_t value = chain.first;
    for (size_t i = 0; i < chain.steps.size(); ++i) {
      const ChainStep& planned = chain.steps[i];
      int64_t result = 0;
      apply_chain_step(value, planned.op, planned.right, 1000000, result);
      if (i > 0) line += ", ";
      if (slip(rng)) {
        int64_t wrong = slipped_result(result, rng);
        if (noticed(rng)) {
          line += step_text(value, planned.op, planned.right, wrong) + " wait, " +
                  step_text(value, planned.op, planned.right, result);
        } else {
          line += step_text(value, planned.op, planned.right, wrong);
          result = wrong;
        }
      } else {
        line += step_text(value, planned.op, planned.right, result);
      }
      written.steps.push_back({value, planned.op, planned.right, result});
      value = result;
    }

    // the gap to the target, then whether it is 0 or the number set aside.
    // Both checks compare neighbouring numbers, as in "24-19=5 vs 5 yes".
    std::string expression = chain_expression(written);
    const bool below = value <= problem.target;
    const int64_t gap = below ? problem.target - value : value - problem.target;
    line += ", " + (below ? step_text(problem.target, '-', value, gap) : step_text(value, '-', problem.target, gap));
    bool hit = gap == 0;
    if (hit) {
      answer = expression;
    } else {
      line += " vs " + std::to_string(aside);
      hit = gap == aside;
      answer = expression + (below ? "+" : "-") + std::to_string(gap);
      if (!hit && options.compare_slip_rate > 0 && std::llabs(gap - aside) <= 2 && misread(rng)) {
        if (noticed(rng)) {
          line += " yes wait, " + std::to_string(gap) + " vs " + std::to_string(aside);
        } else {
          hit = true;
          answer = expression + (below ? "+" : "-") + std::to_string(aside);
        }
      }
    }
    think += line + (hit ? " yes\n" : " no\n");
    if (hit) break;
  }
  return "<think>\n" + think + "</think>\n<answer>" + answer + "</answer>";
}

}  // namespace r1
