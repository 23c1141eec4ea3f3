// The byte-level alphabet of GPT-2 style BPE: every byte maps to one
// printable Unicode character, so byte strings can be stored in a text vocabulary.
// Printable Latin-1 bytes ('!'..'~', U+00A1..U+00AC, U+00AE..U+00FF) map to
// themselves, and the other 68 bytes map to U+0100 onwards in byte order
// (space becomes "Ġ", U+0120).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace r1 {

// Appends the byte-level characters (as UTF-8) of each byte of bytes.
void append_byte_level(std::string_view bytes, std::string& out);

// Returns the byte that a byte-level character stands for, if it is one.
std::optional<uint8_t> byte_of_byte_level_char(uint32_t code_point);

// Decodes a byte-level string back into bytes. Returns nullopt when a
// character is outside the alphabet.
std::optional<std::string> decode_byte_level(std::string_view text);

}  // namespace r1
