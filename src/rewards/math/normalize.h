// Text-level cleanup of an answer before parsing: math delimiters, spacing
// and sizing commands, Unicode math symbols, degree marks and the spellings
// that mean the same command (\dfrac and \frac).
#pragma once

#include <string>
#include <string_view>

namespace r1::rewards::math {

// Returns the answer with wrappers removed: surrounding $...$, $$...$$,
// \(...\), \[...\], a whole-answer \boxed{...} or \fbox{...}, and a trailing
// period.
std::string strip_answer_wrappers(std::string_view answer);

// Rewrites LaTeX and Unicode spellings into the forms the parser reads.
std::string normalize_latex(std::string_view answer);

// Whether `word` (lowercase) is a unit or a counting noun dropped after a
// number ("cm", "dollars", "points", "integers", "degrees", ...).
bool is_unit_word(std::string_view word);

}  // namespace r1::rewards::math
