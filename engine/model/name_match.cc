#include "engine/model/name_match.h"

#include "engine/model/dn.h"
#include "engine/model/dns_name.h"
#include "engine/util/strings.h"

namespace xcert {

namespace {

// One trailing dot marks an absolute name and changes nothing (RFC 6125
// §6.2.1 compares without it); more dots, or an empty name, are invalid.
bool StripRoot(std::string_view* name) {
  if (name->ends_with('.')) name->remove_suffix(1);
  return !name->empty() && !name->ends_with('.');
}

bool HasEmptyLabel(std::string_view name) {
  return name.starts_with('.') || name.find("..") != std::string_view::npos;
}

// "*.example.com" against "a.example.com" (RFC 6125 §6.4.3): the wildcard
// is the whole left-most label, matches exactly one non-empty label, and
// needs at least two labels after it so "*.com" covers nothing.
bool WildcardCovers(std::string_view presented, std::string_view host) {
  if (!presented.starts_with("*.")) return false;
  const std::string_view base = presented.substr(2);
  if (base.find('*') != std::string_view::npos || base.find('.') == std::string_view::npos) {
    return false;
  }
  const size_t dot = host.find('.');
  if (dot == 0 || dot == std::string_view::npos || host.find('*') != std::string_view::npos) {
    return false;
  }
  return EqualsIgnoreCase(host.substr(dot + 1), base);
}

}  // namespace

bool NameCovers(std::string_view presented, std::string_view host) {
  if (!StripRoot(&presented) || !StripRoot(&host)) return false;
  if (HasEmptyLabel(presented) || HasEmptyLabel(host)) return false;
  // A '*' anywhere but as the whole left-most label ("f*.example.com",
  // "xn--*.example.com", "a.*.example.com") makes the identifier cover nothing.
  if (presented.find('*', presented.starts_with("*.") ? 1 : 0) != std::string_view::npos) {
    return false;
  }
  if (EqualsIgnoreCase(presented, host)) return true;
  return WildcardCovers(presented, host);
}

bool CertificateCovers(const CertificateInfo& cert, std::string_view host) {
  if (!cert.dns_names.empty()) {
    for (const std::string& name : cert.dns_names) {
      if (NameCovers(name, host)) return true;
    }
    return false;
  }
  // RFC 6125 §6.4.4: the CN only when there are no DNS names, and (as
  // Exchange's CertificateDomains) only when it is a DNS name at all.
  auto rdns = ParseDn(cert.subject);
  if (!rdns.ok()) return false;
  const std::string cn = CommonName(*rdns);
  return WhyInvalidDnsName(cn).empty() && NameCovers(cn, host);
}

std::vector<std::string> UncoveredNames(const CertificateInfo& cert,
                                        const std::vector<std::string>& hosts) {
  std::vector<std::string> out;
  for (const std::string& host : hosts) {
    if (!CertificateCovers(cert, host)) out.push_back(host);
  }
  return out;
}

}  // namespace xcert
