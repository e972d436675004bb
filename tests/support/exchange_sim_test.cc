// The simulator seen from C++: an organisation made as Exchange setup leaves
// it, its summary as the simulated cmdlets show it, a copy that holds the
// same certificates, a server's shell, and the log counts tests rely on.
#include "tests/support/exchange_sim.h"

#include <gtest/gtest.h>

namespace xcert::testing {
namespace {

class SimOrganizationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = SimOrganization::Unavailable()) GTEST_SKIP() << *why;
  }
  TempDir dir_;
};

TEST_F(SimOrganizationTest, MakesServersAsExchangeSetupLeavesThem) {
  SimOrganization org(dir_.path() / "org", "contoso.com", {{"EX01"}, {"EDGE01", "Edge"}});
  const nlohmann::json s = org.Summary();
  ASSERT_TRUE(s["Servers"].contains("EX01")) << s.dump(2);
  const nlohmann::json& ex = s["Servers"]["EX01"];
  // The "Microsoft Exchange" certificate, the Auth certificate and WMSvc.
  ASSERT_EQ(ex["Certificates"].size(), 3u) << ex.dump(2);
  const std::string front = ex["HttpsBindings"]["Default Web Site :443:"];
  EXPECT_EQ(ex["HttpsBindings"]["Exchange Back End *:444:"], front);
  EXPECT_EQ(ex["InternalTransport"], front);
  EXPECT_EQ(ex["ImapCertificateName"], "ex01.contoso.com");
  bool found = false;
  for (const nlohmann::json& c : ex["Certificates"]) {
    if (c["Label"] != front) continue;
    found = true;
    EXPECT_EQ(c["Subject"], "CN=EX01");
    EXPECT_EQ(c["Services"], "IMAP, POP, IIS, SMTP");
    EXPECT_EQ(c["Exportable"], false);
  }
  EXPECT_TRUE(found) << ex.dump(2);
  const nlohmann::json& edge = s["Servers"]["EDGE01"];
  ASSERT_EQ(edge["Certificates"].size(), 1u) << edge.dump(2);
  EXPECT_TRUE(edge["HttpsBindings"].empty());
  EXPECT_TRUE(s["Problems"].empty()) << s.dump(2);
}

TEST_F(SimOrganizationTest, CopyHoldsTheSameCertificatesAndItsOwnLog) {
  SimOrganization org(dir_.path() / "org", "contoso.com", {{"EX01"}});
  SimOrganization copy = org.CopyTo(dir_.path() / "copy");
  EXPECT_EQ(copy.Summary(), org.Summary());
  const RunResult r = copy.Shell("EX01",
                                 "New-ExchangeCertificate -SubjectName 'CN=x.contoso.com' "
                                 "-DomainName x.contoso.com -Services None | Out-Null",
                                 dir_.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(copy.Summary(), org.Summary()) << "a change in the copy must not reach the original";
  EXPECT_EQ(copy.ShellsStarted(), 1);
  EXPECT_EQ(copy.CmdletCalls(), 1) << "the summaries are not counted";
}

TEST_F(SimOrganizationTest, ShellFailsAsExchangeDoesForAParameterItDoesNotHave) {
  SimOrganization org(dir_.path() / "org", "contoso.com", {{"EX01"}});
  const RunResult r =
      org.Shell("EX01", "Import-ExchangeCertificate -FileName C:\\x.pfx", dir_.path());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE((r.out + r.err).find("FileName"), std::string::npos) << r.out << r.err;
}

TEST_F(SimOrganizationTest, StoreYamlNamesTheSimulatorShell) {
  SimOrganization org(dir_.path() / "org", "contoso.com", {{"EX01"}});
  const std::string yaml = org.StoreYaml();
  EXPECT_NE(yaml.find("type: exchange"), std::string::npos);
  EXPECT_NE(yaml.find("ems.ps1"), std::string::npos);
  EXPECT_NE(yaml.find("\"{server}\""), std::string::npos);
}

}  // namespace
}  // namespace xcert::testing
