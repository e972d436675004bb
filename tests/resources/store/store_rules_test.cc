#include "resources/store/store_rules.h"

#include <gtest/gtest.h>

namespace xcert::store {
namespace {

const std::string kA(40, 'A');
const std::string kB(40, 'B');
const std::string kC(40, 'C');

CertificateInfo Cert(const std::string& t) {
  CertificateInfo c;
  c.thumbprint = t;
  c.subject = "CN=mail.contoso.com";
  c.has_private_key = true;
  c.exportable = true;
  c.not_after = TimePoint(std::chrono::seconds(2000000000));
  return c;
}

const ServerIdentity kMailbox2019{
    "MailServer21", "MailServer21.contoso.com", {Role::kMailbox}, ExchangeVersion::k2019};
const TimePoint kNow(std::chrono::seconds(1800000000));

TEST(NormalizeThumbprintTest, UpperCasesAndDropsSpaces) {
  EXPECT_EQ(NormalizeThumbprint("ab cd ef"), "ABCDEF");
  EXPECT_EQ(NormalizeThumbprint(std::string(40, 'f')), std::string(40, 'F'));
}

TEST(IsThumbprintTest, FortyUpperCaseHexCharacters) {
  EXPECT_TRUE(IsThumbprint(kA));
  EXPECT_FALSE(IsThumbprint(std::string(40, 'a')));
  EXPECT_FALSE(IsThumbprint(std::string(39, 'A')));
  EXPECT_FALSE(IsThumbprint(std::string(40, 'G')));
}

TEST(CheckCreateTest, RefusesEmptySubjectAndNonPositiveValidity) {
  CreateRequest r{"  ", {}, KeySpec{}, Seconds(86400), "", false};
  EXPECT_EQ(CheckCreate("S", r).message(),
            "New certificate on S: the subject is empty; give one, e.g. CN=mail.contoso.com");
  r.subject = "CN=a";
  r.validity = Seconds(0);
  EXPECT_EQ(CheckCreate("S", r).message(),
            "New certificate 'CN=a' on S: the validity must be positive, e.g. 365d");
  r.pending_request = true;
  EXPECT_TRUE(CheckCreate("S", r).ok()) << "a request has no validity of its own";
  r.friendly_name = std::string(63, 'x');
  EXPECT_TRUE(CheckCreate("S", r).ok());
}

TEST(CheckImportTest, RefusesAnExistingThumbprint) {
  EXPECT_TRUE(CheckImport("S", kA, false).ok());
  const Status s = CheckImport("S", kA, true);
  EXPECT_EQ(s.code(), Code::kAlreadyExists);
  EXPECT_EQ(s.message().rfind("Cannot import certificate. A certificate with the thumbprint " + kA +
                                  " already exists on S;",
                              0),
            0u);
}

TEST(CheckEnableTest, RefusesWhatExchangeRefuses) {
  CertificateInfo c = Cert(kA);
  EXPECT_TRUE(
      CheckEnable("S", kMailbox2019, c, ServiceSet{Service::kIis, Service::kSmtp}, kNow).ok());
  EXPECT_EQ(CheckEnable("S", kMailbox2019, c, ServiceSet{}, kNow).code(), Code::kInvalidArgument);
  c.has_private_key = false;
  EXPECT_EQ(CheckEnable("S", kMailbox2019, c, ServiceSet{Service::kIis}, kNow).message(),
            "Cannot enable " + kA +
                " on S: the certificate has no private key (PrivateKeyMissing); import it again "
                "together with its private key");
  c = Cert(kA);
  c.pending_request = true;
  EXPECT_EQ(CheckEnable("S", kMailbox2019, c, ServiceSet{Service::kIis}, kNow).code(),
            Code::kFailedPrecondition);
  c = Cert(kA);
  const ServerIdentity e2016{"S", "s.contoso.com", {Role::kMailbox}, ExchangeVersion::k2016};
  EXPECT_TRUE(CheckEnable("S", e2016, c, ServiceSet{Service::kUmCallRouter}, kNow).ok());
  c.not_after = kNow - Seconds(1);
  EXPECT_EQ(
      CheckEnable("S", e2016, c, ServiceSet{Service::kUmCallRouter}, kNow).message(),
      "Cannot enable UMCallRouter for " + kA + " on S: the certificate expired on " +
          FormatIso8601(c.not_after) +
          " and Unified Messaging refuses expired certificates; enable a current certificate");
  EXPECT_TRUE(CheckEnable("S", e2016, c, ServiceSet{Service::kIis}, kNow).ok())
      << "only UM cares about expiry";
}

TEST(CheckEnableTest, UnknownRolesRefuseEverything) {
  const ServerIdentity unknown{"S", "", {}, ExchangeVersion::k2019};
  EXPECT_EQ(CheckEnable("S", unknown, Cert(kA), ServiceSet{Service::kSmtp}, kNow).message(),
            "Cannot enable SMTP for " + kA +
                " on S: " + WhyNotEnableable(Service::kSmtp, {}, ExchangeVersion::k2019));
}

TEST(ApplyEnableTest, OnlyAddsAndMovesExclusiveServices) {
  Bindings b;
  b.iis = b.iis_back_end = b.imap = b.pop = b.internal_transport = kA;
  b.smtp = {kA};
  Bindings after = ApplyEnable(b, kB, ServiceSet{Service::kIis, Service::kPop}, {});
  EXPECT_EQ(after.iis, kB);
  EXPECT_EQ(after.iis_back_end, kA);
  EXPECT_EQ(after.pop, kB);
  EXPECT_EQ(after.imap, kA);
  EXPECT_EQ(after.smtp, std::vector<std::string>{kA});
  after = ApplyEnable(after, kC, ServiceSet{Service::kSmtp}, {});
  EXPECT_EQ(after.smtp, (std::vector<std::string>{kA, kC}));
  EXPECT_EQ(after.internal_transport, kA);
  after = ApplyEnable(after, kB, ServiceSet{Service::kSmtp}, EnableOptions{true});
  EXPECT_EQ(after.smtp, (std::vector<std::string>{kA, kB, kC}));
  EXPECT_EQ(after.internal_transport, kB);
  EXPECT_EQ(ApplyEnable(after, kB, ServiceSet{Service::kSmtp}, {}), after) << "idempotent";
}

TEST(ApplyEnableTest, TheFirstSmtpCertificateBecomesTheDefault) {
  EXPECT_EQ(ApplyEnable(Bindings{}, kA, ServiceSet{Service::kSmtp}, {}).internal_transport, kA);
}

TEST(CheckExportTest, NeedsAnExportableKeyAndAPassword) {
  CertificateInfo c = Cert(kA);
  EXPECT_TRUE(CheckExport("S", c, "pw").ok());
  EXPECT_EQ(CheckExport("S", c, "").message(),
            "Exporting " + kA + " on S requires that a password be specified");
  c.exportable = false;
  EXPECT_EQ(CheckExport("S", c, "pw").code(), Code::kFailedPrecondition);
  c.has_private_key = false;
  EXPECT_EQ(CheckExport("S", c, "pw").message(),
            "Cannot export " + kA +
                " on S: the certificate doesn't have a private key; back up the certificate alone "
                "instead");
}

TEST(CheckRemoveTest, SaysWhatToDoForEachProtection) {
  Bindings b;
  b.auth_next = kA;
  b.connector_refs = {kB};
  b.smtp = {kC};
  EXPECT_EQ(CheckRemove("S", b, kA).message(),
            "Cannot remove " + kA +
                " on S: it is the next Auth (OAuth) certificate; make another certificate the Auth "
                "certificate first (Set-AuthConfig); never remove the Auth certificate while "
                "Exchange uses it");
  EXPECT_EQ(CheckRemove("S", b, kB).message(),
            "Cannot remove " + kB +
                " on S: a connector names it in TlsCertificateName; point the connector's "
                "TlsCertificateName at another certificate first");
  EXPECT_TRUE(CheckRemove("S", b, kC).ok()) << "SMTP alone does not protect";
  EXPECT_EQ(WithoutCertificate(b, kC).smtp, std::vector<std::string>{});
}

}  // namespace
}  // namespace xcert::store
