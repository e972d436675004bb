#include "engine/manifest/certificate_check.h"

#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "engine/manifest/pointer.h"
#include "engine/model/dn.h"
#include "engine/model/dns_name.h"
#include "engine/model/name_match.h"
#include "engine/model/placeholders.h"
#include "engine/util/strings.h"

namespace xcert::manifest {

namespace {

constexpr std::string_view kKnownPlaceholders = "{server}, {fqdn} and {domain}";

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool AnyCovers(const std::vector<std::string>& patterns, const std::string& host) {
  for (const std::string& p : patterns) {
    if (NameCovers(p, host)) return true;
  }
  return false;
}

class CertificateChecker {
 public:
  CertificateChecker(const CheckContext& c, size_t index)
      : c_(c),
        r_(c.reporter()),
        m_(c.manifest()),
        cert_(m_.certificates[index]),
        pointer_(CheckContext::Certificate(index)),
        name_("certificate " + Quote(cert_.name)) {}

  void Check() {
    if (r_.IsBad(pointer_)) return;
    CheckIssuerReference();
    CheckServerReferences();
    CheckKey();
    CheckDurations();
    CheckPlaceholders();
    CheckExpanded();
    CheckExportable();
    WarnSelfSigned();
    CheckAcme();
  }

  const IssuerSpec* issuer() const { return c_.FindIssuer(cert_.issuer); }
  // `f` is a path below the certificate such as "key/size" (plain field
  // names, nothing to escape).
  std::string Field(std::string_view f) const { return pointer_ + "/" + std::string(f); }
  const std::string& name() const { return name_; }

 private:
  bool Written(std::string_view f) const { return r_.NodeAt(Field(f)) != nullptr; }

  void CheckIssuerReference() {
    if (cert_.issuer.empty() || r_.IsBad(Field("issuer")) || issuer()) return;
    if (!c_.all_issuer_names_known()) return;
    std::vector<std::string> names;
    for (const IssuerSpec& i : m_.issuers) names.push_back(i.name);
    const std::string known =
        names.empty() ? "the manifest declares no issuers" : "known issuers: " + KnownNames(names);
    const std::string match = ClosestMatch(cert_.issuer, names);
    r_.Error(Field("issuer"), name_ + " names unknown issuer " + Quote(cert_.issuer) + "; " + known,
             match.empty() ? "add an issuer named " + Quote(cert_.issuer) + " to 'issuers'"
                           : "did you mean " + Quote(match) + "?");
  }

  // Each server once (checked here, in linear time, rather than by the
  // schema's uniqueItems, which the validator compares pairwise: a fleet's
  // certificate lists thousands of servers), and each one declared.
  void CheckServerReferences() {
    std::unordered_set<std::string_view> seen;
    for (size_t j = 0; j < cert_.servers.size(); ++j) {
      const std::string& server = cert_.servers[j];
      if (server.empty() || seen.insert(server).second) continue;
      r_.Error(JoinPointer(Field("servers"), j),
               Quote(server) + " is listed twice in field 'servers' in " + name_, "remove one");
    }
    if (!c_.all_server_names_known()) return;
    for (size_t j = 0; j < cert_.servers.size(); ++j) {
      const std::string& server = cert_.servers[j];
      const std::string p = JoinPointer(Field("servers"), j);
      if (server.empty() || r_.IsBad(p) || c_.FindServer(server)) continue;
      std::vector<std::string> names;
      std::string hint;
      for (const ServerSpec& s : m_.servers) {
        names.push_back(s.name);
        if (hint.empty() && EqualsIgnoreCase(s.name, server)) {
          hint = "did you mean " + Quote(s.name) + "? (names are case-sensitive)";
        }
      }
      if (hint.empty()) {
        const std::string match = ClosestMatch(server, names);
        hint = match.empty() ? "add a server named " + Quote(server) + " to 'servers'"
                             : "did you mean " + Quote(match) + "?";
      }
      const std::string known = names.empty() ? "the manifest declares no servers"
                                              : "known servers: " + KnownNames(names);
      r_.Error(p, name_ + " names unknown server " + Quote(server) + "; " + known, hint);
    }
  }

  void CheckKey() {
    const KeySpec& k = cert_.key;
    if (r_.IsBad(Field("key")) || r_.IsBad(Field("key/algorithm"))) return;
    if (k.algorithm == KeyAlgorithm::kRsa) {
      if (Written("key/curve")) {
        r_.Error(Field("key/curve"), "'curve' is for ECDSA keys; the key of " + name_ + " is RSA",
                 "remove it, or set 'algorithm: ECDSA'", At::kKey);
      }
      if (!Written("key/size") || r_.IsBad(Field("key/size"))) return;
      if (k.rsa_bits < 2048) {
        r_.Error(Field("key/size"),
                 "RSA key size " + std::to_string(k.rsa_bits) + " of " + name_ +
                     " is refused: keys below 2048 bits are weak (NIST SP 800-131A disallows "
                     "them) and current clients reject them",
                 "use 2048, 3072 or 4096");
      } else if (k.rsa_bits != 2048 && k.rsa_bits != 3072 && k.rsa_bits != 4096) {
        r_.Error(
            Field("key/size"),
            "RSA key size " + std::to_string(k.rsa_bits) + " of " + name_ + " is not supported",
            "use 2048, 3072 or 4096");
      }
      return;
    }
    if (Written("key/size")) {
      r_.Error(Field("key/size"),
               "'size' is for RSA keys; the key of " + name_ + " is ECDSA, sized by its curve",
               "remove it; set 'curve: P-256' or 'curve: P-384'", At::kKey);
    }
    if (cert_.replace_default_smtp && !r_.IsBad(Field("replaceDefaultSmtp"))) {
      r_.Error(Field("replaceDefaultSmtp"),
               name_ + " has an ECDSA key and cannot replace the default SMTP certificate",
               "the internal transport certificate (used by EdgeSync) must have an RSA key; use "
               "RSA or remove replaceDefaultSmtp");
    }
    r_.Warning(Field("key/algorithm"),
               name_ + " has an ECDSA key; Exchange supports ECDSA only for some services",
               "federation, the internal transport certificate and older clients need RSA; "
               "prefer RSA unless every service and client is known to work with ECDSA");
  }

  void CheckDurations() {
    if (r_.IsBad(Field("validity")) || r_.IsBad(Field("renewBefore"))) return;
    if (cert_.validity > kMaxValidity) {
      r_.Error(Field("validity"),
               "validity (" + FormatDuration(cert_.validity) + ") of " + name_ +
                   " is longer than 100 years, the longest xcert issues",
               "X.509 dates end in the year 9999 and no client trusts a certificate for longer "
               "than a few years; use e.g. validity: 365d or 2y");
      return;
    }
    if (cert_.renew_before < cert_.validity) return;
    r_.Error(Written("renewBefore") ? Field("renewBefore") : Field("validity"),
             "renewBefore (" + FormatDuration(cert_.renew_before) + ") of " + name_ +
                 " must be shorter than its validity (" + FormatDuration(cert_.validity) + ")",
             "renewal starts renewBefore ahead of expiry; e.g. validity: 365d, renewBefore: 30d");
  }

  // ---- placeholders ---------------------------------------------------------

  // What the placeholder check found in one field.
  struct TextState {
    bool ok = false;          // no errors: check the expanded value
    bool per_server = false;  // uses {server} or {fqdn}: messages name the server
  };

  // Checks the placeholders of the text at `pointer`.
  TextState CheckText(const std::string& pointer, const std::string& what, std::string_view text) {
    if (text.empty() || r_.IsBad(pointer)) return {};
    const PlaceholderScan scan = ScanPlaceholders(text);
    const std::string where = what + " of " + name_;
    if (!scan.syntax_error.empty()) {
      r_.Error(pointer, where + ": " + scan.syntax_error,
               "braces are reserved for the placeholders " + std::string(kKnownPlaceholders));
    } else if (!scan.unknown.empty()) {
      const std::string match = ClosestMatch(scan.unknown[0], {"{server}", "{fqdn}", "{domain}"});
      r_.Error(pointer, "unknown placeholder " + Quote(scan.unknown[0]) + " in " + where,
               match.empty() ? "known placeholders: " + std::string(kKnownPlaceholders)
                             : "did you mean " + Quote(match) + "?");
    } else if (scan.per_server() && !cert_.per_server) {
      r_.Error(pointer,
               "placeholder '" + std::string(scan.server ? "{server}" : "{fqdn}") + "' in " +
                   where + " needs 'perServer: true'",
               "a shared certificate has one set of names for all its servers; set 'perServer: "
               "true' for one certificate per server, or write the name out");
    } else if (scan.domain && m_.organization.domain.empty()) {
      r_.Error(pointer, "placeholder '{domain}' in " + where + " needs organization.domain",
               "add 'organization: {domain: contoso.com}'");
    } else {
      uses_server_placeholders_ |= scan.per_server();
      return {true, scan.per_server()};
    }
    return {};
  }

  void CheckPlaceholders() {
    subject_ = CheckText(Field("subject"), "subject", cert_.subject);
    friendly_ = Written("friendlyName")
                    ? CheckText(Field("friendlyName"), "friendlyName", cert_.friendly_name)
                    : TextState{true, false};
    for (size_t j = 0; j < cert_.dns_names.size(); ++j) {
      const std::string& n = cert_.dns_names[j];
      dns_.push_back(CheckText(JoinPointer(Field("dnsNames"), j), "DNS name " + Quote(n), n));
    }
    if (cert_.per_server && !uses_server_placeholders_ && !r_.IsBad(Field("perServer"))) {
      r_.Warning(Field("perServer"),
                 name_ + " is perServer but its names do not use {server} or {fqdn}",
                 "every server gets a certificate with the same names; use the placeholders, "
                 "or remove perServer to share one certificate");
    }
  }

  // ---- values after expansion -----------------------------------------------

  void CheckExpanded() {
    std::vector<const ServerSpec*> targets;
    if (cert_.per_server) {
      for (const std::string& s : cert_.servers) {
        if (const ServerSpec* server = c_.FindServer(s)) targets.push_back(server);
      }
    } else {
      targets.push_back(nullptr);
    }
    for (const ServerSpec* server : targets) {
      const CertificateSpec expanded = ExpandCertificate(cert_, server, m_.organization.domain);
      const std::string for_server = server ? " (for server " + Quote(server->name) + ")" : "";
      CheckDnsNames(expanded, for_server);
      CheckSubject(expanded, subject_.per_server ? for_server : "");
      CheckFriendlyName(expanded, friendly_.per_server ? for_server : "");
      WarnAutodiscover(expanded);
      warned_ = true;  // warnings once per certificate, not once per server
    }
  }

  void CheckSubject(const CertificateSpec& e, const std::string& for_server) {
    if (!subject_.ok) return;
    Result<std::vector<Rdn>> rdns = ParseDn(e.subject);
    if (!rdns.ok()) {
      r_.Error(Field("subject"),
               "subject " + Quote(e.subject) + " of " + name_ + for_server +
                   " is not a valid distinguished name: " + rdns.status().message(),
               "write it most specific first, e.g. 'CN=mail.contoso.com, O=Contoso, C=DE'");
      return;
    }
    if (warned_) return;
    const std::string cn = CommonName(*rdns);
    if (cn.empty()) {
      r_.Warning(Field("subject"), "the subject of " + name_ + " has no CN",
                 "Exchange lists certificates by CN; add 'CN=<the main DNS name>'");
    } else if (AllDnsNamesOk() && !AnyCovers(e.dns_names, cn) && Acme()) {
      r_.Error(Field("subject"), "CN " + Quote(cn) + " of " + name_ + " is not among its dnsNames",
               "add " + Quote(cn) +
                   " to dnsNames: the ACME server refuses a request whose CN "
                   "is not one of its names");
    } else if (AllDnsNamesOk() && !AnyCovers(e.dns_names, cn)) {
      r_.Warning(Field("subject"),
                 "CN " + Quote(cn) + " of " + name_ + " is not among its dnsNames",
                 "add " + Quote(cn) + " to dnsNames: clients check the DNS names, not the CN");
    }
  }

  bool AllDnsNamesOk() const {
    return std::all_of(dns_.begin(), dns_.end(), [](const TextState& s) { return s.ok; }) &&
           !r_.AnyBadAround(Field("dnsNames"));
  }

  void CheckDnsNames(const CertificateSpec& e, const std::string& server_suffix) {
    std::unordered_map<std::string, size_t> seen;
    for (size_t j = 0; j < e.dns_names.size() && j < dns_.size(); ++j) {
      if (!dns_[j].ok) continue;
      const std::string p = JoinPointer(Field("dnsNames"), j);
      const std::string& n = e.dns_names[j];
      const std::string for_server = dns_[j].per_server ? server_suffix : "";
      const std::string why = WhyInvalidDnsName(n);
      if (!why.empty()) {
        r_.Error(p, "DNS name " + Quote(n) + " of " + name_ + for_server + " is not valid: " + why,
                 "write a host name such as mail.contoso.com (or *.contoso.com)");
        continue;
      }
      auto [it, inserted] = seen.emplace(ToLower(n), j);
      if (!inserted) {
        r_.Error(p, "DNS name " + Quote(n) + " is listed twice in " + name_ + for_server,
                 "remove one (DNS names are compared without regard to case)");
      }
    }
  }

  void CheckFriendlyName(const CertificateSpec& e, const std::string& for_server) {
    if (!friendly_.ok) return;
    const size_t length = Utf8Length(e.friendly_name);
    if (length < 64) return;
    r_.Error(Written("friendlyName") ? Field("friendlyName") : Field("name"),
             "the friendly name of " + name_ + for_server + " is " + std::to_string(length) +
                 " characters long; Exchange needs fewer than 64",
             "shorten it");
  }

  void WarnAutodiscover(const CertificateSpec& e) {
    const Organization& org = m_.organization;
    if (warned_ || !org.autodiscover || org.domain.empty() || !cert_.services.Has(Service::kIis) ||
        !AllDnsNamesOk()) {
      return;
    }
    const std::string host = "autodiscover." + org.domain;
    if (AnyCovers(e.dns_names, host)) return;
    r_.Warning(Field("dnsNames"), name_ + " serves IIS but does not cover " + host,
               "add " + host +
                   " to dnsNames: Outlook looks it up (organization.autodiscover "
                   "is true)");
  }

  // ---- rules that depend on the issuer --------------------------------------

  void CheckExportable() {
    const IssuerSpec* i = issuer();
    if (!i || cert_.per_server || cert_.key.exportable || r_.IsBad(Field("key"))) return;
    if (i->type != IssuerType::kSelfSigned && i->type != IssuerType::kRequest) return;
    std::set<std::string> servers(cert_.servers.begin(), cert_.servers.end());
    servers.erase("");
    if (servers.size() < 2) return;
    r_.Error(Field("key/exportable"),
             name_ + " is deployed to " + std::to_string(servers.size()) +
                 " servers but its key is not exportable",
             "set 'key.exportable: true': a " + std::string(IssuerTypeName(i->type)) +
                 " certificate is created on '" + cert_.servers[0] +
                 "' and copied to the others by export and import; or set 'perServer: true'");
  }

  const IssuerSpec* Acme() const {
    const IssuerSpec* i = issuer();
    return i && i->type == IssuerType::kAcme ? i : nullptr;
  }

  // What an ACME server decides or refuses, said before any order is made.
  void CheckAcme() {
    const IssuerSpec* i = Acme();
    if (!i) return;
    if (Written("validity")) {
      r_.Error(Field("validity"),
               name_ + " comes from the ACME issuer " + Quote(i->name) +
                   ", whose server sets the validity",
               "remove 'validity'; 'renewBefore' says when xcert renews it", At::kKey);
    }
    if (i->acme.challenge.type != "http-01" || !AllDnsNamesOk()) return;
    for (size_t j = 0; j < cert_.dns_names.size(); ++j) {
      if (!cert_.dns_names[j].starts_with("*.")) continue;
      r_.Error(Field("dnsNames/" + std::to_string(j)),
               "wildcard " + Quote(cert_.dns_names[j]) + " of " + name_ +
                   " cannot be validated by http-01 (issuer " + Quote(i->name) + ")",
               "ACME validates wildcards only through dns-01: give the issuer "
               "'challenge: {type: dns-01, ...}', or list the names");
    }
  }

  void WarnSelfSigned() {
    const IssuerSpec* i = issuer();
    const ServiceSet client_facing(uint8_t(
        cert_.services.bits() & ServiceSet{Service::kIis, Service::kImap, Service::kPop}.bits()));
    if (!i || i->type != IssuerType::kSelfSigned || client_facing.empty()) return;
    r_.Warning(Field("issuer"),
               name_ + " is self-signed and serves " + client_facing.ToString() +
                   ": clients (Outlook, browsers, phones) will not trust it",
               "use a ca or request issuer for client-facing services");
  }

  const CheckContext& c_;
  Reporter& r_;
  const Manifest& m_;
  const CertificateSpec& cert_;
  std::string pointer_;
  std::string name_;
  TextState subject_;
  TextState friendly_;
  std::vector<TextState> dns_;
  bool uses_server_placeholders_ = false;
  bool warned_ = false;
};

// A file issuer supplies one certificate: one entry, not per server.
void CheckFileIssuers(const CheckContext& c) {
  std::unordered_map<std::string, size_t> first_user;
  const std::vector<CertificateSpec>& certs = c.manifest().certificates;
  for (size_t i = 0; i < certs.size(); ++i) {
    const IssuerSpec* issuer = c.FindIssuer(certs[i].issuer);
    const std::string p = CheckContext::Certificate(i);
    if (!issuer || issuer->type != IssuerType::kFile || c.reporter().IsBad(p + "/issuer")) continue;
    const std::string name = "certificate '" + certs[i].name + "'";
    if (certs[i].per_server) {
      c.reporter().Error(p + "/perServer",
                         name + " is perServer, but its issuer '" + issuer->name +
                             "' is a file issuer, which supplies one certificate",
                         "remove perServer, or use a ca or request issuer");
    }
    auto [it, inserted] = first_user.emplace(issuer->name, i);
    if (!inserted) {
      c.reporter().Error(p + "/issuer",
                         "file issuer " + Quote(issuer->name) + " of " + name +
                             " is already used by certificate '" + certs[it->second].name + "'",
                         "a file issuer supplies exactly one certificate; declare one file issuer "
                         "per certificate file");
    }
  }
}

}  // namespace

void CheckCertificates(const CheckContext& c) {
  for (size_t i = 0; i < c.manifest().certificates.size(); ++i) CertificateChecker(c, i).Check();
  CheckFileIssuers(c);
}

}  // namespace xcert::manifest
