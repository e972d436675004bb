// `xcert snapshot import` (engine/cli/cmd_snapshot.cc), run as the real binary.
#include <map>
#include <regex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <stdlib.h>

#include "tests/resources/exchange/exchange_test_util.h"
#include "tests/resources/exchange/recorded_table.h"
#include "tests/support/test_util.h"

namespace xcert::exchange {
namespace {

namespace fs = std::filesystem;

using testing::CssExchangeDir;
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
    const auto dir = CssExchangeDir();
    data_ = dir / kData;
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

// docs/commands/snapshot.md: on a server recorded without --web-bindings
// whose certificates are RawData only, nobody knows who serves IIS, IMAP and
// POP, so the plan moves none of them and says what would tell.
TEST_F(SnapshotCommandTest, UnknownHoldersBlockTheirMovesAndSayWhatWouldTell) {
  dir_.Write("xcert.yaml",
             "version: 1\n"
             "store: {type: snapshot, path: ./snapshots}\n"
             "issuers:\n  - {name: self, type: self-signed}\n"
             "servers:\n"
             "  - {name: E2k16-1, fqdn: e2k16-1.contoso.lab, roles: [Mailbox], version: \"2016\"}\n"
             "certificates:\n"
             "  - name: mail\n"
             "    subject: CN=mail2.contoso.lab\n"
             "    dnsNames: [mail2.contoso.lab]\n"
             "    issuer: self\n"
             "    key: {algorithm: RSA, size: 2048, exportable: true}\n"
             "    servers: [E2k16-1]\n"
             "    services: [IIS, IMAP, POP, SMTP]\n");
  ASSERT_EQ(
      RunXcert({"snapshot", "import", "--server", "E2k16-1", F("GetExchangeCertificateBroken.xml")},
               dir_.path())
          .exit_code,
      0);
  const RunResult plan = RunXcert({"plan"}, dir_.path());
  for (const char* service : {"IIS", "IMAP", "POP"}) {
    EXPECT_NE(plan.out.find(std::string("which certificate serves ") + service +
                            " on E2k16-1 is not known"),
              std::string::npos)
        << plan.out;
    EXPECT_EQ(plan.out.find(std::string("enable 'mail' for ") + service), std::string::npos)
        << plan.out;
  }
  EXPECT_NE(plan.out.find("snapshot import --web-bindings"), std::string::npos) << plan.out;
  const RunResult saved = RunXcert({"plan", "-o", "plan.json"}, dir_.path());
  EXPECT_EQ(saved.exit_code, 1) << "a blocked plan is not saved";
  EXPECT_FALSE(fs::exists(dir_.path() / "plan.json"));
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

// Subjects by thumbprint as .NET wrote them into each object's <ToString>
// ("[Subject]\r\n  CN=..., S=NRW\r\n...[Thumbprint]\r\n  ABC..."): the
// recording's own text, not xcert's reading of the certificate.
std::map<std::string, std::string> RecordedSubjects(const std::string& xml) {
  static const std::regex kObject(
      R"(<ToString>\[Subject\]_x000D__x000A_  ([^<]*?)_x000D__x000A_[^<]*\[Thumbprint\]_x000D__x000A_  ([0-9A-F]{40}))");
  std::map<std::string, std::string> out;
  for (std::sregex_iterator it(xml.begin(), xml.end(), kObject), end; it != end; ++it) {
    out[(*it)[2]] = (*it)[1];
  }
  return out;
}

// Services as Get-ExchangeCertificate's Services bits, in xcert's letters.
std::string Letters(int services) {
  std::string out;
  for (auto [bit, letter] : std::vector<std::pair<int, char>>{
           {1, 'I'}, {2, 'P'}, {4, 'U'}, {8, 'W'}, {16, 'S'}, {32, 'F'}, {64, 'C'}}) {
    out += (services & bit) ? letter : '.';
  }
  return out;
}

class ShowRecordedTest : public ::testing::TestWithParam<testing::ExpectedFile> {};

// What `show` and `show --format json` say of every recorded certificate is
// what Exchange recorded: thumbprint, subject, dates, Services, Status and
// RootCAType (issue 12's "done when").
TEST_P(ShowRecordedTest, ShowsWhatExchangeRecorded) {
  ::setenv("XCERT_BINARY", XCERT_BUILT_BINARY, /*overwrite=*/0);
  const auto fixtures = CssExchangeDir();
  const testing::ExpectedFile& file = GetParam();
  TempDir dir;
  dir.Write("xcert.yaml",
            "version: 1\n"
            "store: {type: snapshot, path: ./snapshots}\n"
            "servers:\n"
            "  - {name: Recorded, fqdn: recorded.contoso.lab, roles: [Mailbox], version: "
            "\"2016\"}\n");
  const fs::path xml = fixtures / file.path;
  const RunResult imported =
      RunXcert({"snapshot", "import", "--server", "Recorded", xml.string()}, dir.path());
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  const RunResult json = RunXcert({"show", "--format", "json"}, dir.path());
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const RunResult text = RunXcert({"show"}, dir.path());
  ASSERT_EQ(text.exit_code, 0) << text.err;
  const nlohmann::json shown = nlohmann::json::parse(json.out);
  std::map<std::string, nlohmann::json> by_thumbprint;
  for (const nlohmann::json& server : shown["servers"]) {
    for (const nlohmann::json& c : server["certificates"]) by_thumbprint[c["thumbprint"]] = c;
  }
  const std::map<std::string, std::string> subjects = RecordedSubjects(ReadFileOrDie(xml));
  static const char* kStatus[] = {"Unknown",
                                  "Valid",
                                  "Revoked",
                                  "DateInvalid",
                                  "Untrusted",
                                  "Invalid",
                                  "RevocationCheckFailure",
                                  "PendingRequest"};
  static const char* kRootCaType[] = {"None",     "ThirdParty",  "Enterprise",
                                      "Registry", "GroupPolicy", "Unknown"};
  for (const testing::ExpectedCert& want : file.certs) {
    SCOPED_TRACE(want.thumbprint);
    ASSERT_TRUE(by_thumbprint.count(want.thumbprint)) << json.out;
    const nlohmann::json& c = by_thumbprint[want.thumbprint];
    ASSERT_TRUE(subjects.count(want.thumbprint)) << "the recording's ToString names it";
    EXPECT_EQ(c["subject"], subjects.at(want.thumbprint));
    EXPECT_EQ(c["not_before"].get<std::string>().substr(0, 10), want.not_before);
    EXPECT_EQ(c["not_after"].get<std::string>().substr(0, 10), want.not_after);
    if (want.services < 0) {
      // RawData only: what Exchange did not record is unknown, not false.
      for (const char* field : {"has_private_key", "private_key_exportable", "friendly_name",
                                "services", "services_value", "status", "root_ca_type"}) {
        EXPECT_TRUE(c[field].is_null()) << field << ": " << c[field];
      }
      EXPECT_NE(text.out.find(std::string(want.thumbprint) + "  ?         " +
                              subjects.at(want.thumbprint) + "  [attributes unknown]"),
                std::string::npos)
          << text.out;
      continue;
    }
    EXPECT_EQ(c["services_value"], want.services);
    EXPECT_EQ(c["status"], kStatus[want.status]);
    EXPECT_EQ(c["root_ca_type"], kRootCaType[want.root_ca_type]);
    EXPECT_NE(text.out.find(std::string(want.thumbprint) + "  " + Letters(want.services) + "   " +
                            subjects.at(want.thumbprint)),
              std::string::npos)
        << text.out;
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ShowRecordedTest, ::testing::ValuesIn(testing::Table()),
                         [](const ::testing::TestParamInfo<testing::ExpectedFile>& param) {
                           std::string name = param.param.path;
                           for (char& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return std::to_string(param.index) + "_" + name;
                         });

}  // namespace
}  // namespace xcert::exchange
