// Small string helpers shared by every module.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace xcert {

// ASCII case folding (DNS names, thumbprints, service names are ASCII).
std::string ToLower(std::string_view s);
std::string ToUpper(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

std::string_view Trim(std::string_view s);
std::vector<std::string> Split(std::string_view s, char sep);
std::string Join(const std::vector<std::string>& parts, std::string_view sep);

// Quotes for messages: 'name'. Every message that names a value the user
// wrote goes through this (or MessageValue, engine/util/quote.h, without the
// quotes): key material is never shown, control characters are escaped and
// long values shortened.
std::string Quote(std::string_view s);
// "'a', 'b', 'c'": a list for messages, each item through Quote; "(none)" when empty.
std::string QuotedList(const std::vector<std::string>& items);

// A Unicode scalar value: at most U+10FFFF and not a surrogate.
bool IsValidCodePoint(uint32_t cp);
// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above
// U+10FFFF.
bool IsValidUtf8(std::string_view s);

// `n` and a noun that agrees with it: "1 certificate", "2 certificates".
// `plural` defaults to `singular` + "s".
std::string CountNoun(size_t n, std::string_view singular, std::string_view plural = {});

// The candidate closest to `word` (case-insensitive edit distance at most
// max(1, |word|/3)), or "" if none is close: for "did you mean 'dnsNames'?".
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);

// Lower-case hex of bytes; upper-case with `upper`.
std::string HexEncode(std::string_view bytes, bool upper = false);

// A thumbprint as messages show it: its first 8 characters and "…".
std::string ShortThumb(const std::string& thumbprint);

}  // namespace xcert
