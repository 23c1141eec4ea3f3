// evaluate() on a tiny untrained byte-level model with a task whose verdicts
// are simple functions of the text, so every reported figure can be
// recomputed from the returned samples.
#include <gtest/gtest.h>

#include <cctype>
#include <map>
#include <string>

#include "eval/evaluate.h"
#include "tokenizer/byte_tokenizer.h"

namespace r1 {
namespace {

// Correct when the completion contains a digit; the answer is its first byte.
class DigitTask : public RLTask {
 public:
  size_t size() const override { return 3; }
  std::string prompt(size_t i) const override { return "problem " + std::to_string(i) + ":"; }
  ScoredCompletion score(size_t, const std::string& completion) const override {
    ScoredCompletion scored;
    for (char c : completion) scored.correct = scored.correct || std::isdigit(static_cast<unsigned char>(c));
    scored.reward = scored.correct ? 1 : 0;
    scored.answer = completion.empty() ? "" : completion.substr(0, 1);
    return scored;
  }
};

TEST(RevisesItself, Markers) {
  EXPECT_TRUE(revises_itself("15*3=45. Wait, that is wrong"));
  EXPECT_TRUE(revises_itself("I made a MISTAKE"));
  EXPECT_TRUE(revises_itself("let me check 4+4"));
  EXPECT_TRUE(revises_itself("double-check: 8"));
  EXPECT_FALSE(revises_itself("15*3=45, 45+1=46"));
  EXPECT_FALSE(revises_itself(""));
}

TEST(Evaluate, FiguresMatchSamples) {
  torch::manual_seed(0);
  ModelConfig config;
  config.model_type = "llama";
  config.vocab_size = ByteTokenizer::kVocabSize;
  config.hidden_size = 32;
  config.intermediate_size = 64;
  config.num_hidden_layers = 1;
  config.num_attention_heads = 4;
  config.num_key_value_heads = 4;
  config.max_position_embeddings = 64;
  Transformer model(config);
  model->init_weights(3);
  ByteTokenizer tokenizer;
  DigitTask task;

  EvalOptions options;
  options.k = 4;
  options.max_new_tokens = 10;
  options.sampling.temperature = 1.0;
  options.sampling.top_p = 1.0;
  options.seed = 3;
  EvalReport report = evaluate(model, tokenizer, task, options);

  // 3 problems x (4 samples + 1 greedy)
  ASSERT_EQ(report.samples.size(), 15u);
  EXPECT_EQ(report.metrics.problems, 3);
  EXPECT_EQ(report.metrics.samples_per_problem, 4);

  std::map<size_t, double> correct_per_problem;
  double greedy_correct = 0, greedy_rows = 0, lengths = 0, truncated = 0, sampled = 0, max_length = 0;
  for (const auto& s : report.samples) {
    EXPECT_LT(s.problem, 3u);
    EXPECT_GE(s.length, 1);
    EXPECT_LE(s.length, options.max_new_tokens);
    EXPECT_EQ(s.correct, task.score(s.problem, s.completion).correct) << s.completion;
    if (s.sample < 0) {
      greedy_correct += s.correct ? 1 : 0;
      greedy_rows += 1;
      continue;
    }
    correct_per_problem[s.problem] += s.correct ? 1 : 0;
    lengths += static_cast<double>(s.length);
    max_length = std::max(max_length, static_cast<double>(s.length));
    truncated += s.stopped ? 0 : 1;
    sampled += 1;
  }
  EXPECT_EQ(greedy_rows, 3);
  EXPECT_EQ(sampled, 12);
  double pass_at_1 = 0;
  for (const auto& item : correct_per_problem) pass_at_1 += item.second / 4.0 / 3.0;
  EXPECT_NEAR(report.metrics.pass_at_1, pass_at_1, 1e-12);
  EXPECT_NEAR(report.greedy_accuracy, greedy_correct / 3.0, 1e-12);
  EXPECT_NEAR(report.mean_length, lengths / 12.0, 1e-12);
  EXPECT_NEAR(report.max_length, max_length, 1e-12);
  EXPECT_NEAR(report.truncated_share, truncated / 12.0, 1e-12);

  // the same seed reproduces the samples
  EvalReport again = evaluate(model, tokenizer, task, options);
  ASSERT_EQ(again.samples.size(), report.samples.size());
  for (size_t i = 0; i < report.samples.size(); ++i)
    EXPECT_EQ(again.samples[i].completion, report.samples[i].completion) << "sample " << i;

  nlohmann::json figures = report.to_json();
  EXPECT_EQ(figures.at("problems"), 3);
  EXPECT_EQ(figures.at("k"), 4);
  EXPECT_NEAR(figures.at("pass_at_1").get<double>(), pass_at_1, 1e-12);
}

}  // namespace
}  // namespace r1
