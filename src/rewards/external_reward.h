// The "external" reward: a plug-in process that scores completions over JSON
// lines on stdin/stdout, so a reward can be written in any language.
//
// Request (one line per completion):
//   {"prompt": "...", "completion": "...", "answer": "...", "metadata": {...}, "truncated": false}
// Response (one line):
//   {"reward": 0.5, "correct": true, "extracted": "...", "details": {...}}
// where only "reward" is required. A process that does not answer within the
// timeout, exits, or writes an invalid line is killed and restarted for the
// next request; that request scores `error_value` with RewardStatus::kError.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rewards/reward.h"

namespace r1::rewards {

struct ExternalOptions {
  std::vector<std::string> command;  // argv; searched in PATH
  double timeout_ms = 10000.0;       // per request
  double startup_timeout_ms = 60000.0;  // added to the first request after a (re)start
  size_t processes = 1;              // parallel plug-in processes
  double error_value = 0.0;
};

// One plug-in process, restarted on failure. Not thread-safe; the reward
// serializes access with a mutex per process.
class PluginProcess {
 public:
  explicit PluginProcess(std::vector<std::string> command);
  ~PluginProcess();
  PluginProcess(const PluginProcess&) = delete;
  PluginProcess& operator=(const PluginProcess&) = delete;

  // Sends one request line and returns the response line, starting the
  // process first when it is not running (that request may also take
  // `startup_timeout_ms`). Throws r1::Error on timeout, exit or a failed
  // write, after killing the process.
  std::string request(const std::string& line, double timeout_ms, double startup_timeout_ms);
  size_t restarts() const { return restarts_; }

 private:
  void start();
  void stop();

  std::vector<std::string> command_;
  int pid_ = -1;
  int to_child_ = -1;
  int from_child_ = -1;
  std::string buffer_;
  size_t starts_ = 0;
  size_t restarts_ = 0;
};

class ExternalReward : public RewardFunction {
 public:
  // Options: "command" (string split on spaces, or list of strings; required),
  // "timeout_ms", "startup_timeout_ms", "processes", "error_value", "name".
  explicit ExternalReward(const nlohmann::json& options);
  std::string name() const override { return name_; }
  RewardResult score(const RewardInput& input) const override;

 private:
  struct Slot {
    std::mutex mutex;
    std::unique_ptr<PluginProcess> process;
  };
  ExternalOptions options_;
  std::string name_ = "external";
  std::vector<std::unique_ptr<Slot>> slots_;
  mutable std::mutex next_mutex_;
  mutable size_t next_slot_ = 0;
};

}  // namespace r1::rewards
