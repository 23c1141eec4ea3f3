#include "tasks/countdown_task.h"

namespace r1 {

CountdownTask::CountdownTask(std::vector<CountdownProblem> problems, double format_weight,
                             CountdownCheckOptions check)
    : problems_(std::move(problems)), format_weight_(format_weight), check_(check) {}

std::string CountdownTask::prompt(size_t i) const { return countdown_prompt(problems_.at(i)); }

ScoredCompletion CountdownTask::score(size_t i, const std::string& completion) const {
  CountdownVerdict verdict = check_countdown(completion, problems_.at(i), check_);
  ScoredCompletion scored;
  scored.correct = verdict.correct;
  scored.answer = verdict.value;  // majority votes compare values
  scored.components["accuracy"] = verdict.correct ? 1.0 : 0.0;
  scored.components["format"] = verdict.format_ok ? 1.0 : 0.0;
  scored.reward = scored.components["accuracy"] + format_weight_ * scored.components["format"];
  return scored;
}

}  // namespace r1
