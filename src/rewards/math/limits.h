// Hard limits of one answer check. Every check runs under a CheckBudget, and
// running out of it aborts the check with LimitExceeded, which the checker
// turns into "incorrect" with RewardStatus::kLimitExceeded.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>

namespace r1::rewards::math {

struct CheckLimits {
  double time_ms = 50.0;              // wall time of one check (extraction, parsing, comparison)
  size_t max_answer_bytes = 4096;     // longer extracted or gold answers are not parsed
  size_t max_completion_bytes = 1 << 22;  // longer completions are not searched
  int max_depth = 200;                // nesting depth of the parser and the evaluator
  size_t max_nodes = 20000;           // expression tree nodes per answer
  size_t max_exact_bits = 1 << 16;    // size of an exact rational before falling back to floating point
};

struct LimitExceeded : std::runtime_error {
  explicit LimitExceeded(const char* what) : std::runtime_error(what) {}
};

// Deadline and step counter shared by the stages of one check. Not
// thread-safe: each check owns its budget.
class CheckBudget {
 public:
  explicit CheckBudget(const CheckLimits& limits)
      : limits_(limits),
        deadline_(std::chrono::steady_clock::now() +
                  std::chrono::microseconds(static_cast<int64_t>(limits.time_ms * 1000.0))) {}

  const CheckLimits& limits() const { return limits_; }

  // Counts one unit of work and checks the clock every 64 units.
  void tick() {
    if ((++steps_ & 63) == 0 && std::chrono::steady_clock::now() > deadline_) {
      throw LimitExceeded("time limit");
    }
  }
  void check_time() const {
    if (std::chrono::steady_clock::now() > deadline_) throw LimitExceeded("time limit");
  }

 private:
  CheckLimits limits_;
  std::chrono::steady_clock::time_point deadline_;
  uint64_t steps_ = 0;
};

}  // namespace r1::rewards::math
