// Hashes and encodings used throughout the toolkit.
#pragma once

#include <string>
#include <string_view>

#include "engine/util/status.h"

namespace xcert::x509 {

// 40 upper-case hex characters: what Exchange calls the thumbprint.
std::string Sha1Hex(std::string_view bytes);
// 64 upper-case hex characters.
std::string Sha256Hex(std::string_view bytes);
// Raw 20-byte SHA-1 (e.g. an RFC 5280 method-1 key identifier).
std::string Sha1(std::string_view bytes);
// Raw 32-byte SHA-256.
std::string Sha256(std::string_view bytes);

std::string Base64Encode(std::string_view bytes);
// Accepts standard base64 with or without line breaks / whitespace.
Result<std::string> Base64Decode(std::string_view text);

// `n` cryptographically random bytes (RAND_bytes).
std::string RandomBytes(size_t n);
// A random password of `n` URL-safe characters, for in-memory PKCS#12 transit.
std::string RandomPassword(size_t n = 32);

}  // namespace xcert::x509
