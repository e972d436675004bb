// Distinguished names as users write them and Exchange shows them:
// "CN=mail.contoso.com, OU=IT, O=Contoso, C=DE" (most specific first, the
// reverse of the DER order). Parsing follows RFC 4514 escaping; comparison is
// case-insensitive on types and values with whitespace folded, as X.500
// caseIgnoreMatch does.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/util/status.h"

namespace xcert {

struct Rdn {
  std::string type;   // canonical short name: CN, O, OU, L, S, C, DC, E, SERIALNUMBER, STREET
  std::string value;  // unescaped
  bool operator==(const Rdn&) const = default;
};

// Parses "CN=a, O=b" (',' or ';' separated; '\,' and '\2C' escapes). Errors
// name the offending part: "unknown attribute type 'X' (known: CN, O, ...)".
// Spells stateOrProvinceName "S", as .NET and Exchange show it, and accepts
// OpenSSL's "ST" for it; "EMAIL"/"emailAddress" for "E".
Result<std::vector<Rdn>> ParseDn(std::string_view text);

// The display form "CN=a, O=b", escaping ',', '+', '"', '\\', '<', '>', ';'.
std::string FormatDn(const std::vector<Rdn>& rdns);

// The value of the first CN, or "".
std::string CommonName(const std::vector<Rdn>& rdns);

// Canonical comparison key: types canonical, values lower-cased, whitespace folded.
std::string DnKey(const std::vector<Rdn>& rdns);

// True when both parse and have the same DnKey (or, if either does not
// parse, when the texts are equal ignoring case).
bool SameDn(std::string_view a, std::string_view b);

}  // namespace xcert
