// The account key file: made once (P-256 PKCS#8, 0600), reused after;
// checked with the openssl command line.
#include "resources/acme/account_key.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "tests/resources/acme/acme_test_util.h"

namespace xcert::acme {
namespace {

using namespace xcert::acme::testing;  // NOLINT

TEST(AccountKeyTest, CreatedOnceAsP256Pkcs8Mode0600ThenReused) {
  TempDir dir;
  const fs::path path = dir.path() / "acme" / "account.key";
  const auto made = LoadOrCreateAccountKey(path);
  ASSERT_TRUE(made.ok()) << made.status().message();
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string pem = xcert::testing::ReadFileOrDie(path);
  EXPECT_EQ(pem.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u) << "PKCS#8";
  const RunResult shown = RunTool("openssl", {"pkey", "-in", path.string(), "-noout", "-text"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("NIST CURVE: P-256"), std::string::npos) << shown.out;
  const auto again = LoadOrCreateAccountKey(path);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->PublicKeyDer(), made->PublicKeyDer());
  EXPECT_EQ(xcert::testing::ReadFileOrDie(path), pem) << "an existing key is never rewritten";
}

TEST(AccountKeyTest, RefusesAKeyOthersCanReadOrASymlink) {
  TempDir dir;
  const fs::path path = dir.path() / "account.key";
  ASSERT_TRUE(LoadOrCreateAccountKey(path).ok());
  ::chmod(path.c_str(), 0644);
  const auto open = LoadOrCreateAccountKey(path);
  ASSERT_FALSE(open.ok());
  EXPECT_EQ(open.status().code(), Code::kPermissionDenied);
  EXPECT_NE(open.status().message().find("chmod 600 " + path.string()), std::string::npos);
  EXPECT_EQ(open.status().message().find("PRIVATE KEY"), std::string::npos);
  ::chmod(path.c_str(), 0600);
  fs::create_symlink(path, dir.path() / "link.key");
  EXPECT_EQ(LoadOrCreateAccountKey(dir.path() / "link.key").status().code(),
            Code::kPermissionDenied);
}

TEST(AccountKeyTest, AnRsaKeyMadeByOpensslIsUsed) {
  TempDir dir;
  const fs::path path = dir.path() / "rsa.key";
  const RunResult made = RunTool("openssl", {"genpkey", "-algorithm", "RSA", "-pkeyopt",
                                             "rsa_keygen_bits:2048", "-out", path.string()});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  ::chmod(path.c_str(), 0600);
  const auto key = LoadOrCreateAccountKey(path);
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_EQ(key->algorithm(), KeyAlgorithm::kRsa);
}

}  // namespace
}  // namespace xcert::acme
