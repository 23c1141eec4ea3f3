#include "rewards/reward.h"

#include <fmt/format.h>

#include "util/error.h"

namespace r1::rewards {

const char* reward_status_name(RewardStatus status) {
  switch (status) {
    case RewardStatus::kOk: return "ok";
    case RewardStatus::kGoldUnparseable: return "gold_unparseable";
    case RewardStatus::kLimitExceeded: return "limit_exceeded";
    case RewardStatus::kError: return "error";
  }
  return "unknown";
}

RewardRegistry& RewardRegistry::global() {
  static RewardRegistry* registry = [] {
    auto* created = new RewardRegistry();
    register_builtin_rewards(*created);
    return created;
  }();
  return *registry;
}

void RewardRegistry::add(const std::string& name, const std::string& description, RewardFactory factory) {
  if (name.empty() || name.find_first_of(":, \t") != std::string::npos) {
    fail("invalid reward name '{}': use a non-empty name without ':', ',' or spaces", name);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (entries_.count(name) != 0) fail("reward '{}' is already registered; pick another name", name);
  entries_.emplace(name, Entry{description, std::move(factory)});
}

bool RewardRegistry::contains(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.count(name) != 0;
}

std::unique_ptr<RewardFunction> RewardRegistry::create(const std::string& name,
                                                       const nlohmann::json& options) const {
  RewardFactory factory;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = entries_.find(name);
    if (found == entries_.end()) {
      std::string known;
      for (const auto& [known_name, entry] : entries_) known += (known.empty() ? "" : ", ") + known_name;
      fail("unknown reward '{}'; registered rewards: {}", name, known);
    }
    factory = found->second.factory;
  }
  if (!options.is_null() && !options.is_object()) {
    fail("options of reward '{}' must be a JSON object, got {}", name, options.dump());
  }
  return factory(options.is_null() ? nlohmann::json::object() : options);
}

std::map<std::string, std::string> RewardRegistry::list() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::map<std::string, std::string> result;
  for (const auto& [name, entry] : entries_) result[name] = entry.description;
  return result;
}

}  // namespace r1::rewards
