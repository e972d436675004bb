#include "resources/store/setup_certificates.h"

#include <gtest/gtest.h>

#include "tests/resources/store/store_test_util.h"

namespace xcert::store {
namespace {

using testing::Mailbox;
using testing::SeedThumbprint;
using testing::SetupSeed;

const TimePoint kAt =
    TimePoint(std::chrono::sys_days(std::chrono::year(2026) / 1 / 31)) + std::chrono::hours(10);

CertificateInfo Parse(const StoredCertificate& c) {
  Result<CertificateInfo> info = x509::ParseCertificate(c.der);
  EXPECT_TRUE(info.ok());
  return info.ok() ? *info : CertificateInfo{};
}

const StoredCertificate& ByName(const ServerSeed& seed, std::string_view friendly_name) {
  for (const StoredCertificate& c : seed.certificates) {
    if (c.meta.friendly_name == friendly_name) return c;
  }
  ADD_FAILURE() << "no " << friendly_name;
  return seed.certificates.front();
}

bool HasExtension(const std::string& der, std::string_view oid_content) {
  return der.find(std::string("\x06\x03", 2) + std::string(oid_content)) != std::string::npos;
}

TEST(AddMonthsTest, CalendarMonthsClampedToTheMonthsEnd) {
  EXPECT_EQ(FormatIso8601(AddMonths(kAt, 1)), "2026-02-28T10:00:00Z");
  EXPECT_EQ(FormatIso8601(AddMonths(kAt, 60)), "2031-01-31T10:00:00Z");
  EXPECT_EQ(FormatIso8601(AddMonths(kAt, 37)), "2029-02-28T10:00:00Z");
}

TEST(CheckSetupIdentityTest, RefusesWhatSetupCouldNotInstall) {
  ServerIdentity id = Mailbox();
  EXPECT_TRUE(CheckSetupIdentity(id, "pocket-consultant.com").ok());
  id.roles = {Role::kClientAccess};
  EXPECT_EQ(CheckSetupIdentity(id, "").message(),
            "--roles: ClientAccess exists only in Exchange 2013 (from 2016 on, Mailbox includes "
            "the client access services); use Mailbox, or --version 2013");
  id.roles = {Role::kMailbox, Role::kEdgeTransport};
  EXPECT_EQ(CheckSetupIdentity(id, "").message(),
            "--roles: EdgeTransport cannot be combined with other roles; an Edge Transport server "
            "stands alone in the perimeter network");
  id.roles = {};
  EXPECT_EQ(CheckSetupIdentity(id, "").message(),
            "--roles: give at least one of Mailbox, ClientAccess, EdgeTransport");
  id = Mailbox();
  id.name = "mail.contoso.com";
  EXPECT_EQ(CheckSetupIdentity(id, "").message(),
            "--server 'mail.contoso.com': give the server's host name without its domain");
  id = Mailbox();
  id.fqdn = "bad fqdn";
  EXPECT_EQ(CheckSetupIdentity(id, "").message().rfind("--fqdn 'bad fqdn': ", 0), 0u);
  EXPECT_EQ(CheckSetupIdentity(Mailbox(), "-bad-").message().rfind("--domain '-bad-': ", 0), 0u);
}

TEST(MakeSetupSeedTest, MailboxGetsTheDefaultAuthAndWmsvcCertificates) {
  Result<ServerSeed> seed = MakeSetupSeed(Mailbox(), "pocket-consultant.com", kAt);
  ASSERT_TRUE(seed.ok()) << seed.status().message();
  ASSERT_EQ(seed->certificates.size(), 3u);

  const StoredCertificate& main = ByName(*seed, "Microsoft Exchange");
  const CertificateInfo m = Parse(main);
  EXPECT_EQ(m.subject, "CN=MailServer21");
  EXPECT_EQ(m.dns_names, (std::vector<std::string>{
                             "MailServer21", "MailServer21.pocket-consultant.com",
                             "pocket-consultant.com", "autodiscover.pocket-consultant.com"}));
  EXPECT_FALSE(main.meta.exportable);
  EXPECT_EQ(main.meta.created_by, "store-init");
  EXPECT_EQ(m.key_algorithm, KeyAlgorithm::kRsa);
  EXPECT_EQ(m.key_bits, 2048);
  EXPECT_EQ(FormatIso8601(m.not_after), "2031-01-31T10:00:00Z") << "60 months";

  const CertificateInfo a = Parse(ByName(*seed, "Microsoft Exchange Server Auth Certificate"));
  EXPECT_EQ(a.subject, "CN=Microsoft Exchange Server Auth Certificate");
  EXPECT_TRUE(a.dns_names.empty());
  EXPECT_EQ(a.not_after - a.not_before, std::chrono::days(1800));
  EXPECT_TRUE(ByName(*seed, "Microsoft Exchange Server Auth Certificate").meta.exportable);
  EXPECT_FALSE(HasExtension(a.der, "\x55\x1d\x25")) << "no extendedKeyUsage: not a TLS certificate";
  EXPECT_TRUE(HasExtension(m.der, "\x55\x1d\x25"));

  const CertificateInfo w = Parse(ByName(*seed, "WMSVC-SHA2"));
  EXPECT_EQ(w.subject, "CN=WMSvc-SHA2-MailServer21");
  EXPECT_EQ(FormatIso8601(w.not_after), "2036-01-31T10:00:00Z");

  const Bindings& b = seed->bindings;
  EXPECT_EQ(b.iis, m.thumbprint);
  EXPECT_EQ(b.iis_back_end, m.thumbprint);
  EXPECT_EQ(b.imap, m.thumbprint);
  EXPECT_EQ(b.pop, m.thumbprint);
  EXPECT_EQ(b.smtp, std::vector<std::string>{m.thumbprint});
  EXPECT_EQ(b.internal_transport, m.thumbprint);
  EXPECT_EQ(b.auth_current, a.thumbprint);
  EXPECT_EQ(b.ServicesOf(m.thumbprint).ToLetters(), "IP.WS..");
  EXPECT_TRUE(b.ServicesOf(w.thumbprint).empty());
}

TEST(MakeSetupSeedTest, EdgeGetsOnlyItsSmtpCertificate) {
  const ServerSeed& seed = SetupSeed(testing::Edge());
  ASSERT_EQ(seed.certificates.size(), 1u);
  const CertificateInfo c = Parse(seed.certificates[0]);
  EXPECT_EQ(c.subject, "CN=Edge01");
  EXPECT_EQ(c.dns_names, (std::vector<std::string>{"Edge01", "Edge01.pocket-consultant.com"}));
  EXPECT_EQ(seed.bindings.ServicesOf(c.thumbprint).ToLetters(), "....S..");
  EXPECT_EQ(seed.bindings.internal_transport, c.thumbprint);
  EXPECT_EQ(seed.bindings.iis, "");
  EXPECT_EQ(seed.bindings.auth_current, "");
}

TEST(MakeSetupSeedTest, Exchange2013RolesDecideWhatTheDefaultCertificateServes) {
  const ServerSeed& mbx = SetupSeed(Mailbox("Mbx13", ExchangeVersion::k2013));
  const std::string t = SeedThumbprint(mbx, "Microsoft Exchange");
  EXPECT_EQ(mbx.bindings.ServicesOf(t).ToLetters(), "...WS..")
      << "no POP/IMAP without ClientAccess";
  EXPECT_EQ(mbx.bindings.iis_back_end, t);
  ServerIdentity cas{"Cas13", "cas13.contoso.com", {Role::kClientAccess}, ExchangeVersion::k2013};
  const ServerSeed& c = SetupSeed(cas);
  const std::string ct = SeedThumbprint(c, "Microsoft Exchange");
  EXPECT_EQ(c.bindings.ServicesOf(ct).ToLetters(), "IP.WS..");
  EXPECT_EQ(c.bindings.iis_back_end, "") << "the back end lives on Mailbox servers";
}

}  // namespace
}  // namespace xcert::store
