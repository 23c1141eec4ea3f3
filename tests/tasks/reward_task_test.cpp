#include "tasks/reward_task.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tasks/prompt_template.h"
#include "test_util.h"
#include "util/error.h"

namespace r1 {
namespace {

std::string fixture(const std::string& name) { return (test::fixture_dir() / "tasks" / name).string(); }

// Runs `load` and returns the r1::Error message, or "" when nothing was thrown.
template <typename Load>
std::string error_of(Load load) {
  try {
    load();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(PromptTemplate, RendersBuiltinsAndCustom) {
  std::string r1 = render_prompt(resolve_prompt_template("r1"), "What is 2+2?");
  EXPECT_NE(r1.find("<think>"), std::string::npos);
  EXPECT_NE(r1.find("<answer>"), std::string::npos);
  EXPECT_NE(r1.find("User: What is 2+2?\n"), std::string::npos);
  EXPECT_EQ(r1.substr(r1.size() - 10), "Assistant:");

  std::string math = render_prompt(resolve_prompt_template("math"), "Q");
  EXPECT_EQ(math.rfind("Q\n", 0), 0u);
  EXPECT_NE(math.find("\\boxed{}"), std::string::npos);

  EXPECT_EQ(render_prompt(resolve_prompt_template("raw"), "Q"), "Q");
  EXPECT_EQ(render_prompt(resolve_prompt_template("Q: {question} / {question}"), "x"), "Q: x / x");
}

TEST(PromptTemplate, UnknownNameThrows) {
  std::string message = error_of([] { resolve_prompt_template("chatml"); });
  EXPECT_NE(message.find("chatml"), std::string::npos);
  EXPECT_NE(message.find("{question}"), std::string::npos);
}

TEST(RewardTask, LoadsMixedFixture) {
  RewardTask task = RewardTask::from_jsonl(fixture("qa_mixed.jsonl"));
  ASSERT_EQ(task.size(), 5u);
  EXPECT_EQ(task.skipped(), 0u);
  EXPECT_EQ(task.load_report().lines, 5u);

  // GSM8K "question" is the fallback of the default "problem" field; the
  // blank line is skipped but still counted for line numbers.
  EXPECT_EQ(task.records()[0].question.rfind("A farmer has 12 hens", 0), 0u);
  EXPECT_EQ(task.records()[2].question, "Simplify $\\frac{6}{8}$.");
  EXPECT_EQ(task.records()[4].line, 6u);
  EXPECT_EQ(task.records()[4].answer, "6");  // 6.0 as a JSON number

  std::string prompt = task.prompt(0);
  EXPECT_NE(prompt.find("User: A farmer has 12 hens"), std::string::npos);
}

TEST(RewardTask, AnswerAfterMarker) {
  RewardTaskOptions options;
  options.answer_after = "####";
  options.skip_bad_records = true;
  RewardTask task = RewardTask::from_jsonl(fixture("qa_mixed.jsonl"), options);
  ASSERT_EQ(task.size(), 2u);  // only the GSM8K records have the marker
  EXPECT_EQ(task.records()[0].answer, " 38");
  EXPECT_EQ(task.load_report().bad_records, 3u);
  EXPECT_EQ(task.skipped(), 3u);
}

TEST(RewardTask, ScoresCorrectIncorrectUnformatted) {
  RewardTask task = RewardTask::from_jsonl(fixture("qa_mixed.jsonl"));

  // GSM8K record: gold "38" after "####".
  ScoredCompletion correct = task.score(0, "<think>19 hens, 2 eggs each</think> <answer>38</answer>");
  EXPECT_TRUE(correct.correct);
  EXPECT_DOUBLE_EQ(correct.components.at("accuracy"), 1.0);
  EXPECT_DOUBLE_EQ(correct.components.at("format"), 1.0);
  EXPECT_DOUBLE_EQ(correct.reward, 1.2);
  EXPECT_EQ(correct.answer, "38");

  ScoredCompletion wrong = task.score(0, "<think>12 + 7 = 19</think> <answer>19</answer>");
  EXPECT_FALSE(wrong.correct);
  EXPECT_DOUBLE_EQ(wrong.components.at("accuracy"), 0.0);
  EXPECT_DOUBLE_EQ(wrong.reward, 0.2);
  EXPECT_EQ(wrong.answer, "19");

  ScoredCompletion unformatted = task.score(0, "the answer is 38");
  EXPECT_DOUBLE_EQ(unformatted.components.at("format"), 0.0);
  EXPECT_DOUBLE_EQ(unformatted.reward, unformatted.components.at("accuracy"));

  // MATH record: equivalent forms of 3/4.
  ScoredCompletion fraction = task.score(2, "<think>divide by 2</think><answer>$\\frac{3}{4}$</answer>");
  EXPECT_TRUE(fraction.correct);
  ScoredCompletion decimal = task.score(2, "<think>divide</think><answer>0.75</answer>");
  EXPECT_TRUE(decimal.correct);
  ScoredCompletion radical = task.score(3, "<think>25*2</think><answer>5\\sqrt{3}</answer>");
  EXPECT_FALSE(radical.correct);
}

TEST(RewardTask, WithoutAccuracyNeverCorrect) {
  RewardTaskOptions options;
  options.reward_spec = "format:1.0";
  RewardTask task = RewardTask::from_jsonl(fixture("qa_mixed.jsonl"), options);
  ScoredCompletion scored = task.score(0, "<think>x</think><answer>38</answer>");
  EXPECT_FALSE(scored.correct);
  EXPECT_EQ(scored.answer, "");
  EXPECT_DOUBLE_EQ(scored.reward, 1.0);
  EXPECT_EQ(scored.components.count("accuracy"), 0u);
}

TEST(RewardTask, BatchMatchesSingleScores) {
  RewardTaskOptions options;
  options.threads = 2;
  RewardTask task = RewardTask::from_jsonl(fixture("qa_mixed.jsonl"), options);
  std::vector<size_t> problems = {0, 0, 1, 2, 4};
  std::vector<std::string> completions = {
      "<think>a</think><answer>38</answer>", "<think>a</think><answer>37</answer>",
      "<think>b</think><answer>45</answer>", "\\boxed{3/4}", "<think>c</think><answer>6</answer>"};

  RewardTaskBatch batch = task.score_batch(problems, completions);
  ASSERT_EQ(batch.scored.size(), completions.size());
  for (size_t k = 0; k < completions.size(); ++k) {
    ScoredCompletion single = task.score(problems[k], completions[k]);
    EXPECT_EQ(batch.scored[k].correct, single.correct) << k;
    EXPECT_DOUBLE_EQ(batch.scored[k].reward, single.reward) << k;
    EXPECT_EQ(batch.scored[k].answer, single.answer) << k;
  }
  EXPECT_EQ(batch.scores.components.at(0).correct, 4u);

  // A truncated completion has no final answer.
  RewardTaskBatch truncated = task.score_batch({0}, {"<think>a</think><answer>38</answer>"}, {true});
  EXPECT_FALSE(truncated.scored[0].correct);

  EXPECT_NE(error_of([&] { task.score_batch({0, 1}, {"x"}); }).find("2 problem indices"), std::string::npos);
  EXPECT_NE(error_of([&] { task.score_batch({9}, {"x"}); }).find("9"), std::string::npos);

  // The trainer's entry point gives the same verdicts and keeps the flags.
  const RLTask& as_task = task;
  std::vector<ScoredCompletion> all = as_task.score_all({0, 0}, {completions[0], completions[0]}, {false, true});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_TRUE(all[0].correct);
  EXPECT_FALSE(all[1].correct);
}

TEST(RewardTask, BadFilesNameFileAndLine) {
  std::string bad_json = error_of([] { RewardTask::from_jsonl(fixture("bad_json.jsonl")); });
  EXPECT_NE(bad_json.find("bad_json.jsonl:2:"), std::string::npos) << bad_json;
  EXPECT_NE(bad_json.find("malformed JSON"), std::string::npos) << bad_json;

  std::string missing = error_of([] { RewardTask::from_jsonl(fixture("missing_answer.jsonl")); });
  EXPECT_NE(missing.find("missing_answer.jsonl:3:"), std::string::npos) << missing;
  EXPECT_NE(missing.find("'answer'"), std::string::npos) << missing;

  RewardTaskOptions other_field;
  other_field.prompt_field = "query";
  std::string no_prompt = error_of([&] { RewardTask::from_jsonl(fixture("missing_answer.jsonl"), other_field); });
  EXPECT_NE(no_prompt.find("missing_answer.jsonl:1:"), std::string::npos) << no_prompt;
  EXPECT_NE(no_prompt.find("'query'"), std::string::npos) << no_prompt;

  std::string empty = error_of([] { RewardTask::from_jsonl(fixture("empty.jsonl")); });
  EXPECT_NE(empty.find("empty.jsonl"), std::string::npos) << empty;
  EXPECT_NE(empty.find("is empty"), std::string::npos) << empty;

  std::string absent = error_of([] { RewardTask::from_jsonl(fixture("no_such_file.jsonl")); });
  EXPECT_NE(absent.find("no_such_file.jsonl"), std::string::npos) << absent;
}

TEST(RewardTask, SkipsBadRecordsWhenAsked) {
  RewardTaskOptions options;
  options.skip_bad_records = true;
  RewardTask task = RewardTask::from_jsonl(fixture("bad_json.jsonl"), options);
  EXPECT_EQ(task.size(), 2u);
  EXPECT_EQ(task.load_report().bad_records, 1u);
  ASSERT_EQ(task.load_report().errors.size(), 1u);
  EXPECT_NE(task.load_report().errors[0].find(":2:"), std::string::npos);
  EXPECT_EQ(task.records()[1].line, 3u);
}

TEST(RewardTask, UnparseableGoldIsCounted) {
  RewardTask dropped = RewardTask::from_jsonl(fixture("unparseable_gold.jsonl"));
  EXPECT_EQ(dropped.size(), 1u);
  EXPECT_EQ(dropped.load_report().unparseable_gold, 1u);
  EXPECT_EQ(dropped.skipped(), 1u);

  RewardTaskOptions keep;
  keep.drop_unparseable_gold = false;
  RewardTask kept = RewardTask::from_jsonl(fixture("unparseable_gold.jsonl"), keep);
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_FALSE(kept.records()[1].gold_parseable);
  EXPECT_FALSE(kept.score(1, "<think>x</think><answer></answer>").correct);
  EXPECT_FALSE(kept.score(1, "<think>x</think><answer>1</answer>").correct);
}

TEST(RewardTask, AnswerTextFromJson) {
  EXPECT_EQ(answer_text_from_json(nlohmann::json(27.0)), "27");
  EXPECT_EQ(answer_text_from_json(nlohmann::json(-3)), "-3");
  EXPECT_EQ(answer_text_from_json(nlohmann::json(0.5)), "0.5");
  EXPECT_EQ(answer_text_from_json(nlohmann::json("x")), "x");
  EXPECT_NE(error_of([] { answer_text_from_json(nlohmann::json::array()); }).find("array"), std::string::npos);
}

// Every record of the real evaluation sets loads and its gold answer parses.
TEST(RewardTask, RealDatasetsParse) {
  R1_REQUIRE_REAL_DATA("gsm8k/test.jsonl");
  struct Dataset {
    const char* path;
    size_t expected;
  };
  const std::vector<Dataset> datasets = {
      {"gsm8k/test.jsonl", 1319}, {"math500/test.jsonl", 500}, {"aime24/test.jsonl", 30},
      {"aime25/test.jsonl", 30},  {"amc23/test.jsonl", 40},
  };
  for (const Dataset& dataset : datasets) {
    std::string path = (test::real_data_dir() / dataset.path).string();
    if (!std::filesystem::exists(path)) continue;
    RewardTaskOptions options;
    options.drop_unparseable_gold = false;
    RewardTask task = RewardTask::from_jsonl(path, options);
    const RewardTaskLoadReport& report = task.load_report();
    std::cout << dataset.path << ": " << report.loaded << " records, " << report.unparseable_gold
              << " unparseable gold answers\n";
    for (const std::string& error : report.errors) std::cout << "  " << error << "\n";
    EXPECT_EQ(report.loaded, dataset.expected) << dataset.path;
    EXPECT_EQ(report.unparseable_gold, 0u) << dataset.path;
  }
}

}  // namespace
}  // namespace r1
