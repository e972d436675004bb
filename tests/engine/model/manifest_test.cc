#include "engine/model/manifest.h"

#include <gtest/gtest.h>

namespace xcert {
namespace {

Manifest Sample() {
  Manifest m;
  m.issuers = {{.name = "self"}, {.name = "corp-ca", .type = IssuerType::kCa}};
  m.servers = {{.name = "EX1", .fqdn = "ex1.contoso.com", .roles = {Role::kMailbox}}};
  CertificateSpec mail;
  mail.name = "mail";
  CertificateSpec edge;
  edge.name = "edge";
  m.certificates = {mail, edge};
  m.source.set_file("site.yaml");
  m.source.Set("", 1, 1);
  m.source.Set("/certificates", 9, 1);
  m.source.Set("/certificates/1", 15, 5);
  m.source.Set("/certificates/1/subject", 16, 14);
  return m;
}

TEST(ManifestModelTest, TypeNames) {
  EXPECT_EQ(StoreTypeName(StoreType::kSnapshot), "snapshot");
  EXPECT_EQ(IssuerTypeName(IssuerType::kSelfSigned), "self-signed");
  EXPECT_EQ(IssuerTypeName(IssuerType::kRequest), "request");
}

TEST(SourceMapTest, FindsTheValueOrItsNearestAncestor) {
  const Manifest m = Sample();
  EXPECT_EQ(m.source.Find("/certificates/1/subject").ToString(), "site.yaml:16:14");
  EXPECT_EQ(m.source.Find("/certificates/1/dnsNames/0").ToString(), "site.yaml:15:5");
  EXPECT_EQ(m.source.Find("/certificates/10").ToString(), "site.yaml:9:1");
  EXPECT_EQ(m.source.Find("/servers").ToString(), "site.yaml:1:1");
  SourceMap empty;
  empty.set_file("x.yaml");
  EXPECT_EQ(empty.Find("/a/b").ToString(), "x.yaml");
  EXPECT_EQ(empty.size(), 0u);
}

TEST(ManifestModelTest, FindsEntriesByExactName) {
  const Manifest m = Sample();
  ASSERT_NE(m.FindIssuer("corp-ca"), nullptr);
  EXPECT_EQ(m.FindIssuer("corp-ca")->type, IssuerType::kCa);
  EXPECT_EQ(m.FindIssuer("Corp-CA"), nullptr);
  EXPECT_EQ(m.FindServer("EX1")->fqdn, "ex1.contoso.com");
  EXPECT_EQ(m.FindCertificate("edge"), &m.certificates[1]);
  EXPECT_EQ(m.FindCertificate("nope"), nullptr);
}

TEST(ManifestModelTest, WhereNamesTheEntryOrField) {
  const Manifest m = Sample();
  EXPECT_EQ(m.WhereCertificate("edge", "subject").ToString(), "site.yaml:16:14");
  EXPECT_EQ(m.WhereCertificate("edge").ToString(), "site.yaml:15:5");
  EXPECT_EQ(m.WhereCertificate("mail").ToString(), "site.yaml:9:1");  // falls back to the section
  EXPECT_EQ(m.WhereCertificate("unknown").ToString(), "site.yaml:9:1");
  EXPECT_EQ(m.WhereServer("EX1", "fqdn").ToString(), "site.yaml:1:1");
}

TEST(ManifestModelTest, ResolvesPathsAgainstTheManifestDirectory) {
  Manifest m;
  m.base_dir = "/srv/xcert";
  EXPECT_EQ(m.Resolve("./store"), "/srv/xcert/store");
  EXPECT_EQ(m.Resolve("pki/../ca.pem"), "/srv/xcert/ca.pem");
  EXPECT_EQ(m.Resolve("/etc/ca.pem"), "/etc/ca.pem");
  EXPECT_EQ(m.Resolve(""), "");
  m.base_dir.clear();
  EXPECT_EQ(m.Resolve("a/./b"), "a/b");
}

TEST(ManifestModelTest, SameContentIgnoresWhereItWasRead) {
  Manifest a = Sample();
  Manifest b = Sample();
  b.path = "other.yaml";
  b.base_dir = "/elsewhere";
  b.source = SourceMap();
  EXPECT_TRUE(a.SameContent(b));
  b.certificates[0].services.Add(Service::kIis);
  EXPECT_FALSE(a.SameContent(b));
}

TEST(ManifestModelTest, Defaults) {
  const CertificateSpec c;
  EXPECT_EQ(c.validity, Seconds(365LL * 86400));
  EXPECT_EQ(c.renew_before, Seconds(30LL * 86400));
  EXPECT_EQ(c.key.ToString(), "RSA 2048");
  EXPECT_FALSE(c.key.exportable);
  EXPECT_EQ(ServerSpec().version, ExchangeVersion::k2019);
  EXPECT_EQ(StoreSpec().timeout, Seconds(300));
  EXPECT_TRUE(SecretRef().empty());
}

}  // namespace
}  // namespace xcert
