// A question-answer RL task over any JSONL dataset (GSM8K, MATH, AIME, ...):
// each line is a JSON object with a question and a gold answer, the prompt
// comes from a template, and completions are scored by a CompositeReward.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rewards/batch_scorer.h"
#include "rewards/composite.h"
#include "tasks/rl_task.h"

namespace r1 {

struct RewardTaskOptions {
  // Field of the question. When it is "problem" (the default) and absent,
  // "question" and then "prompt" are tried.
  std::string prompt_field = "problem";
  std::string answer_field = "answer";
  // When non-empty, the gold answer is the text after the last occurrence of
  // this marker (GSM8K: "####"). Records without the marker are bad records.
  std::string answer_after;
  // Template name ("r1", "math", "raw") or a text containing "{question}".
  std::string prompt_template = "r1";
  std::string reward_spec = "accuracy:1.0,format:0.2";
  // Component name -> options object, e.g. {"accuracy": {"dataset": "gsm8k"}}.
  nlohmann::json reward_options = nlohmann::json::object();
  // Skip malformed lines and records without a question or answer (counted in
  // RewardTaskLoadReport::bad_records) instead of throwing.
  bool skip_bad_records = false;
  // Drop records whose gold answer the accuracy reward cannot parse (counted
  // in RewardTaskLoadReport::unparseable_gold) instead of keeping them as
  // problems that are never scored as correct.
  bool drop_unparseable_gold = true;
  // Threads of score_batch(); 0 uses std::thread::hardware_concurrency().
  size_t threads = 0;
};

struct RewardTaskRecord {
  std::string question;
  std::string answer;  // the gold answer text given to the rewards
  size_t line = 0;     // 1-based line in the source file (0 when built in memory)
  bool gold_parseable = true;
};

struct RewardTaskLoadReport {
  std::string path;
  size_t lines = 0;             // non-blank lines read
  size_t loaded = 0;            // records kept
  size_t bad_records = 0;       // skipped because of skip_bad_records
  size_t unparseable_gold = 0;  // gold answers the accuracy reward cannot parse
  std::vector<std::string> errors;  // "file:line: reason" of each bad or unparseable record
};

// Reads the records of a JSONL file. Throws r1::Error naming the file and the
// line for a missing or empty file, malformed JSON, or a missing field (unless
// options.skip_bad_records). Gold answers are not checked here.
std::vector<RewardTaskRecord> load_reward_task_records(const std::string& path, const RewardTaskOptions& options,
                                                       RewardTaskLoadReport* report = nullptr);

// Converts a JSON answer value to text: strings as they are, integral numbers
// without a decimal point (27.0 -> "27"), other numbers in shortest form.
// Throws r1::Error for other types.
std::string answer_text_from_json(const nlohmann::json& value);

// One batch of scored completions with per-component statistics.
struct RewardTaskBatch {
  std::vector<ScoredCompletion> scored;  // in input order
  rewards::BatchScores scores;           // the raw composite results and statistics
};

class RewardTask : public RLTask {
 public:
  // Checks every gold answer with the accuracy reward's parser; `report`
  // carries the loading counts into load_report().
  RewardTask(std::vector<RewardTaskRecord> records, const RewardTaskOptions& options = {},
             RewardTaskLoadReport report = {});
  // Loads `path` with load_reward_task_records() and checks every gold answer.
  static RewardTask from_jsonl(const std::string& path, const RewardTaskOptions& options = {});

  size_t size() const override { return records_.size(); }
  std::string prompt(size_t i) const override;
  // reward = the composite's total; correct = the accuracy component's verdict
  // (false without one, or when the gold answer is unparseable); answer = the
  // accuracy component's extracted answer.
  ScoredCompletion score(size_t i, const std::string& completion) const override;
  // Scores with score_batch(), so on the thread pool and with the truncation flags.
  std::vector<ScoredCompletion> score_all(const std::vector<size_t>& problems,
                                          const std::vector<std::string>& completions,
                                          const std::vector<bool>& truncated) const override;
  // Scores completions[k] of problem problems[k] on the thread pool.
  // `truncated` is empty or one flag per completion (stopped at the length limit).
  RewardTaskBatch score_batch(const std::vector<size_t>& problems, const std::vector<std::string>& completions,
                              const std::vector<bool>& truncated = {}) const;

  const std::vector<RewardTaskRecord>& records() const { return records_; }
  const RewardTaskLoadReport& load_report() const { return report_; }
  // Records dropped or kept with an unparseable gold answer.
  size_t skipped() const { return report_.unparseable_gold + report_.bad_records; }
  const rewards::CompositeReward& reward() const { return *reward_; }

 private:
  rewards::RewardInput make_input(size_t i, const std::string& completion, bool truncated) const;
  ScoredCompletion to_scored(size_t i, const rewards::CompositeResult& result) const;
  const rewards::BatchScorer& scorer() const;

  std::vector<RewardTaskRecord> records_;
  RewardTaskOptions options_;
  std::string template_text_;
  std::shared_ptr<const rewards::CompositeReward> reward_;
  int accuracy_index_ = -1;  // position of "accuracy" in the spec, -1 when absent
  RewardTaskLoadReport report_;
  std::unique_ptr<std::once_flag> scorer_once_ = std::make_unique<std::once_flag>();
  mutable std::unique_ptr<rewards::BatchScorer> scorer_;
};

}  // namespace r1
