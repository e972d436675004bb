// SerializeManifest (declared in load.h): the manifest as YAML that loads
// back to the same content. Defaults are written only where they say
// something (key, validity, renewBefore are always written, so that a
// serialized manifest documents itself; validity not for an acme issuer's
// certificates, whose CA sets it and where the field is an error).
#include <yaml-cpp/emitter.h>
#include <yaml-cpp/emittermanip.h>

#include "engine/manifest/json_typing.h"
#include "engine/manifest/load.h"

namespace xcert {

namespace {

// A string that must stay a string: quoted when YAML 1.2 would read it as
// null, a boolean or a number ("2019", "true", "~"); the emitter itself quotes
// what would not parse plain (": ", leading spaces, ...).
void Str(YAML::Emitter& out, const std::string& s) {
  if (s.empty() || !manifest::IsPlainString(s)) out << YAML::DoubleQuoted;
  out << s;
}

void Field(YAML::Emitter& out, const char* key, const std::string& value) {
  if (value.empty()) return;
  out << YAML::Key << key << YAML::Value;
  Str(out, value);
}

void List(YAML::Emitter& out, const char* key, const std::vector<std::string>& items, bool flow) {
  out << YAML::Key << key << YAML::Value;
  if (flow) out << YAML::Flow;
  out << YAML::BeginSeq;
  for (const std::string& item : items) Str(out, item);
  out << YAML::EndSeq;
}

void Secret(YAML::Emitter& out, const SecretRef& s, const char* env_key, const char* file_key) {
  Field(out, env_key, s.env);
  Field(out, file_key, s.file);
}

void EmitOrganization(YAML::Emitter& out, const Organization& o) {
  if (o.domain.empty() && !o.autodiscover) return;
  out << YAML::Key << "organization" << YAML::Value << YAML::BeginMap;
  Field(out, "domain", o.domain);
  if (o.autodiscover) out << YAML::Key << "autodiscover" << YAML::Value << true;
  out << YAML::EndMap;
}

void EmitStore(YAML::Emitter& out, const StoreSpec& s) {
  out << YAML::Key << "store" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "type" << YAML::Value << std::string(StoreTypeName(s.type));
  Field(out, "path", s.path);
  if (!s.transport.empty()) List(out, "transport", s.transport, true);
  if (s.timeout != StoreSpec().timeout) {
    out << YAML::Key << "timeout" << YAML::Value << static_cast<long long>(s.timeout.count());
  }
  out << YAML::EndMap;
}

void EmitBackup(YAML::Emitter& out, const BackupSpec& b) {
  if (b.path.empty() && b.password.empty()) return;
  out << YAML::Key << "backup" << YAML::Value << YAML::BeginMap;
  Field(out, "path", b.path);
  Secret(out, b.password, "passwordEnv", "passwordFile");
  out << YAML::EndMap;
}

void EmitLock(YAML::Emitter& out, const LockSpec& l) {
  if (l == LockSpec()) return;
  out << YAML::Key << "lock" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "type" << YAML::Value << std::string(LockTypeName(l.type));
  Field(out, "dsnEnv", l.dsn_env);
  if (l.wait != Seconds(0)) {
    out << YAML::Key << "wait" << YAML::Value << static_cast<long long>(l.wait.count());
  }
  out << YAML::EndMap;
}

void EmitAcknowledgement(YAML::Emitter& out, const Acknowledgement& a) {
  out << YAML::BeginMap;
  Field(out, "address", a.address);
  Field(out, "reason", a.reason);
  // Quoted: a bare 2027-01-15 is a YAML date to other readers.
  out << YAML::Key << "until" << YAML::Value << YAML::DoubleQuoted << a.until;
  Field(out, "ticket", a.ticket);
  out << YAML::EndMap;
}

void EmitAcme(YAML::Emitter& out, const AcmeSpec& a) {
  Field(out, "directory", a.directory);
  if (!a.contact.empty()) List(out, "contact", a.contact, true);
  if (a.accept_terms) out << YAML::Key << "acceptTerms" << YAML::Value << true;
  Field(out, "accountKey", a.account_key);
  if (!a.eab_key_id.empty()) {
    out << YAML::Key << "eab" << YAML::Value << YAML::BeginMap;
    Field(out, "keyId", a.eab_key_id);
    Secret(out, a.eab_hmac_key, "hmacKeyEnv", "hmacKeyFile");
    out << YAML::EndMap;
  }
  Field(out, "caBundle", a.ca_bundle);
  Field(out, "profile", a.profile);
  Field(out, "preferredChain", a.preferred_chain);
  const AcmeChallengeSpec& c = a.challenge;
  out << YAML::Key << "challenge" << YAML::Value << YAML::BeginMap;
  Field(out, "type", c.type);
  Field(out, "webroot", c.webroot);
  Field(out, "standalone", c.standalone);
  if (!c.exec.empty()) List(out, "exec", c.exec, true);
  if (!c.rfc2136_server.empty()) {
    out << YAML::Key << "rfc2136" << YAML::Value << YAML::BeginMap;
    Field(out, "server", c.rfc2136_server);
    Field(out, "zone", c.rfc2136_zone);
    Field(out, "tsigKeyName", c.tsig_key_name);
    Field(out, "tsigAlgorithm", c.tsig_algorithm);
    Secret(out, c.tsig_secret, "tsigSecretEnv", "tsigSecretFile");
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

void EmitIssuer(YAML::Emitter& out, const IssuerSpec& i) {
  out << YAML::BeginMap;
  Field(out, "name", i.name);
  out << YAML::Key << "type" << YAML::Value << std::string(IssuerTypeName(i.type));
  Field(out, "certificate", i.certificate);
  Field(out, "key", i.key);
  Field(out, "chain", i.chain);
  Secret(out, i.key_password, "keyPasswordEnv", "keyPasswordFile");
  Field(out, "outbox", i.outbox);
  Field(out, "inbox", i.inbox);
  Field(out, "pkcs12", i.pkcs12);
  Secret(out, i.password, "passwordEnv", "passwordFile");
  if (i.type == IssuerType::kAcme) EmitAcme(out, i.acme);
  out << YAML::EndMap;
}

void EmitProbe(YAML::Emitter& out, const ProbeSpec& p) {
  if (p == ProbeSpec{}) return;
  out << YAML::Key << "probe" << YAML::Value << YAML::BeginMap;
  if (p.after_apply) out << YAML::Key << "afterApply" << YAML::Value << *p.after_apply;
  if (p.grace != ProbeSpec{}.grace) {
    out << YAML::Key << "grace" << YAML::Value << std::to_string(p.grace.count()) + "s";
  }
  if (!p.services.empty()) {
    std::vector<std::string> services;
    for (Service s : p.services) services.emplace_back(ServiceName(s));
    List(out, "services", services, true);
  }
  if (!p.ports.empty()) {
    out << YAML::Key << "ports" << YAML::Value << YAML::BeginMap;
    for (const auto& [protocol, ports] : p.ports) {
      out << YAML::Key << protocol << YAML::Value << YAML::Flow << YAML::BeginSeq;
      for (int port : ports) out << port;
      out << YAML::EndSeq;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

void EmitServer(YAML::Emitter& out, const ServerSpec& s) {
  out << YAML::BeginMap;
  Field(out, "name", s.name);
  Field(out, "fqdn", s.fqdn);
  std::vector<std::string> roles;
  for (Role r : s.roles) roles.emplace_back(RoleName(r));
  List(out, "roles", roles, true);
  Field(out, "version", std::string(VersionName(s.version)));
  if (!s.transport.empty()) List(out, "transport", s.transport, true);
  Field(out, "address", s.address);
  EmitProbe(out, s.probe);
  if (!s.reload_hook.empty()) {
    out << YAML::Key << "hooks" << YAML::Value << YAML::BeginMap;
    List(out, "reload", s.reload_hook, true);
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

void EmitKey(YAML::Emitter& out, const KeySpec& k) {
  out << YAML::Key << "key" << YAML::Value << YAML::Flow << YAML::BeginMap;
  out << YAML::Key << "algorithm" << YAML::Value << std::string(KeyAlgorithmName(k.algorithm));
  if (k.algorithm == KeyAlgorithm::kRsa) {
    out << YAML::Key << "size" << YAML::Value << k.rsa_bits;
  } else {
    out << YAML::Key << "curve" << YAML::Value << std::string(CurveName(k.curve));
  }
  out << YAML::Key << "exportable" << YAML::Value << k.exportable;
  out << YAML::EndMap;
}

void EmitCertificate(YAML::Emitter& out, const CertificateSpec& c, bool acme) {
  out << YAML::BeginMap;
  Field(out, "name", c.name);
  if (c.friendly_name != c.name) Field(out, "friendlyName", c.friendly_name);
  Field(out, "subject", c.subject);
  List(out, "dnsNames", c.dns_names, false);
  Field(out, "issuer", c.issuer);
  EmitKey(out, c.key);
  if (!acme) out << YAML::Key << "validity" << YAML::Value << FormatDuration(c.validity);
  out << YAML::Key << "renewBefore" << YAML::Value << FormatDuration(c.renew_before);
  List(out, "servers", c.servers, false);
  std::vector<std::string> services;
  for (Service s : c.services.ToVector()) services.emplace_back(ServiceName(s));
  List(out, "services", services, true);
  if (c.per_server) out << YAML::Key << "perServer" << YAML::Value << true;
  if (c.replace_default_smtp) out << YAML::Key << "replaceDefaultSmtp" << YAML::Value << true;
  out << YAML::EndMap;
}

template <typename T>
void Section(YAML::Emitter& out, const char* key, const std::vector<T>& items,
             void (*emit)(YAML::Emitter&, const T&)) {
  if (items.empty()) return;
  out << YAML::Key << key << YAML::Value << YAML::BeginSeq;
  for (const T& item : items) emit(out, item);
  out << YAML::EndSeq;
}

}  // namespace

std::string SerializeManifest(const Manifest& m) {
  YAML::Emitter out;
  out.SetBoolFormat(YAML::TrueFalseBool);
  out.SetIndent(2);
  out << YAML::BeginMap;
  out << YAML::Key << "version" << YAML::Value << m.version;
  EmitOrganization(out, m.organization);
  EmitStore(out, m.store);
  EmitBackup(out, m.backup);
  EmitLock(out, m.lock);
  if (m.prune) out << YAML::Key << "prune" << YAML::Value << true;
  Field(out, "trust", m.trust);
  Section(out, "issuers", m.issuers, EmitIssuer);
  Section(out, "servers", m.servers, EmitServer);
  if (!m.certificates.empty()) {
    out << YAML::Key << "certificates" << YAML::Value << YAML::BeginSeq;
    for (const CertificateSpec& c : m.certificates) {
      const IssuerSpec* issuer = m.FindIssuer(c.issuer);
      EmitCertificate(out, c, issuer && issuer->type == IssuerType::kAcme);
    }
    out << YAML::EndSeq;
  }
  Section(out, "acknowledgements", m.acknowledgements, EmitAcknowledgement);
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace xcert
