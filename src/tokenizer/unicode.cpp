#include "tokenizer/unicode.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/bytestream.h>

#include "util/error.h"

namespace r1 {

uint32_t decode_utf8(std::string_view text, size_t pos, int& length) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  const size_t size = text.size();
  const uint8_t lead = bytes[pos];
  length = 1;
  if (lead < 0x80) return lead;

  // The lead byte fixes the sequence length and the range of the second byte
  // (Unicode 15, table 3-7, well-formed UTF-8 byte sequences).
  int count = 0;
  uint8_t second_min = 0x80;
  uint8_t second_max = 0xBF;
  uint32_t code_point = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    count = 2;
    code_point = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    count = 3;
    code_point = lead & 0x0F;
    if (lead == 0xE0) second_min = 0xA0;
    if (lead == 0xED) second_max = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    count = 4;
    code_point = lead & 0x07;
    if (lead == 0xF0) second_min = 0x90;
    if (lead == 0xF4) second_max = 0x8F;
  } else {
    return kInvalidUtf8;
  }
  if (pos + count > size) return kInvalidUtf8;

  // Continuation bytes.
  for (int k = 1; k < count; ++k) {
    const uint8_t byte = bytes[pos + k];
    const uint8_t low = k == 1 ? second_min : 0x80;
    const uint8_t high = k == 1 ? second_max : 0xBF;
    if (byte < low || byte > high) return kInvalidUtf8;
    code_point = (code_point << 6) | (byte & 0x3F);
  }
  length = count;
  return code_point;
}

void append_utf8(uint32_t code_point, std::string& out) {
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

namespace {

CharClass classify_slow(uint32_t code_point) {
  const auto c = static_cast<UChar32>(code_point);
  if (u_hasBinaryProperty(c, UCHAR_WHITE_SPACE)) return CharClass::kWhitespace;
  const uint32_t mask = U_GET_GC_MASK(c);
  if (mask & U_GC_L_MASK) return CharClass::kLetter;
  if (mask & U_GC_N_MASK) return CharClass::kNumber;
  return CharClass::kOther;
}

// Classes of the first 64K code points, computed once with ICU. The
// pre-tokenizer classifies every character, so this lookup is on the hot path.
struct BmpTable {
  uint8_t classes[0x10000];
  BmpTable() {
    for (uint32_t c = 0; c < 0x10000; ++c) classes[c] = static_cast<uint8_t>(classify_slow(c));
  }
};

}  // namespace

CharClass classify(uint32_t code_point) {
  static const BmpTable table;
  if (code_point < 0x10000) return static_cast<CharClass>(table.classes[code_point]);
  if (code_point == kInvalidUtf8) return CharClass::kOther;
  return classify_slow(code_point);
}

namespace {

std::string nfc_of_valid(std::string_view text) {
  // ASCII is already in NFC.
  bool ascii = true;
  for (char c : text) {
    if (static_cast<uint8_t>(c) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return std::string(text);

  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) fail("cannot load the ICU NFC normalizer: {}", u_errorName(status));

  // ICU's UTF-8 functions avoid a round trip through UTF-16.
  const icu::StringPiece input(text.data(), static_cast<int32_t>(text.size()));
  if (nfc->isNormalizedUTF8(input, status) && U_SUCCESS(status)) return std::string(text);
  status = U_ZERO_ERROR;
  std::string out;
  icu::StringByteSink<std::string> sink(&out, static_cast<int32_t>(text.size()));
  nfc->normalizeUTF8(0, input, sink, nullptr, status);
  if (U_FAILURE(status)) fail("NFC normalization failed: {}", u_errorName(status));
  return out;
}

}  // namespace

std::string normalize_nfc(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t run_start = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    int length = 0;
    if (decode_utf8(text, pos, length) != kInvalidUtf8) {
      pos += length;
      continue;
    }

    // Normalize the valid run before the invalid byte, then copy the byte.
    out += nfc_of_valid(text.substr(run_start, pos - run_start));
    out.push_back(text[pos]);
    pos += 1;
    run_start = pos;
  }
  out += nfc_of_valid(text.substr(run_start));
  return out;
}

}  // namespace r1
