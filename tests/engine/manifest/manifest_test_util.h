// Helpers shared by the manifest tests: load inline YAML and look at the
// diagnostics the way a user reads them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/manifest/load.h"

namespace xcert::manifest::testing {

inline constexpr const char* kFile = "m.yaml";

inline LoadResult Load(std::string_view yaml) { return LoadManifestText(yaml, kFile, "/base"); }

// Each diagnostic as printed, without the file name: "3:5: error: message; hint".
inline std::vector<std::string> Lines(const Diagnostics& diagnostics) {
  std::vector<std::string> out;
  const std::string prefix = std::string(kFile) + ":";
  for (const Diagnostic& d : diagnostics.items()) {
    std::string line = d.ToString();
    if (line.starts_with(prefix)) line.erase(0, prefix.size());
    out.push_back(line);
  }
  return out;
}

inline std::vector<std::string> Lines(std::string_view yaml) {
  return Lines(Load(yaml).diagnostics);
}

// A small valid manifest; tests change one thing in it with Replace.
inline constexpr std::string_view kBase = R"(version: 1
store: {type: local, path: ./store}
issuers:
  - {name: self, type: self-signed}
  - {name: corp-ca, type: ca, certificate: ca.pem, key: ca.key}
servers:
  - {name: EX1, fqdn: ex1.contoso.com, roles: [Mailbox]}
  - {name: EX2, fqdn: ex2.contoso.com, roles: [Mailbox], version: "2016"}
certificates:
  - name: mail
    subject: CN=mail.contoso.com
    dnsNames: [mail.contoso.com, autodiscover.contoso.com]
    issuer: corp-ca
    servers: [EX1, EX2]
    services: [IIS, SMTP]
)";

// `text` with the first occurrence of `from` replaced by `to` (which must exist).
inline std::string Replace(std::string_view text, std::string_view from, std::string_view to) {
  std::string out(text);
  const size_t at = out.find(from);
  if (at == std::string::npos) return "REPLACE FAILED: '" + std::string(from) + "' not found";
  out.replace(at, from.size(), to);
  return out;
}

}  // namespace xcert::manifest::testing
