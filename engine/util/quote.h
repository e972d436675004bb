// The one way a message names a value the user wrote: a path, a name, a
// manifest value, an environment variable's value, a field of a saved plan.
//
// xcert never echoes a secret or key material, not even in an error about it,
// and a message stays readable whatever the value holds. So every such value
// passes through MessageValue (or Quote in engine/util/strings.h, which adds
// the quotes):
//   - key material is not shown at all: PEM armour ("-----BEGIN ..."), a long
//     base64 run (the body of a PEM block, a base64 PKCS#12), or a DER /
//     PKCS#12 blob (binary starting with an ASN.1 SEQUENCE) becomes
//     "[key material, not shown]";
//   - control characters and bytes that are not UTF-8 are written as \xNN, so
//     a value cannot forge lines or move the terminal's cursor;
//   - a value longer than kMaxShownChars characters keeps its head and its
//     tail around "…", so that a 50 MB value is not a 50 MB message.
// Passwords cannot be recognised by their look: code that holds a secret, or a
// value where a secret may have been written by mistake (a password given
// where a variable NAME belongs), does not show it at all.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace xcert {

// Values longer than this (in characters) are shortened.
inline constexpr size_t kMaxShownChars = 200;
// What MessageValue shows instead of key material.
inline constexpr std::string_view kKeyMaterialShown = "[key material, not shown]";

// Whether `s` holds what looks like key material: PEM armour, a run of at
// least 48 base64 characters that mixes upper case, lower case and digits
// (and has fewer '/' than a path would), or DER (an ASN.1 SEQUENCE with a
// long-form length, as every key, certificate and PKCS#12 file starts).
bool LooksLikeKeyMaterial(std::string_view s);

// `s` as a message may show it (see above), without quotes.
std::string MessageValue(std::string_view s);

}  // namespace xcert
