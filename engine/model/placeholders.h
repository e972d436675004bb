// Placeholders in certificate templates: {server}, {fqdn} and {domain}.
//
// `subject`, `dnsNames` and `friendlyName` may use {domain} (the
// organization's domain) anywhere, and {server} / {fqdn} (the server's name
// and FQDN) when the certificate is perServer: one certificate per server,
// each with its own names. Braces are reserved in those fields: any "{...}"
// is a placeholder, and an unknown one is an error.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/model/manifest.h"

namespace xcert {

// What a text uses.
struct PlaceholderScan {
  bool server = false;               // {server}
  bool fqdn = false;                 // {fqdn}
  bool domain = false;               // {domain}
  std::vector<std::string> unknown;  // e.g. "{host}", as written
  std::string syntax_error;          // e.g. "'{' at character 4 is not closed"
  bool per_server() const { return server || fqdn; }
};
PlaceholderScan ScanPlaceholders(std::string_view text);

// The values placeholders stand for. `server` may be null (a certificate
// shared by several servers): then {server} and {fqdn} stay as written.
struct PlaceholderValues {
  const ServerSpec* server = nullptr;
  std::string domain;
};

// `text` with every known placeholder replaced.
std::string ExpandPlaceholders(std::string_view text, const PlaceholderValues& values);

// `spec` as deployed to `server` (null for a shared certificate): subject,
// dnsNames and friendlyName expanded.
CertificateSpec ExpandCertificate(const CertificateSpec& spec, const ServerSpec* server,
                                  const std::string& domain);

}  // namespace xcert
