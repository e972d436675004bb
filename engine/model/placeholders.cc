#include "engine/model/placeholders.h"

namespace xcert {

PlaceholderScan ScanPlaceholders(std::string_view text) {
  PlaceholderScan scan;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '}') {
      if (scan.syntax_error.empty()) {
        scan.syntax_error = "'}' at character " + std::to_string(i + 1) + " has no opening '{'";
      }
      continue;
    }
    if (text[i] != '{') continue;
    const size_t close = text.find_first_of("{}", i + 1);
    if (close == std::string_view::npos || text[close] == '{') {
      if (scan.syntax_error.empty()) {
        scan.syntax_error = "'{' at character " + std::to_string(i + 1) + " is not closed";
      }
      continue;
    }
    const std::string_view name = text.substr(i, close - i + 1);
    if (name == "{server}") {
      scan.server = true;
    } else if (name == "{fqdn}") {
      scan.fqdn = true;
    } else if (name == "{domain}") {
      scan.domain = true;
    } else {
      scan.unknown.emplace_back(name);
    }
    i = close;
  }
  return scan;
}

std::string ExpandPlaceholders(std::string_view text, const PlaceholderValues& values) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const auto replace = [&](std::string_view name, const std::string& value) {
      if (text.substr(i, name.size()) != name) return false;
      out += value;
      i += name.size();
      return true;
    };
    if (text[i] == '{' && ((values.server && (replace("{server}", values.server->name) ||
                                              replace("{fqdn}", values.server->fqdn))) ||
                           replace("{domain}", values.domain))) {
      continue;
    }
    out += text[i++];
  }
  return out;
}

CertificateSpec ExpandCertificate(const CertificateSpec& spec, const ServerSpec* server,
                                  const std::string& domain) {
  const PlaceholderValues values{server, domain};
  CertificateSpec out = spec;
  out.subject = ExpandPlaceholders(spec.subject, values);
  out.friendly_name = ExpandPlaceholders(spec.friendly_name, values);
  for (std::string& name : out.dns_names) name = ExpandPlaceholders(name, values);
  if (server) out.servers = {server->name};
  return out;
}

}  // namespace xcert
