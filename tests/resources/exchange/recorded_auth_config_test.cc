#include "resources/exchange/recorded_auth_config.h"

#include <gtest/gtest.h>

#include "resources/exchange/recorded_certificate.h"
#include "tests/resources/exchange/exchange_test_util.h"

namespace xcert::exchange {
namespace {

using xcert::testing::ReadFileOrDie;

struct ExpectedAuthConfig {
  const char* path;
  const char* current;
  const char* next;
  const char* next_effective;  // "" when not scheduled
  const char* computer;
  const char* certificates;  // the Get-ExchangeCertificate recording beside it
};

const ExpectedAuthConfig kAuthConfigs[] = {
    {"Admin/MonitorExchangeAuthCertificate/DataCollection/Tests/Data/GetAuthConfig.xml",
     "E1BDF9AE58C93C75E76C9DD882138FB8FF0FA786", "BC6BF924D6EF046E64F8D1987DC1D7D2F4C0042A",
     "2023-02-03T14:16:02Z", "e2k16-1.contoso.lab",
     "Admin/MonitorExchangeAuthCertificate/DataCollection/Tests/Data/GetExchangeCertificate.xml"},
    {"Admin/MonitorExchangeAuthCertificate/DataCollection/Tests/Data/GetAuthConfigNoNextCert.xml",
     "B22BD738BED13136D29B7F410CE2993C5313F8FA", "", "", "e2k16-1.contoso.lab",
     "Admin/MonitorExchangeAuthCertificate/ConfigurationAction/Tests/Data/"
     "GetExchangeCertifiateWithNewAuthConfigCert.xml"},
    {"Diagnostics/HealthChecker/DataCollection/ExchangeInformation/Tests/DataCollection/"
     "GetAuthConfig.xml",
     "2D10A746D6BB8D795F1679AEBD89D5D2AE583CB7", "", "", "win-ctd3l0rgen4.exlab.dom",
     "Diagnostics/HealthChecker/DataCollection/ExchangeInformation/Tests/DataCollection/"
     "GetExchangeCertificate.xml"},
    {"Diagnostics/HealthChecker/Tests/DataCollection/E16/Exchange/GetAuthConfig.xml",
     "92E196F3C8D3D753FCFC5B7690C3173AA1C0ABE3", "", "", "solo-e16a.solo.local",
     "Diagnostics/HealthChecker/Tests/DataCollection/E16/Exchange/GetExchangeCertificate.xml"},
    {"Diagnostics/HealthChecker/Tests/DataCollection/E19/Exchange/GetAuthConfig.xml",
     "C3EDCF181EF4F9B53D01768ECA99564014BCA6E7", "", "", "solo-e19a.solo.com",
     "Diagnostics/HealthChecker/Tests/DataCollection/E19/Exchange/GetExchangeCertificate.xml"},
};

TEST(RecordedAuthConfigTest, EveryFixture) {
  const auto dir = testing::CssExchangeDir();
  for (const ExpectedAuthConfig& want : kAuthConfigs) {
    SCOPED_TRACE(want.path);
    Result<RecordedAuthConfig> got =
        ReadRecordedAuthConfig(ReadFileOrDie(dir / want.path), want.path);
    ASSERT_TRUE(got.ok()) << got.status().message();
    EXPECT_EQ(got->current_thumbprint, want.current);
    EXPECT_EQ(got->next_thumbprint, want.next);
    EXPECT_EQ(got->previous_thumbprint, "");
    EXPECT_EQ(got->next_effective_date ? FormatIso8601(*got->next_effective_date) : "",
              want.next_effective);
    EXPECT_EQ(got->ps_computer_name, want.computer);
  }
}

// What the planner relies on: the Auth certificates named by AuthConfig are
// among the certificates recorded on the same server.
TEST(RecordedAuthConfigTest, AuthCertificatesAreInTheCertificateRecordings) {
  const auto dir = testing::CssExchangeDir();
  for (const ExpectedAuthConfig& want : kAuthConfigs) {
    SCOPED_TRACE(want.path);
    RecordedAuthConfig config =
        ReadRecordedAuthConfig(ReadFileOrDie(dir / want.path), want.path).value();
    std::vector<RecordedCertificate> certs =
        ReadRecordedCertificates(ReadFileOrDie(dir / want.certificates), want.certificates).value();
    for (const std::string& thumbprint : {config.current_thumbprint, config.next_thumbprint}) {
      if (thumbprint.empty()) continue;
      bool found = std::any_of(certs.begin(), certs.end(), [&](const RecordedCertificate& c) {
        return c.thumbprint == thumbprint;
      });
      EXPECT_TRUE(found) << thumbprint;
    }
  }
}

constexpr std::string_view kHead =
    "<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">";

std::string AuthConfigXml(std::string_view props) {
  return std::string(kHead) + "<Obj RefId=\"0\"><TN RefId=\"0\"><T>Deserialized." +
         std::string(kAuthConfigType) + "</T></TN><Props>" + std::string(props) +
         "</Props></Obj></Objs>";
}

TEST(RecordedAuthConfigTest, ThumbprintsAreNormalisedAndDeserializedObjectsAccepted) {
  RecordedAuthConfig config =
      ReadRecordedAuthConfig(AuthConfigXml(R"(<S N="CurrentCertificateThumbprint"> abcdef </S>)"),
                             "auth.xml")
          .value();
  EXPECT_EQ(config.current_thumbprint, "ABCDEF");
  EXPECT_EQ(config.next_thumbprint, "") << "absent members read as unset";
  EXPECT_EQ(config.next_effective_date, std::nullopt);
}

TEST(RecordedAuthConfigTest, Errors) {
  EXPECT_EQ(ReadRecordedAuthConfig(std::string(kHead) + "</Objs>", "auth.xml").status().message(),
            "auth.xml: expected one AuthConfig object, found 0 (export Get-AuthConfig)");
  EXPECT_EQ(ReadRecordedAuthConfig(AuthConfigXml(R"(<S N="NextCertificateEffectiveDate">soon</S>)"),
                                   "auth.xml")
                .status()
                .message(),
            "auth.xml: object 1: NextCertificateEffectiveDate is not a <DT> date");
  std::string cert = std::string(kHead) + "<Obj RefId=\"0\"><TN RefId=\"0\"><T>" +
                     std::string(kExchangeCertificateType) + "</T></TN></Obj></Objs>";
  EXPECT_EQ(ReadRecordedAuthConfig(cert, "auth.xml").status().message(),
            "auth.xml: object 1: not an AuthConfig but a "
            "Microsoft.Exchange.Management.SystemConfigurationTasks.ExchangeCertificate (expected "
            "the output of Get-AuthConfig)");
}

}  // namespace
}  // namespace xcert::exchange
