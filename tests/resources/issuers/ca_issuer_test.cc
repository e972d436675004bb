#include "resources/issuers/ca_issuer.h"

#include <cctype>
#include <cstdlib>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "engine/plan/diff.h"
#include "resources/x509/parse.h"
#include "resources/x509/pem.h"
#include "tests/resources/issuers/issuers_test_util.h"

namespace xcert::issuers {
namespace {

using namespace testing;  // NOLINT

class CaIssuerTest : public ::testing::Test {
 protected:
  void SetUp() override { now_ = TestNow(); }

  IssuerSpec Spec(std::string certificate = "ca.pem", std::string key = "ca.key") {
    IssuerSpec s;
    s.name = "corp-ca";
    s.type = IssuerType::kCa;
    s.certificate = std::move(certificate);
    s.key = std::move(key);
    return s;
  }

  // Opens issuer 0 of a manifest with `spec`; diagnostics_ gets the problems.
  std::unique_ptr<CaIssuer> Open(const IssuerSpec& spec, TimePoint now) {
    manifest_ = TestManifest(dir_, {spec});
    IssuerContext ctx(manifest_, manifest_.issuers[0], &diagnostics_);
    return CaIssuer::Open(ctx, now);
  }

  IssueRequest Request(Seconds validity = Days(365)) {
    IssueRequest r;
    r.subject = "CN=mail.pocket-consultant.com, O=Pocket Consultant";
    r.dns_names = {"mail.pocket-consultant.com", "autodiscover.pocket-consultant.com"};
    r.key = KeySpec{KeyAlgorithm::kEcdsa, 0, EcCurve::kP256, true};
    r.validity = validity;
    r.now = now_;
    return r;
  }

  // The blocks of an issued bundle, written to dir_/<name> for openssl.
  std::vector<x509::PemBlock> Blocks(const IssuedCertificate& issued, const std::string& name) {
    dir_.Write(name, issued.pem_bundle);
    auto blocks = x509::ParsePem(issued.pem_bundle);
    EXPECT_TRUE(blocks.ok());
    return blocks.ok() ? *blocks : std::vector<x509::PemBlock>{};
  }

  TempDir dir_;
  Manifest manifest_;
  Diagnostics diagnostics_;
  TimePoint now_;
};

TEST_F(CaIssuerTest, IssuesWhatWasAskedSignedByTheCa) {
  MakeCa(dir_, "ca");
  auto issuer = Open(Spec(), now_);
  ASSERT_TRUE(issuer) << diagnostics_.ToString();
  EXPECT_TRUE(diagnostics_.empty()) << diagnostics_.ToString();
  EXPECT_EQ(issuer->name(), "corp-ca");

  auto issued = issuer->Issue(Request());
  ASSERT_TRUE(issued.ok()) << issued.status().message();
  EXPECT_TRUE(issued->warnings.empty());
  auto blocks = Blocks(*issued, "issued.pem");
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].label, "CERTIFICATE");
  EXPECT_EQ(blocks[1].label, "PRIVATE KEY");
  EXPECT_EQ(blocks[2].label, "CERTIFICATE");
  EXPECT_EQ(blocks[2].der, Openssl(dir_, {"x509", "-in", "ca.pem", "-outform", "DER"}));

  auto leaf = x509::ParseCertificateOpenSsl(blocks[0].der);
  ASSERT_TRUE(leaf.ok());
  EXPECT_EQ(leaf->subject, "CN=mail.pocket-consultant.com, O=Pocket Consultant");
  EXPECT_EQ(leaf->dns_names, Request().dns_names);
  EXPECT_EQ(leaf->issuer, "CN=Corp Issuing CA, O=Pocket Consultant");
  EXPECT_EQ(leaf->not_before, now_);
  EXPECT_EQ(leaf->not_after, now_ + Days(365));
  EXPECT_EQ(leaf->key_algorithm, KeyAlgorithm::kEcdsa);
  EXPECT_EQ(leaf->curve, EcCurve::kP256);
  EXPECT_FALSE(leaf->is_ca);
  // The key in the bundle is the certificate's.
  auto key = x509::PrivateKey::Parse(issued->pem_bundle);
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(key->Matches(blocks[0].der));

  // openssl agrees: it chains to the CA for TLS servers, with serverAuth and the names.
  EXPECT_TRUE(OpensslOk(dir_, {"verify", "-attime", AtTime(now_), "-CAfile", "ca.pem", "-purpose",
                               "sslserver", "issued.pem"}));
  const std::string text = Openssl(dir_, {"x509", "-in", "issued.pem", "-noout", "-text"});
  EXPECT_NE(text.find("TLS Web Server Authentication"), std::string::npos) << text;
  EXPECT_NE(text.find("DNS:mail.pocket-consultant.com, DNS:autodiscover.pocket-consultant.com"),
            std::string::npos)
      << text;
}

TEST_F(CaIssuerTest, FactsNameTheCaAndItsKeyId) {
  MakeCa(dir_, "ca");
  auto issuer = Open(Spec(), now_);
  ASSERT_TRUE(issuer) << diagnostics_.ToString();
  const IssuerFacts f = issuer->Facts();
  EXPECT_EQ(f.name, "corp-ca");
  EXPECT_EQ(f.type, IssuerType::kCa);
  EXPECT_EQ(f.ca_subject, "CN=Corp Issuing CA, O=Pocket Consultant");
  // The SKI as openssl prints it.
  std::string ski =
      Openssl(dir_, {"x509", "-in", "ca.pem", "-noout", "-ext", "subjectKeyIdentifier"});
  ski = ski.substr(ski.find('\n') + 1);
  std::string hex;
  for (char c : ski) {
    if (std::isxdigit(static_cast<unsigned char>(c))) hex += c;
  }
  EXPECT_EQ(f.ca_key_id, hex);
  auto ca =
      x509::ParseCertificateOpenSsl(Openssl(dir_, {"x509", "-in", "ca.pem", "-outform", "DER"}));
  ASSERT_TRUE(ca.ok());
  EXPECT_EQ(f.ca_not_after, ca->not_after);

  // What it issues carries that key id as AKI.
  auto issued = issuer->Issue(Request());
  ASSERT_TRUE(issued.ok());
  auto leaf = x509::ParseCertificateOpenSsl(Blocks(*issued, "issued.pem")[0].der);
  ASSERT_TRUE(leaf.ok());
  EXPECT_EQ(leaf->authority_key_id, f.ca_key_id);
}

TEST_F(CaIssuerTest, ValidityIsCappedAtTheCaNotAfterWithAWarning) {
  MakeCa(dir_, "ca", {.days = 30});
  auto issuer = Open(Spec(), now_);
  ASSERT_TRUE(issuer) << diagnostics_.ToString();
  const TimePoint ca_end = issuer->Facts().ca_not_after;
  auto issued = issuer->Issue(Request(Days(365)));
  ASSERT_TRUE(issued.ok()) << issued.status().message();
  EXPECT_EQ(issued->warnings,
            std::vector<std::string>{"validity capped at the CA's NotAfter " + DateOf(ca_end)});
  auto leaf = x509::ParseCertificateOpenSsl(Blocks(*issued, "issued.pem")[0].der);
  ASSERT_TRUE(leaf.ok());
  EXPECT_EQ(leaf->not_after, ca_end);
}

TEST_F(CaIssuerTest, BundleCarriesTheCaAndItsChain) {
  MakeCa(dir_, "root", {.subject = "/CN=Corp Root CA"});
  MakeCa(dir_, "ca", {.subject = "/CN=Corp Issuing CA", .signer = "root"});
  IssuerSpec spec = Spec();
  spec.chain = "root.pem";
  auto issuer = Open(spec, now_);
  ASSERT_TRUE(issuer) << diagnostics_.ToString();
  auto issued = issuer->Issue(Request());
  ASSERT_TRUE(issued.ok()) << issued.status().message();
  auto blocks = Blocks(*issued, "issued.pem");
  ASSERT_EQ(blocks.size(), 4u);
  EXPECT_EQ(x509::ParseCertificateOpenSsl(blocks[2].der)->subject, "CN=Corp Issuing CA");
  EXPECT_EQ(x509::ParseCertificateOpenSsl(blocks[3].der)->subject, "CN=Corp Root CA");
  // The bundle is a complete chain to the root.
  EXPECT_TRUE(OpensslOk(dir_, {"verify", "-attime", AtTime(now_), "-CAfile", "root.pem",
                               "-untrusted", "issued.pem", "-purpose", "sslserver", "issued.pem"}));
}

TEST_F(CaIssuerTest, EncryptedCaKeyWithItsPassword) {
  MakeCa(dir_, "ca");
  Openssl(dir_,
          {"pkey", "-in", "ca.key", "-aes256", "-passout", "pass:ca-secret", "-out", "ca.enc.key"});
  Chmod(dir_.path() / "ca.enc.key", 0600);
  dir_.Write("ca.pass", "ca-secret\n");
  Chmod(dir_.path() / "ca.pass", 0600);
  IssuerSpec spec = Spec("ca.pem", "ca.enc.key");
  spec.key_password.file = "ca.pass";
  auto issuer = Open(spec, now_);
  ASSERT_TRUE(issuer) << diagnostics_.ToString();
  EXPECT_TRUE(issuer->Issue(Request()).ok());
}

TEST_F(CaIssuerTest, CertificateWithoutCaTrueIsRefused) {
  MakeCa(dir_, "ca", {.ca = false});
  const auto before = Snapshot(dir_.path());
  EXPECT_FALSE(Open(Spec(), now_));
  EXPECT_EQ(diagnostics_.ToString(),
            "xcert.yaml:13:7: error: issuer 'corp-ca': ca.pem is not a CA certificate "
            "(basicConstraints CA:TRUE is missing); point certificate at the CA's own "
            "certificate\n");
  EXPECT_EQ(Snapshot(dir_.path()), before);
}

TEST_F(CaIssuerTest, LeafCertificateAsCaIsRefused) {
  MakeCa(dir_, "root");
  MakeLeaf(dir_, "leaf", "root");
  EXPECT_FALSE(Open(Spec("leaf.pem", "leaf.key"), now_));
  EXPECT_EQ(diagnostics_.ToString(),
            "xcert.yaml:13:7: error: issuer 'corp-ca': leaf.pem is not a CA certificate "
            "(basicConstraints CA:TRUE is missing); point certificate at the CA's own "
            "certificate\n");
}

TEST_F(CaIssuerTest, CaWithoutKeyCertSignIsRefused) {
  MakeCa(dir_, "ca", {.key_cert_sign = false});
  EXPECT_FALSE(Open(Spec(), now_));
  EXPECT_EQ(diagnostics_.ToString(),
            "xcert.yaml:13:7: error: issuer 'corp-ca': ca.pem is a CA certificate that may not "
            "sign certificates (keyUsage lacks keyCertSign); point certificate at the CA's own "
            "certificate\n");
}

TEST_F(CaIssuerTest, KeyOfAnotherCaIsRefused) {
  MakeCa(dir_, "ca");
  MakeKey(dir_, "other");
  auto issuer = Open(Spec("ca.pem", "other.key"), now_);
  ASSERT_TRUE(issuer) << "the key is read when something is issued";
  EXPECT_FALSE(issuer->LoadKey(&diagnostics_));
  const std::string error =
      "xcert.yaml:14:7: error: issuer 'corp-ca': the private key other.key does not belong "
      "to the CA certificate ca.pem ('CN=Corp Issuing CA, O=Pocket Consultant'); give the "
      "key the CA certificate was made for\n";
  EXPECT_EQ(diagnostics_.ToString(), error);
  // Issue says the same, with the manifest position.
  auto issued = issuer->Issue(Request());
  ASSERT_FALSE(issued.ok());
  EXPECT_EQ(issued.status().message(),
            "xcert.yaml:14:7: issuer 'corp-ca': the private key other.key does not belong to the "
            "CA certificate ca.pem ('CN=Corp Issuing CA, O=Pocket Consultant'); give the key the "
            "CA certificate was made for");
  // A second caller hears about it too.
  Diagnostics again;
  EXPECT_FALSE(issuer->LoadKey(&again));
  EXPECT_EQ(again.ToString(), error);
}

TEST_F(CaIssuerTest, ExpiredCaIsRefused) {
  MakeCa(dir_, "ca", {.days = 10});
  const TimePoint end = Open(Spec(), now_)->Facts().ca_not_after;
  EXPECT_FALSE(Open(Spec(), end + Days(1)));
  ASSERT_EQ(diagnostics_.items().size(), 1u);
  EXPECT_EQ(diagnostics_.items()[0].message,
            "issuer 'corp-ca': the CA certificate ca.pem ('CN=Corp Issuing CA, O=Pocket "
            "Consultant') expired on " +
                DateOf(end));
  EXPECT_EQ(diagnostics_.items()[0].hint,
            "renew the CA certificate, or point certificate at its successor");
}

// Open reads only what diff needs: a bad CA certificate is reported without
// touching the key, and the key's problems wait until something is issued.
TEST_F(CaIssuerTest, KeyProblemsAreReportedWhenTheKeyIsNeeded) {
  MakeCa(dir_, "notca", {.ca = false});
  Chmod(dir_.path() / "notca.key", 0644);
  EXPECT_FALSE(Open(Spec("notca.pem", "notca.key"), now_));
  ASSERT_EQ(diagnostics_.items().size(), 1u) << diagnostics_.ToString();
  EXPECT_EQ(diagnostics_.items()[0].location.ToString(), "xcert.yaml:13:7");

  MakeCa(dir_, "ca");
  Chmod(dir_.path() / "ca.key", 0644);
  diagnostics_ = Diagnostics();
  auto issuer = Open(Spec(), now_);
  ASSERT_TRUE(issuer) << diagnostics_.ToString();
  EXPECT_TRUE(diagnostics_.empty()) << diagnostics_.ToString();
  EXPECT_FALSE(issuer->LoadKey(&diagnostics_));
  ASSERT_EQ(diagnostics_.items().size(), 1u) << diagnostics_.ToString();
  EXPECT_EQ(diagnostics_.items()[0].location.ToString(), "xcert.yaml:14:7");
  EXPECT_EQ(diagnostics_.items()[0].hint, "run chmod 600 " + (dir_.path() / "ca.key").string());
  EXPECT_FALSE(issuer->Issue(Request()).ok());
}

// drift, and a plan with nothing to issue, run without the CA key's password.
TEST_F(CaIssuerTest, MissingKeyPasswordMattersOnlyForIssuing) {
  MakeCa(dir_, "ca");
  Openssl(dir_,
          {"pkey", "-in", "ca.key", "-aes256", "-passout", "pass:ca-secret", "-out", "ca.enc.key"});
  Chmod(dir_.path() / "ca.enc.key", 0600);
  IssuerSpec spec = Spec("ca.pem", "ca.enc.key");
  spec.key_password.env = "XCERT_TEST_UNSET_CA_PASSWORD";
  ::unsetenv("XCERT_TEST_UNSET_CA_PASSWORD");
  auto issuer = Open(spec, now_);
  ASSERT_TRUE(issuer) << diagnostics_.ToString();
  EXPECT_TRUE(diagnostics_.empty()) << diagnostics_.ToString();
  EXPECT_EQ(issuer->Facts().ca_subject, "CN=Corp Issuing CA, O=Pocket Consultant");

  EXPECT_FALSE(issuer->LoadKey(&diagnostics_));
  EXPECT_EQ(diagnostics_.ToString(),
            "xcert.yaml:16:7: error: issuer 'corp-ca': keyPasswordEnv: the environment variable "
            "XCERT_TEST_UNSET_CA_PASSWORD is not set; export it before running xcert\n");
  auto issued = issuer->Issue(Request());
  ASSERT_FALSE(issued.ok());
  EXPECT_EQ(issued.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(issued.status().message(),
            "xcert.yaml:16:7: issuer 'corp-ca': keyPasswordEnv: the environment variable "
            "XCERT_TEST_UNSET_CA_PASSWORD is not set; export it before running xcert");
}

TEST_F(CaIssuerTest, WrongKeyPasswordIsReportedWhenTheKeyIsNeeded) {
  MakeCa(dir_, "ca");
  Openssl(dir_,
          {"pkey", "-in", "ca.key", "-aes256", "-passout", "pass:ca-secret", "-out", "ca.enc.key"});
  Chmod(dir_.path() / "ca.enc.key", 0600);
  dir_.Write("ca.pass", "not-the-secret\n");
  Chmod(dir_.path() / "ca.pass", 0600);
  IssuerSpec spec = Spec("ca.pem", "ca.enc.key");
  spec.key_password.file = "ca.pass";
  auto issuer = Open(spec, now_);
  ASSERT_TRUE(issuer);
  EXPECT_FALSE(issuer->LoadKey(&diagnostics_));
  EXPECT_EQ(diagnostics_.ToString(),
            "xcert.yaml:17:7: error: issuer 'corp-ca': wrong password for the encrypted private "
            "key ca.enc.key; check keyPasswordFile ca.pass\n");
}

TEST_F(CaIssuerTest, IssueRefusesAfterTheCaExpired) {
  MakeCa(dir_, "ca", {.days = 10});
  auto issuer = Open(Spec(), now_);
  ASSERT_TRUE(issuer);
  const TimePoint end = issuer->Facts().ca_not_after;
  IssueRequest r = Request();
  r.now = end + Days(1);
  auto issued = issuer->Issue(r);
  ASSERT_FALSE(issued.ok());
  EXPECT_EQ(issued.status(),
            FailedPrecondition("issuer 'corp-ca' cannot issue 'CN=mail.pocket-consultant.com, "
                               "O=Pocket Consultant': the CA certificate expired on " +
                               DateOf(end) +
                               "; renew it and point the issuer's certificate at the new one"));
  r.now = now_;
  r.validity = Seconds(0);
  EXPECT_EQ(issuer->Issue(r).status().code(), Code::kInvalidArgument);
  r.validity = Days(1);
  r.subject = "XX=nonsense";
  auto bad = issuer->Issue(r);
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().message().starts_with("issuer 'corp-ca' cannot issue 'XX=nonsense': "))
      << bad.status().message();
}

TEST_F(CaIssuerTest, IssuesInParallel) {
  MakeCa(dir_, "ca");
  auto issuer = Open(Spec(), now_);
  ASSERT_TRUE(issuer);
  std::vector<std::string> thumbprints(6);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < thumbprints.size(); ++i) {
    threads.emplace_back([&, i] {
      IssueRequest r = Request();
      r.subject = "CN=host" + std::to_string(i) + ".pocket-consultant.com";
      r.dns_names = {"host" + std::to_string(i) + ".pocket-consultant.com"};
      auto issued = issuer->Issue(r);
      if (!issued.ok()) return;
      auto blocks = x509::ParsePem(issued->pem_bundle);
      if (blocks.ok()) thumbprints[i] = x509::ParseCertificateOpenSsl((*blocks)[0].der)->thumbprint;
    });
  }
  for (std::thread& t : threads) t.join();
  std::set<std::string> unique(thumbprints.begin(), thumbprints.end());
  EXPECT_EQ(unique.size(), thumbprints.size());
  EXPECT_EQ(unique.count(""), 0u);
}

// A re-keyed or replaced CA makes what the old one issued IssuerMismatch.
TEST_F(CaIssuerTest, ChangedCaMakesItsCertificatesIssuerMismatch) {
  MakeCa(dir_, "ca");
  auto old_ca = Open(Spec(), now_);
  ASSERT_TRUE(old_ca);
  auto issued = old_ca->Issue(Request());
  ASSERT_TRUE(issued.ok());
  CertificateInfo cert =
      x509::ParseCertificateOpenSsl(x509::ParsePem(issued->pem_bundle)->front().der).value();
  cert.has_private_key = cert.exportable = true;

  DesiredCertificate d;
  d.name = d.artifact = "mail";
  d.subject = Request().subject;
  d.dns_names = Request().dns_names;
  d.key = Request().key;
  d.renew_before = Days(30);
  d.where_issuer = {"xcert.yaml", 104, 7};
  EXPECT_TRUE(Evaluate(d, old_ca->Facts(), cert, now_).empty());

  // Re-keyed: same name, new key.
  MakeKey(dir_, "ca");
  Openssl(dir_, {"req", "-x509", "-config", "bare.cnf", "-key", "ca.key", "-subj",
                 "/O=Pocket Consultant/CN=Corp Issuing CA", "-days", "3650", "-addext",
                 "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign",
                 "-addext", "subjectKeyIdentifier=hash", "-out", "ca.pem"});
  Diagnostics d2;
  IssuerContext ctx(manifest_, manifest_.issuers[0], &d2);
  auto new_ca = CaIssuer::Open(ctx, now_);
  ASSERT_TRUE(new_ca) << d2.ToString();
  auto reasons = Evaluate(d, new_ca->Facts(), cert, now_);
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0].reason, Reason::kIssuerMismatch);
  EXPECT_EQ(reasons[0].detail,
            "issued by an older key of 'CN=Corp Issuing CA, O=Pocket Consultant' (the CA was "
            "re-keyed)");
}

}  // namespace
}  // namespace xcert::issuers
