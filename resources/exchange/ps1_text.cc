#include "resources/exchange/ps1_text.h"

namespace xcert::exchange {

namespace {

// U+2018 LEFT, U+2019 RIGHT, U+201A LOW-9 and U+201B HIGH-REVERSED-9 SINGLE
// QUOTATION MARK, which PowerShell treats like an apostrophe.
constexpr std::string_view kTypographicQuotes[] = {"\u2018", "\u2019", "\u201A", "\u201B"};

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7F; }

}  // namespace

std::string Ps1String(std::string_view text) {
  std::string out = "'";
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\'') {
      out += "''";
      continue;
    }
    if (IsControl(c)) {
      out += ' ';
      continue;
    }
    bool quote = false;
    for (std::string_view q : kTypographicQuotes) {
      if (text.substr(i).starts_with(q)) {
        out += q;
        out += q;
        i += q.size() - 1;
        quote = true;
        break;
      }
    }
    if (!quote) out += char(c);
  }
  return out + "'";
}

std::string Ps1StringArray(const std::vector<std::string>& items) {
  std::string out = "@(";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += Ps1String(items[i]);
  }
  return out + ")";
}

std::string Ps1Comment(std::string_view text) {
  std::string out;
  for (char ch : text) {
    const unsigned char c = static_cast<unsigned char>(ch);
    out += IsControl(c) ? ' ' : ch;
    // "#>" would end a block comment, "<#" would open one.
    if ((out.ends_with("#>") || out.ends_with("<#")) && out.size() >= 2)
      out.insert(out.size() - 1, " ");
  }
  return out;
}

std::string Ps1Identifier(std::string_view text) {
  std::string out;
  for (char c : text) {
    const bool keep =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    out += keep ? c : '_';
  }
  return out;
}

}  // namespace xcert::exchange
