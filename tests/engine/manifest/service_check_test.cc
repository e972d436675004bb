#include "engine/manifest/service_check.h"

#include <gtest/gtest.h>

#include "tests/engine/manifest/manifest_test_util.h"

namespace xcert::manifest::testing {
namespace {

using Strings = std::vector<std::string>;

std::string WithServices(std::string_view services) {
  return Replace(kBase, "services: [IIS, SMTP]", services);
}

TEST(ServiceCheckTest, UnifiedMessagingOnlyWhereItExists) {
  // EX2 is 2016: UM is fine there, EX1 is 2019.
  EXPECT_EQ(Lines(Replace(WithServices("services: [UM, UMCallRouter]"), "servers: [EX1, EX2]",
                          "servers: [EX2]")),
            Strings{});
  EXPECT_EQ(Lines(WithServices("services: [UMCallRouter]")),
            Strings{"15:16: error: certificate 'mail' cannot serve UMCallRouter on server 'EX1' "
                    "(Exchange 2019, Mailbox): Unified Messaging does not exist in Exchange 2019 "
                    "(only 2013 and 2016); remove UMCallRouter from services, or 'EX1' from "
                    "servers"});
}

TEST(ServiceCheckTest, Exchange2013MailboxHasNoPopOrImap) {
  EXPECT_EQ(Lines(Replace(WithServices("services: [SMTP, POP]"), "version: \"2016\"",
                          "version: \"2013\"")),
            Strings{"15:22: error: certificate 'mail' cannot serve POP on server 'EX2' (Exchange "
                    "2013, Mailbox): POP and IMAP on Exchange 2013 need the ClientAccess role; "
                    "remove POP from services, or 'EX2' from servers"});
}

TEST(ServiceCheckTest, OneDefaultSmtpCertificatePerServer) {
  const std::string yaml = WithServices(
      "services: [SMTP]\n    replaceDefaultSmtp: true\n"
      "  - {name: smtp2, subject: CN=smtp.contoso.com, dnsNames: [smtp.contoso.com], "
      "issuer: corp-ca, servers: [EX2], services: [SMTP], replaceDefaultSmtp: true}");
  EXPECT_EQ(Lines(yaml),
            Strings{"17:150: error: server 'EX2' has one default SMTP certificate, but certificate "
                    "'mail' and certificate 'smtp2' both replace it; keep replaceDefaultSmtp on "
                    "one of them"});
}

TEST(ServiceCheckTest, SmtpOnSeveralCertificatesIsFine) {
  EXPECT_EQ(Lines(std::string(kBase) +
                  "  - {name: smtp, subject: CN=smtp.contoso.com, dnsNames: [smtp.contoso.com], "
                  "issuer: corp-ca, servers: [EX1, EX2], services: [SMTP, IMAP]}\n"),
            Strings{});
}

TEST(ServiceCheckTest, ExclusiveServicesConflictAcrossPerServerCertificates) {
  const std::string yaml = std::string(kBase) +
                           "  - name: host\n    perServer: true\n    subject: CN={fqdn}\n"
                           "    dnsNames: ['{fqdn}']\n    issuer: corp-ca\n    servers: [EX2]\n"
                           "    services: [POP, IIS]\n";
  EXPECT_EQ(Lines(yaml),
            Strings{"22:21: error: server 'EX2' would get IIS from certificate 'mail' and from "
                    "certificate 'host'; a server has one IIS certificate (enabling one moves "
                    "the service); remove IIS from one of them"});
}

TEST(ServiceCheckTest, EdgeServersGetAWarningAboutTheSubscription) {
  const std::string yaml =
      Replace(Replace(kBase, "{name: EX2, fqdn: ex2.contoso.com, roles: [Mailbox]",
                      "{name: EX2, fqdn: ex2.contoso.com, roles: [EdgeTransport]"),
              "services: [IIS, SMTP]", "services: [SMTP]\n    replaceDefaultSmtp: true");
  const LoadResult r = Load(Replace(yaml, "servers: [EX1, EX2]", "servers: [EX2]"));
  EXPECT_TRUE(r.manifest.has_value());
  EXPECT_EQ(Lines(r.diagnostics),
            Strings{"16:25: warning: certificate 'mail' replaces the default SMTP certificate of "
                    "Edge Transport server 'EX2'; re-create the Edge Subscription afterwards, or "
                    "EdgeSync cannot decrypt its credentials"});
}

}  // namespace
}  // namespace xcert::manifest::testing
