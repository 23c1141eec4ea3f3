#include "rewards/batch_scorer.h"

#include <algorithm>
#include <atomic>
#include <cmath>

namespace r1::rewards {

namespace {

// Accumulates mean and population standard deviation with Welford's update.
struct RunningStats {
  size_t count = 0;
  double mean = 0.0;
  double m2 = 0.0;

  void add(double value) {
    ++count;
    double delta = value - mean;
    mean += delta / static_cast<double>(count);
    m2 += delta * (value - mean);
  }
  double std() const { return count == 0 ? 0.0 : std::sqrt(m2 / static_cast<double>(count)); }
};

void count_result(const RewardResult& result, RewardStats& stats) {
  if (result.correct.has_value()) {
    ++stats.judged;
    if (*result.correct) ++stats.correct;
  }
  switch (result.status) {
    case RewardStatus::kOk: break;
    case RewardStatus::kGoldUnparseable: ++stats.gold_unparseable; break;
    case RewardStatus::kLimitExceeded: ++stats.limit_exceeded; break;
    case RewardStatus::kError: ++stats.errors; break;
  }
}

}  // namespace

BatchScores summarize_scores(const CompositeReward& reward, std::vector<CompositeResult> results) {
  BatchScores scores;
  const auto& specs = reward.components();
  std::vector<RunningStats> running(specs.size());
  RunningStats total_running;
  scores.components.resize(specs.size());
  scores.total.name = "total";

  for (const CompositeResult& result : results) {
    total_running.add(result.total);
    for (size_t i = 0; i < specs.size() && i < result.components.size(); ++i) {
      running[i].add(result.components[i].value);
      count_result(result.components[i], scores.components[i]);
    }
  }

  for (size_t i = 0; i < specs.size(); ++i) {
    RewardStats& stats = scores.components[i];
    stats.name = specs[i].name;
    stats.weight = specs[i].weight;
    stats.count = running[i].count;
    stats.mean = running[i].mean;
    stats.std = running[i].std();
  }
  scores.total.count = total_running.count;
  scores.total.mean = total_running.mean;
  scores.total.std = total_running.std();
  scores.results = std::move(results);
  return scores;
}

BatchScorer::BatchScorer(std::shared_ptr<const CompositeReward> reward, size_t threads)
    : reward_(std::move(reward)) {
  if (threads == 0) threads = std::max<size_t>(1, std::thread::hardware_concurrency());
  for (size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { run_worker(); });
}

BatchScorer::~BatchScorer() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

void BatchScorer::run_worker() {
  while (true) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;  // stopping and drained
      task = std::move(tasks_.front());
      tasks_.pop();
    }
    task();
  }
}

void BatchScorer::submit(std::function<void()> task) const {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    tasks_.push(std::move(task));
  }
  ready_.notify_one();
}

BatchScores BatchScorer::score(const std::vector<RewardInput>& inputs) const {
  std::vector<CompositeResult> results(inputs.size());

  // Workers claim inputs one at a time from a shared counter, so one slow
  // completion does not hold up a whole chunk. Each call has its own counter
  // and completion latch, which keeps concurrent calls independent.
  struct CallState {
    std::atomic<size_t> next{0};
    std::mutex mutex;
    std::condition_variable done;
    size_t finished_tasks = 0;
  };
  auto state = std::make_shared<CallState>();
  size_t task_count = std::min(workers_.size(), inputs.size());
  for (size_t t = 0; t < task_count; ++t) {
    submit([this, state, &inputs, &results] {
      for (size_t i = state->next.fetch_add(1); i < inputs.size(); i = state->next.fetch_add(1)) {
        results[i] = reward_->score(inputs[i]);
      }
      std::lock_guard<std::mutex> lock(state->mutex);
      ++state->finished_tasks;
      state->done.notify_all();
    });
  }
  {
    std::unique_lock<std::mutex> lock(state->mutex);
    state->done.wait(lock, [&] { return state->finished_tasks == task_count; });
  }
  return summarize_scores(*reward_, std::move(results));
}

}  // namespace r1::rewards
