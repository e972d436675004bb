#include "resources/exchange/script_protocol.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "resources/x509/digest.h"

namespace xcert::exchange {
namespace {

using nlohmann::json;

TEST(OperationTest, NamesRoundTrip) {
  for (Operation op : kAllOperations) {
    EXPECT_EQ(ParseOperation(OperationName(op)), op);
    EXPECT_EQ(ScriptFile(op), std::string(OperationName(op)) + ".ps1");
  }
  EXPECT_EQ(ParseOperation("List"), std::nullopt);
  EXPECT_EQ(ParseOperation("invoke"), std::nullopt);
}

TEST(EmbeddedScriptTest, EveryScriptIsInTheBinary) {
  for (std::string_view file :
       {kBootstrapScript, kCommonScript, kPreludeScript, kPlanHelpersScript}) {
    Result<std::string_view> text = EmbeddedScript(file);
    ASSERT_TRUE(text.ok()) << text.status().message();
    EXPECT_FALSE(text->empty());
  }
  for (Operation op : kAllOperations) {
    Result<std::string_view> text = EmbeddedScript(ScriptFile(op));
    ASSERT_TRUE(text.ok()) << text.status().message();
    EXPECT_TRUE(
        text->starts_with(std::string(kOperationMarker) + std::string(OperationName(op)) + "\n"));
  }
  Result<std::string_view> missing = EmbeddedScript("nope.ps1");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "resources/exchange/scripts/nope.ps1 is not embedded in this xcert binary; add it to "
            "xcert_embed in "
            "CMakeLists.txt");
}

TEST(PayloadTest, IsCommonPreludeArgumentsAndTheOperation) {
  const json args = {{"server", "MailServer21"}, {"thumbprint", "ABC"}};
  Result<std::string> payload = BuildPayload(Operation::kGet, args);
  ASSERT_TRUE(payload.ok()) << payload.status().message();
  std::string expected;
  for (std::string_view f : {kCommonScript, kPreludeScript}) expected += *EmbeddedScript(f);
  expected += "$XcertArgsBase64 = '" + x509::Base64Encode(args.dump()) + "'\n";
  expected += *EmbeddedScript("get.ps1");
  EXPECT_EQ(*payload, expected);
}

TEST(SessionTest, TheOpeningSetsTheMarkerThenRunsTheRequestLoop) {
  const std::string marker = NewSessionMarker();
  Result<std::string> opening = SessionOpening(marker);
  ASSERT_TRUE(opening.ok()) << opening.status().message();
  EXPECT_EQ(*opening, "$XcertSessionEnd = '" + marker + "'\n" +
                          std::string(*EmbeddedScript(kBootstrapScript)));
  EXPECT_EQ(std::count(opening->begin(), opening->end(), '\n'), 2)
      << "two lines, each a whole statement, as `powershell -Command -` runs them one by one";
  Result<std::string> parsed = ParseSessionOpening(*opening);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(*parsed, marker);
}

TEST(SessionTest, MarkersDifferFromSessionToSession) {
  const std::string a = NewSessionMarker();
  const std::string b = NewSessionMarker();
  EXPECT_NE(a, b);
  EXPECT_TRUE(a.starts_with("XCERT-END "));
  EXPECT_EQ(a.size(), std::string("XCERT-END ").size() + 32);
}

TEST(SessionTest, ParseSessionOpeningRefusesAnythingElse) {
  const std::string marker = NewSessionMarker();
  const std::string opening = *SessionOpening(marker);
  EXPECT_EQ(ParseSessionOpening("Get-ExchangeCertificate\n").status().message(),
            "the session does not start with the $XcertSessionEnd line");
  EXPECT_EQ(ParseSessionOpening("$XcertSessionEnd = 'XCERT-END $(whoami)'\n").status().message(),
            "the marker is not 'XCERT-END ' and hex digits");
  EXPECT_EQ(ParseSessionOpening(opening + "Remove-ExchangeCertificate\n").status().message(),
            "the line after the marker is not bootstrap.ps1");
}

TEST(PayloadTest, ValuesNeverAppearInScriptText) {
  const std::string hostile = "x'; Remove-ExchangeCertificate -Thumbprint $t; '\n\u2019$(whoami)";
  const json args = {{"server", "MailServer21"}, {"password", hostile}, {"subject", hostile}};
  Result<std::string> payload = BuildPayload(Operation::kExport, args);
  ASSERT_TRUE(payload.ok());
  EXPECT_EQ(payload->find("whoami"), std::string::npos);
  EXPECT_EQ(payload->find("x'; Remove"), std::string::npos);
  const std::string line = ArgsLine(args);
  EXPECT_EQ(
      line.find_first_not_of(
          "$XcertArgsBase64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/='"),
      line.size() - 1)
      << "only the newline is outside the base64 line's alphabet";
}

TEST(PayloadTest, ParsePayloadGivesBackTheOperationAndArguments) {
  const json args = {{"server", "Edge01"}, {"services", {"SMTP"}}, {"replaceDefaultSmtp", true}};
  Result<std::string> payload = BuildPayload(Operation::kEnable, args);
  ASSERT_TRUE(payload.ok());
  Result<Invocation> inv = ParsePayload(*payload);
  ASSERT_TRUE(inv.ok()) << inv.status().message();
  EXPECT_EQ(inv->op, Operation::kEnable);
  EXPECT_EQ(inv->args, args);
}

TEST(PayloadTest, ParsePayloadRefusesAnythingElse) {
  Result<std::string> payload = BuildPayload(Operation::kRemove, {{"thumbprint", "A"}});
  ASSERT_TRUE(payload.ok());
  std::string changed = *payload;
  changed.replace(changed.rfind("Remove-ExchangeCertificate"), 6, "Delete");
  EXPECT_EQ(ParsePayload(changed).status().message(),
            "remove.ps1 differs from the embedded script");
  EXPECT_EQ(ParsePayload("Get-ExchangeCertificate\n").status().message(),
            "the script does not start with xcert's common.ps1 and prelude.ps1");
  std::string quoted = *payload;
  const size_t at = quoted.find("$XcertArgsBase64 = '") + 20;
  quoted.insert(at, "'; whoami; '");
  EXPECT_FALSE(ParsePayload(quoted).ok());
}

TEST(FormatResultLineTest, IsOneAsciiLine) {
  const std::string line =
      FormatResultLine({{"ok", true}, {"FriendlyName", "Zertifikat für Köln"}});
  EXPECT_EQ(line,
            "XCERT-RESULT: {\"FriendlyName\":\"Zertifikat f\\u00fcr K\\u00f6ln\",\"ok\":true}\n");
}

TEST(FindAnswerTest, FindsTheLineAmongBannersWithCrlfAndBom) {
  const std::string out =
      "\xEF\xBB\xBFWindows PowerShell\r\nCopyright (C) Microsoft\r\n\r\n"
      "XCERT-RESULT: {\"ok\":true,\"Thumbprint\":\"AB\"}\r\nWARNING: unapproved verbs\r\n";
  Answer a = FindAnswer(out);
  ASSERT_EQ(a.fault, AnswerFault::kNone) << a.detail;
  EXPECT_EQ(a.body["Thumbprint"], "AB");
}

TEST(FindAnswerTest, TheLastResultLineCounts) {
  Answer a = FindAnswer("XCERT-RESULT: {\"ok\":false}\nXCERT-RESULT: {\"ok\":true}\n");
  ASSERT_EQ(a.fault, AnswerFault::kNone);
  EXPECT_TRUE(a.body["ok"].get<bool>());
}

TEST(FindAnswerTest, TellsMissingCutOffAndMalformedApart) {
  EXPECT_EQ(FindAnswer("").fault, AnswerFault::kNoResult);
  EXPECT_EQ(FindAnswer("PS C:\\> XCERT-RESULT: {\"ok\":true}\n").fault, AnswerFault::kNoResult)
      << "the marker must start the line";
  EXPECT_EQ(FindAnswer("XCERT-RESULT: {\"ok\":true,\"State\":{\"Certif").fault,
            AnswerFault::kTruncated);
  EXPECT_EQ(FindAnswer("XCERT-RESULT: ").fault, AnswerFault::kTruncated);
  EXPECT_EQ(FindAnswer("XCERT-RESULT: <html></html>\n").fault, AnswerFault::kMalformed);
  EXPECT_EQ(FindAnswer("XCERT-RESULT: [1,2]\n").fault, AnswerFault::kMalformed);
  Answer no_ok = FindAnswer("XCERT-RESULT: {\"State\":{}}\n");
  EXPECT_EQ(no_ok.fault, AnswerFault::kMalformed);
  EXPECT_EQ(no_ok.detail, "the result is not a JSON object with a boolean \"ok\"");
}

TEST(CodeOfCategoryTest, MapsPowerShellErrorCategories) {
  EXPECT_EQ(CodeOfCategory("ObjectNotFound"), Code::kNotFound);
  EXPECT_EQ(CodeOfCategory("ResourceExists"), Code::kAlreadyExists);
  EXPECT_EQ(CodeOfCategory("PermissionDenied"), Code::kPermissionDenied);
  EXPECT_EQ(CodeOfCategory("securityerror"), Code::kPermissionDenied);
  EXPECT_EQ(CodeOfCategory("InvalidArgument"), Code::kInvalidArgument);
  EXPECT_EQ(CodeOfCategory("ResourceUnavailable"), Code::kUnavailable);
  EXPECT_EQ(CodeOfCategory("InvalidOperation"), Code::kFailedPrecondition);
  EXPECT_EQ(CodeOfCategory(""), Code::kFailedPrecondition);
}

}  // namespace
}  // namespace xcert::exchange
