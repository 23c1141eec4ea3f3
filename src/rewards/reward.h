// Reward functions for GRPO: the interface that scores one completion against
// its reference, and the registry that creates reward functions by name.
//
// A reward function is stateless from the caller's view: score() is const,
// safe to call from many threads at once, and never throws. Failures inside a
// reward (an unparseable gold answer, a check that ran past its time or size
// limit, a crashed plug-in process) come back as a RewardStatus other than
// kOk, with value 0 unless the reward documents another value.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace r1::rewards {

// What a completion is scored against: the gold answer text and task data
// such as the Countdown numbers ({"nums": [..], "target": 24}).
struct RewardReference {
  std::string answer;
  nlohmann::json metadata = nlohmann::json::object();
};

// One sample to score.
struct RewardInput {
  std::string prompt;  // may be empty; rewards that need it say so
  std::string completion;
  RewardReference reference;
  // True when generation stopped at the length limit rather than at an
  // end-of-sequence token: such a completion has no final answer.
  bool truncated = false;
  // Length of the completion in tokens, or -1 when the caller has no
  // tokenizer; length rewards then count Unicode code points.
  int64_t completion_tokens = -1;
};

enum class RewardStatus {
  kOk,
  kGoldUnparseable,  // the reference answer could not be parsed: skip the sample
  kLimitExceeded,    // a time or size limit ran out: scored as incorrect
  kError,            // the reward failed (e.g. a plug-in process died or timed out)
};

const char* reward_status_name(RewardStatus status);

struct RewardResult {
  double value = 0.0;
  RewardStatus status = RewardStatus::kOk;
  std::optional<bool> correct;           // set by rewards that judge correctness
  std::optional<std::string> extracted;  // the answer taken from the completion
  nlohmann::json details = nlohmann::json::object();
};

// A named reward. Implementations must make score() thread-safe and must not
// let exceptions escape it.
class RewardFunction {
 public:
  virtual ~RewardFunction() = default;
  virtual std::string name() const = 0;
  virtual RewardResult score(const RewardInput& input) const = 0;
};

// Builds a reward from its options (a JSON object, empty for defaults).
// Factories may throw r1::Error for invalid options.
using RewardFactory =
    std::function<std::unique_ptr<RewardFunction>(const nlohmann::json& options)>;

// Named reward factories. global() already contains the built-in rewards
// (accuracy, format, language, length, cosine, repetition, external); other
// parts of the program add theirs with add() or R1_REGISTER_REWARD.
class RewardRegistry {
 public:
  static RewardRegistry& global();

  // Adds a factory; throws r1::Error when the name is already taken.
  void add(const std::string& name, const std::string& description, RewardFactory factory);
  bool contains(const std::string& name) const;
  // Throws r1::Error naming the known rewards when `name` is unknown.
  std::unique_ptr<RewardFunction> create(const std::string& name,
                                         const nlohmann::json& options = nlohmann::json::object()) const;
  // Name -> description, sorted by name.
  std::map<std::string, std::string> list() const;

 private:
  struct Entry {
    std::string description;
    RewardFactory factory;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

// Adds the built-in rewards to `registry` (global() calls this once).
void register_builtin_rewards(RewardRegistry& registry);

struct RewardRegistrar {
  RewardRegistrar(const char* name, const char* description, RewardFactory factory) {
    RewardRegistry::global().add(name, description, std::move(factory));
  }
};

}  // namespace r1::rewards

// Registers a reward at static-initialization time, from any .cpp file.
// NOTE: a static library's object file is linked only when something else in
// it is referenced, so put this next to code the program already uses, or
// call RewardRegistry::global().add() from an init function instead.
#define R1_REWARD_CONCAT_INNER(a, b) a##b
#define R1_REWARD_CONCAT(a, b) R1_REWARD_CONCAT_INNER(a, b)
#define R1_REGISTER_REWARD(name, description, factory)                                  \
  static ::r1::rewards::RewardRegistrar R1_REWARD_CONCAT(r1_reward_registrar_, __LINE__)( \
      name, description, factory)
