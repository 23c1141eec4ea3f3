// Weighted sum of named rewards, configured by a spec string such as
// "accuracy:1.0,format:0.2,language:0.1". Every component's value is kept so
// that the trainer can log each one's mean and standard deviation.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rewards/reward.h"

namespace r1::rewards {

struct RewardComponentSpec {
  std::string name;
  double weight = 1.0;
};

// Parses "name[:weight][,name[:weight]...]"; whitespace around names, weights
// and commas is ignored and a missing weight means 1.0. Throws r1::Error on an
// empty spec, an empty name, a weight that is not a finite number, or a name
// listed twice.
std::vector<RewardComponentSpec> parse_reward_spec(const std::string& spec);

struct CompositeResult {
  double total = 0.0;                     // sum of weight * component value
  std::vector<RewardResult> components;  // in spec order
  double seconds = 0.0;                   // wall time of scoring this input
};

class CompositeReward {
 public:
  // Creates each component from `registry`; `options` maps a component name to
  // its options object (components without an entry get defaults).
  CompositeReward(const std::string& spec, const RewardRegistry& registry = RewardRegistry::global(),
                  const nlohmann::json& options = nlohmann::json::object());

  const std::vector<RewardComponentSpec>& components() const { return specs_; }
  // Thread-safe; never throws.
  CompositeResult score(const RewardInput& input) const;

 private:
  std::vector<RewardComponentSpec> specs_;
  std::vector<std::unique_ptr<RewardFunction>> functions_;
};

}  // namespace r1::rewards
