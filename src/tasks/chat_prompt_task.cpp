#include "tasks/chat_prompt_task.h"

namespace r1 {

ChatPromptTask::ChatPromptTask(const RLTask& inner, ChatTemplate chat_template, std::string system_message)
    : inner_(inner), chat_template_(std::move(chat_template)), system_message_(std::move(system_message)) {}

std::string ChatPromptTask::prompt(size_t i) const {
  nlohmann::ordered_json messages = nlohmann::ordered_json::array();
  if (!system_message_.empty()) messages.push_back({{"role", "system"}, {"content", system_message_}});
  messages.push_back({{"role", "user"}, {"content", inner_.prompt(i)}});
  return chat_template_.render(messages, /*add_generation_prompt=*/true);
}

}  // namespace r1
