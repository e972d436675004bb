#include "engine/model/dns_name.h"

#include <gtest/gtest.h>

namespace xcert {
namespace {

TEST(DnsNameTest, AcceptsHostNamesAndLeftMostWildcards) {
  for (const char* name : {"mail.contoso.com", "MailServer21", "a-b.c0.example", "*.contoso.com",
                           "xn--mnchen-3ya.de", "1.contoso.com"}) {
    EXPECT_EQ(WhyInvalidDnsName(name), "") << name;
  }
  const std::string label63(63, 'a');
  EXPECT_EQ(WhyInvalidDnsName(label63 + ".com"), "");
}

struct Invalid {
  std::string name;
  std::string why;
};

TEST(DnsNameTest, RejectsWithTheReason) {
  const std::string label64(64, 'a');
  std::string long_name;
  while (long_name.size() < 254) long_name += "abcdefghi.";
  long_name += "com";
  const Invalid cases[] = {
      {"", "it is empty"},
      {long_name, "it is longer than 253 characters"},
      {"10.0.0.1", "IP addresses are not DNS names (Exchange certificates name hosts)"},
      {"fe80::1", "IP addresses are not DNS names (Exchange certificates name hosts)"},
      {"::ffff:10.0.0.1", "IP addresses are not DNS names (Exchange certificates name hosts)"},
      {"mail.contoso.com:443",
       "a port (':443') is not part of a DNS name; write the host name only"},
      {"https://mail.contoso.com", "it is a URL; write the host name only (mail.contoso.com)"},
      {"mail.contoso.com.", "it ends with a dot; write the name without the trailing dot"},
      {"mail..contoso.com", "it has an empty label"},
      {label64 + ".com", "label '" + label64 + "' is longer than 63 characters"},
      {"-mail.contoso.com", "label '-mail' starts or ends with a hyphen"},
      {"mail_1.contoso.com", "character '_' is not allowed (letters, digits and hyphens only)"},
      {"mail server.com", "character U+0020 is not allowed (letters, digits and hyphens only)"},
      {"mail\n.com", "character U+000A is not allowed (letters, digits and hyphens only)"},
      {"m\xC3\xBCnchen.de",
       "it has non-ASCII characters; write an internationalized name in its ASCII (xn--) form"},
      {"mail.*.contoso.com",
       "a wildcard '*' is only allowed as the whole left-most label (*.example.com)"},
      {"m*.contoso.com",
       "a wildcard '*' is only allowed as the whole left-most label (*.example.com)"},
      {"*", "a wildcard needs at least two labels after it (*.example.com)"},
      {"*.com", "a wildcard needs at least two labels after it (*.example.com)"},
      {"10.0.0", "its last label '0' is all digits, which no domain is (an IP address?)"},
      {"1.2.3.4.5", "its last label '5' is all digits, which no domain is (an IP address?)"},
  };
  for (const Invalid& c : cases) EXPECT_EQ(WhyInvalidDnsName(c.name), c.why) << c.name;
}

TEST(DnsNameTest, SetsCompareWithoutCaseOrderOrDuplicates) {
  EXPECT_TRUE(SameDnsNameSet({"A.contoso.com", "b.contoso.com"},
                             {"b.contoso.com", "a.CONTOSO.com", "a.contoso.com"}));
  EXPECT_FALSE(SameDnsNameSet({"a.contoso.com"}, {"a.contoso.com", "b.contoso.com"}));
  EXPECT_EQ(CanonicalDnsNames({"B.x.com", "a.x.com", "b.X.com"}),
            (std::vector<std::string>{"a.x.com", "b.x.com"}));
}

}  // namespace
}  // namespace xcert
