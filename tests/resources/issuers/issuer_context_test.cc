#include "resources/issuers/issuer_context.h"

#include <cstdlib>

#include <gtest/gtest.h>

#include "tests/resources/issuers/issuers_test_util.h"

namespace xcert::issuers {
namespace {

using namespace testing;  // NOLINT

class IssuerContextTest : public ::testing::Test {
 protected:
  IssuerSpec Ca(std::string certificate, std::string key) {
    IssuerSpec s;
    s.name = "corp-ca";
    s.type = IssuerType::kCa;
    s.certificate = std::move(certificate);
    s.key = std::move(key);
    return s;
  }

  TempDir dir_;
  Diagnostics diagnostics_;
};

TEST_F(IssuerContextTest, ErrorsNameTheIssuerAtItsSetting) {
  Manifest m = TestManifest(dir_, {Ca("pki/ca.pem", "pki/ca.key")});
  IssuerContext ctx(m, m.issuers[0], &diagnostics_);
  EXPECT_EQ(ctx.Name(), "issuer 'corp-ca'");
  EXPECT_EQ(ctx.Where("certificate").ToString(), "xcert.yaml:13:7");
  // A setting that is not written falls back to the issuer's entry.
  EXPECT_EQ(ctx.Where("passwordEnv").ToString(), "xcert.yaml:10:5");
  EXPECT_FALSE(ctx.failed());
  EXPECT_TRUE(ctx.FirstError().ok());

  ctx.Warning("chain", "a warning", "a hint");
  EXPECT_FALSE(ctx.failed());
  ctx.Error("key", "first problem", "do this");
  ctx.Error("certificate", "second problem");
  EXPECT_TRUE(ctx.failed());
  EXPECT_EQ(diagnostics_.ToString(),
            "xcert.yaml:10:5: warning: issuer 'corp-ca': a warning; a hint\n"
            "xcert.yaml:14:7: error: issuer 'corp-ca': first problem; do this\n"
            "xcert.yaml:13:7: error: issuer 'corp-ca': second problem\n");
  EXPECT_EQ(ctx.FirstError(),
            FailedPrecondition("xcert.yaml:14:7: issuer 'corp-ca': first problem; do this"));
}

TEST_F(IssuerContextTest, MissingFileSaysWherePathsStart) {
  Manifest m = TestManifest(dir_, {Ca("pki/ca.pem", "pki/ca.key")});
  IssuerContext ctx(m, m.issuers[0], &diagnostics_);
  EXPECT_FALSE(ctx.ReadFile("certificate"));
  EXPECT_EQ(diagnostics_.ToString(),
            "xcert.yaml:13:7: error: issuer 'corp-ca': cannot read pki/ca.pem: " +
                (dir_.path() / "pki/ca.pem").string() +
                " does not exist; check 'certificate' (relative paths start at " +
                dir_.path().string() + ")\n");
}

TEST_F(IssuerContextTest, FolderAndOversizedFileAreRefused) {
  fs::create_directories(dir_.path() / "pki/ca.pem");
  dir_.Write("pki/big.pem", std::string(kMaxIssuerFileBytes + 1, 'x'));
  Manifest m = TestManifest(dir_, {Ca("pki/ca.pem", "pki/big.pem")});
  IssuerContext ctx(m, m.issuers[0], &diagnostics_);
  EXPECT_FALSE(ctx.ReadFile("certificate"));
  EXPECT_FALSE(ctx.ReadFile("key"));
  ASSERT_EQ(diagnostics_.items().size(), 2u);
  EXPECT_EQ(diagnostics_.items()[0].message,
            "issuer 'corp-ca': cannot read pki/ca.pem: " + (dir_.path() / "pki/ca.pem").string() +
                " is not a file");
  EXPECT_EQ(diagnostics_.items()[1].message,
            "issuer 'corp-ca': cannot read pki/big.pem: " + (dir_.path() / "pki/big.pem").string() +
                " is larger than 1 MiB, so it is no certificate or key file");
}

TEST_F(IssuerContextTest, CorruptPemIsAnErrorNamingTheFile) {
  dir_.Write("pki/ca.pem", "-----BEGIN CERTIFICATE-----\nMIIB!!!\n-----END CERTIFICATE-----\n");
  Manifest m = TestManifest(dir_, {Ca("pki/ca.pem", "pki/ca.key")});
  IssuerContext ctx(m, m.issuers[0], &diagnostics_);
  EXPECT_FALSE(ctx.ReadCertificates("certificate", "the CA certificate"));
  ASSERT_EQ(diagnostics_.items().size(), 1u);
  const Diagnostic& d = diagnostics_.items()[0];
  EXPECT_EQ(d.location.ToString(), "xcert.yaml:13:7");
  EXPECT_TRUE(d.message.starts_with("issuer 'corp-ca': pki/ca.pem holds no readable certificate: "))
      << d.message;
  EXPECT_NE(d.message.find("line 1"), std::string::npos) << d.message;
  EXPECT_EQ(d.hint, "give the CA certificate as PEM, DER or PKCS#7 (.p7b)");
}

TEST_F(IssuerContextTest, ReadsCertificatesInFileOrder) {
  MakeCa(dir_, "root", {.subject = "/CN=Root"});
  MakeCa(dir_, "inter", {.subject = "/CN=Inter", .signer = "root"});
  dir_.Write("both.pem",
             ReadFileOrDie(dir_.path() / "inter.pem") + ReadFileOrDie(dir_.path() / "root.pem"));
  Manifest m = TestManifest(dir_, {Ca("both.pem", "inter.key")});
  IssuerContext ctx(m, m.issuers[0], &diagnostics_);
  auto certs = ctx.ReadCertificates("certificate", "the CA certificate");
  ASSERT_TRUE(certs);
  ASSERT_EQ(certs->size(), 2u);
  EXPECT_EQ((*certs)[0].info.subject, "CN=Inter");
  EXPECT_EQ((*certs)[1].info.subject, "CN=Root");
  EXPECT_TRUE(diagnostics_.empty());
}

TEST_F(IssuerContextTest, KeyReadableByOthersIsRefusedWithTheChmod) {
  MakeKey(dir_, "ca");
  Chmod(dir_.path() / "ca.key", 0644);
  Manifest m = TestManifest(dir_, {Ca("ca.pem", "ca.key")});
  IssuerContext ctx(m, m.issuers[0], &diagnostics_);
  EXPECT_FALSE(ctx.ReadPrivateKey({}));
  EXPECT_EQ(diagnostics_.ToString(),
            "xcert.yaml:14:7: error: issuer 'corp-ca': the private key file ca.key can be read by "
            "other users (mode 0644); run chmod 600 " +
                (dir_.path() / "ca.key").string() + "\n");
  // Group-readable is refused too.
  Diagnostics again;
  Chmod(dir_.path() / "ca.key", 0640);
  IssuerContext ctx2(m, m.issuers[0], &again);
  EXPECT_FALSE(ctx2.ReadPrivateKey({}));
  EXPECT_NE(again.ToString().find("(mode 0640)"), std::string::npos);
}

TEST_F(IssuerContextTest, EncryptedKeyNeedsItsPassword) {
  MakeKey(dir_, "plain");
  Openssl(dir_,
          {"pkey", "-in", "plain.key", "-aes256", "-passout", "pass:s3cret", "-out", "ca.key"});
  Chmod(dir_.path() / "ca.key", 0600);
  IssuerSpec spec = Ca("ca.pem", "ca.key");
  Manifest m = TestManifest(dir_, {spec});
  IssuerContext ctx(m, m.issuers[0], &diagnostics_);
  EXPECT_FALSE(ctx.ReadPrivateKey({}));
  EXPECT_EQ(diagnostics_.ToString(),
            "xcert.yaml:14:7: error: issuer 'corp-ca': the private key ca.key is encrypted and no "
            "password is given; add keyPasswordEnv (an environment variable holding the password) "
            "or keyPasswordFile\n");
}

TEST_F(IssuerContextTest, WrongKeyPasswordPointsAtThePasswordSetting) {
  MakeKey(dir_, "plain");
  Openssl(dir_,
          {"pkey", "-in", "plain.key", "-aes256", "-passout", "pass:s3cret", "-out", "ca.key"});
  Chmod(dir_.path() / "ca.key", 0600);
  IssuerSpec spec = Ca("ca.pem", "ca.key");
  spec.key_password.env = "XCERT_TEST_CA_KEY_PASSWORD";
  Manifest m = TestManifest(dir_, {spec});
  ::setenv("XCERT_TEST_CA_KEY_PASSWORD", "wrong", 1);
  IssuerContext ctx(m, m.issuers[0], &diagnostics_);
  EXPECT_FALSE(ctx.ReadPrivateKey(m.issuers[0].key_password));
  EXPECT_EQ(diagnostics_.ToString(),
            "xcert.yaml:16:7: error: issuer 'corp-ca': wrong password for the encrypted private "
            "key ca.key; check keyPasswordEnv XCERT_TEST_CA_KEY_PASSWORD\n");
  EXPECT_EQ(diagnostics_.ToString().find("wrong\n"), std::string::npos);

  ::setenv("XCERT_TEST_CA_KEY_PASSWORD", "s3cret", 1);
  Diagnostics ok;
  IssuerContext good(m, m.issuers[0], &ok);
  auto key = good.ReadPrivateKey(m.issuers[0].key_password);
  ::unsetenv("XCERT_TEST_CA_KEY_PASSWORD");
  ASSERT_TRUE(key);
  EXPECT_TRUE(key->valid());
  EXPECT_TRUE(ok.empty()) << ok.ToString();
}

TEST_F(IssuerContextTest, GarbageKeyIsNotAUsableKey) {
  dir_.Write("ca.key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
  Chmod(dir_.path() / "ca.key", 0600);
  Manifest m = TestManifest(dir_, {Ca("ca.pem", "ca.key")});
  IssuerContext ctx(m, m.issuers[0], &diagnostics_);
  EXPECT_FALSE(ctx.ReadPrivateKey({}));
  ASSERT_EQ(diagnostics_.items().size(), 1u);
  EXPECT_TRUE(diagnostics_.items()[0].message.starts_with(
      "issuer 'corp-ca': ca.key is not a usable private key: "))
      << diagnostics_.items()[0].message;
  EXPECT_EQ(diagnostics_.items()[0].hint,
            "give the private key as PEM (PKCS#8, or traditional RSA/EC)");
}

TEST_F(IssuerContextTest, SecretsComeFromTheSettingThatIsSet) {
  IssuerSpec spec;
  spec.name = "purchased";
  spec.type = IssuerType::kFile;
  spec.pkcs12 = "mail.pfx";
  spec.password.file = "mail.pass";
  Manifest m = TestManifest(dir_, {spec});
  IssuerContext ctx(m, m.issuers[0], &diagnostics_);
  EXPECT_FALSE(ctx.ReadSecret(m.issuers[0].password, "passwordEnv", "passwordFile"));
  dir_.Write("mail.pass", "pfx-password\n");
  Chmod(dir_.path() / "mail.pass", 0644);
  EXPECT_FALSE(ctx.ReadSecret(m.issuers[0].password, "passwordEnv", "passwordFile"));
  Chmod(dir_.path() / "mail.pass", 0600);
  EXPECT_EQ(ctx.ReadSecret(m.issuers[0].password, "passwordEnv", "passwordFile"),
            std::optional<std::string>("pfx-password"));
  EXPECT_FALSE(ctx.ReadSecret({}, "passwordEnv", "passwordFile"));
  const std::string pass = (dir_.path() / "mail.pass").string();
  EXPECT_EQ(diagnostics_.ToString(),
            "xcert.yaml:22:7: error: issuer 'purchased': passwordFile: the secret file " + pass +
                " does not exist; create it (mode 0600)\n"
                "xcert.yaml:22:7: error: issuer 'purchased': passwordFile: the secret file " +
                pass + " is readable by others (mode 0644); run chmod 600 " + pass +
                "\n"
                "xcert.yaml:10:5: error: issuer 'purchased': needs a password: neither passwordEnv "
                "nor passwordFile is set; add 'passwordEnv: <VARIABLE>' naming an environment "
                "variable that holds it\n");
  EXPECT_EQ(IssuerContext::SecretSetting(m.issuers[0].password, "passwordEnv", "passwordFile"),
            "passwordFile mail.pass");
}

TEST(DateOfTest, IsTheUtcDay) {
  EXPECT_EQ(DateOf(ParseIso8601("2030-01-01T23:59:59Z").value()), "2030-01-01");
}

}  // namespace
}  // namespace xcert::issuers
