// Fuzzes the text rewards (format, language, length, repetition) and the
// reward spec parser on arbitrary bytes.
#include <cstdint>
#include <string>

#include "rewards/composite.h"
#include "rewards/format_reward.h"
#include "rewards/language_reward.h"
#include "rewards/length_reward.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);

  r1::rewards::FormatOptions format;
  r1::rewards::has_think_answer_format(text, format);
  format.think_in_prompt = true;
  r1::rewards::has_think_answer_format(text, format);

  for (const char* language : {"en", "zh", "ja", "ko", "ru"}) {
    r1::rewards::count_language_words(text, language);
  }
  r1::rewards::is_language_mixed(text, "en");
  r1::rewards::count_code_points(text);
  r1::rewards::repetition_penalty(text, 3, -1.0);

  try {
    r1::rewards::parse_reward_spec(text);
  } catch (const r1::Error&) {
    // Invalid specs are rejected with r1::Error: expected.
  }
  return 0;
}
