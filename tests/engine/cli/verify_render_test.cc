// The four reports of xcert verify, from a hand-made report: one endpoint
// that serves what the store binds, one that serves another certificate,
// one that is down.
#include "engine/cli/verify_render.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace xcert::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

probe::VerifyReport Report() {
  probe::VerifyReport report;
  probe::EndpointResult ok;
  ok.check.server = "MailServer21";
  ok.check.service = Service::kIis;
  ok.check.target = {"10.0.0.21", 443, probe::Protocol::kHttps, "mail.contoso.com"};
  ok.check.bound = {"800BFCE9"};
  ok.outcome = probe::Outcome::kOk;
  ok.served = "800BFCE9";
  ok.tls_version = "TLSv1.3";
  ok.verdict.days_left = 89;
  report.endpoints.push_back(ok);

  probe::EndpointResult wrong = ok;
  wrong.check.service = Service::kImap;
  wrong.check.target = {"10.0.0.21", 993, probe::Protocol::kImaps, ""};
  wrong.served = "6BEC23A0";
  wrong.verdict.days_left.reset();
  wrong.verdict.findings = {{probe::Problem::kWrongCertificate,
                             "serves 6BEC23A0 but the store binds 800BFCE9: reload <it>"}};
  report.endpoints.push_back(wrong);

  probe::EndpointResult down;
  down.check.server = "MailServer22";
  down.check.service = Service::kSmtp;
  down.check.target = {"10.0.0.22", 25, probe::Protocol::kSmtp, ""};
  down.check.bound = {"800BFCE9"};
  down.outcome = probe::Outcome::kUnreachable;
  down.verdict.findings = {{probe::Problem::kNotServed, "unreachable: connection refused"}};
  report.endpoints.push_back(down);
  return report;
}

TEST(VerifyRenderTest, StatusIsOkTheOutcomeOrFailed) {
  const probe::VerifyReport r = Report();
  EXPECT_EQ(EndpointStatus(r.endpoints[0]), "ok");
  EXPECT_EQ(EndpointStatus(r.endpoints[1]), "failed");
  EXPECT_EQ(EndpointStatus(r.endpoints[2]), "unreachable");
}

TEST(VerifyRenderTest, TextGroupsByServerAndSaysWhatIsWrong) {
  const std::string text = RenderVerifyText(Report(), false);
  EXPECT_THAT(text, HasSubstr("MailServer21 (10.0.0.21)\n"
                              "  ok    IIS   https 10.0.0.21:443 (SNI mail.contoso.com)  800BFCE9  "
                              "TLSv1.3  89 days left\n"
                              "  FAIL  IMAP  imaps 10.0.0.21:993 (no SNI)  6BEC23A0  TLSv1.3\n"
                              "        WrongCertificate: serves 6BEC23A0 but the store binds "
                              "800BFCE9: reload <it>\n"));
  EXPECT_THAT(text, HasSubstr("MailServer22 (10.0.0.22)\n"
                              "  FAIL  SMTP  smtp 10.0.0.22:25 (no SNI)\n"
                              "        NotServed: unreachable: connection refused\n"));
  EXPECT_THAT(text, HasSubstr("\nVerify failed: 2 of 3 endpoints on 2 servers do not serve what "
                              "the store binds, or serve it badly.\n"));
  EXPECT_THAT(text, Not(HasSubstr("\033[")));
}

TEST(VerifyRenderTest, TextWhenAllIsWell) {
  probe::VerifyReport r = Report();
  r.endpoints.resize(1);
  EXPECT_THAT(RenderVerifyText(r, false),
              HasSubstr("Verified: 1 endpoint on 1 server serves what the store binds."));
  EXPECT_THAT(RenderVerifyText({}, false),
              HasSubstr("Nothing to verify: no server binds IIS, SMTP, IMAP or POP."));
}

TEST(VerifyRenderTest, JsonHasEveryEndpointWithItsFindings) {
  const nlohmann::json j =
      nlohmann::json::parse(RenderVerifyJson(Report(), TimePoint(Seconds(1798761600))));
  EXPECT_EQ(j["checked_at"], "2027-01-01T00:00:00Z");
  ASSERT_EQ(j["endpoints"].size(), 3u);
  EXPECT_EQ(j["endpoints"][0]["status"], "ok");
  EXPECT_EQ(j["endpoints"][0]["sni"], "mail.contoso.com");
  EXPECT_EQ(j["endpoints"][0]["days_left"], 89);
  EXPECT_EQ(j["endpoints"][1]["service"], "IMAP");
  EXPECT_EQ(j["endpoints"][1]["port"], 993);
  EXPECT_EQ(j["endpoints"][1]["findings"][0]["problem"], "WrongCertificate");
  EXPECT_EQ(j["endpoints"][2]["status"], "unreachable");
  EXPECT_TRUE(j["endpoints"][2]["days_left"].is_null());
  EXPECT_EQ(j["summary"]["failed"], 2);
}

TEST(VerifyRenderTest, JunitHasOneSuitePerServerAndEscapes) {
  const std::string xml = RenderVerifyJunit(Report());
  EXPECT_THAT(xml, HasSubstr("<testsuites name=\"xcert verify\" tests=\"3\" failures=\"2\""));
  EXPECT_THAT(xml, HasSubstr("<testsuite name=\"MailServer21\" tests=\"2\" failures=\"1\">"));
  EXPECT_THAT(xml, HasSubstr("<failure type=\"WrongCertificate\" message=\"serves 6BEC23A0 but "
                             "the store binds 800BFCE9: reload &lt;it&gt;\">"));
  EXPECT_THAT(xml, HasSubstr("<failure type=\"NotServed\""));
  EXPECT_THAT(xml, Not(HasSubstr("<it>")));
}

TEST(VerifyRenderTest, MarkdownIsOneTableRowPerEndpoint) {
  const std::string md = RenderVerifyMarkdown(Report());
  EXPECT_THAT(md, HasSubstr("| MailServer21 | IMAP | imaps 10.0.0.21:993 (no SNI) | failed | "
                            "`6BEC23A0` |  | WrongCertificate: serves 6BEC23A0"));
  EXPECT_THAT(md, HasSubstr("| MailServer22 | SMTP | smtp 10.0.0.22:25 (no SNI) | unreachable |"));
}

}  // namespace
}  // namespace xcert::cli
