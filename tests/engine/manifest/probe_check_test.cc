#include "engine/manifest/probe_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/engine/manifest/manifest_test_util.h"

namespace xcert::manifest::testing {
namespace {

using Strings = std::vector<std::string>;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string WithEx1(std::string_view extra) {
  return Replace(kBase, "roles: [Mailbox]}", "roles: [Mailbox], " + std::string(extra) + "}");
}

TEST(ProbeCheckTest, AddressAndProbeSettingsAreRead) {
  const LoadResult r = Load(
      WithEx1("address: 10.0.0.21, probe: {services: [IIS, SMTP], ports: {smtp: [25], imap: []}}") +
      "trust: pki/root.pem\n");
  ASSERT_TRUE(r.manifest) << r.diagnostics.ToString();
  EXPECT_EQ(Lines(r.diagnostics), Strings{});
  const ServerSpec& ex1 = r.manifest->servers[0];
  EXPECT_EQ(ex1.ProbeAddress(), "10.0.0.21");
  EXPECT_EQ(r.manifest->servers[1].ProbeAddress(), "ex2.contoso.com") << "default: the fqdn";
  EXPECT_EQ(ex1.probe.services, (std::vector<Service>{Service::kIis, Service::kSmtp}));
  EXPECT_EQ(ex1.probe.ports.at("smtp"), std::vector<int>{25});
  EXPECT_TRUE(ex1.probe.ports.at("imap").empty());
  EXPECT_EQ(ex1.probe.ports.count("https"), 0u);
  EXPECT_EQ(r.manifest->trust, "pki/root.pem");
}

TEST(ProbeCheckTest, ApplyVerifiesServersWithAnAddressUnlessTold) {
  const LoadResult r = Load(WithEx1("address: 10.0.0.21, probe: {grace: 90s}"));
  ASSERT_TRUE(r.manifest) << r.diagnostics.ToString();
  const ServerSpec& ex1 = r.manifest->servers[0];
  EXPECT_TRUE(ex1.VerifiedAfterApply()) << "an address says it can be reached";
  EXPECT_EQ(ex1.probe.grace, Seconds(90));
  EXPECT_FALSE(r.manifest->servers[1].VerifiedAfterApply()) << "no address, no afterApply";
  EXPECT_EQ(r.manifest->servers[1].probe.grace, Seconds(30)) << "the default";

  const LoadResult off = Load(WithEx1("address: 10.0.0.21, probe: {afterApply: false}"));
  ASSERT_TRUE(off.manifest);
  EXPECT_FALSE(off.manifest->servers[0].VerifiedAfterApply());
  const LoadResult on = Load(WithEx1("probe: {afterApply: true}"));
  ASSERT_TRUE(on.manifest);
  EXPECT_TRUE(on.manifest->servers[0].VerifiedAfterApply()) << "probed at its fqdn";
}

TEST(ProbeCheckTest, AGraceThatIsNotWholeSecondsIsAnErrorSayingHowToWriteIt) {
  for (const char* grace : {"2m", "0s", "3601s", "30"}) {
    const Strings lines = Lines(WithEx1(std::string("probe: {grace: '") + grace + "'}"));
    ASSERT_EQ(lines.size(), 1u) << grace;
    EXPECT_THAT(lines[0], HasSubstr("write whole seconds from 1s to 3600s, e.g. 30s")) << grace;
  }
}

TEST(ProbeCheckTest, AnIpv6AddressIsFine) {
  EXPECT_EQ(Lines(WithEx1("address: '::1'")), Strings{});
}

TEST(ProbeCheckTest, AnAddressThatIsNoHostNameIsAnError) {
  EXPECT_EQ(Lines(WithEx1("address: bad_host.contoso.com")),
            Strings{"7:67: error: address 'bad_host.contoso.com' of server 'EX1' is neither an IP "
                    "address nor a host name: character '_' is not allowed (letters, digits and "
                    "hyphens only); write the address verify connects to, e.g. 10.0.0.21 or "
                    "EX1.contoso.com"});
}

TEST(ProbeCheckTest, AnAddressWithAPortSaysWherePortsGo) {
  const Strings lines = Lines(WithEx1("address: 'ex1.contoso.com:443'"));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr("ports go in probe.ports"));
}

TEST(ProbeCheckTest, ProbingAServiceNoCertificateServesIsAWarning) {
  EXPECT_EQ(Lines(WithEx1("probe: {services: [IIS, POP]}")),
            Strings{"7:82: warning: server 'EX1' probes POP, but no certificate of this manifest "
                    "serves POP on it; verify probes it only if the store binds it; remove it "
                    "from probe.services, or add POP to a certificate's services"});
}

TEST(ProbeCheckTest, ProbingAServiceOnNoPortIsAWarning) {
  EXPECT_EQ(Lines(WithEx1("probe: {services: [SMTP], ports: {smtp: []}}")),
            Strings{"7:77: warning: server 'EX1' probes SMTP on no port: probe.ports gives smtp "
                    "and smtps none; give a port, e.g. 'smtp: [25]', or remove SMTP from "
                    "probe.services"});
  EXPECT_EQ(Lines(WithEx1("probe: {services: [SMTP], ports: {smtp: [], smtps: [465]}}")),
            Strings{});
}

TEST(ProbeCheckTest, PortsAreCheckedByTheSchema) {
  EXPECT_THAT(Lines(WithEx1("probe: {ports: {https: [0]}}")), ElementsAre(HasSubstr("error")));
  EXPECT_THAT(Lines(WithEx1("probe: {ports: {http: [80]}}")), ElementsAre(HasSubstr("error")));
  EXPECT_THAT(Lines(WithEx1("probe: {services: [UM]}")), ElementsAre(HasSubstr("error")));
}

}  // namespace
}  // namespace xcert::manifest::testing
