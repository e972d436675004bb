// DNS names as certificates carry them (subjectAltName dNSName).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace xcert {

// Why `name` is not a valid certificate DNS name, or "" if it is. Rules:
// letters, digits and hyphens; labels 1..63 characters, not starting or ending
// with a hyphen; at most 253 characters; no trailing dot; a wildcard only as the
// whole left-most label ("*.contoso.com", never "f*.contoso.com" or "*"); at
// least two labels after a wildcard; not an IP address, and no all-digit last
// label (a mistyped address); ASCII only (IDNs in their xn-- form).
std::string WhyInvalidDnsName(std::string_view name);

// Case-insensitive set equality (order and duplicates ignored).
bool SameDnsNameSet(const std::vector<std::string>& a, const std::vector<std::string>& b);

// Lower-cased, sorted, unique.
std::vector<std::string> CanonicalDnsNames(const std::vector<std::string>& names);

}  // namespace xcert
