#include "engine/manifest/build.h"

#include <gtest/gtest.h>

#include "engine/manifest/json_typing.h"

namespace xcert::manifest {
namespace {

using json = nlohmann::json;

struct Built {
  Manifest manifest;
  std::string diagnostics;
};

Built Build(std::string_view yaml) {
  YamlDocument doc = ParseYaml(yaml, "t.yaml");
  Reporter r("t.yaml", doc.root);
  const json j = ToJson(*doc.root, r);
  Manifest m = BuildManifest(j, r);
  return {std::move(m), r.diagnostics().ToString()};
}

TEST(BuildTest, TheLockIsTheStoresFileUnlessThePostgresOneIsAskedFor) {
  EXPECT_EQ(Build("version: 1\nstore: {type: local, path: s}\n").manifest.lock, LockSpec());
  const Built b = Build(
      "version: 1\nstore: {type: local, path: s}\n"
      "lock: {type: postgres, dsnEnv: XCERT_LOCK_DSN, wait: 60}\n");
  EXPECT_EQ(b.diagnostics, "");
  EXPECT_EQ(b.manifest.lock, (LockSpec{LockType::kPostgres, "XCERT_LOCK_DSN", Seconds(60)}));
  EXPECT_EQ(LockTypeName(b.manifest.lock.type), "postgres");
}

TEST(BuildTest, FillsEveryFieldAndAppliesDefaults) {
  const Built b = Build(R"(version: 1
organization: {domain: contoso.com, autodiscover: true}
store: {type: exchange, transport: [ssh, ex1], timeout: 2h}
backup: {path: ./b, passwordFile: pw.txt}
prune: true
issuers:
  - {name: ca, type: ca, certificate: c.pem, key: c.key, chain: ch.pem, keyPasswordEnv: K}
  - {name: pfx, type: file, pkcs12: a.pfx, passwordEnv: P}
  - {name: req, type: request, outbox: o, inbox: i}
servers:
  - {name: EX1, fqdn: ex1.contoso.com, roles: [Mailbox, ClientAccess], version: 2013, transport: [x]}
  - {name: EX2, fqdn: ex2.contoso.com, roles: [EdgeTransport], version: SE}
  - {name: EX3, fqdn: ex3.contoso.com, roles: [Mailbox]}
certificates:
  - name: mail
    subject: CN=mail.contoso.com
    dnsNames: [mail.contoso.com]
    issuer: ca
    servers: [EX1]
    services: [IIS, SMTP, IIS]
  - name: edge
    friendlyName: Edge {server}
    subject: CN={fqdn}
    dnsNames: ["{fqdn}"]
    issuer: req
    key: {algorithm: ECDSA, exportable: true}
    validity: 2y
    renewBefore: 6w
    servers: [EX2]
    perServer: true
    replaceDefaultSmtp: true
)");
  EXPECT_EQ(b.diagnostics, "");
  const Manifest& m = b.manifest;
  EXPECT_EQ(m.organization, (Organization{"contoso.com", true}));
  EXPECT_EQ(m.store.type, StoreType::kExchange);
  EXPECT_EQ(m.store.transport, (std::vector<std::string>{"ssh", "ex1"}));
  EXPECT_EQ(m.store.timeout, Seconds(7200));
  EXPECT_EQ(m.backup.path, "./b");
  EXPECT_EQ(m.backup.password, (SecretRef{"", "pw.txt"}));
  EXPECT_TRUE(m.prune);
  ASSERT_EQ(m.issuers.size(), 3u);
  EXPECT_EQ(m.issuers[0].type, IssuerType::kCa);
  EXPECT_EQ(m.issuers[0].chain, "ch.pem");
  EXPECT_EQ(m.issuers[0].key_password.env, "K");
  EXPECT_EQ(m.issuers[1].pkcs12, "a.pfx");
  EXPECT_EQ(m.issuers[1].password.env, "P");
  EXPECT_EQ(m.issuers[2].inbox, "i");
  ASSERT_EQ(m.servers.size(), 3u);
  EXPECT_EQ(m.servers[0].version, ExchangeVersion::k2013);
  EXPECT_EQ(m.servers[0].roles, (std::vector<Role>{Role::kMailbox, Role::kClientAccess}));
  EXPECT_EQ(m.servers[0].transport, (std::vector<std::string>{"x"}));
  EXPECT_EQ(m.servers[1].version, ExchangeVersion::kSE);
  EXPECT_EQ(m.servers[2].version, ExchangeVersion::k2019);
  ASSERT_EQ(m.certificates.size(), 2u);
  const CertificateSpec& mail = m.certificates[0];
  EXPECT_EQ(mail.friendly_name, "mail");
  EXPECT_EQ(mail.key, KeySpec());
  EXPECT_EQ(mail.validity, Seconds(365 * 86400));
  EXPECT_EQ(mail.renew_before, Seconds(30 * 86400));
  EXPECT_EQ(mail.services.ToString(), "IIS, SMTP");
  const CertificateSpec& edge = m.certificates[1];
  EXPECT_EQ(edge.friendly_name, "Edge {server}");
  EXPECT_EQ(edge.key.ToString(), "ECDSA P-256");
  EXPECT_TRUE(edge.key.exportable);
  EXPECT_EQ(edge.validity, Seconds(2 * 365 * 86400));
  EXPECT_EQ(edge.renew_before, Seconds(42 * 86400));
  EXPECT_TRUE(edge.per_server);
  EXPECT_TRUE(edge.replace_default_smtp);
}

TEST(BuildTest, SkipsWrongTypesButKeepsIndices) {
  const Built b = Build(
      "version: x\nservers: [{name: 5, roles: [Mailbox, Edge, 3]}]\n"
      "certificates: [{name: m, dnsNames: [a.com, 7, b.com], services: [IIS, iis], "
      "key: {size: big, curve: P-384}}]\n");
  EXPECT_EQ(b.manifest.version, 1);
  EXPECT_EQ(b.manifest.servers[0].name, "");
  EXPECT_EQ(b.manifest.servers[0].roles, std::vector<Role>{Role::kMailbox});
  EXPECT_EQ(b.manifest.certificates[0].dns_names, (std::vector<std::string>{"a.com", "", "b.com"}));
  EXPECT_EQ(b.manifest.certificates[0].services.ToString(), "IIS");  // 'iis' is not a service
  EXPECT_EQ(b.manifest.certificates[0].key, KeySpec());              // RSA: curve ignored
}

TEST(BuildTest, ReportsDurationsTheSchemaCannotJudge) {
  const Built b = Build("certificates: [{name: m, validity: 400000y}]\n");
  EXPECT_EQ(b.diagnostics,
            "t.yaml:1:36: error: field 'validity' in certificate 'm': '400000y' is not a duration: "
            "it is too long; write a number and a unit: h, d, w or y (e.g. 90d, 12h, 2y)\n");
  EXPECT_EQ(b.manifest.certificates[0].validity, Seconds(365 * 86400));
}

TEST(BuildTest, EcdsaCurveP384) {
  const Built b = Build("certificates: [{key: {algorithm: ECDSA, curve: P-384}}]\n");
  EXPECT_EQ(b.manifest.certificates[0].key.curve, EcCurve::kP384);
}

TEST(BuildTest, VerifySettingsOfAServer) {
  const Built b = Build(R"(trust: pki/root.pem
servers:
  - name: EX1
    address: 10.0.0.21
    probe: {services: [IIS, POP], ports: {https: [8443, 443], pop3: []}}
  - name: EX2
    fqdn: ex2.contoso.com
)");
  EXPECT_EQ(b.diagnostics, "");
  EXPECT_EQ(b.manifest.trust, "pki/root.pem");
  const ServerSpec& ex1 = b.manifest.servers[0];
  EXPECT_EQ(ex1.ProbeAddress(), "10.0.0.21");
  EXPECT_EQ(ex1.probe.services, (std::vector<Service>{Service::kIis, Service::kPop}));
  EXPECT_EQ(ex1.probe.ports.at("https"), (std::vector<int>{8443, 443}));
  EXPECT_TRUE(ex1.probe.ports.at("pop3").empty());
  EXPECT_EQ(b.manifest.servers[1].ProbeAddress(), "ex2.contoso.com");
  EXPECT_EQ(b.manifest.servers[1].probe, ProbeSpec());
}

TEST(BuildTest, ReloadHookOfAServer) {
  const Built b = Build("servers: [{name: EX1, hooks: {reload: [systemctl, reload, nginx]}}]\n");
  EXPECT_EQ(b.manifest.servers[0].reload_hook,
            (std::vector<std::string>{"systemctl", "reload", "nginx"}));
}

}  // namespace
}  // namespace xcert::manifest
