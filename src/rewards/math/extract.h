// Extraction of the final answer from a model completion.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace r1::rewards::math {

enum class Extractor {
  kBoxed,      // last \boxed{...} or \fbox{...} (also "\boxed 5")
  kAnswerTag,  // content of the last <answer>...</answer>
  kGsm8k,      // "#### 1,250.00"
  kPhrase,     // "the answer is X", "Final Answer: X"
  kChoice,     // a multiple-choice letter such as "(C)"
};

const char* extractor_name(Extractor extractor);
// Parses "boxed", "answer_tag", "gsm8k", "phrase", "choice"; throws r1::Error otherwise.
Extractor parse_extractor(const std::string& name);

// Default priority lists for dataset kinds: "math", "gsm8k", "choice".
// Throws r1::Error for an unknown kind.
std::vector<Extractor> default_extractors(const std::string& dataset_kind);

struct Extraction {
  bool found = false;
  std::string answer;
  std::string extractor;  // name of the extractor that found it
  std::string failure;    // when not found: "truncated", "unterminated_box", "unterminated_answer_tag", "none"
};

// Tries the extractors in order and returns the first answer found. A
// truncated completion, or one whose last box or answer tag never closes, has
// no final answer: extraction stops there and never falls back to an earlier
// answer.
Extraction extract_answer(std::string_view completion, const std::vector<Extractor>& extractors, bool truncated);

}  // namespace r1::rewards::math
