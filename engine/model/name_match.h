// Host-name coverage per RFC 6125 §6.4: case-insensitive; a wildcard only as
// the whole left-most label; "*.example.com" covers "a.example.com" but not
// "example.com" or "a.b.example.com"; partial wildcards ("f*.example.com")
// cover nothing; the subject CN is consulted only when the certificate has no
// DNS names.
#pragma once

#include <string_view>
#include <vector>

#include "engine/model/certificate.h"

namespace xcert {

// Whether the presented identifier (from a certificate) covers `host`.
bool NameCovers(std::string_view presented, std::string_view host);

// Whether `cert` covers `host`: its DNS names, or, when it has none, its CN
// if that is a DNS name (so "CN=Microsoft Exchange Server Auth Certificate"
// covers nothing). One trailing dot on either side is ignored.
bool CertificateCovers(const CertificateInfo& cert, std::string_view host);

// The hosts in `hosts` that `cert` does not cover.
std::vector<std::string> UncoveredNames(const CertificateInfo& cert,
                                        const std::vector<std::string>& hosts);

}  // namespace xcert
