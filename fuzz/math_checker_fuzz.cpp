// Fuzzes the math answer checker: the input is "completion \x00 gold" (or
// the same text as both when it has no NUL byte). Any crash, sanitizer report,
// or a check that runs far past its time limit is a bug.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "rewards/math/checker.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  size_t separator = input.find('\0');
  std::string completion = input.substr(0, separator);
  std::string gold = separator == std::string::npos ? input : input.substr(separator + 1);

  r1::rewards::math::CheckOptions options;
  options.extractors = r1::rewards::math::default_extractors("choice");
  options.extractors.push_back(r1::rewards::math::Extractor::kGsm8k);

  auto start = std::chrono::steady_clock::now();
  r1::rewards::math::check_completion(completion, gold, options);
  r1::rewards::math::check_answer(completion, gold, options.limits);
  r1::rewards::math::check_answer(gold, gold, options.limits);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // Three checks of 50 ms each; the sanitizers slow the clock checks down, so
  // allow a wide margin before calling it a hang.
  if (seconds > 2.0) std::abort();
  return 0;
}
