#include "resources/x509/pkcs12.h"

#include <thread>

#include <gtest/gtest.h>

#include "resources/x509/builder.h"
#include "resources/x509/pem.h"
#include "tests/resources/x509/x509_test_util.h"

namespace xcert::x509 {
namespace {

using testing::Ec;
using testing::Openssl;
using testing::ReadFile;
using testing::Rsa;
using testing::TempDir;
using testing::TestKey;
using testing::Utc;

class Pkcs12Test : public ::testing::Test {
 protected:
  void SetUp() override {
    CertificateTemplate ca{"CN=P12 CA", {}, Utc(2020, 1, 1), Utc(2030, 1, 1)};
    ca.is_ca = true;
    auto ca_der = SelfSign(ca, TestKey(Ec(EcCurve::kP384)));
    CertificateTemplate leaf{
        "CN=mail.contoso.com", {"mail.contoso.com"}, Utc(2024, 1, 1), Utc(2025, 1, 1)};
    auto leaf_der = SignWithCa(leaf, key().PublicKeyDer(), *ca_der, TestKey(Ec(EcCurve::kP384)));
    ASSERT_TRUE(ca_der.ok() && leaf_der.ok());
    ca_ = *ca_der;
    leaf_ = *leaf_der;
  }
  const PrivateKey& key() const { return TestKey(Rsa()); }

  TempDir dir_;
  std::string leaf_;
  std::string ca_;
};

TEST_F(Pkcs12Test, WrittenWithAes256Pbkdf2AndSha256Mac) {
  auto pfx = WritePkcs12(key(), leaf_, {ca_}, "Mail 2024", "p@ss word");
  ASSERT_TRUE(pfx.ok()) << pfx.status().message();
  dir_.Write("out.pfx", *pfx);
  const auto r = testing::Run({testing::kOpenssl, "pkcs12", "-info", "-noout", "-in", "out.pfx",
                               "-passin", "pass:p@ss word"},
                              dir_.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // `-info` writes its report to stderr.
  EXPECT_NE(r.err.find("MAC: sha256"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("RC2"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("3DES"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("TripleDES"), std::string::npos) << r.err;
}

TEST_F(Pkcs12Test, OpensslExtractsWhatWeWrote) {
  auto pfx = WritePkcs12(key(), leaf_, {ca_}, "Mail 2024", "secret");
  ASSERT_TRUE(pfx.ok());
  dir_.Write("out.pfx", *pfx);
  const std::string certs =
      Openssl({"pkcs12", "-in", "out.pfx", "-passin", "pass:secret", "-nokeys", "-clcerts"}, dir_);
  EXPECT_NE(certs.find("friendlyName: Mail 2024"), std::string::npos) << certs;
  EXPECT_EQ(testing::PemToDer(certs), leaf_);
  const std::string keys =
      Openssl({"pkcs12", "-in", "out.pfx", "-passin", "pass:secret", "-nocerts", "-nodes"}, dir_);
  auto parsed = PrivateKey::Parse(keys);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->PublicKeyDer(), key().PublicKeyDer());
}

TEST_F(Pkcs12Test, RoundTrip) {
  auto pfx = WritePkcs12(key(), leaf_, {ca_}, "Mail 2024", "secret");
  ASSERT_TRUE(pfx.ok());
  auto contents = ReadPkcs12(*pfx, "secret");
  ASSERT_TRUE(contents.ok()) << contents.status().message();
  EXPECT_EQ(contents->certificate_der, leaf_);
  EXPECT_EQ(contents->chain_der, std::vector<std::string>{ca_});
  EXPECT_EQ(contents->friendly_name, "Mail 2024");
  ASSERT_TRUE(contents->key.valid());
  EXPECT_TRUE(contents->key.Matches(leaf_));
}

TEST_F(Pkcs12Test, WrongPasswordIsPermissionDenied) {
  auto pfx = WritePkcs12(key(), leaf_, {}, "", "secret");
  ASSERT_TRUE(pfx.ok());
  for (const std::string& wrong : {std::string("Secret"), std::string()}) {
    auto r = ReadPkcs12(*pfx, wrong);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kPermissionDenied);
    EXPECT_EQ(r.status().message(),
              "wrong password for PKCS#12 file; give the password it was exported with");
  }
}

TEST_F(Pkcs12Test, ReadsOpensslModernAndLegacyFiles) {
  dir_.Write("k.pem", key().ToPkcs8Pem());
  dir_.Write("c.pem", ToPem("CERTIFICATE", leaf_));
  dir_.Write("ca.pem", ToPem("CERTIFICATE", ca_));
  Openssl({"pkcs12", "-export", "-in", "c.pem", "-inkey", "k.pem", "-certfile", "ca.pem", "-name",
           "From CA", "-passout", "pass:pw", "-out", "modern.pfx"},
          dir_);
  Openssl({"pkcs12", "-export", "-legacy", "-in", "c.pem", "-inkey", "k.pem", "-certfile", "ca.pem",
           "-name", "Old CA export", "-passout", "pass:pw", "-out", "legacy.pfx"},
          dir_);
  const auto info = testing::Run({testing::kOpenssl, "pkcs12", "-info", "-noout", "-legacy", "-in",
                                  "legacy.pfx", "-passin", "pass:pw"},
                                 dir_.path());
  EXPECT_NE(info.err.find("pbeWithSHA1And40BitRC2-CBC"), std::string::npos) << info.err;
  EXPECT_NE(info.err.find("pbeWithSHA1And3-KeyTripleDES-CBC"), std::string::npos) << info.err;
  for (const char* file : {"modern.pfx", "legacy.pfx"}) {
    auto contents = ReadPkcs12(ReadFile(dir_, file), "pw");
    ASSERT_TRUE(contents.ok()) << file << ": " << contents.status().message();
    EXPECT_EQ(contents->certificate_der, leaf_) << file;
    EXPECT_EQ(contents->chain_der, std::vector<std::string>{ca_}) << file;
    ASSERT_TRUE(contents->key.valid()) << file;
    EXPECT_EQ(contents->key.PublicKeyDer(), key().PublicKeyDer()) << file;
    // The key works in the default library context: it can sign.
    CertificateTemplate t{"CN=resign", {}, Utc(2024, 1, 1), Utc(2025, 1, 1)};
    EXPECT_TRUE(SelfSign(t, contents->key).ok()) << file;
  }
  EXPECT_EQ(ReadPkcs12(ReadFile(dir_, "legacy.pfx"), "pw")->friendly_name, "Old CA export");
  EXPECT_EQ(ReadPkcs12(ReadFile(dir_, "legacy.pfx"), "nope").status().code(),
            Code::kPermissionDenied);
}

TEST_F(Pkcs12Test, ReadsLegacyFilesConcurrently) {
  dir_.Write("k.pem", key().ToPkcs8Pem());
  dir_.Write("c.pem", ToPem("CERTIFICATE", leaf_));
  Openssl({"pkcs12", "-export", "-legacy", "-in", "c.pem", "-inkey", "k.pem", "-passout", "pass:pw",
           "-out", "legacy.pfx"},
          dir_);
  const std::string pfx = ReadFile(dir_, "legacy.pfx");
  std::vector<std::string> results(6);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] {
      auto contents = ReadPkcs12(pfx, "pw");
      results[i] = contents.ok() ? contents->certificate_der : contents.status().message();
    });
  }
  for (auto& t : threads) t.join();
  for (const std::string& r : results) EXPECT_EQ(r, leaf_);
}

TEST_F(Pkcs12Test, CertificateOnlyFile) {
  dir_.Write("c.pem", ToPem("CERTIFICATE", ca_) + ToPem("CERTIFICATE", leaf_));
  Openssl(
      {"pkcs12", "-export", "-nokeys", "-in", "c.pem", "-passout", "pass:pw", "-out", "certs.pfx"},
      dir_);
  auto contents = ReadPkcs12(ReadFile(dir_, "certs.pfx"), "pw");
  ASSERT_TRUE(contents.ok()) << contents.status().message();
  EXPECT_FALSE(contents->key.valid());
  EXPECT_EQ(contents->certificate_der, leaf_);  // the non-CA one
  EXPECT_EQ(contents->chain_der, std::vector<std::string>{ca_});
}

TEST_F(Pkcs12Test, WriteWithoutKey) {
  auto pfx = WritePkcs12(PrivateKey(), leaf_, {}, "cert only", "pw");
  ASSERT_TRUE(pfx.ok()) << pfx.status().message();
  auto contents = ReadPkcs12(*pfx, "pw");
  ASSERT_TRUE(contents.ok()) << contents.status().message();
  EXPECT_FALSE(contents->key.valid());
  EXPECT_EQ(contents->certificate_der, leaf_);
}

TEST_F(Pkcs12Test, WriteErrors) {
  EXPECT_EQ(WritePkcs12(key(), leaf_, {}, "", "").status().message(),
            "a PKCS#12 file needs a password");
  EXPECT_EQ(WritePkcs12(TestKey(Ec()), leaf_, {}, "", "pw").status().message(),
            "the private key does not belong to the certificate");
  EXPECT_TRUE(WritePkcs12(key(), "junk", {}, "", "pw")
                  .status()
                  .message()
                  .starts_with("the certificate for PKCS#12: not a DER certificate"));
  EXPECT_TRUE(WritePkcs12(key(), leaf_, {ca_, "junk"}, "", "pw")
                  .status()
                  .message()
                  .starts_with("chain certificate 2: not a DER certificate"));
}

TEST_F(Pkcs12Test, ReadErrors) {
  auto r = ReadPkcs12("not a pfx", "pw");
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(r.status().message().starts_with("not a PKCS#12 (.pfx/.p12) file"))
      << r.status().message();
}

}  // namespace
}  // namespace xcert::x509
