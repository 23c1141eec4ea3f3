#include "tasks/rl_task.h"

#include "util/error.h"

namespace r1 {

std::vector<ScoredCompletion> RLTask::score_all(const std::vector<size_t>& problems,
                                                const std::vector<std::string>& completions,
                                                const std::vector<bool>& truncated) const {
  if (problems.size() != completions.size())
    fail("score_all got {} problem indices but {} completions: pass one index per completion", problems.size(),
         completions.size());
  if (!truncated.empty() && truncated.size() != completions.size())
    fail("score_all got {} truncation flags for {} completions: pass none or one per completion", truncated.size(),
         completions.size());

  std::vector<ScoredCompletion> scored;
  scored.reserve(completions.size());
  for (size_t k = 0; k < completions.size(); ++k) scored.push_back(score(problems[k], completions[k]));
  return scored;
}

}  // namespace r1
