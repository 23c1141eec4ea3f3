#include "tasks/reward_task.h"

#include <cmath>
#include <fstream>

#include <fmt/format.h>

#include "rewards/accuracy_reward.h"
#include "rewards/math/checker.h"
#include "tasks/prompt_template.h"
#include "util/error.h"

namespace r1 {

namespace {

// The question field of `object`, with the fallbacks of the default field.
const nlohmann::json* find_question(const nlohmann::json& object, const std::string& field) {
  if (object.contains(field)) return &object.at(field);
  if (field != "problem") return nullptr;
  for (const char* fallback : {"question", "prompt"}) {
    if (object.contains(fallback)) return &object.at(fallback);
  }
  return nullptr;
}

// Parses one JSONL line into a record; throws r1::Error with the reason only
// (the caller adds file and line).
RewardTaskRecord parse_record(const std::string& text, const RewardTaskOptions& options) {
  nlohmann::json object;
  try {
    object = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    fail("malformed JSON ({})", e.what());
  }
  if (!object.is_object()) fail("expected a JSON object, got {}", object.type_name());

  // Question.
  const nlohmann::json* question = find_question(object, options.prompt_field);
  if (question == nullptr) {
    fail("missing prompt field '{}'{}; set the prompt field option", options.prompt_field,
         options.prompt_field == "problem" ? " (also tried 'question' and 'prompt')" : "");
  }
  if (!question->is_string() || question->get<std::string>().empty()) {
    fail("prompt field must be a non-empty string, got {}", question->dump());
  }

  // Gold answer, optionally the text after a marker such as GSM8K's "####".
  if (!object.contains(options.answer_field)) {
    fail("missing answer field '{}'; set the answer field option", options.answer_field);
  }
  std::string answer = answer_text_from_json(object.at(options.answer_field));
  if (!options.answer_after.empty()) {
    size_t marker = answer.rfind(options.answer_after);
    if (marker == std::string::npos) {
      fail("answer field '{}' has no '{}' marker", options.answer_field, options.answer_after);
    }
    answer = answer.substr(marker + options.answer_after.size());
  }

  RewardTaskRecord record;
  record.question = question->get<std::string>();
  record.answer = answer;
  return record;
}

}  // namespace

std::string answer_text_from_json(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return value.dump();
  if (value.is_number_float()) {
    double number = value.get<double>();
    if (std::isfinite(number) && number == std::round(number) && std::fabs(number) < 1e15) {
      return fmt::format("{}", static_cast<long long>(number));
    }
    return fmt::format("{}", number);
  }
  fail("answer must be a string or a number, got {} {}", value.type_name(), value.dump());
}

std::vector<RewardTaskRecord> load_reward_task_records(const std::string& path, const RewardTaskOptions& options,
                                                       RewardTaskLoadReport* report) {
  std::ifstream in(path);
  if (!in) fail("task file {} not found or not readable: check the path", path);

  RewardTaskLoadReport local;
  RewardTaskLoadReport& counts = report ? *report : local;
  counts.path = path;

  std::vector<RewardTaskRecord> records;
  std::string text;
  size_t line = 0;
  while (std::getline(in, text)) {
    ++line;
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) continue;
    ++counts.lines;
    try {
      RewardTaskRecord record = parse_record(text, options);
      record.line = line;
      records.push_back(std::move(record));
    } catch (const Error& e) {
      std::string message = fmt::format("{}:{}: {}", path, line, e.what());
      if (!options.skip_bad_records) {
        throw Error(message + " (or enable skipping bad records)");
      }
      ++counts.bad_records;
      counts.errors.push_back(message);
    }
  }

  if (counts.lines == 0) fail("task file {} is empty: expected one JSON object per line", path);
  if (records.empty()) fail("task file {} has no valid records ({} bad lines)", path, counts.bad_records);
  return records;
}

RewardTask::RewardTask(std::vector<RewardTaskRecord> records, const RewardTaskOptions& options,
                       RewardTaskLoadReport report)
    : options_(options), report_(std::move(report)) {
  template_text_ = resolve_prompt_template(options.prompt_template);
  reward_ = std::make_shared<const rewards::CompositeReward>(options.reward_spec, rewards::RewardRegistry::global(),
                                                             options.reward_options);
  const auto& components = reward_->components();
  for (size_t c = 0; c < components.size(); ++c) {
    if (components[c].name == "accuracy") accuracy_index_ = static_cast<int>(c);
  }

  // Check each gold answer against itself: the checker reports an
  // unparseable gold answer whatever the completion is.
  nlohmann::json accuracy_options = options.reward_options.value("accuracy", nlohmann::json::object());
  rewards::math::CheckLimits limits = rewards::parse_check_options(accuracy_options).limits;
  for (RewardTaskRecord& record : records) {
    std::string gold = rewards::math::gold_answer_text(record.answer);
    rewards::math::CheckResult check = rewards::math::check_answer(gold, record.answer, limits);
    record.gold_parseable = check.status != rewards::math::CheckStatus::kGoldUnparseable;
    if (record.gold_parseable) {
      records_.push_back(std::move(record));
      continue;
    }
    ++report_.unparseable_gold;
    report_.errors.push_back(fmt::format("{}:{}: gold answer '{}' cannot be parsed ({})", report_.path, record.line,
                                         record.answer, check.detail));
    if (!options.drop_unparseable_gold) records_.push_back(std::move(record));
  }
  report_.loaded = records_.size();
  if (records_.empty()) fail("task {} has no records with a parseable gold answer", report_.path);
}

RewardTask RewardTask::from_jsonl(const std::string& path, const RewardTaskOptions& options) {
  RewardTaskLoadReport report;
  std::vector<RewardTaskRecord> records = load_reward_task_records(path, options, &report);
  return RewardTask(std::move(records), options, std::move(report));
}

std::string RewardTask::prompt(size_t i) const { return render_prompt(template_text_, records_.at(i).question); }

rewards::RewardInput RewardTask::make_input(size_t i, const std::string& completion, bool truncated) const {
  const RewardTaskRecord& record = records_.at(i);
  rewards::RewardInput input;
  input.completion = completion;
  input.reference.answer = record.answer;
  input.truncated = truncated;
  return input;
}

ScoredCompletion RewardTask::to_scored(size_t i, const rewards::CompositeResult& result) const {
  ScoredCompletion scored;
  scored.reward = result.total;
  const auto& components = reward_->components();
  for (size_t c = 0; c < components.size(); ++c) scored.components[components[c].name] = result.components[c].value;

  // The verdict and the answer for majority votes come from the accuracy
  // component; a record with an unparseable gold answer is never correct.
  if (accuracy_index_ >= 0) {
    const rewards::RewardResult& accuracy = result.components[accuracy_index_];
    scored.correct = accuracy.correct.value_or(false) && accuracy.status == rewards::RewardStatus::kOk &&
                     records_.at(i).gold_parseable;
    scored.answer = accuracy.extracted.value_or("");
  }
  return scored;
}

ScoredCompletion RewardTask::score(size_t i, const std::string& completion) const {
  return to_scored(i, reward_->score(make_input(i, completion, false)));
}

const rewards::BatchScorer& RewardTask::scorer() const {
  std::call_once(*scorer_once_, [this] { scorer_ = std::make_unique<rewards::BatchScorer>(reward_, options_.threads); });
  return *scorer_;
}

RewardTaskBatch RewardTask::score_batch(const std::vector<size_t>& problems, const std::vector<std::string>& completions,
                                        const std::vector<bool>& truncated) const {
  if (problems.size() != completions.size()) {
    fail("score_batch got {} problem indices but {} completions: pass one index per completion", problems.size(),
         completions.size());
  }
  if (!truncated.empty() && truncated.size() != completions.size()) {
    fail("score_batch got {} truncation flags for {} completions: pass none or one per completion", truncated.size(),
         completions.size());
  }

  std::vector<rewards::RewardInput> inputs;
  inputs.reserve(completions.size());
  for (size_t k = 0; k < completions.size(); ++k) {
    if (problems[k] >= records_.size()) fail("problem index {} out of range: the task has {}", problems[k], records_.size());
    inputs.push_back(make_input(problems[k], completions[k], !truncated.empty() && truncated[k]));
  }

  RewardTaskBatch batch;
  batch.scores = scorer().score(inputs);
  for (size_t k = 0; k < completions.size(); ++k) batch.scored.push_back(to_scored(problems[k], batch.scores.results[k]));
  return batch;
}

std::vector<ScoredCompletion> RewardTask::score_all(const std::vector<size_t>& problems,
                                                    const std::vector<std::string>& completions,
                                                    const std::vector<bool>& truncated) const {
  return score_batch(problems, completions, truncated).scored;
}

}  // namespace r1
