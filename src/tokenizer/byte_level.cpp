#include "tokenizer/byte_level.h"

#include <array>

#include "tokenizer/unicode.h"

namespace r1 {
namespace {

struct ByteLevelAlphabet {
  std::array<uint32_t, 256> char_of_byte{};
  std::array<std::string, 256> utf8_of_byte;
  std::array<int16_t, 512> byte_of_char{};  // code points 0..511, -1 for none

  ByteLevelAlphabet() {
    byte_of_char.fill(-1);
    uint32_t next_extra = 256;
    for (uint32_t byte = 0; byte < 256; ++byte) {
      const bool printable = (byte >= '!' && byte <= '~') || (byte >= 0xA1 && byte <= 0xAC) ||
                             (byte >= 0xAE && byte <= 0xFF);
      const uint32_t code_point = printable ? byte : next_extra++;
      char_of_byte[byte] = code_point;
      byte_of_char[code_point] = static_cast<int16_t>(byte);
      append_utf8(code_point, utf8_of_byte[byte]);
    }
  }
};

const ByteLevelAlphabet& alphabet() {
  static const ByteLevelAlphabet instance;
  return instance;
}

}  // namespace

void append_byte_level(std::string_view bytes, std::string& out) {
  const auto& table = alphabet();
  for (char c : bytes) out += table.utf8_of_byte[static_cast<uint8_t>(c)];
}

std::optional<uint8_t> byte_of_byte_level_char(uint32_t code_point) {
  if (code_point >= 512) return std::nullopt;
  const int16_t byte = alphabet().byte_of_char[code_point];
  if (byte < 0) return std::nullopt;
  return static_cast<uint8_t>(byte);
}

std::optional<std::string> decode_byte_level(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    int length = 0;
    const uint32_t code_point = decode_utf8(text, pos, length);
    const auto byte = byte_of_byte_level_char(code_point);
    if (!byte) return std::nullopt;
    out.push_back(static_cast<char>(*byte));
    pos += length;
  }
  return out;
}

}  // namespace r1
