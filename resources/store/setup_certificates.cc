#include "resources/store/setup_certificates.h"

#include <algorithm>

#include "engine/model/dns_name.h"
#include "engine/util/strings.h"
#include "resources/x509/builder.h"
#include "resources/x509/digest.h"

namespace xcert::store {

namespace {

bool HasRole(const ServerIdentity& id, Role r) {
  return std::find(id.roles.begin(), id.roles.end(), r) != id.roles.end();
}

bool Serves(const ServerIdentity& id, Service s) {
  return WhyNotEnableable(s, id.roles, id.version).empty();
}

struct SetupCertificate {
  x509::CertificateTemplate tmpl;
  std::string_view friendly_name;
  bool exportable = false;
};

Result<StoredCertificate> Make(const SetupCertificate& spec, TimePoint now) {
  XCERT_ASSIGN_OR_RETURN(x509::PrivateKey key, x509::PrivateKey::Generate(KeySpec{}));
  Result<std::string> der = x509::SelfSign(spec.tmpl, key);
  if (!der.ok()) return der.status().WithContext("creating " + Quote(spec.tmpl.subject));
  StoredCertificate c;
  c.der = std::move(*der);
  c.key = std::move(key);
  c.meta = {std::string(spec.friendly_name), spec.exportable, std::string(kCreatedByStoreInit),
            now};
  return c;
}

// DNS names in order, without case-insensitive repeats.
std::vector<std::string> Unique(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const std::string& n : names) {
    const bool seen = std::any_of(out.begin(), out.end(),
                                  [&](const std::string& o) { return EqualsIgnoreCase(o, n); });
    if (!seen) out.push_back(n);
  }
  return out;
}

}  // namespace

TimePoint AddMonths(TimePoint t, int months) {
  using namespace std::chrono;
  const sys_days day = floor<days>(t);
  year_month_day ymd{day};
  ymd += std::chrono::months(months);
  if (!ymd.ok()) ymd = year_month_day{year_month_day_last{ymd.year(), month_day_last{ymd.month()}}};
  return TimePoint(sys_days(ymd)) + (t - TimePoint(day));
}

Status CheckSetupIdentity(const ServerIdentity& id, const std::string& domain) {
  if (std::string why = WhyInvalidDnsName(id.name);
      !why.empty() || id.name.find('.') != std::string::npos) {
    return InvalidArgument("--server " + Quote(id.name) + ": " +
                           (why.empty() ? "give the server's host name without its domain" : why));
  }
  if (std::string why = WhyInvalidDnsName(id.fqdn); !why.empty()) {
    return InvalidArgument("--fqdn " + Quote(id.fqdn) + ": " + why);
  }
  if (id.roles.empty()) {
    return InvalidArgument("--roles: give at least one of Mailbox, ClientAccess, EdgeTransport");
  }
  for (Role r : id.roles) {
    if (!RoleExistsIn(r, id.version)) {
      return InvalidArgument("--roles: " + std::string(RoleName(r)) +
                             " exists only in Exchange "
                             "2013 (from 2016 on, Mailbox includes the client access services); "
                             "use Mailbox, or --version 2013");
    }
  }
  if (HasRole(id, Role::kEdgeTransport) && id.roles.size() > 1) {
    return InvalidArgument(
        "--roles: EdgeTransport cannot be combined with other roles; an Edge "
        "Transport server stands alone in the perimeter network");
  }
  if (!domain.empty()) {
    if (std::string why = WhyInvalidDnsName(domain); !why.empty()) {
      return InvalidArgument("--domain " + Quote(domain) + ": " + why);
    }
  }
  return Status::Ok();
}

Result<ServerSeed> MakeSetupSeed(const ServerIdentity& id, const std::string& domain,
                                 TimePoint now) {
  ServerSeed seed;
  seed.identity = id;
  std::vector<std::string> names = {id.name, id.fqdn};
  const bool edge = HasRole(id, Role::kEdgeTransport);
  if (!domain.empty() && !edge) {
    names.push_back(domain);
    names.push_back("autodiscover." + domain);
  }
  SetupCertificate main{
      {"CN=" + id.name, Unique(names), now, AddMonths(now, 60)}, kDefaultFriendlyName, false};
  XCERT_ASSIGN_OR_RETURN(StoredCertificate main_cert, Make(main, now));
  const std::string main_t = x509::Sha1Hex(main_cert.der);
  seed.certificates.push_back(std::move(main_cert));
  Bindings& b = seed.bindings;
  b.smtp = {main_t};
  b.internal_transport = main_t;
  if (edge) return seed;

  if (Serves(id, Service::kIis)) b.iis = main_t;
  if (HasRole(id, Role::kMailbox)) b.iis_back_end = main_t;
  if (Serves(id, Service::kImap)) b.imap = main_t;
  if (Serves(id, Service::kPop)) b.pop = main_t;

  SetupCertificate auth{
      {std::string(kAuthSubject), {}, now, now + std::chrono::days(1800)}, kAuthFriendlyName, true};
  auth.tmpl.no_eku = true;
  XCERT_ASSIGN_OR_RETURN(StoredCertificate auth_cert, Make(auth, now));
  b.auth_current = x509::Sha1Hex(auth_cert.der);
  seed.certificates.push_back(std::move(auth_cert));

  SetupCertificate wmsvc{
      {"CN=WMSvc-SHA2-" + id.name, {}, now, AddMonths(now, 120)}, kWmsvcFriendlyName, true};
  XCERT_ASSIGN_OR_RETURN(StoredCertificate wmsvc_cert, Make(wmsvc, now));
  seed.certificates.push_back(std::move(wmsvc_cert));
  return seed;
}

}  // namespace xcert::store
