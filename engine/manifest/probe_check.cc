#include "engine/manifest/probe_check.h"

#include <algorithm>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "engine/manifest/pointer.h"
#include "engine/model/dns_name.h"
#include "engine/util/strings.h"

namespace xcert::manifest {

namespace {

bool IsIpAddress(const std::string& text) {
  in_addr v4{};
  in6_addr v6{};
  return ::inet_pton(AF_INET, text.c_str(), &v4) == 1 ||
         ::inet_pton(AF_INET6, text.c_str(), &v6) == 1;
}

// The probe protocols that check `service`, as probe.ports names them.
std::vector<std::string> ProtocolsOf(Service service) {
  switch (service) {
    case Service::kIis: return {"https"};
    case Service::kSmtp: return {"smtp", "smtps"};
    case Service::kImap: return {"imaps", "imap"};
    case Service::kPop: return {"pop3s", "pop3"};
    default: return {};
  }
}

// Whether `protocol` has a port on this server: its own list when given,
// else its default (smtps has none).
bool HasPort(const ProbeSpec& probe, const std::string& protocol) {
  auto it = probe.ports.find(protocol);
  if (it != probe.ports.end()) return !it->second.empty();
  return protocol != "smtps";
}

void CheckAddress(const CheckContext& c, size_t index) {
  const ServerSpec& s = c.manifest().servers[index];
  const std::string pointer = CheckContext::Server(index, "address");
  if (s.address.empty() || c.reporter().IsBad(pointer) || IsIpAddress(s.address)) return;
  const std::string why = WhyInvalidDnsName(s.address);
  if (why.empty() && s.address.find('*') == std::string::npos) return;
  const bool has_port = std::count(s.address.begin(), s.address.end(), ':') == 1;
  c.reporter().Error(pointer,
                     "address " + Quote(s.address) + " of server " + Quote(s.name) +
                         " is neither an IP address nor a host name" +
                         (why.empty() ? ": it is a wildcard" : ": " + why),
                     has_port
                         ? "write the host name only; ports go in probe.ports, e.g. "
                           "probe: {ports: {https: [8443]}}"
                         : "write the address verify connects to, e.g. 10.0.0.21 or " +
                               (s.name.empty() ? std::string("ex01") : s.name) + ".contoso.com");
}

void CheckProbedServices(const CheckContext& c, size_t index) {
  const Manifest& m = c.manifest();
  const ServerSpec& s = m.servers[index];
  const std::string list = JoinPointer(CheckContext::Server(index, "probe"), "services");
  if (c.reporter().AnyBadAround(list)) return;
  ServiceSet served;
  for (const CertificateSpec& cert : m.certificates) {
    if (std::find(cert.servers.begin(), cert.servers.end(), s.name) != cert.servers.end()) {
      served = served.Union(cert.services);
    }
  }
  for (Service service : s.probe.services) {
    const std::string name(ServiceName(service));
    const std::string entry = c.EntryPointer(list, name);
    if (!served.Has(service)) {
      c.reporter().Warning(entry,
                           "server '" + s.name + "' probes " + name +
                               ", but no certificate of this manifest serves " + name + " on it",
                           "verify probes it only if the store binds it; remove it from "
                           "probe.services, or add " +
                               name + " to a certificate's services");
      continue;
    }
    const std::vector<std::string> protocols = ProtocolsOf(service);
    if (std::none_of(protocols.begin(), protocols.end(),
                     [&](const std::string& p) { return HasPort(s.probe, p); })) {
      c.reporter().Warning(entry,
                           "server '" + s.name + "' probes " + name + " on no port: probe.ports " +
                               "gives " + Join(protocols, " and ") + " none",
                           "give a port, e.g. '" + protocols.front() + ": [" +
                               (service == Service::kIis    ? "443"
                                : service == Service::kSmtp ? "25"
                                : service == Service::kImap ? "993"
                                                            : "995") +
                               "]', or remove " + name + " from probe.services");
    }
  }
}

}  // namespace

void CheckProbes(const CheckContext& c) {
  for (size_t i = 0; i < c.manifest().servers.size(); ++i) {
    CheckAddress(c, i);
    CheckProbedServices(c, i);
  }
}

}  // namespace xcert::manifest
