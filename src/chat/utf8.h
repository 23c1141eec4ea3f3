// UTF-8 helpers for the string operations of the Jinja interpreter. Python
// strings index, slice and strip by code point, so the interpreter converts
// to code points where byte offsets would differ.
#pragma once

#include <string>
#include <vector>

namespace r1::jinja {

// Decodes UTF-8 into code points. An invalid byte becomes the lone surrogate
// U+DC00 + byte, which utf8_encode turns back into that byte.
std::u32string utf8_decode(const std::string& text);
std::string utf8_encode(const std::u32string& code_points);
void utf8_append(std::string& out, char32_t code_point);

// Python's str.isspace() for one code point (Unicode White_Space plus the
// ASCII separators 0x1C-0x1F).
bool is_python_space(char32_t code_point);

}  // namespace r1::jinja
