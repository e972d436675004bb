// The leak scan catches what it is there to catch: each kind of leak, planted
// in a run's output or in a file the run wrote, is found, and a clean run
// passes. The private key comes from the openssl command line, not from xcert.
#include "tests/support/leak_scan.h"

#include <gmock/gmock.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include "tests/support/loopback.h"
#include "tests/support/test_util.h"

namespace xcert::testing {
namespace {

class LeakScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::optional<fs::path> openssl = FindProgram("openssl");
    if (!openssl) GTEST_SKIP() << "needs the openssl command line";
    const RunResult r =
        xcert::testing::Run({openssl->string(), "genpkey", "-algorithm", "EC", "-pkeyopt",
                             "ec_paramgen_curve:P-256", "-out", (dir_.path() / "ca.key").string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    key_pem_ = ReadFileOrDie(dir_.path() / "ca.key");
    const size_t body = key_pem_.find('\n') + 1;
    key_body_ = key_pem_.substr(body, key_pem_.find("-----END") - body);
    std::erase(key_body_, '\n');
    ASSERT_GE(key_body_.size(), 100u);
  }

  TempDir dir_;
  std::string key_pem_;
  std::string key_body_;  // the base64 between the armour lines, on one line
  const std::map<std::string, std::string> env_ = {{"XCERT_BACKUP_PASSWORD", "Tr0ub4dor&3"},
                                                   {"NO_COLOR", "1"}};
};

TEST_F(LeakScanTest, ACleanRunHasNoLeaks) {
  dir_.Write("plan.json", "{\"steps\": []}\n");
  dir_.Write("store/journal/20261125T100000Z.jsonl", "{\"event\": \"begin\"}\n");
  EXPECT_TRUE(ScanRun("Plan: 0 to add\n", "", dir_.path(), env_).empty());
}

TEST_F(LeakScanTest, FindsPemArmourInStdout) {
  const auto leaks = ScanRun("here: -----BEGIN EC PRIVATE KEY-----\n", "", dir_.path(), env_);
  ASSERT_EQ(leaks.size(), 1u);
  EXPECT_EQ(leaks[0], "stdout, offset 6: private key PEM armour");
}

TEST_F(LeakScanTest, FindsAPasswordFromTheEnvironmentInStderr) {
  const auto leaks = ScanRun("", "error: wrong password Tr0ub4dor&3\n", dir_.path(), env_);
  ASSERT_EQ(leaks.size(), 1u);
  EXPECT_EQ(leaks[0], "stderr, offset 22: the password in XCERT_BACKUP_PASSWORD");
}

TEST_F(LeakScanTest, FindsAPasswordFromAFileInAJournal) {
  dir_.Write("secrets/backup.pass", "correct horse battery staple\n");
  dir_.Write("store/journal/run.jsonl", "{\"detail\": \"correct horse battery staple\"}\n");
  const auto leaks = ScanRun("", "", dir_.path(), {});
  ASSERT_EQ(leaks.size(), 1u);
  EXPECT_EQ(leaks[0], "store/journal/run.jsonl, offset 12: the password in secrets/backup.pass");
}

TEST_F(LeakScanTest, FindsAnyPieceOfAPrivateKeyTheTestMadeInAPlanOrScript) {
  // 48 characters from anywhere in the body, also cut across its line breaks.
  for (size_t from : {size_t(0), size_t(17), key_body_.size() - 48}) {
    const std::string piece = key_body_.substr(from, 48);
    dir_.Write("plan.ps1", "$x = '" + piece + "'\n");
    const auto leaks = ScanRun("", "", dir_.path(), env_);
    ASSERT_EQ(leaks.size(), 1u) << from;
    // Where in the line the first whole piece the scanner knows starts depends on `from`.
    EXPECT_THAT(leaks[0], ::testing::MatchesRegex(
                              "plan\\.ps1, offset [0-9]+: a piece of the private key in ca\\.key"));
  }
  // The key file itself is an input, not a leak; a .pem output is not scanned either.
  std::filesystem::remove(dir_.path() / "plan.ps1");
  EXPECT_TRUE(ScanRun("", "", dir_.path(), env_).empty());
}

TEST_F(LeakScanTest, ExpectNoLeaksFailsTheTestThatRanTheLeakyCommand) {
  EXPECT_NONFATAL_FAILURE(
      ExpectNoLeaks("xcert plan", "", "-----BEGIN PRIVATE KEY-----\n", dir_.path(), env_),
      "`xcert plan` leaked a secret: stderr, offset 0: private key PEM armour");
}

TEST_F(LeakScanTest, FoldersOutsideTheTemporaryDirectoryAreNotWalked) {
  // A source tree holds test keys (examples/, fixtures): never its business.
  EXPECT_TRUE(CollectNeedles(SourceDir(), env_).key_pieces.empty());
}

}  // namespace
}  // namespace xcert::testing
