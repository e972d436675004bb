#include "engine/plan/desired.h"

#include <unordered_map>

#include "engine/model/placeholders.h"

namespace xcert {

namespace {

DesiredCertificate Instance(const Manifest& m, size_t index, const ServerSpec* server,
                            const std::map<std::string, IssuerFacts>& issuers) {
  const CertificateSpec spec =
      ExpandCertificate(m.certificates[index], server, m.organization.domain);
  const std::string base = "/certificates/" + std::to_string(index);
  DesiredCertificate d;
  d.name = spec.name;
  d.artifact = server ? spec.name + "@" + server->name : spec.name;
  d.index = index;
  d.subject = spec.subject;
  d.dns_names = spec.dns_names;
  d.friendly_name = spec.friendly_name.empty() ? spec.name : spec.friendly_name;
  d.issuer = spec.issuer;
  // The manifest declares the type; facts (when given) were read for it.
  if (const IssuerSpec* declared = m.FindIssuer(spec.issuer)) {
    d.issuer_type = declared->type;
  } else if (auto it = issuers.find(spec.issuer); it != issuers.end()) {
    d.issuer_type = it->second.type;
  }
  d.key = spec.key;
  d.validity = spec.validity;
  d.renew_before = spec.renew_before;
  d.servers = server ? std::vector<std::string>{server->name} : spec.servers;
  d.services = spec.services;
  d.replace_default_smtp = spec.replace_default_smtp;
  d.where = m.source.Find(base);
  d.where_subject = m.source.Find(base + "/subject");
  d.where_dns_names = m.source.Find(base + "/dnsNames");
  d.where_key = m.source.Find(base + "/key");
  d.where_issuer = m.source.Find(base + "/issuer");
  d.where_validity = m.source.Find(base + "/validity");
  d.where_services = m.source.Find(base + "/services");
  return d;
}

}  // namespace

std::string CsrFileName(const std::string& artifact, const std::string& server) {
  const bool names_server = artifact.find('@') != std::string::npos;
  return (names_server ? artifact : artifact + "@" + server) + ".csr";
}

Desired Expand(const Manifest& m, std::map<std::string, IssuerFacts> issuers) {
  Desired d;
  d.servers = m.servers;
  d.prune = m.prune;
  d.manifest_file = m.source.file();
  std::unordered_map<std::string, const ServerSpec*> servers;
  for (const ServerSpec& s : m.servers) servers.emplace(s.name, &s);
  for (size_t i = 0; i < m.certificates.size(); ++i) {
    const CertificateSpec& spec = m.certificates[i];
    if (!spec.per_server) {
      d.certificates.push_back(Instance(m, i, nullptr, issuers));
      continue;
    }
    for (const std::string& name : spec.servers) {
      auto it = servers.find(name);
      d.certificates.push_back(Instance(m, i, it == servers.end() ? nullptr : it->second, issuers));
    }
  }
  d.issuers = std::move(issuers);
  return d;
}

}  // namespace xcert
