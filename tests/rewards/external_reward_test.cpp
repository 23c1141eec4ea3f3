// The plug-in reward process: JSON lines, timeouts, restarts after a crash.
#include <gtest/gtest.h>

#include <cstdlib>

#include "rewards/external_reward.h"
#include "test_util.h"
#include "util/error.h"

namespace {

using namespace r1::rewards;

bool have_python() { return std::system("python3 -c 'pass' > /dev/null 2>&1") == 0; }

nlohmann::json plugin_options(double timeout_ms = 5000) {
  std::string script = (r1::test::fixture_dir() / "rewards" / "echo_plugin.py").string();
  return {{"command", {"python3", script}}, {"timeout_ms", timeout_ms}, {"startup_timeout_ms", 30000}};
}

RewardInput make_input(std::string completion, std::string answer = "") {
  RewardInput input;
  input.completion = std::move(completion);
  input.reference.answer = std::move(answer);
  return input;
}

TEST(ExternalReward, ScoresOverJsonLines) {
  if (!have_python()) GTEST_SKIP() << "python3 not found";
  ExternalReward reward(plugin_options());
  RewardResult result = reward.score(make_input("abcd", "abcd"));
  EXPECT_EQ(result.status, RewardStatus::kOk);
  EXPECT_DOUBLE_EQ(result.value, 4.0);
  ASSERT_TRUE(result.correct.has_value());
  EXPECT_TRUE(*result.correct);
  EXPECT_DOUBLE_EQ(reward.score(make_input("ab", "x")).value, 2.0);
}

TEST(ExternalReward, RestartsAfterCrash) {
  if (!have_python()) GTEST_SKIP() << "python3 not found";
  ExternalReward reward(plugin_options());
  EXPECT_EQ(reward.score(make_input("crash")).status, RewardStatus::kError);
  RewardResult after = reward.score(make_input("abc"));
  EXPECT_EQ(after.status, RewardStatus::kOk);
  EXPECT_DOUBLE_EQ(after.value, 3.0);
}

TEST(ExternalReward, TimesOutAndRestarts) {
  if (!have_python()) GTEST_SKIP() << "python3 not found";
  ExternalReward reward(plugin_options(/*timeout_ms=*/1000));
  EXPECT_DOUBLE_EQ(reward.score(make_input("warm")).value, 4.0);  // started, so the next request has 1 s
  RewardResult hung = reward.score(make_input("hang"));
  EXPECT_EQ(hung.status, RewardStatus::kError);
  EXPECT_DOUBLE_EQ(hung.value, 0.0);
  EXPECT_DOUBLE_EQ(reward.score(make_input("abcde")).value, 5.0);
}

TEST(ExternalReward, RejectsInvalidResponse) {
  if (!have_python()) GTEST_SKIP() << "python3 not found";
  ExternalReward reward(plugin_options());
  EXPECT_EQ(reward.score(make_input("garbage")).status, RewardStatus::kError);
  EXPECT_DOUBLE_EQ(reward.score(make_input("ok")).value, 2.0);
}

TEST(ExternalReward, MissingProgramIsAnError) {
  ExternalReward reward(nlohmann::json{{"command", "/nonexistent/reward-plugin"}});
  RewardResult result = reward.score(make_input("x"));
  EXPECT_EQ(result.status, RewardStatus::kError);
  EXPECT_THROW(ExternalReward(nlohmann::json::object()), r1::Error);
}

}  // namespace
