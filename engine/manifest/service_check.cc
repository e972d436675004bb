#include "engine/manifest/service_check.h"

#include <map>
#include <utility>

#include "engine/manifest/pointer.h"
#include "engine/util/strings.h"

namespace xcert::manifest {

namespace {

std::string Describe(const ServerSpec& s) {
  std::vector<std::string> roles;
  for (Role r : s.roles) roles.emplace_back(RoleName(r));
  return "Exchange " + std::string(VersionName(s.version)) + ", " + Join(roles, ", ");
}

// Servers of certificate `index` that exist and whose roles and version
// could be read, in manifest order.
std::vector<const ServerSpec*> UsableServers(const CheckContext& c, size_t index) {
  std::vector<const ServerSpec*> out;
  const std::vector<std::string>& names = c.manifest().certificates[index].servers;
  for (size_t j = 0; j < names.size(); ++j) {
    if (c.reporter().IsBad(JoinPointer(CheckContext::Certificate(index, "servers"), j))) continue;
    const ServerSpec* s = c.FindServer(names[j]);
    if (!s || s->roles.empty()) continue;
    const size_t server_index = static_cast<size_t>(s - c.manifest().servers.data());
    if (c.reporter().AnyBadAround(CheckContext::Server(server_index, "roles")) ||
        c.reporter().IsBad(CheckContext::Server(server_index, "version"))) {
      continue;
    }
    out.push_back(s);
  }
  return out;
}

void CheckAllowed(const CheckContext& c, size_t index) {
  const CertificateSpec& cert = c.manifest().certificates[index];
  const std::string services = CheckContext::Certificate(index, "services");
  const std::string name = "certificate " + Quote(cert.name);
  const std::vector<const ServerSpec*> servers = UsableServers(c, index);
  for (Service service : cert.services.ToVector()) {
    const std::string entry = c.EntryPointer(services, ServiceName(service));
    const std::string service_name(ServiceName(service));
    if (service == Service::kFederation) {
      c.reporter().Error(entry,
                         name + " cannot serve Federation: " +
                             WhyNotEnableable(service, {Role::kMailbox}, ExchangeVersion::k2019),
                         "remove Federation from services");
      continue;
    }
    for (const ServerSpec* s : servers) {
      const std::string why = WhyNotEnableable(service, s->roles, s->version);
      if (why.empty()) continue;
      c.reporter().Error(
          entry,
          name + " cannot serve " + service_name + " on server " + Quote(s->name) + " (" +
              Describe(*s) + "): " + why,
          "remove " + service_name + " from services, or " + Quote(s->name) + " from servers");
      break;
    }
  }
}

// IIS, IMAP and POP have one certificate per server (enabling another moves
// the service), and so does the default SMTP certificate.
void CheckExclusive(const CheckContext& c) {
  constexpr Service kExclusive[] = {Service::kIis, Service::kImap, Service::kPop};
  std::map<std::pair<const ServerSpec*, int>, size_t> owner;  // (server, service) -> certificate
  const int kDefaultSmtp = 0;
  const std::vector<CertificateSpec>& certs = c.manifest().certificates;
  for (size_t i = 0; i < certs.size(); ++i) {
    const std::string p = CheckContext::Certificate(i);
    for (const ServerSpec* s : UsableServers(c, i)) {
      for (Service service : kExclusive) {
        if (!certs[i].services.Has(service)) continue;
        auto [it, inserted] = owner.emplace(std::make_pair(s, int(service)), i);
        if (inserted || it->second == i) continue;
        const std::string service_name(ServiceName(service));
        c.reporter().Error(c.EntryPointer(p + "/services", service_name),
                           "server " + Quote(s->name) + " would get " + service_name +
                               " from certificate '" + certs[it->second].name +
                               "' and from certificate '" + certs[i].name + "'",
                           "a server has one " + service_name +
                               " certificate (enabling one moves the service); remove " +
                               service_name + " from one of them");
      }
      if (!certs[i].replace_default_smtp) continue;
      auto [it, inserted] = owner.emplace(std::make_pair(s, kDefaultSmtp), i);
      if (inserted || it->second == i) continue;
      c.reporter().Error(p + "/replaceDefaultSmtp",
                         "server '" + s->name +
                             "' has one default SMTP certificate, but "
                             "certificate '" +
                             certs[it->second].name + "' and certificate '" + certs[i].name +
                             "' both replace it",
                         "keep replaceDefaultSmtp on one of them");
    }
  }
}

void CheckReplaceDefaultSmtp(const CheckContext& c, size_t index) {
  const CertificateSpec& cert = c.manifest().certificates[index];
  if (!cert.replace_default_smtp) return;
  const std::string p = CheckContext::Certificate(index, "replaceDefaultSmtp");
  const std::string name = "certificate " + Quote(cert.name);
  if (!cert.services.Has(Service::kSmtp)) {
    if (c.reporter().AnyBadAround(CheckContext::Certificate(index, "services"))) return;
    c.reporter().Error(p, name + " sets replaceDefaultSmtp but does not serve SMTP",
                       "add SMTP to services, or remove replaceDefaultSmtp");
    return;
  }
  for (const ServerSpec* s : UsableServers(c, index)) {
    if (std::find(s->roles.begin(), s->roles.end(), Role::kEdgeTransport) == s->roles.end()) {
      continue;
    }
    c.reporter().Warning(
        p,
        name + " replaces the default SMTP certificate of Edge Transport server " + Quote(s->name),
        "re-create the Edge Subscription afterwards, or EdgeSync cannot decrypt "
        "its credentials");
    break;
  }
}

}  // namespace

void CheckServices(const CheckContext& c) {
  for (size_t i = 0; i < c.manifest().certificates.size(); ++i) {
    if (c.reporter().IsBad(CheckContext::Certificate(i))) continue;
    CheckAllowed(c, i);
    CheckReplaceDefaultSmtp(c, i);
  }
  CheckExclusive(c);
}

}  // namespace xcert::manifest
