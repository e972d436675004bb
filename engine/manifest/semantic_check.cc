#include "engine/manifest/semantic_check.h"

#include <algorithm>
#include <unordered_map>

#include "engine/manifest/certificate_check.h"
#include "engine/manifest/check_context.h"
#include "engine/manifest/pointer.h"
#include "engine/manifest/probe_check.h"
#include "engine/manifest/service_check.h"
#include "engine/model/dns_name.h"
#include "engine/util/file_util.h"
#include "engine/util/strings.h"

namespace xcert::manifest {

namespace {

using json = nlohmann::json;

// Names are compared without regard to case: Windows host names are, and two
// certificates called "Mail" and "mail" are a mistake waiting to happen.
template <typename T>
void CheckUniqueNames(const std::vector<T>& items, std::string_view what,
                      std::string (*pointer)(size_t, std::string_view), const CheckContext& c) {
  std::unordered_map<std::string, size_t> first;
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].name.empty()) continue;
    auto [it, inserted] = first.emplace(ToLower(items[i].name), i);
    if (inserted) continue;
    const std::string& earlier = items[it->second].name;
    std::string where = "first at line " + std::to_string(c.LineOf(pointer(it->second, "name")));
    if (earlier != items[i].name) where += ", as " + Quote(earlier);
    c.reporter().Error(
        pointer(i, "name"),
        std::string(what) + " name '" + items[i].name + "' is used twice (" + where + ")",
        "names must be unique, without regard to case; rename one");
  }
}

bool Present(const CheckContext& c, const std::string& object, const char* field) {
  const YamlNode* node = c.reporter().NodeAt(JoinPointer(object, field));
  return node != nullptr;
}

void CheckSecretPair(const CheckContext& c, const std::string& object, const char* env,
                     const char* file) {
  if (Present(c, object, env) && Present(c, object, file)) {
    c.reporter().Error(JoinPointer(object, file),
                       std::string("set only one of '") + env + "' and " + Quote(file),
                       "remove one of them", At::kKey);
  }
}

void CheckOrganization(const CheckContext& c) {
  const std::string& domain = c.manifest().organization.domain;
  if (domain.empty()) return;
  std::string why = WhyInvalidDnsName(domain);
  if (why.empty() && domain.starts_with("*.")) why = "it is a wildcard";
  if (!why.empty()) {
    c.reporter().Error(
        "/organization/domain",
        "organization domain " + Quote(domain) + " is not a valid DNS domain: " + why,
        "write the domain itself, e.g. contoso.com");
  }
}

void CheckStore(const CheckContext& c) {
  const Manifest& m = c.manifest();
  const StoreSpec& s = m.store;
  Reporter& r = c.reporter();
  if (r.AnyBadAround("/store/type") || !c.reporter().NodeAt("/store")) return;
  const std::string type(StoreTypeName(s.type));
  if (s.type != StoreType::kExchange) {
    if (s.path.empty()) {
      r.Error("/store/path", "a store of type " + Quote(type) + " needs 'path'",
              "add 'path: ./store' (relative to this file)");
    }
    if (Present(c, "/store", "transport")) {
      r.Error("/store/transport", "'transport' is only used by a store of type 'exchange'",
              "remove it, or set 'type: exchange'", At::kKey);
    }
    for (size_t i = 0; i < m.servers.size(); ++i) {
      if (Present(c, CheckContext::Server(i), "transport")) {
        r.Warning(CheckContext::Server(i, "transport"),
                  "'transport' of server '" + m.servers[i].name + "' is ignored: the store is '" +
                      type + "'",
                  "remove it, or set store.type to exchange", At::kKey);
      }
    }
    return;
  }
  if (!s.transport.empty()) return;
  std::vector<std::string> without;
  for (const ServerSpec& server : m.servers) {
    if (server.transport.empty()) without.push_back(server.name);
  }
  if (!without.empty()) {
    r.Error("/store/type",
            "a store of type 'exchange' needs 'transport' (the command that runs Exchange "
            "Management Shell); servers without one: " +
                KnownNames(without),
            "add e.g. 'transport: [ssh, admin@ex01, powershell, -NoProfile, -Command, -]' to "
            "store or to each server");
  }
}

// A PostgreSQL lock needs the variable of its connection string; the file
// lock takes no settings.
void CheckLock(const CheckContext& c) {
  const LockSpec& l = c.manifest().lock;
  Reporter& r = c.reporter();
  if (r.AnyBadAround("/lock/type") || !r.NodeAt("/lock")) return;
  if (l.type == LockType::kPostgres && l.dsn_env.empty()) {
    r.Error("/lock/type",
            "a lock of type 'postgres' needs 'dsnEnv' (the environment variable that holds the "
            "connection string)",
            "add 'dsnEnv: XCERT_LOCK_DSN' and set that variable where apply runs");
  }
  if (l.type != LockType::kFile) return;
  for (const char* field : {"dsnEnv", "wait"}) {
    if (Present(c, "/lock", field)) {
      r.Warning(JoinPointer("/lock", field),
                "'" + std::string(field) + "' is only used by a lock of type 'postgres'",
                "remove it, or set 'type: postgres'", At::kKey);
    }
  }
}

// The backup folder and a local store must not contain each other: backups
// written into the store look like a server (or damage one), and a store
// inside the backup folder mixes keys into the backups. Compared as written
// here; the command line compares the real paths again before it runs.
void CheckBackupPlace(const CheckContext& c) {
  const Manifest& m = c.manifest();
  if (m.store.type != StoreType::kLocal || m.store.path.empty() || m.backup.path.empty()) return;
  if (c.reporter().IsBad("/store/path") || c.reporter().IsBad("/backup/path")) return;
  const std::string store = m.Resolve(m.store.path);
  const std::string backup = m.Resolve(m.backup.path);
  const int store_line = c.LineOf("/store/path");
  if (IsSameOrInside(store, backup)) {
    c.reporter().Error("/backup/path",
                       "the backup folder '" + m.backup.path + "' is inside the store '" +
                           m.store.path + "' (line " + std::to_string(store_line) + ")",
                       "put the backups beside the store, e.g. path: ./backups");
  } else if (IsSameOrInside(backup, store)) {
    c.reporter().Error("/backup/path",
                       "the store '" + m.store.path + "' (line " + std::to_string(store_line) +
                           ") is inside the backup folder '" + m.backup.path + "'",
                       "give the backups a folder of their own, e.g. path: ./backups");
  }
}

void CheckBackup(const CheckContext& c) {
  Reporter& r = c.reporter();
  if (!r.NodeAt("/backup")) {
    if (c.manifest().prune && !r.IsBad("/prune")) {
      r.Error("/prune", "prune: true needs a 'backup' section",
              "certificates are exported there before they are removed; add 'backup: {path: "
              "./backups, passwordEnv: XCERT_BACKUP_PASSWORD}'");
    }
    return;
  }
  if (r.IsBad("/backup")) return;
  CheckBackupPlace(c);
  CheckSecretPair(c, "/backup", "passwordEnv", "passwordFile");
  if (c.manifest().backup.password.empty() && !Present(c, "/backup", "passwordEnv") &&
      !Present(c, "/backup", "passwordFile")) {
    r.Error("/backup/passwordEnv", "'backup' needs a password for its PKCS#12 files",
            "add 'passwordEnv: XCERT_BACKUP_PASSWORD' (an environment variable) or "
            "'passwordFile: <file>'; the password itself never goes in the manifest");
  }
}

// ---- issuers ----------------------------------------------------------------

struct FieldInfo {
  const char* name;
  const char* meaning;
  const char* example;
};
constexpr FieldInfo kIssuerFields[] = {
    {"certificate", "the CA certificate, PEM", "pki/ca.pem"},
    {"key", "the private key, PEM", "pki/ca.key"},
    {"chain", "intermediate certificates, PEM", "pki/chain.pem"},
    {"keyPasswordEnv", "environment variable with the key's password", "CA_KEY_PASSWORD"},
    {"keyPasswordFile", "file with the key's password", "pki/ca.key.pass"},
    {"outbox", "folder where xcert writes CSRs", "./requests/out"},
    {"inbox", "folder where issued certificates arrive", "./requests/in"},
    {"pkcs12", "the certificate and key as PKCS#12 (.pfx)", "certs/mail.pfx"},
    {"passwordEnv", "environment variable with the PKCS#12 password", "MAIL_PFX_PASSWORD"},
    {"passwordFile", "file with the PKCS#12 password", "certs/mail.pfx.pass"},
    {"directory", "the ACME directory URL",
     "https://acme-staging-v02.api.letsencrypt.org/directory"},
    {"contact", "the account's contacts", "[mailto:pki@contoso.com]"},
    {"acceptTerms", "agreement to the CA's terms of service", "true"},
    {"accountKey", "the ACME account key, created when missing", "./acme/account.key"},
    {"eab", "external account binding", "{keyId: KID, hmacKeyEnv: ACME_EAB_HMAC}"},
    {"caBundle", "trust for a private ACME server", "./acme/ca.pem"},
    {"profile", "an ACME certificate profile", "tlsserver"},
    {"preferredChain", "the root of the chain to install", "ISRG Root X1"},
    {"challenge", "how the CA validates the names", "{type: http-01, standalone: ':80'}"},
};

const FieldInfo& Info(std::string_view name) {
  for (const FieldInfo& f : kIssuerFields) {
    if (f.name == name) return f;
  }
  return kIssuerFields[0];
}

class IssuerChecker {
 public:
  IssuerChecker(const CheckContext& c, size_t index)
      : c_(c), issuer_(c.manifest().issuers[index]), pointer_(CheckContext::Issuer(index)) {}

  void Check() {
    if (c_.reporter().AnyBadAround(pointer_ + "/type")) return;
    switch (issuer_.type) {
      case IssuerType::kSelfSigned: Allow({}); break;
      case IssuerType::kCa:
        Require({"certificate", "key"});
        Allow({"certificate", "key", "chain", "keyPasswordEnv", "keyPasswordFile"});
        break;
      case IssuerType::kRequest:
        Require({"outbox", "inbox"});
        Allow({"outbox", "inbox"});
        break;
      case IssuerType::kFile: CheckFile(); break;
      case IssuerType::kAcme:
        Require({"directory", "accountKey", "challenge"});
        Allow({"directory", "contact", "acceptTerms", "accountKey", "eab", "caBundle", "profile",
               "preferredChain", "challenge"});
        CheckAcme();
        break;
    }
    CheckSecretPair(c_, pointer_, "keyPasswordEnv", "keyPasswordFile");
    CheckSecretPair(c_, pointer_, "passwordEnv", "passwordFile");
  }

 private:
  std::string Name() const {
    return "issuer " + Quote(issuer_.name) + " of type '" +
           std::string(IssuerTypeName(issuer_.type)) + "'";
  }
  bool Has(const char* field) const { return Present(c_, pointer_, field); }

  void Require(std::initializer_list<const char*> fields) {
    for (const char* f : fields) {
      if (Has(f)) continue;
      const FieldInfo& info = Info(f);
      c_.reporter().Error(JoinPointer(pointer_, f),
                          Name() + " needs " + Quote(f) + " (" + info.meaning + ")",
                          "add '" + std::string(f) + ": " + info.example + "'");
    }
  }

  void Allow(std::initializer_list<const char*> allowed) {
    for (const FieldInfo& f : kIssuerFields) {
      if (!Has(f.name)) continue;
      if (std::find_if(allowed.begin(), allowed.end(), [&](const char* a) {
            return std::string_view(a) == f.name;
          }) != allowed.end()) {
        continue;
      }
      c_.reporter().Error(JoinPointer(pointer_, f.name),
                          "field " + Quote(std::string(f.name)) +
                              " is not used by an issuer of type '" +
                              std::string(IssuerTypeName(issuer_.type)) + "'",
                          "remove it, or change the issuer's type", At::kKey);
    }
  }

  void CheckFile() {
    const bool pkcs12 = Has("pkcs12");
    const bool pem = Has("certificate") || Has("key");
    if (pkcs12 && pem) {
      c_.reporter().Error(JoinPointer(pointer_, "pkcs12"),
                          Name() + " has both 'pkcs12' and PEM files ('certificate'/'key')",
                          "use one form: pkcs12, or certificate and key", At::kKey);
      return;
    }
    if (!pkcs12 && !pem) {
      c_.reporter().Error(JoinPointer(pointer_, "pkcs12"),
                          Name() +
                              " needs 'pkcs12' (a .pfx file) or 'certificate' and 'key' "
                              "(PEM files)",
                          "add e.g. 'pkcs12: certs/mail.pfx' and 'passwordEnv: MAIL_PFX_PASSWORD'");
      return;
    }
    if (pkcs12) {
      Allow({"pkcs12", "passwordEnv", "passwordFile", "chain"});
    } else {
      Require({"certificate", "key"});
      Allow({"certificate", "key", "chain", "keyPasswordEnv", "keyPasswordFile"});
    }
  }

  // One way to answer the challenge, and what that way needs.
  void CheckAcme() {
    const std::string eab = JoinPointer(pointer_, "eab");
    if (Present(c_, pointer_, "eab") && !c_.reporter().AnyBadAround(eab)) {
      CheckSecretPair(c_, eab, "hmacKeyEnv", "hmacKeyFile");
      if (issuer_.acme.eab_hmac_key.empty()) {
        c_.reporter().Error(JoinPointer(eab, "keyId"), Name() + ": 'eab' needs the CA's MAC key",
                            "add 'hmacKeyEnv: ACME_EAB_HMAC' (an environment variable) or "
                            "'hmacKeyFile: <file>'; the key itself never goes in the manifest");
      }
    }
    const std::string at = JoinPointer(pointer_, "challenge");
    if (!Present(c_, pointer_, "challenge") || c_.reporter().AnyBadAround(at)) return;
    const AcmeChallengeSpec& ch = issuer_.acme.challenge;
    const bool http = ch.type == "http-01";
    std::vector<std::string> ways;
    for (const char* way : {"webroot", "standalone", "rfc2136", "exec"}) {
      if (Present(c_, at, way)) ways.push_back(way);
    }
    const std::string suggestion = http ? "add 'standalone: \":80\"' (xcert answers on port 80), "
                                          "'webroot: /var/www/html' or 'exec: [hook, args]'"
                                        : "add 'rfc2136: {server, zone, tsigKeyName, "
                                          "tsigSecretEnv}' or 'exec: [hook, args]'";
    if (ways.empty()) {
      c_.reporter().Error(JoinPointer(at, "type"),
                          Name() + ": the " + ch.type + " challenge needs a way to answer it",
                          suggestion);
      return;
    }
    if (ways.size() > 1) {
      c_.reporter().Error(
          JoinPointer(at, ways[1]),
          Name() + ": the challenge has both " + Quote(ways[0]) + " and " + Quote(ways[1]),
          "keep one of them", At::kKey);
      return;
    }
    const bool fits = ways[0] == "exec" || (http ? ways[0] != "rfc2136" : ways[0] == "rfc2136");
    if (!fits) {
      c_.reporter().Error(
          JoinPointer(at, ways[0]),
          Name() + ": " + Quote(ways[0]) + " cannot answer a " + ch.type + " challenge",
          http ? "use dns-01 for rfc2136, or " + suggestion.substr(4)
               : "use http-01 for " + ways[0] + ", or " + suggestion.substr(4),
          At::kKey);
      return;
    }
    if (ways[0] == "rfc2136") {
      const std::string rfc = JoinPointer(at, "rfc2136");
      CheckSecretPair(c_, rfc, "tsigSecretEnv", "tsigSecretFile");
      if (ch.tsig_secret.empty() && !c_.reporter().AnyBadAround(rfc)) {
        c_.reporter().Error(JoinPointer(rfc, "tsigKeyName"),
                            Name() + ": the TSIG key needs its secret",
                            "add 'tsigSecretEnv: XCERT_TSIG_SECRET' (an environment variable) "
                            "or 'tsigSecretFile: <file>'; the secret never goes in the manifest");
      }
    }
  }

  const CheckContext& c_;
  const IssuerSpec& issuer_;
  std::string pointer_;
};

// ---- servers ----------------------------------------------------------------

void CheckFqdns(const CheckContext& c) {
  const std::vector<ServerSpec>& servers = c.manifest().servers;
  std::unordered_map<std::string, size_t> first;
  for (size_t i = 0; i < servers.size(); ++i) {
    const std::string& fqdn = servers[i].fqdn;
    const std::string pointer = CheckContext::Server(i, "fqdn");
    if (fqdn.empty()) continue;
    std::string why = WhyInvalidDnsName(fqdn);
    if (why.empty() && fqdn.find('*') != std::string::npos) why = "it is a wildcard";
    if (why.empty() && fqdn.find('.') == std::string::npos) {
      why = "it is not fully qualified";
    }
    if (!why.empty()) {
      c.reporter().Error(pointer,
                         "fqdn " + Quote(fqdn) + " of server '" + servers[i].name +
                             "' is not a valid DNS name: " + why,
                         "write the server's full DNS name, e.g. " +
                             (servers[i].name.empty() ? "ex01" : servers[i].name) + ".contoso.com");
      continue;
    }
    auto [it, inserted] = first.emplace(ToLower(fqdn), i);
    if (!inserted) {
      c.reporter().Error(pointer,
                         "fqdn " + Quote(fqdn) + " of server '" + servers[i].name +
                             "' is also the fqdn of server '" + servers[it->second].name + "'",
                         "each server has its own fqdn");
    }
  }
}

void CheckRoles(const CheckContext& c, size_t index) {
  const ServerSpec& s = c.manifest().servers[index];
  const std::string roles = CheckContext::Server(index, "roles");
  if (c.reporter().AnyBadAround(roles) ||
      c.reporter().IsBad(CheckContext::Server(index, "version"))) {
    return;
  }
  const bool edge =
      std::find(s.roles.begin(), s.roles.end(), Role::kEdgeTransport) != s.roles.end();
  for (Role role : s.roles) {
    const std::string entry = c.EntryPointer(roles, RoleName(role));
    if (!RoleExistsIn(role, s.version)) {
      c.reporter().Error(entry,
                         "server " + Quote(s.name) + " has role " + std::string(RoleName(role)) +
                             ", which exists only in Exchange 2013, not in " +
                             std::string(VersionName(s.version)),
                         "remove it: since Exchange 2016 the Mailbox role includes client access");
    } else if (edge && role != Role::kEdgeTransport) {
      c.reporter().Error(entry,
                         "server " + Quote(s.name) + " has role " + std::string(RoleName(role)) +
                             " and EdgeTransport; an Edge Transport server has no other role",
                         "declare the Edge Transport server on its own");
    }
  }
}

}  // namespace

void CheckSemantics(const Manifest& manifest, const json& doc, Reporter& reporter) {
  const CheckContext c(manifest, doc, reporter);
  CheckUniqueNames(manifest.issuers, "issuer", &CheckContext::Issuer, c);
  CheckUniqueNames(manifest.servers, "server", &CheckContext::Server, c);
  CheckUniqueNames(manifest.certificates, "certificate", &CheckContext::Certificate, c);
  CheckOrganization(c);
  CheckStore(c);
  CheckBackup(c);
  CheckLock(c);
  for (size_t i = 0; i < manifest.issuers.size(); ++i) IssuerChecker(c, i).Check();
  CheckFqdns(c);
  for (size_t i = 0; i < manifest.servers.size(); ++i) CheckRoles(c, i);
  CheckCertificates(c);
  CheckServices(c);
  CheckProbes(c);
}

}  // namespace xcert::manifest
