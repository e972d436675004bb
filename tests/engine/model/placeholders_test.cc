#include "engine/model/placeholders.h"

#include <gtest/gtest.h>

namespace xcert {
namespace {

TEST(PlaceholdersTest, ScanFindsKnownUnknownAndBrokenOnes) {
  PlaceholderScan s = ScanPlaceholders("CN={fqdn}, O={domain}");
  EXPECT_TRUE(s.fqdn);
  EXPECT_TRUE(s.domain);
  EXPECT_FALSE(s.server);
  EXPECT_TRUE(s.per_server());
  EXPECT_TRUE(s.unknown.empty());
  EXPECT_EQ(s.syntax_error, "");

  s = ScanPlaceholders("{server}.{Domain}.{x}");
  EXPECT_TRUE(s.server);
  EXPECT_EQ(s.unknown, (std::vector<std::string>{"{Domain}", "{x}"}));

  EXPECT_EQ(ScanPlaceholders("a{server").syntax_error, "'{' at character 2 is not closed");
  EXPECT_EQ(ScanPlaceholders("a{b{server}").syntax_error, "'{' at character 2 is not closed");
  EXPECT_EQ(ScanPlaceholders("a}b").syntax_error, "'}' at character 2 has no opening '{'");
  EXPECT_FALSE(ScanPlaceholders("mail.contoso.com").per_server());
}

TEST(PlaceholdersTest, ExpandsWhatItKnows) {
  const ServerSpec ex1{.name = "EX1", .fqdn = "ex1.contoso.com"};
  EXPECT_EQ(ExpandPlaceholders("{server}/{fqdn}/{domain}", {&ex1, "contoso.com"}),
            "EX1/ex1.contoso.com/contoso.com");
  EXPECT_EQ(ExpandPlaceholders("{server}.{domain}", {nullptr, "contoso.com"}),
            "{server}.contoso.com");
  EXPECT_EQ(ExpandPlaceholders("{unknown}{", {&ex1, "d"}), "{unknown}{");
  EXPECT_EQ(ExpandPlaceholders("{fqdn}{fqdn}", {&ex1, ""}), "ex1.contoso.comex1.contoso.com");
}

TEST(PlaceholdersTest, ExpandsACertificateForOneServer) {
  CertificateSpec spec;
  spec.name = "edge";
  spec.friendly_name = "Edge {server}";
  spec.subject = "CN={fqdn}";
  spec.dns_names = {"{fqdn}", "{server}", "smtp.{domain}"};
  spec.servers = {"EX1", "EX2"};
  const ServerSpec ex2{.name = "EX2", .fqdn = "ex2.contoso.com"};
  const CertificateSpec e = ExpandCertificate(spec, &ex2, "contoso.com");
  EXPECT_EQ(e.friendly_name, "Edge EX2");
  EXPECT_EQ(e.subject, "CN=ex2.contoso.com");
  EXPECT_EQ(e.dns_names, (std::vector<std::string>{"ex2.contoso.com", "EX2", "smtp.contoso.com"}));
  EXPECT_EQ(e.servers, std::vector<std::string>{"EX2"});
  EXPECT_EQ(ExpandCertificate(spec, nullptr, "contoso.com").servers, spec.servers);
}

}  // namespace
}  // namespace xcert
