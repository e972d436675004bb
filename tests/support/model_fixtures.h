// Hand-built model values for engine tests: actual certificates, server
// states and desired certificates, without OpenSSL. Header-only so every test
// binary that links xcert_model can use it.
#pragma once

#include <string>
#include <vector>

#include "engine/model/server_state.h"
#include "engine/plan/desired.h"

namespace xcert::testing {

inline TimePoint Day(int y, unsigned m, unsigned d) {
  return TimePoint(
      std::chrono::sys_days(std::chrono::year(y) / std::chrono::month(m) / std::chrono::day(d)));
}

// 2026-11-25: "now" in engine tests.
inline TimePoint Now() { return Day(2026, 11, 25); }

// A valid thumbprint (40 upper-case hex) made from a short tag: the tag's
// bytes in hex, zero-padded ("OLD" -> "4F4C44000…").
inline std::string Thumb(const std::string& tag) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string t;
  for (unsigned char c : tag) {
    t += kHex[c >> 4];
    t += kHex[c & 15];
  }
  t.resize(40, '0');
  return t;
}

// A valid RSA-2048, exportable, CA-issued certificate by default.
inline CertificateInfo Cert(const std::string& tag, const std::string& subject,
                            std::vector<std::string> names) {
  CertificateInfo c;
  c.thumbprint = Thumb(tag);
  c.subject = subject;
  c.issuer = "CN=Corp Issuing CA, O=Pocket Consultant";
  c.authority_key_id = "CAFE";
  c.dns_names = std::move(names);
  c.not_before = Day(2026, 1, 1);
  c.not_after = Day(2027, 6, 1);
  c.key_algorithm = KeyAlgorithm::kRsa;
  c.key_bits = 2048;
  c.has_private_key = true;
  c.exportable = true;
  c.status = CertStatus::kValid;
  return c;
}

inline CertificateInfo SelfSigned(CertificateInfo c) {
  c.issuer = c.subject;
  c.authority_key_id.clear();
  c.self_signed = true;
  return c;
}

// What `xcert store init` makes for a 2019 Mailbox server: the default
// "Microsoft Exchange" certificate bound to IIS (front and back), IMAP, POP,
// SMTP (internal transport), and the Auth certificate.
inline ServerState MailboxServer(const std::string& name, const std::string& fqdn) {
  ServerState s;
  s.server = name;
  s.identity = {name, fqdn, {Role::kMailbox}, ExchangeVersion::k2019};
  CertificateInfo def = SelfSigned(Cert("DEF" + name, "CN=" + name, {name, fqdn}));
  def.friendly_name = "Microsoft Exchange";
  def.exportable = false;
  def.not_after = Day(2031, 1, 1);
  CertificateInfo auth =
      SelfSigned(Cert("AUTH" + name, "CN=Microsoft Exchange Server Auth Certificate", {}));
  auth.friendly_name = "Microsoft Exchange Server Auth Certificate";
  s.certificates = {auth, def};
  std::sort(s.certificates.begin(), s.certificates.end(),
            [](const CertificateInfo& a, const CertificateInfo& b) {
              return a.thumbprint < b.thumbprint;
            });
  s.bindings.iis = s.bindings.iis_back_end = s.bindings.imap = s.bindings.pop = def.thumbprint;
  s.bindings.smtp = {def.thumbprint};
  s.bindings.internal_transport = def.thumbprint;
  s.bindings.auth_current = auth.thumbprint;
  for (CertificateInfo& c : s.certificates) c.services = s.bindings.ServicesOf(c.thumbprint);
  return s;
}

// Adds `c` to `s`, keeping the thumbprint order and refreshing services.
inline void Put(ServerState* s, CertificateInfo c) {
  s->certificates.push_back(std::move(c));
  std::sort(s->certificates.begin(), s->certificates.end(),
            [](const CertificateInfo& a, const CertificateInfo& b) {
              return a.thumbprint < b.thumbprint;
            });
  for (CertificateInfo& x : s->certificates) x.services = s->bindings.ServicesOf(x.thumbprint);
}

inline void BindAll(ServerState* s, const std::string& thumb, ServiceSet services) {
  if (services.Has(Service::kIis)) s->bindings.iis = thumb;
  if (services.Has(Service::kImap)) s->bindings.imap = thumb;
  if (services.Has(Service::kPop)) s->bindings.pop = thumb;
  if (services.Has(Service::kSmtp)) s->bindings.smtp.push_back(thumb);
  for (CertificateInfo& x : s->certificates) x.services = s->bindings.ServicesOf(x.thumbprint);
}

// The desired "mail" certificate of the design sketch, from the CA "corp-ca".
inline DesiredCertificate WantMail(std::vector<std::string> servers) {
  DesiredCertificate d;
  d.name = d.artifact = "mail";
  d.subject = "CN=mail.pocket-consultant.com";
  d.dns_names = {"mail.pocket-consultant.com", "autodiscover.pocket-consultant.com"};
  d.friendly_name = "mail";
  d.issuer = "corp-ca";
  d.issuer_type = IssuerType::kCa;
  d.key = KeySpec{KeyAlgorithm::kRsa, 2048, EcCurve::kNone, true};
  d.validity = Seconds(365LL * 86400);
  d.renew_before = Seconds(30LL * 86400);
  d.servers = std::move(servers);
  d.services = ServiceSet{Service::kIis, Service::kImap, Service::kPop, Service::kSmtp};
  d.where = {"xcert.yaml", 20, 5};
  d.where_subject = {"xcert.yaml", 21, 14};
  d.where_dns_names = {"xcert.yaml", 22, 15};
  d.where_key = {"xcert.yaml", 24, 10};
  d.where_issuer = {"xcert.yaml", 23, 13};
  d.where_validity = {"xcert.yaml", 25, 15};
  d.where_services = {"xcert.yaml", 28, 15};
  return d;
}

inline IssuerFacts CorpCa() {
  IssuerFacts f;
  f.name = "corp-ca";
  f.type = IssuerType::kCa;
  f.ca_subject = "CN=Corp Issuing CA, O=Pocket Consultant";
  f.ca_key_id = "CAFE";
  f.ca_not_after = TimePoint(std::chrono::sys_days(std::chrono::year(2035) / 1 / 1));
  return f;
}

inline Desired DesiredOf(std::vector<DesiredCertificate> certs, std::vector<IssuerFacts> issuers) {
  Desired d;
  d.certificates = std::move(certs);
  for (IssuerFacts& f : issuers) d.issuers[f.name] = std::move(f);
  for (const DesiredCertificate& c : d.certificates) {
    for (const std::string& s : c.servers) {
      bool known = false;
      for (const ServerSpec& spec : d.servers) known |= spec.name == s;
      if (!known)
        d.servers.push_back(
            {s, s + ".pocket-consultant.com", {Role::kMailbox}, ExchangeVersion::k2019, {}});
    }
  }
  d.manifest_file = "xcert.yaml";
  return d;
}

}  // namespace xcert::testing
