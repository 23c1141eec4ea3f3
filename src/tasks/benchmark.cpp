#include "tasks/benchmark.h"

#include <fstream>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "rewards/math/checker.h"
#include "tasks/countdown_task.h"
#include "tasks/prompt_template.h"
#include "tasks/reward_task.h"
#include "util/error.h"

namespace r1 {

namespace {

std::vector<BenchmarkSpec> builtin_specs() {
  std::vector<BenchmarkSpec> specs;

  BenchmarkSpec gsm8k;
  gsm8k.name = "gsm8k";
  gsm8k.prompt_field = "question";
  gsm8k.answer_field = "answer";
  gsm8k.answer_after = "####";
  gsm8k.accuracy_dataset = "gsm8k";
  gsm8k.source = "github.com/openai/grade-school-math grade_school_math/data/test.jsonl (1,319 problems)";
  specs.push_back(gsm8k);

  BenchmarkSpec math500;
  math500.name = "math500";
  math500.prompt_field = "problem";
  math500.answer_field = "answer";
  math500.id_field = "unique_id";
  math500.group_fields = {{"level", "level"}, {"subject", "subject"}};
  math500.source = "github.com/hkust-nlp/simpleRL-reason examples/simplelr_math_eval/data/math500/test.jsonl (500 problems)";
  specs.push_back(math500);

  // The full MATH test set: the gold answer is the last \boxed{} of the solution.
  BenchmarkSpec math;
  math.name = "math";
  math.prompt_field = "problem";
  math.answer_field = "solution";
  math.id_field = "idx";
  math.group_fields = {{"level", "level"}, {"type", "subject"}};
  math.source = "github.com/ZubinGou/math-evaluation-harness data/math/test.jsonl (5,000 problems)";
  specs.push_back(math);

  BenchmarkSpec aime24;
  aime24.name = "aime24";
  aime24.prompt_field = "problem";
  aime24.answer_field = "answer";
  aime24.id_field = "id";
  aime24.source = "github.com/QwenLM/Qwen2.5-Math evaluation/data/aime24/test.jsonl (30 problems)";
  specs.push_back(aime24);

  BenchmarkSpec aime25;
  aime25.name = "aime25";
  aime25.prompt_field = "problem";
  aime25.answer_field = "answer";
  aime25.source = "github.com/Zhuofeng-Li/math-evaluation-harness data/aime25/test.jsonl (30 problems)";
  specs.push_back(aime25);

  BenchmarkSpec amc23;
  amc23.name = "amc23";
  amc23.prompt_field = "problem";
  amc23.answer_field = "answer";
  amc23.id_field = "id";
  amc23.source = "github.com/QwenLM/Qwen2.5-Math evaluation/data/amc23/test.jsonl (40 problems)";
  specs.push_back(amc23);

  // Countdown records are {"target": N, "nums": [...]}; the question is the
  // built-in model's "Using a b c make N." line.
  BenchmarkSpec countdown;
  countdown.name = "countdown";
  countdown.prompt_template = "raw";
  countdown.accuracy_dataset = "";
  countdown.source = "the Hugging Face dataset Jiayi-Pan/Countdown-Tasks-3to4 as JSONL {target, nums}";
  specs.push_back(countdown);
  return specs;
}

// A group value as text: "Level 3" and 3 both become "3".
std::string group_value(const nlohmann::json& value) {
  std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  const std::string level_prefix = "Level ";
  if (text.rfind(level_prefix, 0) == 0) text = text.substr(level_prefix.size());
  return text;
}

// The id of a record: its id field as text, or its line number.
std::string record_id(const nlohmann::json& record, const BenchmarkSpec& spec, size_t line) {
  if (spec.id_field.empty()) return std::to_string(line);
  if (!record.contains(spec.id_field)) fail("missing id field '{}'; set the id field option", spec.id_field);
  const nlohmann::json& id = record.at(spec.id_field);
  if (id.is_string()) return id.get<std::string>();
  if (id.is_number_integer()) return id.dump();
  fail("id field '{}' must be a string or an integer, got {}", spec.id_field, id.dump());
}

// Wraps the Countdown task's question in a prompt template.
class TemplatedCountdownTask : public RLTask {
 public:
  TemplatedCountdownTask(std::vector<CountdownProblem> problems, std::string template_text)
      : task_(std::move(problems)), template_text_(std::move(template_text)) {}
  size_t size() const override { return task_.size(); }
  std::string prompt(size_t i) const override { return render_prompt(template_text_, task_.prompt(i)); }
  ScoredCompletion score(size_t i, const std::string& completion) const override {
    return task_.score(i, completion);
  }

 private:
  CountdownTask task_;
  std::string template_text_;
};

// Records a bad record: throws unless skipping, else counts it.
void reject_record(LoadedBenchmark& loaded, bool skip, const std::string& message) {
  if (!skip) throw Error(message + " (or enable skipping bad records)");
  ++loaded.bad_records;
  loaded.errors.push_back(message);
}

// Checks the id of a kept record against the earlier ones; false for a
// duplicate that was skipped.
bool accept_id(LoadedBenchmark& loaded, std::map<std::string, size_t>& first_line, const std::string& id,
               size_t line, bool skip) {
  auto [it, inserted] = first_line.emplace(id, line);
  if (inserted) return true;
  reject_record(loaded, skip,
                fmt::format("{}:{}: duplicate id '{}' (first on line {})", loaded.data_path, line, id, it->second));
  return false;
}

void load_countdown(const BenchmarkOptions& options, LoadedBenchmark& loaded) {
  std::ifstream in(options.data_path);
  if (!in) fail("benchmark file {} not found or not readable: check the path", options.data_path);

  std::vector<CountdownProblem> problems;
  std::map<std::string, size_t> first_line;
  std::string text;
  size_t line = 0;
  while (std::getline(in, text)) {
    ++line;
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) continue;
    ++loaded.lines;
    CountdownProblem problem;
    BenchmarkProblem entry;
    entry.line = line;
    try {
      problem = parse_countdown_record(text);
      entry.id = record_id(nlohmann::json::parse(text), loaded.spec, line);
      entry.gold = std::to_string(problem.target);
    } catch (const Error& e) {
      reject_record(loaded, options.skip_bad_records,
                    fmt::format("{}:{}: malformed Countdown record ({}); expected {{\"target\": N, \"nums\": [...]}}",
                                options.data_path, line, e.what()));
      continue;
    }
    if (!accept_id(loaded, first_line, entry.id, line, options.skip_bad_records)) continue;
    problems.push_back(std::move(problem));
    loaded.problems.push_back(std::move(entry));
  }
  if (loaded.lines == 0) fail("benchmark file {} is empty: expected one JSON object per line", options.data_path);
  if (problems.empty()) fail("benchmark file {} has no valid records ({} bad lines)", options.data_path, loaded.bad_records);
  loaded.task = std::make_unique<TemplatedCountdownTask>(std::move(problems), loaded.prompt_template_text);
}

void load_question_answer(const BenchmarkOptions& options, LoadedBenchmark& loaded) {
  const BenchmarkSpec& spec = loaded.spec;
  RewardTaskOptions task_options;
  task_options.prompt_field = spec.prompt_field;
  task_options.answer_field = spec.answer_field;
  task_options.answer_after = spec.answer_after;
  task_options.prompt_template = loaded.prompt_template_text;
  task_options.reward_spec = "accuracy:1.0";
  task_options.reward_options = {{"accuracy", {{"dataset", spec.accuracy_dataset}}}};
  task_options.skip_bad_records = options.skip_bad_records;
  task_options.threads = options.scoring_threads;

  // Questions and answers, with file:line errors for bad records.
  RewardTaskLoadReport report;
  std::vector<RewardTaskRecord> records = load_reward_task_records(options.data_path, task_options, &report);
  loaded.lines = report.lines;
  loaded.bad_records = report.bad_records;
  loaded.errors = report.errors;

  // Ids and group fields come from a second read of the kept lines.
  std::ifstream in(options.data_path);
  std::map<size_t, nlohmann::json> objects;
  std::set<size_t> record_lines;
  for (const RewardTaskRecord& record : records) record_lines.insert(record.line);
  std::string text;
  for (size_t line = 1; std::getline(in, text); ++line)
    if (record_lines.count(line)) objects[line] = nlohmann::json::parse(text);

  std::vector<RewardTaskRecord> valid_records;
  std::map<size_t, BenchmarkProblem> by_line;
  std::map<std::string, size_t> first_line;
  for (RewardTaskRecord& record : records) {
    const nlohmann::json& object = objects.at(record.line);
    BenchmarkProblem problem;
    problem.line = record.line;
    try {
      problem.id = record_id(object, spec, record.line);
    } catch (const Error& e) {
      reject_record(loaded, options.skip_bad_records, fmt::format("{}:{}: {}", options.data_path, record.line, e.what()));
      continue;
    }
    if (!accept_id(loaded, first_line, problem.id, record.line, options.skip_bad_records)) continue;
    for (const auto& [field, key] : spec.group_fields)
      if (object.contains(field) && !object.at(field).is_null()) problem.groups[key] = group_value(object.at(field));
    problem.gold = rewards::math::gold_answer_text(record.answer);
    by_line[record.line] = std::move(problem);
    valid_records.push_back(std::move(record));
  }
  if (valid_records.empty()) fail("benchmark file {} has no valid records ({} bad lines)", options.data_path, loaded.bad_records);

  // The task drops records whose gold answer the checker cannot parse.
  report.bad_records = loaded.bad_records;
  auto task = std::make_unique<RewardTask>(std::move(valid_records), task_options, report);
  loaded.unparseable_gold = task->load_report().unparseable_gold;
  for (const std::string& error : task->load_report().errors)
    if (error.find("cannot be parsed") != std::string::npos) loaded.errors.push_back(error);
  for (const RewardTaskRecord& record : task->records()) loaded.problems.push_back(by_line.at(record.line));
  loaded.task = std::move(task);
}

}  // namespace

std::vector<std::string> benchmark_names() {
  std::vector<std::string> names;
  for (const BenchmarkSpec& spec : builtin_specs()) names.push_back(spec.name);
  return names;
}

BenchmarkSpec benchmark_spec(const std::string& name) {
  for (const BenchmarkSpec& spec : builtin_specs())
    if (spec.name == name) return spec;
  fail("unknown benchmark '{}': use one of {}, or none with the field options for another file", name,
       fmt::join(benchmark_names(), ", "));
}

std::string LoadedBenchmark::canonical_answer(const std::string& extracted) const {
  if (spec.name == "countdown") return extracted;
  return rewards::math::canonical_answer(extracted);
}

LoadedBenchmark load_benchmark(const BenchmarkOptions& options) {
  LoadedBenchmark loaded;
  if (options.name.empty()) {
    loaded.spec.prompt_field = "problem";
    loaded.spec.answer_field = "answer";
  } else {
    loaded.spec = benchmark_spec(options.name);
  }

  // Overrides.
  BenchmarkSpec& spec = loaded.spec;
  if (!options.prompt_field.empty()) spec.prompt_field = options.prompt_field;
  if (!options.answer_field.empty()) spec.answer_field = options.answer_field;
  if (!options.answer_after.empty()) spec.answer_after = options.answer_after;
  if (!options.id_field.empty()) spec.id_field = options.id_field;
  if (!options.prompt_template.empty()) spec.prompt_template = options.prompt_template;
  loaded.data_path = options.data_path;
  loaded.prompt_template_text = resolve_prompt_template(spec.prompt_template);

  if (spec.name == "countdown") {
    load_countdown(options, loaded);
  } else {
    load_question_answer(options, loaded);
  }
  return loaded;
}

}  // namespace r1
