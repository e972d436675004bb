#include "engine/manifest/build.h"

#include <algorithm>
#include <cstdlib>

#include "engine/manifest/describe.h"
#include "engine/manifest/pointer.h"

namespace xcert::manifest {

namespace {

using json = nlohmann::json;

// One object of the manifest being built, with its pointer, so that field
// readers can report problems at the right place.
struct Object {
  const json& value;
  std::string pointer;

  const json* Field(const char* key) const {
    if (!value.is_object()) return nullptr;
    auto it = value.find(key);
    return it == value.end() ? nullptr : &*it;
  }
  Object Child(const char* key) const {
    static const json kNull;
    const json* f = Field(key);
    return Object{f ? *f : kNull, JoinPointer(pointer, key)};
  }
  std::string String(const char* key) const {
    const json* f = Field(key);
    return f && f->is_string() ? f->get<std::string>() : "";
  }
  bool Bool(const char* key, bool fallback) const {
    const json* f = Field(key);
    return f && f->is_boolean() ? f->get<bool>() : fallback;
  }
  std::vector<std::string> Strings(const char* key) const {
    std::vector<std::string> out;
    const json* f = Field(key);
    if (!f || !f->is_array()) return out;
    for (const json& item : *f) out.push_back(item.is_string() ? item.get<std::string>() : "");
    return out;
  }
  SecretRef Secret(const char* env_key, const char* file_key) const {
    return SecretRef{String(env_key), String(file_key)};
  }
};

// The schema's enums are case-sensitive; the model's parsers are not. Only
// values the schema accepted become typed values (others are reported).
template <typename T>
std::optional<T> Exact(std::optional<T> (*parse)(std::string_view), std::string_view (*name)(T),
                       const std::string& text) {
  std::optional<T> v = parse(text);
  return v && name(*v) == text ? v : std::nullopt;
}

// A scalar's text whether it was written as a string or a number.
std::string ScalarText(const json* v) {
  if (!v) return "";
  if (v->is_string()) return v->get<std::string>();
  if (v->is_number_integer()) return v->dump();
  return "";
}

Seconds Duration(const Object& o, const char* key, Seconds fallback, const json& doc, Reporter& r) {
  const json* f = o.Field(key);
  if (!f) return fallback;
  if (f->is_number_integer()) {
    const auto n = f->get<long long>();
    return n > 0 ? Seconds(n) : fallback;
  }
  if (!f->is_string()) return fallback;
  Result<Seconds> d = ParseDuration(f->get<std::string>());
  if (d.ok()) return *d;
  const std::string pointer = JoinPointer(o.pointer, key);
  const std::string& why = d.status().message();
  const size_t semicolon = why.find("; ");
  r.Error(pointer, DescribeValue(doc, pointer) + ": " + why.substr(0, semicolon),
          semicolon == std::string::npos ? "" : why.substr(semicolon + 2));
  return fallback;
}

Organization BuildOrganization(const Object& o) {
  return Organization{o.String("domain"), o.Bool("autodiscover", false)};
}

StoreSpec BuildStore(const Object& o, const json& doc, Reporter& r) {
  StoreSpec s;
  const std::string type = o.String("type");
  if (type == "exchange") s.type = StoreType::kExchange;
  if (type == "snapshot") s.type = StoreType::kSnapshot;
  s.path = o.String("path");
  s.transport = o.Strings("transport");
  s.timeout = Duration(o, "timeout", s.timeout, doc, r);
  return s;
}

LockSpec BuildLock(const Object& o, const json& doc, Reporter& r) {
  LockSpec l;
  if (o.String("type") == "postgres") l.type = LockType::kPostgres;
  l.dsn_env = o.String("dsnEnv");
  l.wait = Duration(o, "wait", l.wait, doc, r);
  return l;
}

Acknowledgement BuildAcknowledgement(const Object& o) {
  return Acknowledgement{o.String("address"), o.String("reason"), o.String("until"),
                         o.String("ticket")};
}

BackupSpec BuildBackup(const Object& o) {
  return BackupSpec{o.String("path"), o.Secret("passwordEnv", "passwordFile")};
}

AcmeSpec BuildAcme(const Object& o) {
  AcmeSpec a;
  a.directory = o.String("directory");
  a.contact = o.Strings("contact");
  a.accept_terms = o.Bool("acceptTerms", false);
  a.account_key = o.String("accountKey");
  const Object eab = o.Child("eab");
  a.eab_key_id = eab.String("keyId");
  a.eab_hmac_key = eab.Secret("hmacKeyEnv", "hmacKeyFile");
  a.ca_bundle = o.String("caBundle");
  a.profile = o.String("profile");
  a.preferred_chain = o.String("preferredChain");
  const Object challenge = o.Child("challenge");
  AcmeChallengeSpec& c = a.challenge;
  c.type = challenge.String("type");
  c.webroot = challenge.String("webroot");
  c.standalone = challenge.String("standalone");
  c.exec = challenge.Strings("exec");
  const Object rfc2136 = challenge.Child("rfc2136");
  c.rfc2136_server = rfc2136.String("server");
  c.rfc2136_zone = rfc2136.String("zone");
  c.tsig_key_name = rfc2136.String("tsigKeyName");
  c.tsig_algorithm = rfc2136.String("tsigAlgorithm");
  c.tsig_secret = rfc2136.Secret("tsigSecretEnv", "tsigSecretFile");
  return a;
}

IssuerSpec BuildIssuer(const Object& o) {
  IssuerSpec i;
  i.name = o.String("name");
  const std::string type = o.String("type");
  if (type == "ca") i.type = IssuerType::kCa;
  if (type == "request") i.type = IssuerType::kRequest;
  if (type == "file") i.type = IssuerType::kFile;
  if (type == "acme") i.type = IssuerType::kAcme;
  i.certificate = o.String("certificate");
  i.key = o.String("key");
  i.chain = o.String("chain");
  i.key_password = o.Secret("keyPasswordEnv", "keyPasswordFile");
  i.outbox = o.String("outbox");
  i.inbox = o.String("inbox");
  i.pkcs12 = o.String("pkcs12");
  i.password = o.Secret("passwordEnv", "passwordFile");
  if (i.type == IssuerType::kAcme) i.acme = BuildAcme(o);
  return i;
}

ServerSpec BuildServer(const Object& o) {
  ServerSpec s;
  s.name = o.String("name");
  s.fqdn = o.String("fqdn");
  for (const std::string& role : o.Strings("roles")) {
    if (auto r = Exact(ParseRole, RoleName, role)) s.roles.push_back(*r);
  }
  if (auto v = Exact(ParseVersion, VersionName, ScalarText(o.Field("version")))) s.version = *v;
  s.transport = o.Strings("transport");
  s.address = o.String("address");
  s.reload_hook = o.Child("hooks").Strings("reload");
  const Object probe = o.Child("probe");
  if (const json* after = probe.Field("afterApply"); after && after->is_boolean()) {
    s.probe.after_apply = after->get<bool>();
  }
  // The schema admits only "<1..3600>s".
  if (const std::string grace = probe.String("grace"); grace.ends_with('s')) {
    const long long n = std::atoll(grace.c_str());
    if (n >= 1 && n <= 3600) s.probe.grace = Seconds(n);
  }
  for (const std::string& service : probe.Strings("services")) {
    if (auto v = Exact(ParseService, ServiceName, service)) s.probe.services.push_back(*v);
  }
  if (const json* ports = probe.Field("ports"); ports && ports->is_object()) {
    for (const auto& [protocol, list] : ports->items()) {
      std::vector<int>& out = s.probe.ports[protocol];
      if (!list.is_array()) continue;
      for (const json& port : list) {
        if (port.is_number_integer())
          out.push_back(
              static_cast<int>(std::clamp<long long>(port.get<long long>(), -1, 1 << 20)));
      }
    }
  }
  return s;
}

KeySpec BuildKey(const Object& o) {
  KeySpec k;
  if (o.String("algorithm") == "ECDSA") {
    k.algorithm = KeyAlgorithm::kEcdsa;
    k.curve = o.String("curve") == "P-384" ? EcCurve::kP384 : EcCurve::kP256;
  }
  if (const json* size = o.Field("size"); size && size->is_number_integer()) {
    const auto bits = size->get<long long>();
    if (bits > 0 && bits <= 1 << 20) k.rsa_bits = static_cast<int>(bits);
  }
  k.exportable = o.Bool("exportable", false);
  return k;
}

CertificateSpec BuildCertificate(const Object& o, const json& doc, Reporter& r) {
  CertificateSpec c;
  c.name = o.String("name");
  c.friendly_name = o.Field("friendlyName") ? o.String("friendlyName") : c.name;
  if (c.friendly_name.empty()) c.friendly_name = c.name;
  c.subject = o.String("subject");
  c.dns_names = o.Strings("dnsNames");
  c.issuer = o.String("issuer");
  c.key = BuildKey(o.Child("key"));
  c.validity = Duration(o, "validity", c.validity, doc, r);
  c.renew_before = Duration(o, "renewBefore", c.renew_before, doc, r);
  c.servers = o.Strings("servers");
  for (const std::string& service : o.Strings("services")) {
    if (auto s = Exact(ParseService, ServiceName, service)) c.services.Add(*s);
  }
  c.per_server = o.Bool("perServer", false);
  c.replace_default_smtp = o.Bool("replaceDefaultSmtp", false);
  return c;
}

template <typename T, typename F>
std::vector<T> BuildList(const Object& root, const char* section, F build) {
  std::vector<T> out;
  const json* list = root.Field(section);
  if (!list || !list->is_array()) return out;
  for (size_t i = 0; i < list->size(); ++i) {
    out.push_back(build(Object{(*list)[i], JoinPointer(JoinPointer(root.pointer, section), i)}));
  }
  return out;
}

}  // namespace

Manifest BuildManifest(const json& doc, Reporter& r) {
  Manifest m;
  const Object root{doc, ""};
  if (const json* v = root.Field("version"); v && v->is_number_integer()) {
    m.version = static_cast<int>(std::clamp<long long>(v->get<long long>(), -1, 1000));
  }
  m.organization = BuildOrganization(root.Child("organization"));
  m.store = BuildStore(root.Child("store"), doc, r);
  m.backup = BuildBackup(root.Child("backup"));
  m.lock = BuildLock(root.Child("lock"), doc, r);
  m.prune = root.Bool("prune", false);
  m.trust = root.String("trust");
  m.issuers = BuildList<IssuerSpec>(root, "issuers", BuildIssuer);
  m.servers = BuildList<ServerSpec>(root, "servers", BuildServer);
  m.certificates = BuildList<CertificateSpec>(
      root, "certificates", [&](const Object& o) { return BuildCertificate(o, doc, r); });
  m.acknowledgements = BuildList<Acknowledgement>(root, "acknowledgements", BuildAcknowledgement);
  return m;
}

}  // namespace xcert::manifest
