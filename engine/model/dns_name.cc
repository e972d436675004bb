#include "engine/model/dns_name.h"

#include <algorithm>
#include <cctype>

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

std::string CheckLabel(std::string_view label) {
  if (label.empty()) return "it has an empty label";
  if (label.size() > 63) return "label '" + std::string(label) + "' is longer than 63 characters";
  if (label.front() == '-' || label.back() == '-') {
    return "label '" + std::string(label) + "' starts or ends with a hyphen";
  }
  for (char c : label) {
    if (c == '*') return "a wildcard '*' is only allowed as the whole left-most label (*.example.com)";
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') {
      return std::string("character '") + c + "' is not allowed (letters, digits and hyphens only)";
    }
  }
  return "";
}

}  // namespace

std::string WhyInvalidDnsName(std::string_view name) {
  if (name.empty()) return "it is empty";
  if (name.size() > 253) return "it is longer than 253 characters";
  if (name.find(':') != std::string_view::npos || LooksLikeIpv4(name)) {
    return "IP addresses are not DNS names (Exchange certificates name hosts)";
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
