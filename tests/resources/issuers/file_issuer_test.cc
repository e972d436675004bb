#include "resources/issuers/file_issuer.h"

#include <unistd.h>

#include <cstdlib>

#include <gtest/gtest.h>

#include "resources/x509/pem.h"
#include "tests/resources/issuers/issuers_test_util.h"

namespace xcert::issuers {
namespace {

using namespace testing;  // NOLINT

constexpr const char* kPasswordEnv = "XCERT_TEST_PFX_PASSWORD";

class FileIssuerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    now_ = TestNow();
    MakeCa(dir_, "ca");
    MakeLeaf(dir_, "mail", "ca");
    ::setenv(kPasswordEnv, "pfx-secret", 1);
  }
  void TearDown() override { ::unsetenv(kPasswordEnv); }

  // dir_/<out> exported by openssl from the PEM files of `leaf`, with the CA.
  void ExportPkcs12(const std::string& leaf, const std::string& out,
                    std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"pkcs12",   "-export",         "-in",       leaf + ".pem",
                                     "-inkey",   leaf + ".key",     "-certfile", "ca.pem",
                                     "-passout", "pass:pfx-secret", "-out",      out};
    args.insert(args.end(), extra.begin(), extra.end());
    Openssl(dir_, args);
  }

  IssuerSpec Pkcs12Spec(std::string file = "mail.pfx") {
    IssuerSpec s;
    s.name = "purchased";
    s.type = IssuerType::kFile;
    s.pkcs12 = std::move(file);
    s.password.env = kPasswordEnv;
    return s;
  }

  IssuerSpec PemSpec(std::string certificate = "mail.pem", std::string key = "mail.key") {
    IssuerSpec s;
    s.name = "purchased";
    s.type = IssuerType::kFile;
    s.certificate = std::move(certificate);
    s.key = std::move(key);
    return s;
  }

  std::unique_ptr<FileIssuer> Open(const IssuerSpec& spec, TimePoint now,
                                   std::vector<CertificateSpec> certificates = {
                                       MailCertificate("purchased")}) {
    manifest_ = TestManifest(dir_, {spec}, std::move(certificates));
    IssuerContext ctx(manifest_, manifest_.issuers[0], &diagnostics_);
    return FileIssuer::Open(ctx, manifest_, now);
  }

  TempDir dir_;
  TimePoint now_;
  Manifest manifest_;
  Diagnostics diagnostics_;
};

TEST_F(FileIssuerTest, Pkcs12IsCheckedAndImportedAsSupplied) {
  ExportPkcs12("mail", "mail.pfx");
  auto issuer = Open(Pkcs12Spec(), now_);
  ASSERT_TRUE(issuer) << diagnostics_.ToString();
  EXPECT_TRUE(diagnostics_.empty()) << diagnostics_.ToString();

  const IssuerFacts f = issuer->Facts();
  EXPECT_EQ(f.name, "purchased");
  EXPECT_EQ(f.type, IssuerType::kFile);
  EXPECT_EQ(f.supplied_path, (dir_.path() / "mail.pfx").string());
  EXPECT_EQ(f.supplied.thumbprint, OpensslThumbprint(dir_, "mail.pem"));
  EXPECT_EQ(f.supplied.subject, "CN=mail.pocket-consultant.com");
  EXPECT_TRUE(f.supplied.has_private_key);

  auto data = issuer->ImportData(f.supplied_path);
  ASSERT_TRUE(data.ok()) << data.status().message();
  EXPECT_EQ(data->data, ReadFileOrDie(dir_.path() / "mail.pfx"));
  EXPECT_EQ(data->password, "pfx-secret");
}

TEST_F(FileIssuerTest, LegacyPkcs12IsRead) {
  ExportPkcs12("mail", "legacy.pfx", {"-legacy"});
  auto issuer = Open(Pkcs12Spec("legacy.pfx"), now_);
  ASSERT_TRUE(issuer) << diagnostics_.ToString();
  EXPECT_EQ(issuer->Facts().supplied.thumbprint, OpensslThumbprint(dir_, "mail.pem"));
  auto data = issuer->ImportData(issuer->Facts().supplied_path);
  ASSERT_TRUE(data.ok()) << data.status().message();
  EXPECT_EQ(data->data, ReadFileOrDie(dir_.path() / "legacy.pfx"));
}

TEST_F(FileIssuerTest, PemPairWithChainBecomesABundle) {
  IssuerSpec spec = PemSpec();
  spec.chain = "ca.pem";
  auto issuer = Open(spec, now_);
  ASSERT_TRUE(issuer) << diagnostics_.ToString();
  EXPECT_EQ(issuer->Facts().supplied_path, (dir_.path() / "mail.pem").string());
  auto data = issuer->ImportData(issuer->Facts().supplied_path);
  ASSERT_TRUE(data.ok()) << data.status().message();
  EXPECT_EQ(data->password, "");
  auto blocks = x509::ParsePem(data->data);
  ASSERT_TRUE(blocks.ok());
  ASSERT_EQ(blocks->size(), 3u);
  EXPECT_EQ((*blocks)[0].label, "CERTIFICATE");
  EXPECT_EQ((*blocks)[1].label, "PRIVATE KEY");
  EXPECT_EQ((*blocks)[2].der, x509::ParsePem(ReadFileOrDie(dir_.path() / "ca.pem"))->front().der);
  dir_.Write("bundle.pem", data->data);
  EXPECT_EQ(OpensslThumbprint(dir_, "bundle.pem"), issuer->Facts().supplied.thumbprint);
}

TEST_F(FileIssuerTest, FullChainFileWithTheCaFirstFindsTheLeafByItsKey) {
  dir_.Write("fullchain.pem",
             ReadFileOrDie(dir_.path() / "ca.pem") + ReadFileOrDie(dir_.path() / "mail.pem"));
  auto issuer = Open(PemSpec("fullchain.pem"), now_);
  ASSERT_TRUE(issuer) << diagnostics_.ToString();
  EXPECT_EQ(issuer->Facts().supplied.thumbprint, OpensslThumbprint(dir_, "mail.pem"));
  auto blocks = x509::ParsePem(issuer->ImportData(issuer->Facts().supplied_path)->data);
  ASSERT_EQ(blocks->size(), 3u);
  EXPECT_EQ((*blocks)[2].der, x509::ParsePem(ReadFileOrDie(dir_.path() / "ca.pem"))->front().der);
}

TEST_F(FileIssuerTest, EncryptedPemKeyIsDecryptedForTheStore) {
  Openssl(dir_, {"pkey", "-in", "mail.key", "-aes256", "-passout", "pass:pfx-secret", "-out",
                 "mail.enc.key"});
  Chmod(dir_.path() / "mail.enc.key", 0600);
  IssuerSpec spec = PemSpec("mail.pem", "mail.enc.key");
  spec.key_password.env = kPasswordEnv;
  auto issuer = Open(spec, now_);
  ASSERT_TRUE(issuer) << diagnostics_.ToString();
  auto data = issuer->ImportData(issuer->Facts().supplied_path);
  ASSERT_TRUE(data.ok()) << data.status().message();
  EXPECT_NE(data->data.find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
  EXPECT_EQ(data->data.find("ENCRYPTED"), std::string::npos);
}

TEST_F(FileIssuerTest, WrongPkcs12PasswordIsAnErrorAndChangesNothing) {
  ExportPkcs12("mail", "mail.pfx");
  ::setenv(kPasswordEnv, "not-the-password", 1);
  const auto before = Snapshot(dir_.path());
  EXPECT_FALSE(Open(Pkcs12Spec(), now_));
  EXPECT_EQ(diagnostics_.ToString(),
            "xcert.yaml:21:7: error: issuer 'purchased': wrong password for PKCS#12 mail.pfx; "
            "check passwordEnv XCERT_TEST_PFX_PASSWORD\n");
  EXPECT_EQ(Snapshot(dir_.path()), before);
}

TEST_F(FileIssuerTest, MissingPasswordIsAnErrorNamingTheSetting) {
  ExportPkcs12("mail", "mail.pfx");
  ::unsetenv(kPasswordEnv);
  EXPECT_FALSE(Open(Pkcs12Spec(), now_));
  EXPECT_EQ(diagnostics_.ToString(),
            "xcert.yaml:21:7: error: issuer 'purchased': passwordEnv: the environment variable "
            "XCERT_TEST_PFX_PASSWORD is not set; export it before running xcert\n");
}

TEST_F(FileIssuerTest, Pkcs12WithoutKeyIsRefused) {
  Openssl(dir_, {"pkcs12", "-export", "-nokeys", "-in", "mail.pem", "-passout", "pass:pfx-secret",
                 "-out", "nokey.pfx"});
  EXPECT_FALSE(Open(Pkcs12Spec("nokey.pfx"), now_));
  EXPECT_EQ(diagnostics_.ToString(),
            "xcert.yaml:20:7: error: issuer 'purchased': nokey.pfx holds no private key; export "
            "the certificate again with its private key\n");
}

TEST_F(FileIssuerTest, CorruptPkcs12IsRefused) {
  dir_.Write("mail.pfx", "this is no pfx");
  EXPECT_FALSE(Open(Pkcs12Spec(), now_));
  ASSERT_EQ(diagnostics_.items().size(), 1u);
  EXPECT_TRUE(diagnostics_.items()[0].message.starts_with(
      "issuer 'purchased': mail.pfx is not a readable PKCS#12 file: "))
      << diagnostics_.items()[0].message;
}

TEST_F(FileIssuerTest, KeyOfAnotherCertificateIsRefused) {
  MakeKey(dir_, "other");
  const auto before = Snapshot(dir_.path());
  EXPECT_FALSE(Open(PemSpec("mail.pem", "other.key"), now_));
  EXPECT_EQ(diagnostics_.ToString(),
            "xcert.yaml:14:7: error: issuer 'purchased': the private key other.key does not "
            "belong to the certificate mail.pem ('CN=mail.pocket-consultant.com'); give the key "
            "that was created with the certificate's request\n");
  EXPECT_EQ(Snapshot(dir_.path()), before);
}

TEST_F(FileIssuerTest, KeyReadableByOthersIsRefused) {
  Chmod(dir_.path() / "mail.key", 0604);
  EXPECT_FALSE(Open(PemSpec(), now_));
  EXPECT_EQ(diagnostics_.ToString(),
            "xcert.yaml:14:7: error: issuer 'purchased': the private key file mail.key can be read "
            "by other users (mode 0604); run chmod 600 " +
                (dir_.path() / "mail.key").string() + "\n");
}

TEST_F(FileIssuerTest, UnreadableKeyIsRefused) {
  fs::remove(dir_.path() / "mail.key");
  fs::create_directories(dir_.path() / "mail.key");
  EXPECT_FALSE(Open(PemSpec(), now_));
  EXPECT_EQ(diagnostics_.ToString(),
            "xcert.yaml:14:7: error: issuer 'purchased': cannot read mail.key: " +
                (dir_.path() / "mail.key").string() +
                " is not a file; check 'key' (relative paths start at " + dir_.path().string() +
                ")\n");
}

TEST_F(FileIssuerTest, KeyWithoutReadPermissionIsRefused) {
  if (::geteuid() == 0) GTEST_SKIP() << "skipped: root reads files whatever their mode";
  Chmod(dir_.path() / "mail.key", 0000);
  EXPECT_FALSE(Open(PemSpec(), now_));
  ASSERT_EQ(diagnostics_.items().size(), 1u);
  EXPECT_EQ(diagnostics_.items()[0].message, "issuer 'purchased': cannot read mail.key: reading " +
                                                 (dir_.path() / "mail.key").string() +
                                                 ": Permission denied");
  EXPECT_EQ(diagnostics_.items()[0].hint, "make it readable for the user running xcert");
}

TEST_F(FileIssuerTest, CorruptPemCertificateIsRefused) {
  dir_.Write("broken.pem", "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n");
  EXPECT_FALSE(Open(PemSpec("broken.pem"), now_));
  ASSERT_EQ(diagnostics_.items().size(), 1u);
  EXPECT_EQ(diagnostics_.items()[0].location.ToString(), "xcert.yaml:13:7");
  EXPECT_TRUE(diagnostics_.items()[0].message.starts_with(
      "issuer 'purchased': broken.pem holds no readable certificate: "))
      << diagnostics_.items()[0].message;
  EXPECT_EQ(diagnostics_.items()[0].hint,
            "give the purchased certificate as PEM, DER or PKCS#7 (.p7b)");
}

TEST_F(FileIssuerTest, ExpiredCertificateIsAnError) {
  ExportPkcs12("mail", "mail.pfx");
  auto first = Open(Pkcs12Spec(), now_);
  ASSERT_TRUE(first);
  const TimePoint end = first->Facts().supplied.not_after;
  diagnostics_ = Diagnostics();
  EXPECT_FALSE(Open(Pkcs12Spec(), end + Days(1)));
  EXPECT_EQ(diagnostics_.ToString(),
            "xcert.yaml:20:7: error: issuer 'purchased': the certificate in mail.pfx "
            "('CN=mail.pocket-consultant.com') expired on " +
                DateOf(end) + "; renew it with the CA that sold it and replace mail.pfx\n");
}

TEST_F(FileIssuerTest, NotYetValidCertificateIsAWarning) {
  ExportPkcs12("mail", "mail.pfx");
  auto issuer = Open(Pkcs12Spec(), now_ - Days(2));
  ASSERT_TRUE(issuer);
  ASSERT_EQ(diagnostics_.items().size(), 1u);
  EXPECT_EQ(diagnostics_.items()[0].severity, Severity::kWarning);
  EXPECT_EQ(diagnostics_.items()[0].hint, "clients refuse it until then");
}

TEST_F(FileIssuerTest, UncoveredNamesAreAnErrorAtTheCertificatesDnsNames) {
  ExportPkcs12("mail", "mail.pfx");
  CertificateSpec c = MailCertificate("purchased");
  c.dns_names.push_back("owa.pocket-consultant.com");
  c.dns_names.push_back("legacy.pocket-consultant.com");
  EXPECT_FALSE(Open(Pkcs12Spec(), now_, {c}));
  EXPECT_EQ(diagnostics_.ToString(),
            "xcert.yaml:103:7: error: certificate 'mail' asks for names that mail.pfx of issuer "
            "'purchased' does not cover: owa.pocket-consultant.com, legacy.pocket-consultant.com; "
            "remove them from dnsNames, or get a certificate that covers them\n");
}

TEST_F(FileIssuerTest, WildcardCoversEveryName) {
  MakeLeaf(dir_, "wild", "ca",
           {.subject = "/CN=*.pocket-consultant.com", .dns_names = {"*.pocket-consultant.com"}});
  CertificateSpec c = MailCertificate("purchased");
  c.subject = "CN=*.pocket-consultant.com";
  auto issuer = Open(PemSpec("wild.pem", "wild.key"), now_, {c});
  EXPECT_TRUE(issuer) << diagnostics_.ToString();
}

TEST_F(FileIssuerTest, SubjectAndKeyMustBeTheFiles) {
  CertificateSpec c = MailCertificate("purchased");
  c.subject = "CN=mail.pocket-consultant.com, O=Pocket Consultant";
  c.key = KeySpec{KeyAlgorithm::kRsa, 2048, EcCurve::kNone, true};
  EXPECT_FALSE(Open(PemSpec(), now_, {c}));
  EXPECT_EQ(diagnostics_.ToString(),
            "xcert.yaml:102:7: error: certificate 'mail' asks for subject "
            "'CN=mail.pocket-consultant.com, O=Pocket Consultant' but mail.pem of issuer "
            "'purchased' holds 'CN=mail.pocket-consultant.com'; set subject: "
            "\"CN=mail.pocket-consultant.com\" (a purchased certificate is imported as it is)\n"
            "xcert.yaml:105:7: error: certificate 'mail' asks for an RSA 2048 key but mail.pem of "
            "issuer 'purchased' holds ECDSA P-256; set key: {algorithm: ECDSA, curve: P-256} (a "
            "purchased certificate is imported as it is)\n");
}

TEST_F(FileIssuerTest, PerServerCertificatesAreCheckedPerServer) {
  CertificateSpec c = MailCertificate("purchased");
  c.per_server = true;
  c.dns_names = {"mail.pocket-consultant.com", "{fqdn}"};
  c.servers = {"MailServer21", "MailServer22"};
  EXPECT_FALSE(Open(PemSpec(), now_, {c}));
  EXPECT_EQ(diagnostics_.ToString(),
            "xcert.yaml:103:7: error: certificate 'mail@MailServer21' asks for a name that "
            "mail.pem of issuer 'purchased' does not cover: MailServer21.pocket-consultant.com; "
            "remove it from dnsNames, or get a certificate that covers it\n"
            "xcert.yaml:103:7: error: certificate 'mail@MailServer22' asks for a name that "
            "mail.pem of issuer 'purchased' does not cover: MailServer22.pocket-consultant.com; "
            "remove it from dnsNames, or get a certificate that covers it\n");
}

TEST_F(FileIssuerTest, ImportDataRefusesAFileThatChangedSinceThePlan) {
  ExportPkcs12("mail", "mail.pfx");
  auto issuer = Open(Pkcs12Spec(), now_);
  ASSERT_TRUE(issuer);
  const std::string path = issuer->Facts().supplied_path;
  const std::string planned = issuer->Facts().supplied.thumbprint;
  // The renewed certificate replaces the file after the plan.
  MakeLeaf(dir_, "renewed", "ca");
  ExportPkcs12("renewed", "mail.pfx");
  const std::string renewed = OpensslThumbprint(dir_, "renewed.pem");
  EXPECT_EQ(
      issuer->ImportData(path).status(),
      FailedPrecondition("issuer 'purchased': " + path + " changed since the plan: it holds " +
                         renewed + " ('CN=mail.pocket-consultant.com'), the plan was made for " +
                         planned + "; run xcert plan again"));
  EXPECT_EQ(issuer->ImportData("/elsewhere.pfx").status(),
            InvalidArgument("issuer 'purchased' supplies " + path + ", not /elsewhere.pfx"));
  // A password gone at apply time is the same error as at plan time, with its line.
  ::unsetenv(kPasswordEnv);
  EXPECT_EQ(issuer->ImportData(path).status(),
            FailedPrecondition("xcert.yaml:21:7: issuer 'purchased': passwordEnv: the environment "
                               "variable XCERT_TEST_PFX_PASSWORD is not set; export it before "
                               "running xcert"));
}

// The file is replaced by a renewed certificate: the facts change, so diff
// sees the installed one as no longer the issuer's (RenewedFile when the
// new one expires later).
TEST_F(FileIssuerTest, RenewedFileChangesTheSuppliedCertificate) {
  ExportPkcs12("mail", "mail.pfx");
  auto old_issuer = Open(Pkcs12Spec(), now_);
  ASSERT_TRUE(old_issuer);
  MakeLeaf(dir_, "renewed", "ca");
  ExportPkcs12("renewed", "mail.pfx");
  auto new_issuer = Open(Pkcs12Spec(), now_);
  ASSERT_TRUE(new_issuer) << diagnostics_.ToString();
  EXPECT_NE(new_issuer->Facts().supplied.thumbprint, old_issuer->Facts().supplied.thumbprint);
  EXPECT_EQ(new_issuer->Facts().supplied.thumbprint, OpensslThumbprint(dir_, "renewed.pem"));
}

}  // namespace
}  // namespace xcert::issuers
