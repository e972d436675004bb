#include "resources/exchange/recorded_exchange_server.h"

#include <gtest/gtest.h>

#include "tests/resources/exchange/exchange_test_util.h"

namespace xcert::exchange {
namespace {

using xcert::testing::ReadFileOrDie;

TEST(VersionOfBuildTest, MapsMajorMinorAndSeBuilds) {
  EXPECT_EQ(VersionOfBuild({15, 0, 1497, 2}), ExchangeVersion::k2013);
  EXPECT_EQ(VersionOfBuild({15, 1, 2507, 18}), ExchangeVersion::k2016);
  EXPECT_EQ(VersionOfBuild({15, 2, 986, 5}), ExchangeVersion::k2019);
  EXPECT_EQ(VersionOfBuild({15, 2, 2561, 0}), ExchangeVersion::k2019);
  EXPECT_EQ(VersionOfBuild({15, 2, 2562, 17}), ExchangeVersion::kSE);
  EXPECT_EQ(VersionOfBuild({14, 3, 123, 4}), std::nullopt) << "Exchange 2010";
  EXPECT_EQ(VersionOfBuild({}), std::nullopt);
}

// name|fqdn|role>roles|display version|build|version|edition|site|edge,mailbox,cas,hub,fet|computer
std::string Describe(const RecordedExchangeServer& s) {
  std::string roles;
  for (Role r : s.roles) roles += (roles.empty() ? "" : ",") + std::string(RoleName(r));
  const ServerBuild& b = s.build;
  return s.name + "|" + s.fqdn + "|" + s.server_role + ">" + roles + "|" + s.admin_display_version +
         "|" + std::to_string(b.major) + "." + std::to_string(b.minor) + "." +
         std::to_string(b.build) + "." + std::to_string(b.revision) + "|" +
         (s.version ? std::string(VersionName(*s.version)) : "?") + "|" + s.edition + "|" + s.site +
         "|" + std::to_string(s.is_edge_server) + std::to_string(s.is_mailbox_server) +
         std::to_string(s.is_client_access_server) + std::to_string(s.is_hub_transport_server) +
         std::to_string(s.is_frontend_transport_server) + "|" + s.ps_computer_name;
}

TEST(RecordedExchangeServerTest, EveryFixture) {
  const auto dir = testing::CssExchangeDir();
  const std::vector<std::pair<std::string, std::vector<std::string>>> expected = {
      {"Admin/MonitorExchangeAuthCertificate/DataCollection/Tests/Data/GetExchangeServer.xml",
       {"E2k16-1|E2k16-1.Contoso.lab|Mailbox>Mailbox|Version 15.1 (Build "
        "2507.18)|15.1.2507.18|2016|Enterprise|"
        "Contoso.lab/Configuration/Sites/Default-First-Site-Name|01111|e2k16-1.contoso.lab",
        "E2k16-2|E2k16-2.Contoso.lab|Mailbox>Mailbox|Version 15.1 (Build "
        "2507.18)|15.1.2507.18|2016|Enterprise|"
        "Contoso.lab/Configuration/Sites/Default-First-Site-Name|01111|e2k16-1.contoso.lab"}},
      {"Diagnostics/HealthChecker/Tests/DataCollection/E16/Exchange/GetExchangeServer.xml",
       {"SOLO-E16A|Solo-E16A.Solo.local|Mailbox>Mailbox|Version 15.1 (Build "
        "2375.7)|15.1.2375.7|2016|StandardEvaluation|"
        "Solo.local/Configuration/Sites/Default-First-Site-Name|01111|solo-e16a.solo.local"}},
      {"Diagnostics/HealthChecker/Tests/DataCollection/E19/Exchange/GetExchangeServer.xml",
       {"SOLO-E19A|Solo-E19A.Solo.com|Mailbox>Mailbox|Version 15.2 (Build "
        "986.5)|15.2.986.5|2019|StandardEvaluation|"
        "Solo.com/Configuration/Sites/Default-First-Site-Name|01111|solo-e19a.solo.com"}},
  };
  for (const auto& [file, want] : expected) {
    SCOPED_TRACE(file);
    Result<std::vector<RecordedExchangeServer>> got =
        ReadRecordedExchangeServers(ReadFileOrDie(dir / file), file);
    ASSERT_TRUE(got.ok()) << got.status().message();
    std::vector<std::string> lines;
    for (const RecordedExchangeServer& s : *got) lines.push_back(Describe(s));
    EXPECT_EQ(lines, want);
  }
}

constexpr std::string_view kHead =
    "<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">";

std::string ServerXml(std::string_view props) {
  return std::string(kHead) + "<Obj RefId=\"0\"><TN RefId=\"0\"><T>" +
         std::string(kExchangeServerType) + "</T></TN><Props>" + std::string(props) +
         "</Props></Obj></Objs>";
}

TEST(RecordedExchangeServerTest, RolesAndVersionFromTextForms) {
  std::vector<RecordedExchangeServer> servers =
      ReadRecordedExchangeServers(
          ServerXml(R"(<S N="Name">EX13</S><S N="ServerRole">Mailbox, ClientAccess</S>)"
                    R"(<S N="AdminDisplayVersion">Version 15.0 (Build 1497.2)</S>)"),
          "s.xml")
          .value();
  EXPECT_EQ(servers[0].roles, (std::vector<Role>{Role::kMailbox, Role::kClientAccess}));
  EXPECT_EQ(servers[0].build, (ServerBuild{15, 0, 1497, 2}));
  EXPECT_EQ(servers[0].version, ExchangeVersion::k2013);

  std::vector<RecordedExchangeServer> edge =
      ReadRecordedExchangeServers(
          ServerXml(R"(<S N="Name">EDGE</S><S N="ServerRole">Edge</S><B N="IsEdgeServer">true</B>)"
                    R"(<S N="AdminDisplayVersion">Version 15.2 (Build 2562.17)</S>)"),
          "s.xml")
          .value();
  EXPECT_EQ(edge[0].roles, (std::vector<Role>{Role::kEdgeTransport}));
  EXPECT_EQ(edge[0].version, ExchangeVersion::kSE);

  std::vector<RecordedExchangeServer> unknown =
      ReadRecordedExchangeServers(ServerXml(R"(<S N="Name">X</S><S N="AdminDisplayVersion">?</S>)"),
                                  "s.xml")
          .value();
  EXPECT_TRUE(unknown[0].roles.empty());
  EXPECT_EQ(unknown[0].version, std::nullopt);
}

TEST(RecordedExchangeServerTest, Errors) {
  EXPECT_EQ(ReadRecordedExchangeServers(ServerXml(""), "s.xml").status().message(),
            "s.xml: object 1: Exchange server without a Name");
}

}  // namespace
}  // namespace xcert::exchange
