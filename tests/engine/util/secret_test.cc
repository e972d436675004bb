#include "engine/util/secret.h"

#include <cstdlib>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/test_util.h"

namespace xcert {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using xcert::testing::TempDir;
namespace fs = std::filesystem;

constexpr const char* kEnv = "XCERT_SECRET_TEST_PASSWORD";
constexpr const char* kSecret = "correct horse battery";

class SecretTest : public ::testing::Test {
 protected:
  void SetUp() override { ::unsetenv(kEnv); }
  void TearDown() override { ::unsetenv(kEnv); }

  // A secret file with `content` and `mode`, relative to dir_.
  std::string File(const std::string& name, const std::string& content, mode_t mode = 0600) {
    const fs::path p = dir_.Write(name, content);
    fs::permissions(p, fs::perms(mode));
    return name;
  }
  Result<std::string> FromFile(const std::string& name) {
    return ReadSecret("", name, dir_.path().string(), "backup.passwordFile");
  }
  TempDir dir_;
};

TEST_F(SecretTest, FromTheEnvironmentVerbatim) {
  ::setenv(kEnv, " spaced secret \t", 1);
  Result<std::string> r = ReadSecret(kEnv, "", "/", "backup.passwordEnv");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, " spaced secret \t") << "an environment value is taken as is";
}

TEST_F(SecretTest, UnsetVariableNamesTheSettingAndTheVariable) {
  Result<std::string> r = ReadSecret(kEnv, "", "/", "backup.passwordEnv");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_EQ(r.status().message(),
            "backup.passwordEnv: the environment variable XCERT_SECRET_TEST_PASSWORD is not set; "
            "export it before running xcert");
}

TEST_F(SecretTest, APasswordWhereTheVariableNameBelongsIsNeverEchoed) {
  Result<std::string> r = ReadSecret("S3cret!pw", "", "/", "backup.passwordEnv");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_THAT(r.status().message(),
              HasSubstr("backup.passwordEnv is not a valid environment variable name (the "
                        "value is not shown: it may be a password)"));
  EXPECT_THAT(r.status().message(), Not(HasSubstr("S3cret")));
  // Written like a name, but not like a variable's: not shown either.
  r = ReadSecret("Winter2026", "", "/", "backup.passwordEnv");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("the environment variable named in "
                                              "backup.passwordEnv (not shown:"));
  EXPECT_THAT(r.status().message(), Not(HasSubstr("Winter2026")));
  EXPECT_EQ(ShownVariableName("XCERT_BACKUP_PASSWORD", "backup.passwordEnv"),
            "XCERT_BACKUP_PASSWORD");
}

TEST_F(SecretTest, EmptyVariableCountsAsUnset) {
  ::setenv(kEnv, "", 1);
  Result<std::string> r = ReadSecret(kEnv, "", "/", "backup.passwordEnv");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("XCERT_SECRET_TEST_PASSWORD is not set"));
}

TEST_F(SecretTest, TheVariableWinsOverTheFile) {
  ::setenv(kEnv, "from-env", 1);
  File("pw.txt", "from-file\n");
  Result<std::string> r = ReadSecret(kEnv, "pw.txt", dir_.path().string(), "backup.passwordEnv");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "from-env");
}

TEST_F(SecretTest, FileRelativeToTheManifestWithTrailingNewlineDropped) {
  File("secrets/pw.txt", std::string(kSecret) + "\n");
  Result<std::string> r = FromFile("secrets/pw.txt");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, kSecret);
}

TEST_F(SecretTest, FileWithCrlfFromWindowsEditors) {
  File("pw.txt", std::string(kSecret) + "\r\n");
  EXPECT_EQ(*FromFile("pw.txt"), kSecret);
}

TEST_F(SecretTest, FileWithoutNewlineAndOnlyTheFirstLine) {
  File("a.txt", kSecret);
  EXPECT_EQ(*FromFile("a.txt"), kSecret);
  File("b.txt", "first line\nsecond line\n");
  EXPECT_EQ(*FromFile("b.txt"), "first line");
}

TEST_F(SecretTest, AbsoluteFileIgnoresTheBaseDirectory) {
  File("pw.txt", "abs\n");
  Result<std::string> r = ReadSecret("", (dir_.path() / "pw.txt").string(), "/elsewhere",
                                     "issuer 'ca': keyPasswordFile");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, "abs");
}

TEST_F(SecretTest, MissingFileIsNamedWithItsResolvedPath) {
  Result<std::string> r = FromFile("./secrets/../pw.txt");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_EQ(r.status().message(), "backup.passwordFile: the secret file " +
                                      (dir_.path() / "pw.txt").string() +
                                      " does not exist; create it (mode 0600)");
}

TEST_F(SecretTest, FileOthersCanReadIsRefusedWithoutEchoingTheSecret) {
  File("pw.txt", std::string(kSecret) + "\n", 0644);
  Result<std::string> r = FromFile("pw.txt");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kPermissionDenied);
  const std::string path = (dir_.path() / "pw.txt").string();
  EXPECT_EQ(r.status().message(), "backup.passwordFile: the secret file " + path +
                                      " is readable by others (mode 0644); run chmod 600 " + path);
  EXPECT_THAT(r.status().message(), Not(HasSubstr(kSecret)));
}

TEST_F(SecretTest, GroupReadableFileIsRefusedToo) {
  File("pw.txt", "x\n", 0640);
  Result<std::string> r = FromFile("pw.txt");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("(mode 0640); run chmod 600"));
  File("ro.txt", "x\n", 0400);
  EXPECT_TRUE(FromFile("ro.txt").ok()) << "owner-only read-only is fine";
}

TEST_F(SecretTest, EmptyFileIsAnError) {
  for (const char* content : {"", "\n", "\r\n"}) {
    File("pw.txt", content);
    Result<std::string> r = FromFile("pw.txt");
    ASSERT_FALSE(r.ok()) << "content: '" << content << "'";
    EXPECT_EQ(r.status().message(), "backup.passwordFile: the secret file " +
                                        (dir_.path() / "pw.txt").string() + " is empty");
  }
}

TEST_F(SecretTest, NeitherVariableNorFileSaysHowToSetOne) {
  Result<std::string> r = ReadSecret("", "", "/", "backup.password");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr("backup.password is not set"));
  EXPECT_THAT(r.status().message(), HasSubstr("environment variable"));
}

}  // namespace
}  // namespace xcert
