// `xcert snapshot import` (engine/cli/cmd_snapshot.cc), run as the real binary.
#include <gtest/gtest.h>
#include <stdlib.h>

#include "tests/resources/exchange/exchange_test_util.h"
#include "tests/support/test_util.h"

namespace xcert::exchange {
namespace {

namespace fs = std::filesystem;

using testing::CssExchangeDir;
using xcert::testing::kNoSharedFixtures;
using xcert::testing::ReadFileOrDie;
using xcert::testing::RunResult;
using xcert::testing::RunXcert;
using xcert::testing::TempDir;

constexpr const char* kData =
    "Diagnostics/HealthChecker/DataCollection/ExchangeInformation/Tests/DataCollection/";

class SnapshotCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // ctest may not pass XCERT_BINARY through; the build knows where xcert is.
    ::setenv("XCERT_BINARY", XCERT_BUILT_BINARY, /*overwrite=*/0);
    std::optional<fs::path> dir = CssExchangeDir();
    if (!dir) GTEST_SKIP() << kNoSharedFixtures;
    data_ = *dir / kData;
  }
  std::string F(const char* name) const { return (data_ / name).string(); }

  fs::path data_;
  TempDir dir_;
};

TEST_F(SnapshotCommandTest, ImportsIntoTheManifestsSnapshotStore) {
  dir_.Write("xcert.yaml",
             "version: 1\n"
             "store: {type: snapshot, path: ./snapshots}\n"
             "servers:\n"
             "  - {name: WIN-CTD3L0RGEN4, fqdn: WIN-CTD3L0RGEN4.exlab.dom, roles: [Mailbox], "
             "version: \"2019\"}\n");
  const RunResult r = RunXcert(
      {"snapshot", "import", "--server", "WIN-CTD3L0RGEN4", F("GetExchangeCertificate.xml"),
       "--auth-config", F("GetAuthConfig.xml"), "--receive-connectors",
       F("GetReceiveConnector.xml"), "--send-connectors", F("GetSendConnector.xml")},
      dir_.path(), {{"XCERT_NOW", "2024-05-01T00:00:00Z"}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const std::string path = (dir_.path() / "snapshots" / "WIN-CTD3L0RGEN4.json").string();
  EXPECT_EQ(r.out, "Imported 4 certificates of WIN-CTD3L0RGEN4 into " + path + "\n");
  EXPECT_NE(r.err.find("WIN-CTD3L0RGEN4: no --internal-transport: "), std::string::npos) << r.err;
  const std::string json = ReadFileOrDie(path);
  EXPECT_NE(json.find("\"Format\": \"xcert-exchange-projection\""), std::string::npos);
  EXPECT_NE(json.find("\"ImportedAt\": \"2024-05-01T00:00:00Z\""), std::string::npos);
}

TEST_F(SnapshotCommandTest, RawDataOnlyIsCountedAndExplained) {
  const RunResult r = RunXcert({"snapshot", "import", "--server", "E2k16-1", "--store", "snaps",
                                F("GetExchangeCertificateBroken.xml")},
                               dir_.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "Imported 5 certificates of E2k16-1 (5 with RawData only) into snaps/E2k16-1.json\n");
  EXPECT_NE(r.err.find("5 of 5 certificates were recorded with RawData only"), std::string::npos)
      << r.err;
}

TEST_F(SnapshotCommandTest, RefusesAStoreThatIsNotASnapshotStoreAndUnknownServers) {
  dir_.Write(
      "xcert.yaml",
      "version: 1\n"
      "store: {type: local, path: ./store}\n"
      "servers:\n"
      "  - {name: MailServer21, fqdn: mailserver21.pocket-consultant.com, roles: [Mailbox]}\n");
  RunResult r =
      RunXcert({"snapshot", "import", "--server", "MailServer21", F("GetExchangeCertificate.xml")},
               dir_.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("xcert.yaml:2:15: error: the store is of type 'local'; snapshots go into a "
                       "snapshot store: set "
                       "store: {type: snapshot, path: ./snapshots} or pass --store DIR"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(dir_.path() / "store"));

  dir_.Write(
      "xcert.yaml",
      "version: 1\n"
      "store: {type: snapshot, path: ./snapshots}\n"
      "servers:\n"
      "  - {name: MailServer21, fqdn: mailserver21.pocket-consultant.com, roles: [Mailbox]}\n");
  r = RunXcert({"snapshot", "import", "--server", "MailServer12", F("GetExchangeCertificate.xml")},
               dir_.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(
      r.err.find(
          "--server MailServer12: xcert.yaml has no such server; did you mean MailServer21? Known "
          "servers: MailServer21"),
      std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(dir_.path() / "snapshots"));
}

TEST_F(SnapshotCommandTest, ABadRecordingWritesNothing) {
  const RunResult r = RunXcert(
      {"snapshot", "import", "--server", "EX01", "--store", "snaps", F("GetAuthConfig.xml")},
      dir_.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(F("GetAuthConfig.xml") + ": object 1: "), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_.path() / "snaps"));
}

// An export with no certificate (an empty pipeline, the wrong cmdlet) is not
// recorded as a server that holds nothing.
TEST_F(SnapshotCommandTest, AnExportWithoutCertificatesSaysSoAndWritesNothing) {
  const fs::path empty =
      dir_.Write("empty.xml",
                 "<Objs Version=\"1.1.0.1\" "
                 "xmlns=\"http://schemas.microsoft.com/powershell/2004/04\"></Objs>\n");
  const RunResult r = RunXcert(
      {"snapshot", "import", "--server", "EX01", "--store", "snaps", empty.string()}, dir_.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("error: " + empty.string() + " holds no certificate objects"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("nothing was written"), std::string::npos);
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(fs::exists(dir_.path() / "snaps"));
}

}  // namespace
}  // namespace xcert::exchange
