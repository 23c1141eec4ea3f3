// flush_subnormals(): subnormal floats read as zero afterwards, on the calling
// thread and on a thread started after it, as the worker threads are.
#include <gtest/gtest.h>

#include <thread>

#include "runtime/runtime.h"

namespace r1 {
namespace {

// 1e-40 is below float32's smallest normal value (about 1.2e-38).
float scaled_subnormal() {
  auto x = torch::full({16}, 1e-40f);
  return (x * 2.0f).max().item<float>();
}

TEST(Subnormals, FlushedOnThisThreadAndNewThreads) {
  if (!flush_subnormals()) GTEST_SKIP() << "this CPU has no flush-to-zero mode";
  EXPECT_EQ(scaled_subnormal(), 0.0f);

  float on_new_thread = -1.0f;
  std::thread worker([&] { on_new_thread = scaled_subnormal(); });
  worker.join();
  EXPECT_EQ(on_new_thread, 0.0f);

  // normal values are unchanged
  EXPECT_FLOAT_EQ((torch::full({1}, 1e-30f) * 2.0f).item<float>(), 2e-30f);
}

}  // namespace
}  // namespace r1
