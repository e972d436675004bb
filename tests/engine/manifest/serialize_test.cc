#include <algorithm>
#include <set>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "engine/util/strings.h"
#include "tests/engine/manifest/manifest_test_util.h"
#include "tests/support/test_util.h"

namespace xcert::manifest::testing {
namespace {

TEST(SerializeTest, WritesReadableYaml) {
  const LoadResult r = Load(
      Replace(kBase, "services: [IIS, SMTP]", "services: [SMTP, IIS]\n    friendlyName: \"2024\""));
  ASSERT_TRUE(r.manifest.has_value()) << r.diagnostics.ToString();
  EXPECT_EQ(SerializeManifest(*r.manifest), R"(version: 1
store:
  type: local
  path: ./store
issuers:
  - name: self
    type: self-signed
  - name: corp-ca
    type: ca
    certificate: ca.pem
    key: ca.key
servers:
  - name: EX1
    fqdn: ex1.contoso.com
    roles: [Mailbox]
    version: "2019"
  - name: EX2
    fqdn: ex2.contoso.com
    roles: [Mailbox]
    version: "2016"
certificates:
  - name: mail
    friendlyName: "2024"
    subject: CN=mail.contoso.com
    dnsNames:
      - mail.contoso.com
      - autodiscover.contoso.com
    issuer: corp-ca
    key: {algorithm: RSA, size: 2048, exportable: false}
    validity: 1y
    renewBefore: 30d
    servers:
      - EX1
      - EX2
    services: [IIS, SMTP]
)");
}

TEST(SerializeTest, ExampleSurvivesARoundTrip) {
  const LoadResult first = LoadManifestFile(
      (xcert::testing::SourceDir() / "examples/pocket-consultant/xcert.yaml").string());
  ASSERT_TRUE(first.manifest.has_value()) << first.diagnostics.ToString();
  const std::string text = SerializeManifest(*first.manifest);
  const LoadResult second = Load(text);
  ASSERT_TRUE(second.manifest.has_value()) << second.diagnostics.ToString() << text;
  EXPECT_TRUE(first.manifest->SameContent(*second.manifest)) << text;
}

TEST(SerializeTest, ALockSurvivesARoundTrip) {
  const LoadResult first =
      Load(std::string(kBase) + "lock: {type: postgres, dsnEnv: XCERT_LOCK_DSN, wait: 30}\n");
  ASSERT_TRUE(first.manifest.has_value()) << first.diagnostics.ToString();
  const std::string text = SerializeManifest(*first.manifest);
  const LoadResult second = Load(text);
  ASSERT_TRUE(second.manifest.has_value()) << second.diagnostics.ToString() << text;
  EXPECT_EQ(second.manifest->lock, first.manifest->lock) << text;
  EXPECT_EQ(second.manifest->lock.wait, Seconds(30)) << text;
}

TEST(SerializeTest, VerifySettingsAndHooksSurviveARoundTrip) {
  const std::string yaml = std::string(kBase) + "trust: pki/root.pem\n";
  const std::string with_server =
      Replace(yaml, "roles: [Mailbox]}",
              "roles: [Mailbox], address: '::1', probe: {services: [SMTP], ports: {smtp: [25], "
              "smtps: []}}, hooks: {reload: [systemctl, reload, postfix]}}");
  const LoadResult first = Load(with_server);
  ASSERT_TRUE(first.manifest.has_value()) << first.diagnostics.ToString();
  const std::string text = SerializeManifest(*first.manifest);
  const LoadResult second = Load(text);
  ASSERT_TRUE(second.manifest.has_value()) << second.diagnostics.ToString() << text;
  EXPECT_TRUE(first.manifest->SameContent(*second.manifest)) << text;
  EXPECT_EQ(second.manifest->servers[0].address, "::1") << text;
  EXPECT_EQ(second.manifest->servers[0].reload_hook.size(), 3u) << text;
  EXPECT_EQ(second.manifest->trust, "pki/root.pem") << text;
}

// ---- generated manifests ------------------------------------------------------

// Strings YAML would read as something else, or that need quoting.
const std::vector<std::string> kTricky = {
    "yes",    "No",  "on",    "true",   "False", "null", "~",      "123",    "1.5",  "0x10",
    "0o7",    "1e3", ".inf",  "-.inf",  ".nan",  "- x",  "#x",     "a: b",   "a #b", "'q'",
    "\"dq\"", "[x]", " lead", "trail ", "&a",    "*a",   "!tag",   "%x",     "@x",   "`x",
    "a\\b",   "?",   "-",     ":",      "<<",    "=",    "日本語", "Ünïcødé"};

rc::Gen<std::string> Text(bool braces) {
  auto piece = rc::gen::oneOf(
      rc::gen::map(rc::gen::inRange(32, 127), [](int c) { return std::string(1, char(c)); }),
      rc::gen::element<std::string>("é", "日", "€", "\\", "\"", "'", ": ", " #"));
  auto random = rc::gen::map(
      rc::gen::resize(30, rc::gen::nonEmpty(rc::gen::container<std::vector<std::string>>(piece))),
      [](const std::vector<std::string>& parts) {
        std::string s;
        for (const std::string& p : parts) s += p;
        return s;
      });
  auto text = rc::gen::oneOf(random, rc::gen::elementOf(kTricky));
  if (braces) return text;
  return rc::gen::suchThat(
      text, [](const std::string& s) { return s.find_first_of("{}") == std::string::npos; });
}

// Names matching the schema's patterns, tricky ones included; unique without
// regard to case.
std::vector<std::string> Names(size_t n, bool host_name) {
  const std::vector<std::string> tricky = {"123",  "2019", "1e5", "0x1F", "true",
                                           "null", "yes",  "No",  "on",   "SE"};
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (size_t i = 0; out.size() < n; ++i) {
    std::string name = *rc::gen::oneOf(
        rc::gen::elementOf(tricky), rc::gen::map(rc::gen::inRange(0, 100000), [host_name](int k) {
          return (host_name ? "Ex" : "c.") + std::to_string(k) + (host_name ? "-a" : "_x");
        }));
    if (seen.count(ToLower(name))) name += std::to_string(i);  // "1e5" -> "1e51": still tricky
    if (seen.insert(ToLower(name)).second) out.push_back(name);
  }
  return out;
}

std::string EnvName() {
  return *rc::gen::element<std::string>("XCERT_BACKUP_PASSWORD", "PW", "_x1", "A_B_C");
}

SecretRef Secret() {
  if (*rc::gen::arbitrary<bool>()) return {EnvName(), ""};
  return {"", *Text(true)};
}

// An acme issuer's settings: one way to answer each challenge type.
AcmeSpec Acme() {
  AcmeSpec a;
  a.directory = "https://acme.test/" + *Text(true);
  a.account_key = *Text(true);
  a.accept_terms = *rc::gen::arbitrary<bool>();
  if (*rc::gen::arbitrary<bool>()) a.contact = {"mailto:pki@contoso.com"};
  if (*rc::gen::arbitrary<bool>()) {
    a.eab_key_id = *Text(true);
    a.eab_hmac_key = Secret();
  }
  if (*rc::gen::arbitrary<bool>()) a.ca_bundle = *Text(true);
  if (*rc::gen::arbitrary<bool>()) a.profile = *Text(true);
  AcmeChallengeSpec& c = a.challenge;
  switch (*rc::gen::inRange(0, 4)) {
    case 0: c = {.type = "http-01", .webroot = *Text(true)}; break;
    case 1: c = {.type = "http-01", .standalone = "127.0.0.1:80"}; break;
    case 2: c = {.type = "dns-01", .exec = {*Text(true), *Text(true)}}; break;
    default:
      c = {.type = "dns-01",
           .rfc2136_server = "192.0.2.53",
           .rfc2136_zone = "contoso.com",
           .tsig_key_name = *Text(true),
           .tsig_secret = Secret()};
  }
  return a;
}

std::vector<IssuerSpec> Issuers() {
  const auto types = *rc::gen::resize(
      4, rc::gen::nonEmpty(rc::gen::container<std::vector<IssuerType>>(
             rc::gen::element(IssuerType::kSelfSigned, IssuerType::kCa, IssuerType::kRequest,
                              IssuerType::kFile, IssuerType::kAcme))));
  const std::vector<std::string> names = Names(types.size(), false);
  std::vector<IssuerSpec> out;
  if (std::all_of(types.begin(), types.end(),
                  [](IssuerType t) { return t == IssuerType::kFile; })) {
    out.push_back({.name = "self-" + names[0], .type = IssuerType::kSelfSigned});
  }
  for (size_t i = 0; i < types.size(); ++i) {
    IssuerSpec s{.name = names[i], .type = types[i]};
    switch (s.type) {
      case IssuerType::kSelfSigned: break;
      case IssuerType::kCa:
        s.certificate = *Text(true);
        s.key = *Text(true);
        if (*rc::gen::arbitrary<bool>()) s.key_password = Secret();
        break;
      case IssuerType::kRequest:
        s.outbox = *Text(true);
        s.inbox = *Text(true);
        break;
      case IssuerType::kFile:
        s.pkcs12 = *Text(true);
        s.password = Secret();
        break;
      case IssuerType::kAcme: s.acme = Acme(); break;
    }
    out.push_back(s);
  }
  return out;
}

std::vector<ServerSpec> Servers(bool exchange_store) {
  const size_t n = *rc::gen::inRange<size_t>(1, 5);
  const std::vector<std::string> names = Names(n, true);
  std::vector<ServerSpec> out;
  for (size_t i = 0; i < n; ++i) {
    ServerSpec s{.name = names[i], .fqdn = ToLower(names[i]) + ".contoso.com"};
    s.version = *rc::gen::element(ExchangeVersion::k2013, ExchangeVersion::k2016,
                                  ExchangeVersion::k2019, ExchangeVersion::kSE);
    s.roles = s.version == ExchangeVersion::k2013
                  ? *rc::gen::element(std::vector<Role>{Role::kMailbox},
                                      std::vector<Role>{Role::kClientAccess},
                                      std::vector<Role>{Role::kMailbox, Role::kClientAccess},
                                      std::vector<Role>{Role::kEdgeTransport})
                  : *rc::gen::element(std::vector<Role>{Role::kMailbox},
                                      std::vector<Role>{Role::kEdgeTransport});
    if (exchange_store && *rc::gen::arbitrary<bool>()) s.transport = {*Text(true), "-c"};
    out.push_back(s);
  }
  return out;
}

CertificateSpec Certificate(const std::string& name, const Manifest& m,
                            std::map<std::pair<std::string, Service>, bool>* taken) {
  CertificateSpec c;
  c.name = name;
  c.friendly_name = *rc::gen::oneOf(rc::gen::just(name), Text(false));  // at most 30 characters
  std::vector<const ServerSpec*> servers;
  for (const ServerSpec& s : m.servers) {
    if (*rc::gen::arbitrary<bool>() || (&s == &m.servers.back() && servers.empty())) {
      servers.push_back(&s);
      c.servers.push_back(s.name);
    }
  }
  c.per_server = *rc::gen::arbitrary<bool>();
  if (c.per_server) {
    c.subject = "CN={fqdn}";
    c.dns_names = {"{fqdn}", "{server}"};
  } else {
    const std::string host = "h" + std::to_string(*rc::gen::inRange(0, 1000000)) + ".contoso.com";
    c.subject = *rc::gen::element("CN=" + host, "CN=" + host + ", O=Contoso, C=DE");
    c.dns_names = {host, "www." + host};
  }
  std::vector<const IssuerSpec*> usable;
  for (const IssuerSpec& i : m.issuers) {
    if (i.type != IssuerType::kFile) usable.push_back(&i);
  }
  if (usable.empty()) return CertificateSpec{};
  // An index, not the pointer: shrinking replays generated values after this
  // manifest is gone.
  const IssuerSpec* issuer = usable[*rc::gen::inRange<size_t>(0, usable.size())];
  c.issuer = issuer->name;
  if (*rc::gen::arbitrary<bool>()) {
    c.key.algorithm = KeyAlgorithm::kEcdsa;
    c.key.curve = *rc::gen::element(EcCurve::kP256, EcCurve::kP384);
  } else {
    c.key.rsa_bits = *rc::gen::element(2048, 3072, 4096);
  }
  c.key.exportable = *rc::gen::arbitrary<bool>() ||
                     (!c.per_server && servers.size() > 1 && issuer->type != IssuerType::kCa);
  // An ACME server sets the validity: such certificates keep the default.
  const int validity_days = issuer->type == IssuerType::kAcme ? 365 : *rc::gen::inRange(2, 2000);
  c.validity = Seconds(int64_t(validity_days) * 86400);
  c.renew_before = Seconds(int64_t(*rc::gen::inRange(1, validity_days)) * 86400);
  for (Service s : {Service::kIis, Service::kImap, Service::kPop, Service::kSmtp, Service::kUm,
                    Service::kUmCallRouter}) {
    if (!*rc::gen::arbitrary<bool>()) continue;
    bool ok = true;
    for (const ServerSpec* server : servers) {
      ok = ok && WhyNotEnableable(s, server->roles, server->version).empty() &&
           (s == Service::kSmtp || s == Service::kUm || s == Service::kUmCallRouter ||
            !(*taken)[{server->name, s}]);
    }
    if (!ok) continue;
    c.services.Add(s);
    for (const ServerSpec* server : servers) (*taken)[{server->name, s}] = true;
  }
  return c;
}

Manifest GenerateManifest() {
  Manifest m;
  m.organization.domain =
      *rc::gen::element<std::string>("", "contoso.com", "pocket-consultant.com");
  m.organization.autodiscover = !m.organization.domain.empty() && *rc::gen::arbitrary<bool>();
  m.store.type = *rc::gen::element(StoreType::kLocal, StoreType::kExchange, StoreType::kSnapshot);
  if (m.store.type == StoreType::kExchange) {
    m.store.transport = {*Text(true), *Text(true)};
    m.store.timeout = Seconds(*rc::gen::inRange(1, 86401));
  } else {
    m.store.path = *Text(true) + "/store";
  }
  if (*rc::gen::arbitrary<bool>()) {
    // Never inside the store: loading refuses that.
    m.backup = {*Text(true) + "/backups", Secret()};
    m.prune = *rc::gen::arbitrary<bool>();
  }
  m.issuers = Issuers();
  m.servers = Servers(m.store.type == StoreType::kExchange);
  std::map<std::pair<std::string, Service>, bool> taken;
  const std::vector<std::string> names = Names(*rc::gen::inRange<size_t>(1, 6), false);
  for (const std::string& name : names) {
    CertificateSpec c = Certificate(name, m, &taken);
    if (!c.name.empty()) m.certificates.push_back(c);
  }
  return m;
}

RC_GTEST_PROP(SerializeProperty, LoadSerializeLoadKeepsTheContent, ()) {
  const Manifest generated = GenerateManifest();
  RC_CLASSIFY(generated.certificates.empty(), "no certificates");
  RC_CLASSIFY(std::any_of(generated.certificates.begin(), generated.certificates.end(),
                          [](const CertificateSpec& c) { return c.per_server; }),
              "perServer certificate");
  RC_CLASSIFY(std::any_of(generated.certificates.begin(), generated.certificates.end(),
                          [](const CertificateSpec& c) { return c.services.Has(Service::kIis); }),
              "IIS certificate");
  const std::string text = SerializeManifest(generated);
  const LoadResult first = Load(text);
  RC_LOG() << text << "\n" << first.diagnostics.ToString();
  RC_ASSERT(!first.diagnostics.has_errors());
  RC_ASSERT(first.manifest.has_value());
  RC_ASSERT(first.manifest->SameContent(generated));
  const std::string again = SerializeManifest(*first.manifest);
  RC_ASSERT(again == text);
  const LoadResult second = Load(again);
  RC_ASSERT(second.manifest.has_value());
  RC_ASSERT(second.manifest->SameContent(*first.manifest));
}

}  // namespace
}  // namespace xcert::manifest::testing
