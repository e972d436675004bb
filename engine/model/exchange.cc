#include "engine/model/exchange.h"

#include <algorithm>

#include "engine/util/strings.h"

namespace xcert {

namespace {

struct ServiceInfo {
  Service service;
  std::string_view name;
  char letter;
};

// Letter order of ServicesStringForm: I P U W S F C.
constexpr ServiceInfo kServiceInfo[] = {
    {Service::kImap, "IMAP", 'I'},
    {Service::kPop, "POP", 'P'},
    {Service::kUm, "UM", 'U'},
    {Service::kIis, "IIS", 'W'},
    {Service::kSmtp, "SMTP", 'S'},
    {Service::kFederation, "Federation", 'F'},
    {Service::kUmCallRouter, "UMCallRouter", 'C'},
};

const ServiceInfo& Info(Service s) {
  for (const ServiceInfo& i : kServiceInfo) {
    if (i.service == s) return i;
  }
  return kServiceInfo[0];
}

bool Has(const std::vector<Role>& roles, Role r) {
  return std::find(roles.begin(), roles.end(), r) != roles.end();
}

bool HasUm(ExchangeVersion v) { return v == ExchangeVersion::k2013 || v == ExchangeVersion::k2016; }

}  // namespace

std::string_view ServiceName(Service s) { return Info(s).name; }

std::optional<Service> ParseService(std::string_view name) {
  for (const ServiceInfo& i : kServiceInfo) {
    if (EqualsIgnoreCase(i.name, name)) return i.service;
  }
  return std::nullopt;
}

ServiceSet::ServiceSet(std::initializer_list<Service> services) {
  for (Service s : services) Add(s);
}

std::vector<Service> ServiceSet::ToVector() const {
  std::vector<Service> out;
  for (Service s : kAllServices) {
    if (Has(s)) out.push_back(s);
  }
  return out;
}

std::string ServiceSet::ToString() const {
  if (empty()) return "None";
  std::string out;
  for (Service s : ToVector()) {
    if (!out.empty()) out += ", ";
    out += ServiceName(s);
  }
  return out;
}

std::string ServiceSet::ToLetters() const {
  std::string out;
  for (const ServiceInfo& i : kServiceInfo) out += Has(i.service) ? i.letter : '.';
  return out;
}

std::string_view RoleName(Role r) {
  switch (r) {
    case Role::kMailbox: return "Mailbox";
    case Role::kClientAccess: return "ClientAccess";
    case Role::kEdgeTransport: return "EdgeTransport";
  }
  return "?";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (Role r : {Role::kMailbox, Role::kClientAccess, Role::kEdgeTransport}) {
    if (EqualsIgnoreCase(RoleName(r), name)) return r;
  }
  return std::nullopt;
}

std::string_view VersionName(ExchangeVersion v) {
  switch (v) {
    case ExchangeVersion::k2013: return "2013";
    case ExchangeVersion::k2016: return "2016";
    case ExchangeVersion::k2019: return "2019";
    case ExchangeVersion::kSE: return "SE";
  }
  return "?";
}

std::optional<ExchangeVersion> ParseVersion(std::string_view name) {
  for (ExchangeVersion v : {ExchangeVersion::k2013, ExchangeVersion::k2016, ExchangeVersion::k2019,
                            ExchangeVersion::kSE}) {
    if (EqualsIgnoreCase(VersionName(v), name)) return v;
  }
  return std::nullopt;
}

bool RoleExistsIn(Role role, ExchangeVersion version) {
  return role != Role::kClientAccess || version == ExchangeVersion::k2013;
}

std::string WhyNotEnableable(Service service, const std::vector<Role>& roles,
                             ExchangeVersion version) {
  const bool mailbox = Has(roles, Role::kMailbox);
  const bool cas = Has(roles, Role::kClientAccess);
  const bool edge = Has(roles, Role::kEdgeTransport);
  // Exchange 2016+ Mailbox includes the client access (front-end) services.
  const bool front_end = cas || (mailbox && version != ExchangeVersion::k2013);
  if (roles.empty() && service != Service::kFederation) return "the server has no roles";
  switch (service) {
    case Service::kFederation:
      return "Federation certificates are managed with New-FederationTrust/Set-FederationTrust, "
             "never enabled as a service";
    case Service::kSmtp:
      return mailbox || cas || edge ? ""
                                    : "SMTP needs a Mailbox, ClientAccess or EdgeTransport role";
    case Service::kIis:
      if (edge && !mailbox && !cas) return "an EdgeTransport server only serves SMTP";
      return "";
    case Service::kImap:
    case Service::kPop:
      if (edge && !mailbox && !cas) return "an EdgeTransport server only serves SMTP";
      return front_end ? "" : "POP and IMAP on Exchange 2013 need the ClientAccess role";
    case Service::kUm:
    case Service::kUmCallRouter:
      if (!HasUm(version)) {
        return "Unified Messaging does not exist in Exchange " + std::string(VersionName(version)) +
               " (only 2013 and 2016)";
      }
      if (edge && !mailbox && !cas) return "an EdgeTransport server only serves SMTP";
      if (service == Service::kUm && !mailbox) return "UM needs the Mailbox role";
      if (service == Service::kUmCallRouter && !front_end) {
        return "UMCallRouter on Exchange 2013 needs the ClientAccess role";
      }
      return "";
  }
  return "unknown service";
}

ServiceSet EnableableServices(const std::vector<Role>& roles, ExchangeVersion version) {
  ServiceSet out;
  for (Service s : kAllServices) {
    if (WhyNotEnableable(s, roles, version).empty()) out.Add(s);
  }
  return out;
}

}  // namespace xcert
