// One error format, as an administrator meets it with the real binary: an
// error that knows its place prints "FILE:LINE:COL: error: …" like a
// compiler (so editors jump to it), one without prints "error: …", and no line
// ever says "error: FILE:LINE:COL:" or "error:" twice. Each case here is an
// error that used to print in the second format.
#include <regex>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/test_util.h"

namespace xcert::testing {
namespace {

class Messages : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::copy_file(SourceDir() / "examples/pocket-consultant/xcert.yaml",
                  dir_.path() / "xcert.yaml");
  }
  RunResult X(const std::vector<std::string>& args) {
    return RunXcert(args, dir_.path(),
                    {{"XCERT_BACKUP_PASSWORD", "e2e-backup-password"}, {"NO_COLOR", "1"}});
  }
  void EditManifest(const std::string& from, const std::string& to) {
    EditFileOrDie(dir_.path() / "xcert.yaml", from, to);
  }
  // Every stderr line that reports an error or a warning is in one of the
  // two formats, and the one expected line is there.
  static void ExpectOneFormat(const RunResult& r, const std::string& expected_line) {
    static const std::regex located(R"(^[^ ][^:]*:\d+(:\d+)?: (error|warning): .*)");
    static const std::regex unlocated(R"(^(error|warning): .*)");
    static const std::regex misplaced(R"((error|warning): [^ ]+:\d+(:\d+)?: |error: .*error: )");
    std::istringstream lines(r.err);
    bool found = false;
    for (std::string line; std::getline(lines, line);) {
      if (line.find("error:") == std::string::npos && line.find("warning:") == std::string::npos) {
        continue;
      }
      EXPECT_TRUE(std::regex_match(line, located) || std::regex_match(line, unlocated)) << line;
      EXPECT_FALSE(std::regex_search(line, misplaced)) << line;
      if (line.rfind(expected_line, 0) == 0) found = true;
    }
    EXPECT_TRUE(found) << "no line starts with '" << expected_line << "' in:\n" << r.err;
  }

  TempDir dir_;
};

// A store section that lacks what its type needs, for the commands that read it.
TEST_F(Messages, AStoreWithoutWhatItsTypeNeeds) {
  const std::string local = "  type: local\n  path: ./store\n";
  struct Case {
    std::string store;
    std::vector<std::string> command;
    std::string expected;
  };
  const Case cases[] = {
      {"  type: local\n", {"plan"}, "xcert.yaml:21:3: error: a store of type 'local' needs 'path'"},
      {"  type: snapshot\n",
       {"show"},
       "xcert.yaml:21:3: error: a store of type 'snapshot' needs 'path'"},
      {"  type: exchange\n",
       {"plan"},
       "xcert.yaml:21:9: error: a store of type 'exchange' needs 'transport'"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.store);
    dir_.Write("xcert.yaml", ReadFileOrDie(SourceDir() / "examples/pocket-consultant/xcert.yaml"));
    EditManifest(local, c.store);
    const RunResult r = X(c.command);
    EXPECT_EQ(r.exit_code, 1);
    ExpectOneFormat(r, c.expected);
  }
}

TEST_F(Messages, ABackupFolderInsideTheStoreThroughALink) {
  fs::create_directories(dir_.path() / "store");
  fs::create_directory_symlink(dir_.path() / "store", dir_.path() / "backups");
  const RunResult r = X({"plan"});
  EXPECT_EQ(r.exit_code, 1);
  ExpectOneFormat(r, "xcert.yaml:25:9: error: the backup folder ");
}

TEST_F(Messages, SnapshotImportIntoALocalStore) {
  dir_.Write("certs.xml", "<Objs Version=\"1.1.0.1\" />\n");
  const RunResult r = X({"snapshot", "import", "--server", "MailServer21", "certs.xml"});
  EXPECT_EQ(r.exit_code, 1);
  ExpectOneFormat(r, "xcert.yaml:21:9: error: the store is of type 'local'");
}

// Used to print "error: xcert.yaml:52:8: trust: …".
TEST_F(Messages, AMissingTrustBundle) {
  std::string m = ReadFileOrDie(dir_.path() / "xcert.yaml");
  dir_.Write("xcert.yaml", m + "trust: ./nope.pem\n");
  const RunResult r = X({"verify"});
  EXPECT_EQ(r.exit_code, 1);
  ExpectOneFormat(r, "xcert.yaml:53:8: error: trust: ");
}

TEST_F(Messages, AManifestMistakeAndACommandLineMistake) {
  EditManifest("issuer: self\n", "issuer: slef\n");
  RunResult r = X({"plan"});
  EXPECT_EQ(r.exit_code, 1);
  ExpectOneFormat(r, "xcert.yaml:44:13: error: certificate 'mail' names unknown issuer");
  r = X({"plan", "--no-such-flag"});
  EXPECT_EQ(r.exit_code, 1);
  ExpectOneFormat(r, "error: ");
}

}  // namespace
}  // namespace xcert::testing
