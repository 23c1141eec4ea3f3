// Format, language, length and repetition rewards, the registry, spec
// parsing, composition and batch scoring.
#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "rewards/accuracy_reward.h"
#include "rewards/batch_scorer.h"
#include "rewards/composite.h"
#include "rewards/format_reward.h"
#include "rewards/language_reward.h"
#include "rewards/length_reward.h"
#include "util/error.h"

namespace {

using namespace r1::rewards;

RewardInput make_input(std::string completion, std::string answer = "") {
  RewardInput input;
  input.completion = std::move(completion);
  input.reference.answer = std::move(answer);
  return input;
}

TEST(FormatReward, RequiresOneThinkThenOneAnswer) {
  FormatOptions options;
  EXPECT_TRUE(has_think_answer_format("<think>\nx\ny\n</think>\n<answer>1</answer>", options));
  EXPECT_FALSE(has_think_answer_format("<think>a</think><think>b</think><answer>1</answer>", options));
  EXPECT_FALSE(has_think_answer_format("<think>a</think><answer>1</answer><answer>2</answer>", options));
  EXPECT_FALSE(has_think_answer_format("<think>a<think>b</think></think><answer>1</answer>", options));
  EXPECT_FALSE(has_think_answer_format("<think>a</think><answer>1</answer> trailing text", options));
  EXPECT_FALSE(has_think_answer_format("<answer>1</answer>", options));
  EXPECT_FALSE(has_think_answer_format("<think>a</think>between<answer>1</answer>", options));
  EXPECT_TRUE(has_think_answer_format("<think>a</think><answer>1</answer><|im_end|>", options));
  EXPECT_TRUE(has_think_answer_format("  <think>a</think> \n <answer>\n1\n</answer>\n<|endoftext|>\n", options));
}

TEST(FormatReward, ThinkOpenedInPrompt) {
  FormatOptions options;
  options.think_in_prompt = true;
  EXPECT_TRUE(has_think_answer_format("reasoning\n</think>\n<answer>1</answer>", options));
  EXPECT_FALSE(has_think_answer_format("<think>reasoning</think><answer>1</answer>", options));
}

TEST(FormatReward, ScoresZeroOrOne) {
  FormatReward reward;
  EXPECT_EQ(reward.score(make_input("<think>a</think><think>b</think><answer>1</answer>")).value, 0.0);
  EXPECT_EQ(reward.score(make_input("<think>\nx\ny\n</think>\n<answer>1</answer>")).value, 1.0);
}

TEST(LanguageReward, SharesPerLanguage) {
  EXPECT_DOUBLE_EQ(count_language_words("We add the two numbers and get 5.", "en").share(), 1.0);
  LanguageCount mixed = count_language_words("We add 两个 numbers", "en");
  EXPECT_EQ(mixed.total_words, 5u);  // we, add, 两, 个, numbers
  EXPECT_EQ(mixed.target_words, 3u);
  EXPECT_DOUBLE_EQ(count_language_words("我们把两个数相加", "zh").share(), 1.0);
  EXPECT_DOUBLE_EQ(count_language_words("두 수를 더하면 됩니다", "ko").share(), 1.0);
  EXPECT_DOUBLE_EQ(count_language_words("二つの数を足します", "ja").share(), 1.0);
  EXPECT_DOUBLE_EQ(count_language_words("Сложим два числа", "ru").share(), 1.0);
  EXPECT_LT(count_language_words("Сложим два numbers", "ru").share(), 1.0);
  EXPECT_LT(count_language_words("the sum und der Rest", "en").share(), 1.0);
}

TEST(LanguageReward, IgnoresMathAndVariables) {
  LanguageCount count = count_language_words("Let $x^2 + \\frac{a}{b}$ be x and \\(\\alpha\\) so", "en");
  EXPECT_EQ(count.total_words, 4u);  // let, be, and, so
  EXPECT_EQ(count.target_words, 4u);

  // An unpaired dollar sign is currency: the words after it still count.
  LanguageCount currency = count_language_words("It costs $5 and then 我们 pay", "en");
  EXPECT_EQ(currency.total_words, 7u);  // it, costs, and, then, 我, 们, pay
  EXPECT_EQ(currency.target_words, 5u);
}

TEST(LanguageReward, ScoresChainOfThoughtOnly) {
  LanguageReward reward(nlohmann::json{{"language", "en"}});
  RewardResult result = reward.score(make_input("<think>We think 我们</think><answer>答案</answer>"));
  EXPECT_NEAR(result.value, 2.0 / 4.0, 1e-12);
  EXPECT_TRUE(is_language_mixed("<think>We think 我们</think>", "en"));
  EXPECT_FALSE(is_language_mixed("<think>We think hard</think>", "en"));
  EXPECT_THROW(LanguageReward(nlohmann::json{{"language", "xx"}}), r1::Error);
}

TEST(LengthReward, SoftOverlongPenalty) {
  EXPECT_DOUBLE_EQ(soft_overlong_penalty(100, 1000, 200), 0.0);
  EXPECT_DOUBLE_EQ(soft_overlong_penalty(800, 1000, 200), 0.0);
  EXPECT_DOUBLE_EQ(soft_overlong_penalty(900, 1000, 200), -0.5);
  EXPECT_DOUBLE_EQ(soft_overlong_penalty(1000, 1000, 200), -1.0);
  EXPECT_DOUBLE_EQ(soft_overlong_penalty(1001, 1000, 200), -1.0);

  SoftOverlongReward reward(nlohmann::json{{"max_length", 10}, {"cache_length", 4}});
  RewardInput input = make_input("héllo wörld");  // 11 code points
  EXPECT_DOUBLE_EQ(reward.score(input).value, -1.0);
  input.completion_tokens = 8;
  EXPECT_DOUBLE_EQ(reward.score(input).value, -0.5);
}

TEST(LengthReward, CosineEndpoints) {
  CosineOptions options;
  options.max_length = 100;
  EXPECT_NEAR(cosine_length_reward(0, true, false, options), 2.0, 1e-12);
  EXPECT_NEAR(cosine_length_reward(100, true, false, options), 1.0, 1e-12);
  EXPECT_NEAR(cosine_length_reward(50, true, false, options), 1.5, 1e-12);
  EXPECT_NEAR(cosine_length_reward(0, false, false, options), -10.0, 1e-12);
  EXPECT_NEAR(cosine_length_reward(100, false, false, options), 0.0, 1e-12);
  EXPECT_NEAR(cosine_length_reward(10, true, true, options), -10.0, 1e-12);
  // Shorter correct answers earn more; shorter wrong answers are punished more.
  EXPECT_GT(cosine_length_reward(20, true, false, options), cosine_length_reward(80, true, false, options));
  EXPECT_LT(cosine_length_reward(20, false, false, options), cosine_length_reward(80, false, false, options));

  CosineLengthReward reward(nlohmann::json{{"max_length", 100}});
  RewardInput input = make_input("\\boxed{4}", "4");
  input.completion_tokens = 0;
  EXPECT_NEAR(reward.score(input).value, 2.0, 1e-12);
}

TEST(RepetitionReward, PenalizesRepeatedNgrams) {
  EXPECT_DOUBLE_EQ(repetition_penalty("a b c d e f", 3, -1.0), 0.0);
  EXPECT_DOUBLE_EQ(repetition_penalty("a b", 3, -1.0), 0.0);
  // "a b a b a b" has 4 trigrams, 2 distinct.
  EXPECT_DOUBLE_EQ(repetition_penalty("a b a b a b", 3, -1.0), -0.5);
  EXPECT_THROW(RepetitionReward(nlohmann::json{{"max_penalty", 0.5}}), r1::Error);
}

TEST(RewardSpec, ParsesNamesAndWeights) {
  auto specs = parse_reward_spec("accuracy:1.0, format:0.2 ,language");
  ASSERT_EQ(specs.size(), 3u);
  EXPECT_EQ(specs[0].name, "accuracy");
  EXPECT_DOUBLE_EQ(specs[0].weight, 1.0);
  EXPECT_EQ(specs[1].name, "format");
  EXPECT_DOUBLE_EQ(specs[1].weight, 0.2);
  EXPECT_EQ(specs[2].name, "language");
  EXPECT_DOUBLE_EQ(specs[2].weight, 1.0);
  EXPECT_THROW(parse_reward_spec(""), r1::Error);
  EXPECT_THROW(parse_reward_spec("accuracy:x"), r1::Error);
  EXPECT_THROW(parse_reward_spec("accuracy:1,accuracy:2"), r1::Error);
  EXPECT_THROW(parse_reward_spec("accuracy:inf"), r1::Error);
  EXPECT_THROW(parse_reward_spec(":1"), r1::Error);
}

TEST(RewardRegistry, CreatesBuiltinsAndRejectsUnknown) {
  auto& registry = RewardRegistry::global();
  for (const char* name : {"accuracy", "format", "language", "length", "cosine", "repetition", "external"}) {
    EXPECT_TRUE(registry.contains(name)) << name;
  }
  EXPECT_THROW(registry.create("no_such_reward"), r1::Error);
  EXPECT_THROW(registry.add("accuracy", "duplicate", nullptr), r1::Error);
}

// A task-specific reward registered from outside the rewards library.
class ConstantReward : public RewardFunction {
 public:
  std::string name() const override { return "constant"; }
  RewardResult score(const RewardInput& input) const override {
    RewardResult result;
    result.value = input.reference.metadata.value("target", 0.0);
    return result;
  }
};

TEST(RewardRegistry, AcceptsPluginRegistration) {
  RewardRegistry registry;
  registry.add("constant", "returns metadata.target",
               [](const nlohmann::json&) { return std::make_unique<ConstantReward>(); });
  CompositeReward reward("constant:2", registry);
  RewardInput input = make_input("");
  input.reference.metadata = {{"target", 1.5}};
  EXPECT_DOUBLE_EQ(reward.score(input).total, 3.0);
}

TEST(CompositeReward, WeightsAndReportsComponents) {
  CompositeReward reward("accuracy:1.0,format:0.2,language:0.1");
  CompositeResult result = reward.score(make_input("<think>We add them</think><answer>\\boxed{5}</answer>", "5"));
  ASSERT_EQ(result.components.size(), 3u);
  EXPECT_DOUBLE_EQ(result.components[0].value, 1.0);
  EXPECT_DOUBLE_EQ(result.components[1].value, 1.0);
  EXPECT_DOUBLE_EQ(result.components[2].value, 1.0);
  EXPECT_NEAR(result.total, 1.3, 1e-12);
}

TEST(BatchScorer, StatisticsPerComponent) {
  auto reward = std::make_shared<CompositeReward>("accuracy:1.0,format:0.5");
  BatchScorer scorer(reward, 3);
  std::vector<RewardInput> inputs;
  for (int i = 0; i < 40; ++i) {
    inputs.push_back(make_input("<think>t</think><answer>" + std::to_string(i % 2) + "</answer>", "0"));
  }
  BatchScores scores = scorer.score(inputs);
  ASSERT_EQ(scores.results.size(), 40u);
  for (int i = 0; i < 40; ++i) EXPECT_DOUBLE_EQ(scores.results[i].components[0].value, i % 2 == 0 ? 1.0 : 0.0);
  ASSERT_EQ(scores.components.size(), 2u);
  EXPECT_DOUBLE_EQ(scores.components[0].mean, 0.5);
  EXPECT_DOUBLE_EQ(scores.components[0].std, 0.5);
  EXPECT_EQ(scores.components[0].correct, 20u);
  EXPECT_EQ(scores.components[0].judged, 40u);
  EXPECT_DOUBLE_EQ(scores.components[1].mean, 1.0);
  EXPECT_DOUBLE_EQ(scores.components[1].std, 0.0);
  EXPECT_DOUBLE_EQ(scores.total.mean, 1.0);
}

TEST(BatchScorer, ConcurrentCallsShareThePool) {
  auto reward = std::make_shared<CompositeReward>("accuracy");
  BatchScorer scorer(reward, 2);
  std::vector<std::thread> callers;
  std::vector<double> means(4, -1.0);
  for (int t = 0; t < 4; ++t) {
    callers.emplace_back([&, t] {
      std::vector<RewardInput> inputs(50, make_input("\\boxed{" + std::to_string(t) + "}", "2"));
      means[t] = scorer.score(inputs).components[0].mean;
    });
  }
  for (auto& caller : callers) caller.join();
  EXPECT_DOUBLE_EQ(means[0], 0.0);
  EXPECT_DOUBLE_EQ(means[2], 1.0);
  EXPECT_TRUE(scorer.score({}).results.empty());
}

TEST(AccuracyReward, CountsGoldUnparseable) {
  auto reward = std::make_shared<CompositeReward>("accuracy");
  BatchScorer scorer(reward, 1);
  BatchScores scores = scorer.score({make_input("\\boxed{1}", ""), make_input("\\boxed{1}", "1")});
  EXPECT_EQ(scores.components[0].gold_unparseable, 1u);
  EXPECT_EQ(scores.components[0].correct, 1u);
  EXPECT_THROW(AccuracyReward(nlohmann::json{{"extractors", {"nope"}}}), r1::Error);
}

}  // namespace
