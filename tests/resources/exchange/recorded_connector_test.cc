#include "resources/exchange/recorded_connector.h"

#include <gtest/gtest.h>

#include "engine/util/strings.h"
#include "tests/resources/exchange/exchange_test_util.h"

namespace xcert::exchange {
namespace {

using xcert::testing::ReadFileOrDie;

TEST(ParseTlsCertificateNameTest, SplitsIssuerAndSubject) {
  EXPECT_EQ(*ParseTlsCertificateName("<I>CN=WIN-CTD3L0RGEN4<S>CN=WIN-CTD3L0RGEN4"),
            (TlsCertificateName{"CN=WIN-CTD3L0RGEN4", "CN=WIN-CTD3L0RGEN4"}));
  EXPECT_EQ(*ParseTlsCertificateName("<I>CN=R3, O=Let's Encrypt, C=US<S>CN=mail.contoso.com"),
            (TlsCertificateName{"CN=R3, O=Let's Encrypt, C=US", "CN=mail.contoso.com"}));
  EXPECT_EQ(*ParseTlsCertificateName("<I><S>"), (TlsCertificateName{"", ""}));
}

TEST(ParseTlsCertificateNameTest, RefusesOtherForms) {
  for (const char* bad : {"CN=x", "<S>CN=b<I>CN=a", "<I>CN=a", ""}) {
    EXPECT_EQ(ParseTlsCertificateName(bad).status().message(),
              "'" + std::string(bad) + "' is not in the form <I>issuer<S>subject");
  }
}

// One line per connector: kind|identity|fqdn|tls
// issuer>subject|enabled|server|role|bindings|sources
std::string Describe(const RecordedConnector& c) {
  std::string tls = c.tls_certificate_name
                        ? c.tls_certificate_name->issuer + ">" + c.tls_certificate_name->subject
                        : "-";
  return std::string(c.kind == ConnectorKind::kReceive ? "receive" : "send") + "|" + c.identity +
         "|" + c.name + "|" + c.fqdn + "|" + tls + "|" + (c.enabled ? "enabled" : "disabled") +
         "|" + c.server + "|" + c.transport_role + "|" + Join(c.bindings, ",") + "|" +
         Join(c.source_transport_servers, ",") + "|" + c.ps_computer_name;
}

std::vector<std::string> ReceiveConnectors(bool frontend_has_certificate) {
  const std::string tls = frontend_has_certificate ? "CN=WIN-CTD3L0RGEN4>CN=WIN-CTD3L0RGEN4" : "-";
  const std::string srv = "WIN-CTD3L0RGEN4";
  const std::string fqdn = "|WIN-CTD3L0RGEN4.exlab.dom|";
  const std::string pc = "|win-ctd3l0rgen4.exlab.dom";
  return {
      "receive|" + srv + "\\Default " + srv + "|Default " + srv + fqdn + "-|enabled|" + srv +
          "|HubTransport|0.0.0.0:2525,[::]:2525|" + pc,
      "receive|" + srv + "\\Client Proxy " + srv + "|Client Proxy " + srv + fqdn + "-|enabled|" +
          srv + "|HubTransport|[::]:465,0.0.0.0:465|" + pc,
      "receive|" + srv + "\\Default Frontend " + srv + "|Default Frontend " + srv + fqdn + tls +
          "|enabled|" + srv + "|FrontendTransport|[::]:25,0.0.0.0:25|" + pc,
      "receive|" + srv + "\\Outbound Proxy Frontend " + srv + "|Outbound Proxy Frontend " + srv +
          fqdn + "-|enabled|" + srv + "|FrontendTransport|[::]:717,0.0.0.0:717|" + pc,
      "receive|" + srv + "\\Client Frontend " + srv + "|Client Frontend " + srv + fqdn +
          "-|enabled|" + srv + "|FrontendTransport|[::]:587,0.0.0.0:587|" + pc,
  };
}

TEST(RecordedConnectorTest, EveryFixture) {
  const auto dir = testing::CssExchangeDir();
  const std::string hc =
      "Diagnostics/HealthChecker/DataCollection/ExchangeInformation/Tests/DataCollection/";
  const std::string e19 = "Diagnostics/HealthChecker/Tests/DataCollection/E19/Exchange/";
  const std::string mail_to_o365 =
      "send|Mail to O365|Mail to O365||CN=localhost>CN=localhost|enabled|||"
      "|WIN-CTD3L0RGEN4|win-ctd3l0rgen4.exlab.dom";
  const std::vector<std::pair<std::string, std::vector<std::string>>> expected = {
      {hc + "GetReceiveConnector.xml", ReceiveConnectors(true)},
      {hc + "GetReceiveConnectorEmptyTlsCertificateName.xml", ReceiveConnectors(false)},
      {hc + "GetSendConnector.xml", {mail_to_o365}},
      {hc + "GetSendConnectorConfiguredToRelayToM365.xml",
       {"send|My company to Office 365|My company to Office 365|mail.contoso.com|-|enabled|||"
        "|WIN-CTD3L0RGEN4|win-ctd3l0rgen4.exlab.dom"}},
      {e19 + "GetReceiveConnector.xml", ReceiveConnectors(true)},
      {e19 + "GetSendConnector.xml", {mail_to_o365}},
  };
  for (const auto& [file, want] : expected) {
    SCOPED_TRACE(file);
    Result<std::vector<RecordedConnector>> got =
        ReadRecordedConnectors(ReadFileOrDie(dir / file), file);
    ASSERT_TRUE(got.ok()) << got.status().message();
    std::vector<std::string> lines;
    for (const RecordedConnector& c : *got) lines.push_back(Describe(c));
    EXPECT_EQ(lines, want);
  }
}

constexpr std::string_view kHead =
    "<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">";

std::string ConnectorXml(std::string_view props) {
  return std::string(kHead) + "<Obj RefId=\"0\"><TN RefId=\"0\"><T>" +
         std::string(kReceiveConnectorType) + "</T></TN><Props>" + std::string(props) +
         "</Props></Obj></Objs>";
}

TEST(RecordedConnectorTest, TlsCertificateNameAsAPlainString) {
  std::vector<RecordedConnector> got =
      ReadRecordedConnectors(
          ConnectorXml(R"(<S N="Name">In</S><B N="Enabled">false</B>)"
                       R"(<S N="TlsCertificateName">&lt;I&gt;CN=CA&lt;S&gt;CN=mail</S>)"),
          "c.xml")
          .value();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].identity, "In") << "the name stands in for a missing Identity";
  EXPECT_FALSE(got[0].enabled);
  EXPECT_EQ(got[0].tls_certificate_name, (TlsCertificateName{"CN=CA", "CN=mail"}));
}

TEST(RecordedConnectorTest, Errors) {
  EXPECT_EQ(
      ReadRecordedConnectors(ConnectorXml(R"(<S N="TlsCertificateName">CN=mail</S>)"), "c.xml")
          .status()
          .message(),
      "c.xml: object 1: TlsCertificateName: 'CN=mail' is not in the form <I>issuer<S>subject");
  std::string other =
      std::string(kHead) + "<Obj RefId=\"0\"><TN RefId=\"0\"><T>X.Y</T></TN></Obj></Objs>";
  EXPECT_EQ(ReadRecordedConnectors(other, "c.xml").status().message(),
            "c.xml: object 1: not a connector but a X.Y (expected the output of "
            "Get-ReceiveConnector or Get-SendConnector)");
}

}  // namespace
}  // namespace xcert::exchange
