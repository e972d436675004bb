#include "engine/model/exchange.h"

#include <gtest/gtest.h>

namespace xcert {
namespace {

TEST(ServiceTest, NamesAndValuesFollowAllowedServices) {
  EXPECT_EQ(int(Service::kImap), 1);
  EXPECT_EQ(int(Service::kUmCallRouter), 64);
  EXPECT_EQ(ServiceName(Service::kUmCallRouter), "UMCallRouter");
  EXPECT_EQ(ParseService("smtp"), Service::kSmtp);
  EXPECT_EQ(ParseService("Federation"), Service::kFederation);
  EXPECT_EQ(ParseService("HTTP"), std::nullopt);
}

TEST(ServiceSetTest, StringFormsMatchGetExchangeCertificate) {
  // The default "Microsoft Exchange" certificate: Services = 27.
  const ServiceSet set(27);
  EXPECT_EQ(set.ToString(), "IMAP, POP, IIS, SMTP");
  EXPECT_EQ(set.ToLetters(), "IP.WS..");
  EXPECT_EQ(ServiceSet().ToString(), "None");
  EXPECT_EQ(ServiceSet().ToLetters(), ".......");
  EXPECT_EQ(ServiceSet({Service::kUm, Service::kFederation, Service::kUmCallRouter}).ToLetters(),
            "..U..FC");
}

TEST(ServiceSetTest, SetOperations) {
  ServiceSet s{Service::kIis, Service::kSmtp};
  EXPECT_EQ(s.bits(), 24);
  EXPECT_TRUE(s.Has(Service::kIis));
  EXPECT_FALSE(s.Has(Service::kPop));
  EXPECT_TRUE(s.Contains(ServiceSet{Service::kSmtp}));
  EXPECT_EQ(s.Union(ServiceSet{Service::kPop}).ToString(), "POP, IIS, SMTP");
  EXPECT_EQ(s.Minus(ServiceSet{Service::kIis}).ToString(), "SMTP");
  s.Remove(Service::kSmtp);
  s.Add(Service::kImap);
  EXPECT_EQ(s.ToVector(), (std::vector<Service>{Service::kImap, Service::kIis}));
}

TEST(RoleTest, NamesAndVersions) {
  EXPECT_EQ(ParseRole("edgetransport"), Role::kEdgeTransport);
  EXPECT_EQ(ParseRole("Edge"), std::nullopt);
  EXPECT_EQ(RoleName(Role::kClientAccess), "ClientAccess");
  EXPECT_EQ(ParseVersion("se"), ExchangeVersion::kSE);
  EXPECT_EQ(ParseVersion("2010"), std::nullopt);
  EXPECT_EQ(VersionName(ExchangeVersion::k2016), "2016");
}

TEST(RoleTest, ClientAccessExistsOnlyIn2013) {
  EXPECT_TRUE(RoleExistsIn(Role::kClientAccess, ExchangeVersion::k2013));
  EXPECT_FALSE(RoleExistsIn(Role::kClientAccess, ExchangeVersion::k2016));
  EXPECT_FALSE(RoleExistsIn(Role::kClientAccess, ExchangeVersion::kSE));
  EXPECT_TRUE(RoleExistsIn(Role::kMailbox, ExchangeVersion::kSE));
  EXPECT_TRUE(RoleExistsIn(Role::kEdgeTransport, ExchangeVersion::k2019));
}

// reference/exchange.md §3.2: services usable per role and version.
TEST(EnableableServicesTest, PerRoleAndVersion) {
  using V = ExchangeVersion;
  EXPECT_EQ(EnableableServices({Role::kMailbox}, V::k2019).ToString(), "IMAP, POP, IIS, SMTP");
  EXPECT_EQ(EnableableServices({Role::kMailbox}, V::kSE).ToString(), "IMAP, POP, IIS, SMTP");
  EXPECT_EQ(EnableableServices({Role::kMailbox}, V::k2016).ToString(),
            "IMAP, POP, UM, IIS, SMTP, UMCallRouter");
  EXPECT_EQ(EnableableServices({Role::kMailbox}, V::k2013).ToString(), "UM, IIS, SMTP");
  EXPECT_EQ(EnableableServices({Role::kClientAccess}, V::k2013).ToString(),
            "IMAP, POP, IIS, SMTP, UMCallRouter");
  EXPECT_EQ(EnableableServices({Role::kMailbox, Role::kClientAccess}, V::k2013).ToString(),
            "IMAP, POP, UM, IIS, SMTP, UMCallRouter");
  EXPECT_EQ(EnableableServices({Role::kEdgeTransport}, V::k2019).ToString(), "SMTP");
  EXPECT_EQ(EnableableServices({}, V::k2019).ToString(), "None");
}

TEST(WhyNotEnableableTest, SaysWhy) {
  using V = ExchangeVersion;
  EXPECT_EQ(WhyNotEnableable(Service::kFederation, {Role::kMailbox}, V::k2019),
            "Federation certificates are managed with New-FederationTrust/Set-FederationTrust, "
            "never enabled as a service");
  EXPECT_EQ(WhyNotEnableable(Service::kUm, {Role::kMailbox}, V::k2019),
            "Unified Messaging does not exist in Exchange 2019 (only 2013 and 2016)");
  EXPECT_EQ(WhyNotEnableable(Service::kIis, {Role::kEdgeTransport}, V::k2016),
            "an EdgeTransport server only serves SMTP");
  EXPECT_EQ(WhyNotEnableable(Service::kPop, {Role::kMailbox}, V::k2013),
            "POP and IMAP on Exchange 2013 need the ClientAccess role");
  EXPECT_EQ(WhyNotEnableable(Service::kUm, {Role::kClientAccess}, V::k2013),
            "UM needs the Mailbox role");
  EXPECT_EQ(WhyNotEnableable(Service::kUmCallRouter, {Role::kMailbox}, V::k2013),
            "UMCallRouter on Exchange 2013 needs the ClientAccess role");
  EXPECT_EQ(WhyNotEnableable(Service::kIis, {}, V::k2019), "the server has no roles");
  EXPECT_EQ(WhyNotEnableable(Service::kSmtp, {Role::kEdgeTransport}, V::kSE), "");
}

}  // namespace
}  // namespace xcert
