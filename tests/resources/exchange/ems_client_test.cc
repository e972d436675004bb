#include "resources/exchange/ems_client.h"

#include <gtest/gtest.h>

namespace xcert::exchange {
namespace {

using nlohmann::json;

const EmsTarget kTarget{
    "MailServer21", {"ssh", "admin@mail21", "powershell", "-Command", "-"}, Seconds(300)};
constexpr const char* kVia = " (list.ps1 via `ssh admin@mail21 powershell -Command -`)";

ProcessResult Ran(int exit_code, std::string out, std::string err = "") {
  ProcessResult r;
  r.exit_code = exit_code;
  r.out = std::move(out);
  r.err = std::move(err);
  return r;
}

TEST(ExpandTransportTest, ReplacesServerAndFqdnEverywhere) {
  EXPECT_EQ(
      ExpandTransport(
          {"ssh", "-l", "admin", "{fqdn}", "powershell", "-Command", "-", "#{server}-{server}"},
          "MailServer21", "mail21.pocket-consultant.com"),
      (std::vector<std::string>{"ssh", "-l", "admin", "mail21.pocket-consultant.com", "powershell",
                                "-Command", "-", "#MailServer21-MailServer21"}));
  EXPECT_EQ(ExpandTransport({"{server}{fqdn}"}, "{fqdn}", "x"), std::vector<std::string>{"{fqdn}x"})
      << "a replacement is not expanded again";
}

TEST(DisplayCommandTest, QuotesItemsWithSpaces) {
  EXPECT_EQ(DisplayCommand(
                {"ssh", "admin@ex01", "C:\\Program Files\\PowerShell\\pwsh.exe", "-Command", "-"}),
            "ssh admin@ex01 'C:\\Program Files\\PowerShell\\pwsh.exe' -Command -");
}

TEST(InterpretRunTest, AnOkAnswerIsTheResult) {
  Result<json> r = InterpretRun(kTarget, Operation::kList,
                                Ran(0, "XCERT-RESULT: {\"ok\":true,\"State\":1}\n"), {});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ((*r)["State"], 1);
}

TEST(InterpretRunTest, ACompleteAnswerCountsWhateverTheExitCode) {
  Result<json> r =
      InterpretRun(kTarget, Operation::kList, Ran(1, "XCERT-RESULT: {\"ok\":true}\n", "noise"), {});
  EXPECT_TRUE(r.ok()) << r.status().message();
}

TEST(InterpretRunTest, AScriptErrorKeepsExchangesWordsAndCategory) {
  Result<json> r = InterpretRun(kTarget, Operation::kImport,
                                Ran(0,
                                    "XCERT-RESULT: {\"ok\":false,\"error\":\"Cannot import "
                                    "certificate. A certificate with the thumbprint "
                                    "AB already exists.\",\"category\":\"ResourceExists\"}\n"),
                                {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kAlreadyExists);
  EXPECT_EQ(r.status().message(),
            "MailServer21: Import-ExchangeCertificate failed: Cannot import certificate. A "
            "certificate with the "
            "thumbprint AB already exists. [ResourceExists]");
}

TEST(InterpretRunTest, ATimeoutSaysWhatHappenedAndForChangesThatTheyMayHaveHappened) {
  ProcessResult r = Ran(-1, "");
  r.timed_out = true;
  r.signal = 15;
  EXPECT_EQ(InterpretRun(kTarget, Operation::kList, r, {}).status().message(),
            std::string("MailServer21: no answer within 300s") + kVia +
                "; xcert stopped the command. Check that the server is reachable and that Exchange "
                "Management "
                "Shell starts there; raise store.timeout for a slow server.");
  const Status enable = InterpretRun(kTarget, Operation::kEnable, r, {}).status();
  EXPECT_EQ(enable.code(), Code::kUnavailable);
  EXPECT_TRUE(
      enable.message().ends_with("The change may or may not have happened on the server: run "
                                 "`xcert plan` to see where it stands before "
                                 "applying again."))
      << enable.message();
}

TEST(InterpretRunTest, SshRefusalIsPermissionDenied) {
  const Status s = InterpretRun(kTarget, Operation::kList,
                                Ran(255, "",
                                    "Warning: Permanently added 'mail21'.\r\n"
                                    "admin@mail21: Permission denied (publickey,password).\r\n"),
                                {})
                       .status();
  EXPECT_EQ(s.code(), Code::kPermissionDenied);
  EXPECT_EQ(
      s.message(),
      std::string("MailServer21: authentication refused: admin@mail21: Permission denied "
                  "(publickey,password).") +
          kVia +
          "; check that the ssh user exists on the server and that this machine's key is in its "
          "authorized_keys (for administrators: "
          "C:\\ProgramData\\ssh\\administrators_authorized_keys); "
          "docs/exchange.md#ssh");
}

TEST(InterpretRunTest, AnUnknownHostKeyIsPermissionDeniedWithItsOwnHint) {
  const Status s =
      InterpretRun(kTarget, Operation::kList, Ran(255, "", "Host key verification failed.\n"), {})
          .status();
  EXPECT_EQ(s.code(), Code::kPermissionDenied);
  EXPECT_NE(s.message().find("connect once with ssh by hand and check the fingerprint"),
            std::string::npos);
}

TEST(InterpretRunTest, AnExitWithoutAnswerQuotesTheLastLinesOfStderr) {
  const Status s =
      InterpretRun(kTarget, Operation::kList,
                   Ran(255, "",
                       "line 1\nline 2\nline 3\nline 4\nssh: connect to host mail21 port 22: "
                       "Connection refused\n"),
                   {})
          .status();
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_EQ(
      s.message(),
      std::string("MailServer21: the transport exited with code 255 before answering") + kVia +
          ": line 2 | line 3 | line 4 | ssh: connect to host mail21 port 22: Connection refused. "
          "Check the transport command (store.transport or the server's transport) by running it "
          "by hand.");
}

TEST(InterpretRunTest, SecretsNeverReachAMessage) {
  const std::string secret = "eyJwYXNzd29yZCI6InMzY3IzdCJ9";
  const Status s = InterpretRun(kTarget, Operation::kExport,
                                Ran(1, "",
                                    "At line:1 char:21\n+ $XcertArgsBase64 = '" + secret +
                                        "'\nUnexpected token s3cr3t\n"),
                                {secret, "s3cr3t"})
                       .status();
  EXPECT_EQ(s.message().find(secret), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("s3cr3t"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("$XcertArgsBase64 = '<hidden>'"), std::string::npos) << s.message();
}

TEST(InterpretRunTest, OutputWithoutResultLine) {
  const Status s =
      InterpretRun(kTarget, Operation::kList, Ran(0, "bash: powershell: command not found\n"), {})
          .status();
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_EQ(
      s.message(),
      std::string("MailServer21: the transport answered without an XCERT-RESULT line") + kVia +
          "; its output ended with: bash: powershell: command not found. The command must run "
          "Windows PowerShell on an Exchange server and read the script from stdin, e.g. [ssh, "
          "admin@{fqdn}, powershell, -NoProfile, -NonInteractive, -Command, -] "
          "(docs/exchange.md).");
}

TEST(InterpretRunTest, CutOffAndMalformedAnswersAreDataLoss) {
  const Status cut =
      InterpretRun(kTarget, Operation::kRemove, Ran(0, "XCERT-RESULT: {\"ok\":tr"), {}).status();
  EXPECT_EQ(cut.code(), Code::kDataLoss);
  EXPECT_EQ(cut.message(),
            "MailServer21: the answer was cut off (partial output, 22 bytes) (remove.ps1 via `ssh "
            "admin@mail21 "
            "powershell -Command -`); the connection probably dropped. Run the command again. The "
            "change may or may "
            "not have happened on the server: run `xcert plan` to see where it stands before "
            "applying again.");
  const Status bad =
      InterpretRun(kTarget, Operation::kList, Ran(0, "XCERT-RESULT: {ok}\n"), {}).status();
  EXPECT_EQ(bad.code(), Code::kDataLoss);
  EXPECT_TRUE(bad.message().starts_with(std::string("MailServer21: the answer is not valid JSON") +
                                        kVia + ": "))
      << bad.message();
}

TEST(EmsClientTest, AMissingTransportProgramNamesTheServer) {
  EmsClient client({"MailServer21", {"xcert-no-such-ssh", "host"}, Seconds(5)});
  Result<json> r = client.Call(Operation::kList, json::object());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_EQ(r.status().message(),
            "MailServer21: cannot start 'xcert-no-such-ssh': No such file or directory; check the "
            "transport command "
            "(store.transport or the server's transport) in the manifest");
}

}  // namespace
}  // namespace xcert::exchange
