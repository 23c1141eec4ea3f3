// Scores batches of completions on a thread pool: what the GRPO trainer calls
// once per rollout batch.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "rewards/composite.h"
#include "rewards/reward.h"

namespace r1::rewards {

// Mean and population standard deviation of one reward over a batch.
struct RewardStats {
  std::string name;
  double weight = 1.0;
  double mean = 0.0;
  double std = 0.0;
  size_t count = 0;
  size_t correct = 0;          // results with correct == true
  size_t judged = 0;           // results with `correct` set
  size_t gold_unparseable = 0; // RewardStatus::kGoldUnparseable
  size_t limit_exceeded = 0;   // RewardStatus::kLimitExceeded
  size_t errors = 0;           // RewardStatus::kError
};

struct BatchScores {
  std::vector<CompositeResult> results;  // one per input, in input order
  std::vector<RewardStats> components;   // one per component, in spec order
  RewardStats total;                     // statistics of CompositeResult::total
};

// Summarizes results already computed (e.g. by a caller's own loop).
BatchScores summarize_scores(const CompositeReward& reward, std::vector<CompositeResult> results);

class BatchScorer {
 public:
  // `threads` = 0 uses std::thread::hardware_concurrency().
  explicit BatchScorer(std::shared_ptr<const CompositeReward> reward, size_t threads = 0);
  ~BatchScorer();
  BatchScorer(const BatchScorer&) = delete;
  BatchScorer& operator=(const BatchScorer&) = delete;

  // Scores every input; safe to call from several threads at once (the calls
  // share the pool). Never throws for reward failures.
  BatchScores score(const std::vector<RewardInput>& inputs) const;

  const CompositeReward& reward() const { return *reward_; }
  size_t threads() const { return workers_.size(); }

 private:
  void run_worker();
  void submit(std::function<void()> task) const;

  std::shared_ptr<const CompositeReward> reward_;
  std::vector<std::thread> workers_;
  mutable std::mutex mutex_;
  mutable std::condition_variable ready_;
  mutable std::queue<std::function<void()>> tasks_;
  bool stopping_ = false;
};

}  // namespace r1::rewards
