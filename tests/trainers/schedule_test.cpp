// Learning-rate schedules on a 2-step warm-up and 10 optimizer steps, with
// the values worked out by hand.
#include <gtest/gtest.h>

#include "trainers/schedule.h"
#include "util/error.h"

namespace r1 {
namespace {

LRSchedule schedule(LRDecay decay) { return LRSchedule{1.0, 2, 10, decay, 0.2}; }

TEST(LRSchedule, WarmUpRisesLinearlyToThePeak) {
  for (LRDecay decay : {LRDecay::kConstant, LRDecay::kLinear, LRDecay::kCosine}) {
    EXPECT_DOUBLE_EQ(schedule(decay).at(0), 0.5);
    EXPECT_DOUBLE_EQ(schedule(decay).at(1), 1.0);
    EXPECT_DOUBLE_EQ(schedule(decay).at(2), 1.0);  // first step after warm-up
  }
}

TEST(LRSchedule, ConstantKeepsThePeak) {
  for (int64_t step = 2; step < 10; ++step) EXPECT_DOUBLE_EQ(schedule(LRDecay::kConstant).at(step), 1.0);
}

// After warm-up, progress = (step - 2) / 8 and lr = 0.2 + 0.8 * shape(progress).
TEST(LRSchedule, LinearDecaysTowardsTheMinimumRatio) {
  const LRSchedule lr = schedule(LRDecay::kLinear);
  EXPECT_DOUBLE_EQ(lr.at(6), 0.2 + 0.8 * 0.5);     // progress 1/2
  EXPECT_DOUBLE_EQ(lr.at(9), 0.2 + 0.8 * 0.125);   // progress 7/8, the last step
  EXPECT_DOUBLE_EQ(lr.at(10), 0.2);                // progress 1
  EXPECT_DOUBLE_EQ(lr.at(50), 0.2);                // held at the minimum beyond the run
}

TEST(LRSchedule, CosineDecaysTowardsTheMinimumRatio) {
  const LRSchedule lr = schedule(LRDecay::kCosine);
  EXPECT_DOUBLE_EQ(lr.at(6), 0.2 + 0.8 * 0.5);                    // cos(pi/2) = 0
  EXPECT_NEAR(lr.at(4), 0.2 + 0.8 * 0.5 * (1 + 0.70710678118654757), 1e-12);  // cos(pi/4)
  EXPECT_DOUBLE_EQ(lr.at(10), 0.2);
}

TEST(LRSchedule, NamesRoundTripAndUnknownNamesFail) {
  for (const char* name : {"constant", "linear", "cosine"}) EXPECT_EQ(lr_decay_name(parse_lr_decay(name)), name);
  try {
    parse_lr_decay("step");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'step'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace r1
