#include "engine/plan/desired.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace xcert {
namespace {

using ::testing::ElementsAre;

// Two servers; a shared certificate and a perServer one, both with
// placeholders, as a validated manifest holds them.
Manifest TwoServers() {
  Manifest m;
  m.organization.domain = "pocket-consultant.com";
  m.prune = true;
  m.issuers = {{.name = "self"}, {.name = "corp-ca", .type = IssuerType::kCa}};
  m.servers = {
      {.name = "MailServer21", .fqdn = "ms21.pocket-consultant.com", .roles = {Role::kMailbox}},
      {.name = "MailServer22", .fqdn = "ms22.pocket-consultant.com", .roles = {Role::kMailbox}}};
  CertificateSpec mail;
  mail.name = "mail";
  mail.subject = "CN=mail.{domain}, O=Pocket Consultant";
  mail.dns_names = {"mail.{domain}", "autodiscover.{domain}"};
  mail.issuer = "corp-ca";
  mail.key = {KeyAlgorithm::kRsa, 3072, EcCurve::kNone, true};
  mail.validity = Seconds(90LL * 86400);
  mail.renew_before = Seconds(14LL * 86400);
  mail.servers = {"MailServer21", "MailServer22"};
  mail.services = ServiceSet{Service::kIis, Service::kSmtp};
  CertificateSpec smtp;
  smtp.name = "smtp";
  smtp.friendly_name = "SMTP {server}";
  smtp.subject = "CN={fqdn}";
  smtp.dns_names = {"{fqdn}", "{server}.{domain}"};
  smtp.issuer = "self";
  smtp.servers = {"MailServer22", "MailServer21"};  // manifest order, not server order
  smtp.services = ServiceSet{Service::kSmtp};
  smtp.per_server = true;
  smtp.replace_default_smtp = true;
  m.certificates = {mail, smtp};
  m.source.set_file("xcert.yaml");
  m.source.Set("", 1, 1);
  m.source.Set("/certificates/0", 20, 5);
  m.source.Set("/certificates/0/subject", 21, 14);
  m.source.Set("/certificates/1", 30, 5);
  m.source.Set("/certificates/1/subject", 31, 14);
  m.source.Set("/certificates/1/dnsNames", 32, 15);
  m.source.Set("/certificates/1/key", 33, 10);
  m.source.Set("/certificates/1/issuer", 34, 13);
  m.source.Set("/certificates/1/validity", 35, 15);
  m.source.Set("/certificates/1/services", 36, 15);
  return m;
}

std::map<std::string, IssuerFacts> Facts() {
  IssuerFacts ca;
  ca.name = "corp-ca";
  ca.type = IssuerType::kCa;
  ca.ca_subject = "CN=Corp Issuing CA";
  ca.ca_key_id = "CAFE";
  IssuerFacts self;
  self.name = "self";
  return {{"corp-ca", ca}, {"self", self}};
}

std::vector<std::string> Artifacts(const Desired& d) {
  std::vector<std::string> out;
  for (const DesiredCertificate& c : d.certificates) out.push_back(c.artifact);
  return out;
}

TEST(ExpandTest, SharedCertificateIsOneArtifactForAllItsServers) {
  const Desired d = Expand(TwoServers(), Facts());
  EXPECT_THAT(Artifacts(d), ElementsAre("mail", "smtp@MailServer22", "smtp@MailServer21"));
  const DesiredCertificate& mail = d.certificates[0];
  EXPECT_EQ(mail.name, "mail");
  EXPECT_EQ(mail.index, 0u);
  EXPECT_THAT(mail.servers, ElementsAre("MailServer21", "MailServer22"))
      << "the first server creates it, the others import it";
  EXPECT_EQ(mail.subject, "CN=mail.pocket-consultant.com, O=Pocket Consultant");
  EXPECT_THAT(mail.dns_names,
              ElementsAre("mail.pocket-consultant.com", "autodiscover.pocket-consultant.com"));
  EXPECT_EQ(mail.friendly_name, "mail") << "the friendly name defaults to the entry's name";
  EXPECT_EQ(mail.key.ToString(), "RSA 3072");
  EXPECT_TRUE(mail.key.exportable);
  EXPECT_EQ(mail.validity, Seconds(90LL * 86400));
  EXPECT_EQ(mail.renew_before, Seconds(14LL * 86400));
  EXPECT_EQ(mail.services.ToString(), "IIS, SMTP");
  EXPECT_FALSE(mail.replace_default_smtp);
}

TEST(ExpandTest, PerServerEntriesGetTheirOwnNames) {
  const Desired d = Expand(TwoServers(), Facts());
  ASSERT_EQ(d.certificates.size(), 3u);
  for (size_t i : {1u, 2u}) {
    const DesiredCertificate& c = d.certificates[i];
    const std::string server = i == 1 ? "MailServer22" : "MailServer21";
    const std::string fqdn = i == 1 ? "ms22.pocket-consultant.com" : "ms21.pocket-consultant.com";
    SCOPED_TRACE(server);
    EXPECT_EQ(c.name, "smtp");
    EXPECT_EQ(c.artifact, "smtp@" + server);
    EXPECT_EQ(c.index, 1u);
    EXPECT_THAT(c.servers, ElementsAre(server)) << "each instance lives on one server only";
    EXPECT_EQ(c.subject, "CN=" + fqdn);
    EXPECT_THAT(c.dns_names, ElementsAre(fqdn, server + ".pocket-consultant.com"));
    EXPECT_EQ(c.friendly_name, "SMTP " + server);
    EXPECT_TRUE(c.replace_default_smtp);
    EXPECT_EQ(c.services.ToString(), "SMTP");
  }
}

TEST(ExpandTest, EveryInstancePointsAtItsManifestLines) {
  const Desired d = Expand(TwoServers(), Facts());
  const DesiredCertificate& c = d.certificates[2];
  EXPECT_EQ(c.where.ToString(), "xcert.yaml:30:5");
  EXPECT_EQ(c.where_subject.ToString(), "xcert.yaml:31:14");
  EXPECT_EQ(c.where_dns_names.ToString(), "xcert.yaml:32:15");
  EXPECT_EQ(c.where_key.ToString(), "xcert.yaml:33:10");
  EXPECT_EQ(c.where_issuer.ToString(), "xcert.yaml:34:13");
  EXPECT_EQ(c.where_validity.ToString(), "xcert.yaml:35:15");
  EXPECT_EQ(c.where_services.ToString(), "xcert.yaml:36:15");
  // A field not written falls back to its entry.
  EXPECT_EQ(d.certificates[0].where_dns_names.ToString(), "xcert.yaml:20:5");
  EXPECT_EQ(d.certificates[0].where_subject.ToString(), "xcert.yaml:21:14");
}

TEST(ExpandTest, IssuerFactsAreAttachedAndTypesFollowTheManifest) {
  const Desired d = Expand(TwoServers(), Facts());
  EXPECT_EQ(d.certificates[0].issuer, "corp-ca");
  EXPECT_EQ(d.certificates[0].issuer_type, IssuerType::kCa);
  EXPECT_EQ(d.certificates[1].issuer_type, IssuerType::kSelfSigned);
  ASSERT_EQ(d.issuers.count("corp-ca"), 1u);
  EXPECT_EQ(d.issuers.at("corp-ca").ca_subject, "CN=Corp Issuing CA");
  EXPECT_EQ(d.issuers.at("corp-ca").ca_key_id, "CAFE");
  // Without facts (an issuer whose files could not be read), a CA
  // certificate is still a CA certificate: never planned as self-signed.
  const Desired bare = Expand(TwoServers(), {});
  EXPECT_EQ(bare.certificates[0].issuer_type, IssuerType::kCa);
  EXPECT_TRUE(bare.issuers.empty());
}

TEST(ExpandTest, CarriesServersPruneAndTheManifestFile) {
  const Desired d = Expand(TwoServers(), Facts());
  ASSERT_EQ(d.servers.size(), 2u);
  EXPECT_EQ(d.servers[1].fqdn, "ms22.pocket-consultant.com");
  EXPECT_TRUE(d.prune);
  EXPECT_EQ(d.manifest_file, "xcert.yaml");
}

TEST(CsrFileNameTest, NamesTheServerExactlyOnce) {
  EXPECT_EQ(CsrFileName("mail", "MailServer21"), "mail@MailServer21.csr");
  EXPECT_EQ(CsrFileName("smtp@MailServer22", "MailServer22"), "smtp@MailServer22.csr");
}

}  // namespace
}  // namespace xcert
