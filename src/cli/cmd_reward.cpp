// r1 reward: scores a JSONL file of completions with a reward or a weighted
// composition of rewards, without training. One JSON line per record goes to
// stdout in input order, and a summary goes to stderr.
#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "rewards/batch_scorer.h"
#include "rewards/composite.h"
#include "rewards/reward.h"
#include "util/error.h"

namespace r1::cli {

namespace {

struct RewardCommandOptions {
  std::string spec;
  std::string input;
  std::string options_json = "{}";
  size_t threads = 0;
  bool list = false;
};

// Builds a reward input from one record: {completion, answer (or gold),
// prompt, metadata, truncated, completion_tokens}. Without "metadata", the
// whole record is the metadata, so task fields such as "nums" reach the reward.
rewards::RewardInput record_to_input(const nlohmann::json& record, size_t line_number) {
  if (!record.is_object()) fail("line {}: expected a JSON object with 'completion' and 'answer'", line_number);
  if (!record.contains("completion") || !record.at("completion").is_string()) {
    fail("line {}: missing string field 'completion'", line_number);
  }
  rewards::RewardInput input;
  input.completion = record.at("completion").get<std::string>();
  const char* answer_key = record.contains("answer") ? "answer" : "gold";
  if (record.contains(answer_key)) {
    const auto& answer = record.at(answer_key);
    input.reference.answer = answer.is_string() ? answer.get<std::string>() : answer.dump();
  }
  input.reference.metadata = record.contains("metadata") ? record.at("metadata") : record;
  if (record.contains("prompt") && record.at("prompt").is_string()) input.prompt = record.at("prompt").get<std::string>();
  input.truncated = record.value("truncated", false);
  input.completion_tokens = record.value("completion_tokens", int64_t{-1});
  return input;
}

void add_result_fields(nlohmann::json& record, const rewards::CompositeReward& reward,
                       const rewards::CompositeResult& result) {
  record["reward"] = result.total;
  const auto& specs = reward.components();
  if (specs.size() > 1) {
    nlohmann::json components = nlohmann::json::object();
    for (size_t i = 0; i < specs.size(); ++i) components[specs[i].name] = result.components[i].value;
    record["rewards"] = components;
  }
  // Correctness, the extracted answer and any failure come from the first component that reports them.
  for (const rewards::RewardResult& component : result.components) {
    if (component.correct.has_value() && !record.contains("correct")) {
      record["correct"] = *component.correct;
      record["extracted"] = component.extracted.has_value() ? nlohmann::json(*component.extracted) : nlohmann::json();
    }
    if (component.status != rewards::RewardStatus::kOk && !record.contains("status")) {
      record["status"] = rewards::reward_status_name(component.status);
      if (component.details.contains("reason")) record["status_detail"] = component.details.at("reason");
      if (component.details.contains("error")) record["status_detail"] = component.details.at("error");
    }
  }
  record["time_ms"] = result.seconds * 1000.0;
}

void print_summary(const rewards::BatchScores& scores, double seconds) {
  size_t count = scores.results.size();
  fmt::print(stderr, "scored {} records in {:.3f} s ({:.0f} records/s)\n", count, seconds,
             seconds > 0 ? count / seconds : 0.0);
  for (const rewards::RewardStats& stats : scores.components) {
    fmt::print(stderr, "  {} (weight {}): mean {:.4f} std {:.4f}", stats.name, stats.weight, stats.mean, stats.std);
    if (stats.judged > 0) {
      fmt::print(stderr, ", correct {}/{} ({:.2f}%)", stats.correct, stats.judged,
                 100.0 * static_cast<double>(stats.correct) / static_cast<double>(stats.judged));
    }
    fmt::print(stderr, ", gold unparseable {}, limit exceeded {}, errors {}\n", stats.gold_unparseable,
               stats.limit_exceeded, stats.errors);
  }
  if (scores.components.size() > 1) {
    fmt::print(stderr, "  total: mean {:.4f} std {:.4f}\n", scores.total.mean, scores.total.std);
  }
}

void run_reward(const RewardCommandOptions& options) {
  if (options.list) {
    for (const auto& [name, description] : rewards::RewardRegistry::global().list()) {
      fmt::print("{}\t{}\n", name, description);
    }
    return;
  }
  if (options.spec.empty() || options.input.empty()) fail("r1 reward needs --reward and --input (or --list)");

  nlohmann::json reward_options = nlohmann::json::parse(options.options_json, nullptr, false);
  if (reward_options.is_discarded() || !reward_options.is_object()) {
    fail("--options must be a JSON object mapping reward names to options, got '{}'", options.options_json);
  }
  auto reward = std::make_shared<rewards::CompositeReward>(options.spec, rewards::RewardRegistry::global(),
                                                           reward_options);

  // Read all records first so that scoring can run in parallel.
  std::ifstream file;
  std::istream* in = &std::cin;
  if (options.input != "-") {
    file.open(options.input);
    if (!file) fail("cannot open --input file '{}'", options.input);
    in = &file;
  }
  std::vector<nlohmann::json> records;
  std::vector<rewards::RewardInput> inputs;
  std::string line;
  size_t line_number = 0;
  while (std::getline(*in, line)) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json record = nlohmann::json::parse(line, nullptr, false);
    if (record.is_discarded()) fail("{}:{}: invalid JSON line", options.input, line_number);
    inputs.push_back(record_to_input(record, line_number));
    records.push_back(std::move(record));
  }

  auto start = std::chrono::steady_clock::now();
  rewards::BatchScorer scorer(reward, options.threads);
  rewards::BatchScores scores = scorer.score(inputs);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  for (size_t i = 0; i < records.size(); ++i) {
    add_result_fields(records[i], *reward, scores.results[i]);
    std::cout << records[i].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  }
  std::cout.flush();
  print_summary(scores, seconds);
}

void setup_reward_command(CLI::App& root) {
  auto options = std::make_shared<RewardCommandOptions>();
  CLI::App* command = root.add_subcommand("reward", "Score a JSONL file of {completion, answer} records with a reward");
  command->add_option("--reward", options->spec,
                      "Reward name or weighted composition, e.g. accuracy or 'accuracy:1.0,format:0.2'");
  command->add_option("--input", options->input, "JSONL file of records ('-' for stdin)");
  command->add_option("--options", options->options_json,
                      "JSON object of per-reward options, e.g. '{\"accuracy\": {\"dataset\": \"gsm8k\"}}'");
  command->add_option("--threads", options->threads, "Scoring threads (0 = all cores)");
  command->add_flag("--list", options->list, "List the registered rewards and exit");
  command->callback([options] { run_reward(*options); });
}

}  // namespace

R1_REGISTER_COMMAND(setup_reward_command);

}  // namespace r1::cli
