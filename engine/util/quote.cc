#include "engine/util/quote.h"

#include <cstdint>
#include <cstdio>
#include <vector>

namespace xcert {

namespace {

// A base64 run this long is no word, name or path component a user writes.
constexpr size_t kMinBase64Run = 48;
// Paths are made of base64 characters too ("/srv/xcert/store"); a path has a
// '/' every few characters, base64 about one in 64.
constexpr size_t kMaxSlashesPerBase64Chars = 16;
// Kept on each side of "…" when a value is shortened (in characters).
constexpr size_t kHeadChars = 120;
constexpr size_t kTailChars = 60;

bool IsBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/' || c == '=';
}

bool HasPemArmour(std::string_view s) {
  return s.find("-----BEGIN") != std::string_view::npos ||
         s.find("-----END") != std::string_view::npos ||
         s.find("PRIVATE KEY-----") != std::string_view::npos;
}

bool HasLongBase64Run(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    if (!IsBase64Char(s[i])) {
      ++i;
      continue;
    }
    size_t length = 0, slashes = 0;
    bool upper = false, lower = false, digit = false;
    for (; i < s.size() && IsBase64Char(s[i]); ++i, ++length) {
      const char c = s[i];
      upper |= c >= 'A' && c <= 'Z';
      lower |= c >= 'a' && c <= 'z';
      digit |= c >= '0' && c <= '9';
      slashes += c == '/';
    }
    if (length >= kMinBase64Run && upper && lower && digit &&
        slashes * kMaxSlashesPerBase64Chars < length) {
      return true;
    }
  }
  return false;
}

// DER: a SEQUENCE (0x30) whose length is written in long form (0x81..0x84),
// as keys, certificates and PKCS#12 files of any real size are.
bool LooksLikeDer(std::string_view s) {
  return s.size() >= 4 && static_cast<uint8_t>(s[0]) == 0x30 &&
         static_cast<uint8_t>(s[1]) >= 0x81 && static_cast<uint8_t>(s[1]) <= 0x84;
}

// The length of the UTF-8 sequence starting at s[i] when it is valid and
// complete, else 0. Strict enough for display: overlong forms and surrogates
// are escaped like any other invalid byte.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t c = b(i);
  size_t n = 0;
  uint32_t cp = 0;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
  if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
  return n;
}

// One displayed character: a UTF-8 character as it is, anything else (a
// control character, DEL, a stray byte) as \xNN.
struct Piece {
  size_t begin = 0;
  size_t length = 0;
  bool escaped = false;
};

std::vector<Piece> Pieces(std::string_view s) {
  std::vector<Piece> out;
  for (size_t i = 0; i < s.size();) {
    const uint8_t c = static_cast<uint8_t>(s[i]);
    const size_t n = Utf8SequenceLength(s, i);
    const bool control = c < 0x20 || c == 0x7F;
    if (n == 0 || control) {
      out.push_back({i, 1, true});
      ++i;
    } else {
      out.push_back({i, n, false});
      i += n;
    }
  }
  return out;
}

void AppendPieces(std::string_view s, const std::vector<Piece>& pieces, size_t from, size_t to,
                  std::string* out) {
  for (size_t k = from; k < to; ++k) {
    const Piece& p = pieces[k];
    if (!p.escaped) {
      out->append(s.substr(p.begin, p.length));
      continue;
    }
    char hex[8];
    std::snprintf(hex, sizeof hex, "\\x%02x", unsigned(static_cast<uint8_t>(s[p.begin])));
    out->append(hex);
  }
}

}  // namespace

bool LooksLikeKeyMaterial(std::string_view s) {
  return HasPemArmour(s) || HasLongBase64Run(s) || LooksLikeDer(s);
}

std::string MessageValue(std::string_view s) {
  if (LooksLikeKeyMaterial(s)) return std::string(kKeyMaterialShown);
  const std::vector<Piece> pieces = Pieces(s);
  std::string out;
  if (pieces.size() <= kMaxShownChars) {
    AppendPieces(s, pieces, 0, pieces.size(), &out);
    return out;
  }
  AppendPieces(s, pieces, 0, kHeadChars, &out);
  out += "…";
  AppendPieces(s, pieces, pieces.size() - kTailChars, pieces.size(), &out);
  return out;
}

}  // namespace xcert
