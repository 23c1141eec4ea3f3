// A task with verifiable answers, as the RL trainer and the evaluator see it:
// a list of problems, each with a prompt and a rule-based scorer.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace r1 {

struct ScoredCompletion {
  double reward = 0;     // the training signal (sum of weighted components)
  bool correct = false;  // the accuracy verdict
  std::string answer;    // the extracted final answer (for majority votes)
  std::map<std::string, double> components;  // each reward component's value
};

class RLTask {
 public:
  virtual ~RLTask() = default;
  virtual size_t size() const = 0;
  // Prompt text of problem i (special tokens in written form).
  virtual std::string prompt(size_t i) const = 0;
  // Scores a completion of problem i (decoded text, no end-of-sequence token).
  virtual ScoredCompletion score(size_t i, const std::string& completion) const = 0;
  // Scores completions[k] of problem problems[k]. `truncated` is empty or
  // has one flag per completion, true where it hit the length limit.
  // The default calls score() in order and ignores the flags. A task may
  // override it to score on threads or to pass the flags to its rewards.
  virtual std::vector<ScoredCompletion> score_all(const std::vector<size_t>& problems,
                                                  const std::vector<std::string>& completions,
                                                  const std::vector<bool>& truncated) const;
};

}  // namespace r1
