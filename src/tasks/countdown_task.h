// Countdown as an RL task: reward = accuracy + format_weight * format.
#pragma once

#include <vector>

#include "tasks/countdown.h"
#include "tasks/rl_task.h"

namespace r1 {

class CountdownTask : public RLTask {
 public:
  CountdownTask(std::vector<CountdownProblem> problems, double format_weight = 0.1,
                CountdownCheckOptions check = {});

  size_t size() const override { return problems_.size(); }
  std::string prompt(size_t i) const override;
  ScoredCompletion score(size_t i, const std::string& completion) const override;
  const std::vector<CountdownProblem>& problems() const { return problems_; }

 private:
  std::vector<CountdownProblem> problems_;
  double format_weight_;
  CountdownCheckOptions check_;
};

}  // namespace r1
