// An RL task whose prompts are another task's prompts rendered as one user
// message by a chat template, after an optional system message: how
// instruction-tuned models see a question.
#pragma once

#include <string>

#include "chat/chat_template.h"
#include "tasks/rl_task.h"

namespace r1 {

class ChatPromptTask : public RLTask {
 public:
  // `inner` must outlive this task. An empty `system_message` adds no system
  // message.
  ChatPromptTask(const RLTask& inner, ChatTemplate chat_template, std::string system_message = "");

  size_t size() const override { return inner_.size(); }
  // The chat template's rendering of [system, user: inner.prompt(i)] with the
  // generation prompt, so the text already contains the template's special
  // tokens (encode it without adding a begin-of-sequence token).
  std::string prompt(size_t i) const override;
  ScoredCompletion score(size_t i, const std::string& completion) const override {
    return inner_.score(i, completion);
  }

 private:
  const RLTask& inner_;
  ChatTemplate chat_template_;
  std::string system_message_;
};

}  // namespace r1
