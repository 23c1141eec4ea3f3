#include "rewards/composite.h"

#include <chrono>
#include <cmath>
#include <exception>
#include <set>

#include "util/error.h"

namespace r1::rewards {

namespace {

std::string trim(const std::string& text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

}  // namespace

std::vector<RewardComponentSpec> parse_reward_spec(const std::string& spec) {
  std::vector<RewardComponentSpec> components;
  std::set<std::string> seen;
  if (trim(spec).empty()) fail("empty reward spec; expected e.g. 'accuracy:1.0,format:0.2'");

  size_t start = 0;
  while (start <= spec.size()) {
    size_t comma = spec.find(',', start);
    if (comma == std::string::npos) comma = spec.size();
    std::string item = trim(spec.substr(start, comma - start));
    start = comma + 1;

    // Each item is "name" or "name:weight".
    RewardComponentSpec component;
    size_t colon = item.find(':');
    component.name = trim(item.substr(0, colon));
    if (component.name.empty()) fail("reward spec '{}' has an empty name; expected 'name:weight' items", spec);
    if (colon != std::string::npos) {
      std::string weight_text = trim(item.substr(colon + 1));
      size_t used = 0;
      try {
        component.weight = std::stod(weight_text, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != weight_text.size() || !std::isfinite(component.weight)) {
        fail("invalid weight '{}' for reward '{}' in spec '{}'; use a finite number such as 0.5",
             weight_text, component.name, spec);
      }
    }
    if (!seen.insert(component.name).second) {
      fail("reward '{}' is listed twice in spec '{}'; list each reward once", component.name, spec);
    }
    components.push_back(component);
    if (comma == spec.size()) break;
  }
  return components;
}

CompositeReward::CompositeReward(const std::string& spec, const RewardRegistry& registry,
                                 const nlohmann::json& options)
    : specs_(parse_reward_spec(spec)) {
  if (!options.is_null() && !options.is_object()) {
    fail("reward options must be a JSON object mapping reward names to options, got {}", options.dump());
  }
  for (const RewardComponentSpec& component : specs_) {
    nlohmann::json component_options = nlohmann::json::object();
    if (options.is_object() && options.contains(component.name)) component_options = options.at(component.name);
    functions_.push_back(registry.create(component.name, component_options));
  }
}

CompositeResult CompositeReward::score(const RewardInput& input) const {
  auto start = std::chrono::steady_clock::now();
  CompositeResult result;
  result.components.reserve(functions_.size());
  for (size_t i = 0; i < functions_.size(); ++i) {
    RewardResult component;
    // Rewards must not throw; a broken plug-in that does is reported as an error.
    try {
      component = functions_[i]->score(input);
    } catch (const std::exception& e) {
      component = RewardResult{};
      component.status = RewardStatus::kError;
      component.details["error"] = e.what();
    }
    result.total += specs_[i].weight * component.value;
    result.components.push_back(std::move(component));
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace r1::rewards
