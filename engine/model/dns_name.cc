#include "engine/model/dns_name.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "engine/util/strings.h"

namespace xcert {

namespace {

bool LooksLikeIpv4(std::string_view name) {
  int dots = 0;
  for (char c : name) {
    if (c == '.') {
      ++dots;
    } else if (!std::isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return dots == 3;
}

bool LooksLikeIpv6(std::string_view name) {
  for (char c : name) {
    if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return false;
  }
  return true;
}

std::string CheckLabel(std::string_view label) {
  if (label.empty()) return "it has an empty label";
  if (label.size() > 63)
    return "label " + Quote(std::string(label)) + " is longer than 63 characters";
  if (label.front() == '-' || label.back() == '-') {
    return "label " + Quote(std::string(label)) + " starts or ends with a hyphen";
  }
  for (char c : label) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '*')
      return "a wildcard '*' is only allowed as the whole left-most label (*.example.com)";
    if (u >= 0x80) {
      return "it has non-ASCII characters; write an internationalized name in its ASCII (xn--) "
             "form";
    }
    if (!std::isalnum(u) && c != '-') {
      if (u < 0x20 || u == 0x7F || c == ' ') {
        char buf[16];
        std::snprintf(buf, sizeof buf, "U+%04X", u);
        return std::string("character ") + buf +
               " is not allowed (letters, digits and hyphens only)";
      }
      return std::string("character '") + c + "' is not allowed (letters, digits and hyphens only)";
    }
  }
  return "";
}

bool AllDigits(std::string_view label) {
  if (label.empty()) return false;
  for (char c : label) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

std::string WhyInvalidDnsName(std::string_view name) {
  if (name.empty()) return "it is empty";
  if (name.size() > 253) return "it is longer than 253 characters";
  if (name.find("://") != std::string_view::npos) {
    return "it is a URL; write the host name only (mail.contoso.com)";
  }
  if (LooksLikeIpv4(name) || (name.find(':') != std::string_view::npos && LooksLikeIpv6(name))) {
    return "IP addresses are not DNS names (Exchange certificates name hosts)";
  }
  if (name.find(':') != std::string_view::npos) {
    return "a port (':443') is not part of a DNS name; write the host name only";
  }
  if (name.back() == '.') return "it ends with a dot; write the name without the trailing dot";
  std::vector<std::string> labels = Split(name, '.');
  size_t first = 0;
  if (labels[0] == "*") {
    if (labels.size() < 3) return "a wildcard needs at least two labels after it (*.example.com)";
    first = 1;
  }
  for (size_t i = first; i < labels.size(); ++i) {
    std::string why = CheckLabel(labels[i]);
    if (!why.empty()) return why;
  }
  // No top-level domain is all digits; "10.0.0" or "1.2.3.4.5" is a mistyped
  // address, not a host name.
  if (labels.size() > 1 && AllDigits(labels.back())) {
    return "its last label '" + labels.back() +
           "' is all digits, which no domain is (an IP address?)";
  }
  return "";
}

std::vector<std::string> CanonicalDnsNames(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  out.reserve(names.size());
  for (const std::string& n : names) out.push_back(ToLower(n));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool SameDnsNameSet(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return CanonicalDnsNames(a) == CanonicalDnsNames(b);
}

}  // namespace xcert
