#include "engine/model/name_match.h"

#include <gtest/gtest.h>

namespace xcert {
namespace {

struct Case {
  const char* presented;
  const char* host;
  bool covers;
  const char* why;
};

// RFC 6125 §6.4 (reference identifiers and presented identifiers), §6.4.3
// (wildcards), §7.2 (wildcards and IDNs), plus the rules Exchange
// administrators trip over. Each row is one check.
constexpr Case kCases[] = {
    // §6.4.1: exact match, case-insensitive (§6.4.1, RFC 4343).
    {"www.example.com", "www.example.com", true, "identical"},
    {"WWW.Example.COM", "www.example.com", true, "case-insensitive"},
    {"mail.contoso.com", "MAIL.CONTOSO.COM", true, "case-insensitive host"},
    {"www.example.com", "www.example.org", false, "different TLD"},
    {"www.example.com", "example.com", false, "no implicit parent"},
    {"example.com", "www.example.com", false, "no implicit child"},
    {"www.example.com", "ww.example.com", false, "different label"},
    // Trailing dots (absolute names) do not change the comparison.
    {"www.example.com", "www.example.com.", true, "absolute host"},
    {"www.example.com.", "www.example.com", true, "absolute presented"},
    {"www.example.com", "www.example.com..", false, "two trailing dots"},
    {"www.example.com", "", false, "empty host"},
    {"", "www.example.com", false, "empty presented"},
    {"www..example.com", "www..example.com", false, "empty label"},
    // §6.4.3: the wildcard is the whole left-most label and matches one label.
    {"*.example.com", "foo.example.com", true, "wildcard, one label"},
    {"*.example.com", "FOO.Example.Com", true, "wildcard, case-insensitive"},
    {"*.EXAMPLE.com", "foo.example.com", true, "wildcard base case-insensitive"},
    {"*.example.com", "bar.foo.example.com", false, "wildcard spans one label only"},
    {"*.example.com", "example.com", false, "wildcard needs a label"},
    {"*.example.com", ".example.com", false, "wildcard needs a non-empty label"},
    {"*.example.com", "foo.example.com.", true, "absolute host, wildcard"},
    {"*.example.com", "foo.example.org", false, "wildcard base differs"},
    // §6.4.3 items 2-3 and §7.2: partial wildcards are not honoured.
    {"baz*.example.net", "baz1.example.net", false, "partial wildcard prefix"},
    {"*baz.example.net", "foobaz.example.net", false, "partial wildcard suffix"},
    {"b*z.example.net", "buzz.example.net", false, "partial wildcard infix"},
    {"f*.example.com", "f.example.com", false, "partial wildcard, empty match"},
    {"www.*.example.com", "www.foo.example.com", false, "wildcard not left-most"},
    {"*.*.example.com", "a.b.example.com", false, "two wildcards"},
    {"*", "localhost", false, "bare wildcard"},
    {"*.com", "example.com", false, "wildcard over a TLD"},
    {"*.", "example.", false, "wildcard and root only"},
    // §7.2: IDN A-labels compare as ASCII; no wildcard inside an A-label.
    {"xn--bcher-kva.example.com", "xn--bcher-kva.example.com", true, "A-label exact"},
    {"XN--BCHER-KVA.example.com", "xn--bcher-kva.example.com", true, "A-label case"},
    {"*.example.com", "xn--bcher-kva.example.com", true, "wildcard covers an A-label"},
    {"xn--*.example.com", "xn--bcher-kva.example.com", false, "wildcard inside an A-label"},
    {"xn--bcher*.example.com", "xn--bcher-kva.example.com", false, "partial A-label wildcard"},
    {"*.xn--mnchen-3ya.de", "www.xn--mnchen-3ya.de", true, "wildcard over an IDN base"},
    {"xn--bcher-kva.example.com", "bucher.example.com", false, "A-label is not its ASCII"},
    // The host itself is never a pattern.
    {"foo.example.com", "*.example.com", false, "host wildcard is literal"},
    {"*.example.com", "*.example.com", true, "same wildcard (a requested wildcard name)"},
    {"*.example.com", "*.foo.example.com", false, "host wildcard one level down"},
};

class NameCoversTest : public ::testing::TestWithParam<Case> {};

TEST_P(NameCoversTest, FollowsRfc6125) {
  const Case& c = GetParam();
  EXPECT_EQ(NameCovers(c.presented, c.host), c.covers)
      << c.why << ": '" << c.presented << "' vs '" << c.host << "'";
}

INSTANTIATE_TEST_SUITE_P(Rfc6125, NameCoversTest, ::testing::ValuesIn(kCases));

TEST(NameCoversTest, HasAtLeastThirtyCases) { EXPECT_GE(std::size(kCases), 30u); }

CertificateInfo Cert(std::string subject, std::vector<std::string> dns_names) {
  CertificateInfo info;
  info.subject = std::move(subject);
  info.dns_names = std::move(dns_names);
  return info;
}

TEST(CertificateCoversTest, UsesDnsNamesAndIgnoresTheCn) {
  // §6.4.4: with DNS names present the CN is not consulted.
  const CertificateInfo c =
      Cert("CN=legacy.contoso.com", {"mail.contoso.com", "*.owa.contoso.com"});
  EXPECT_TRUE(CertificateCovers(c, "mail.contoso.com"));
  EXPECT_TRUE(CertificateCovers(c, "east.owa.contoso.com"));
  EXPECT_FALSE(CertificateCovers(c, "legacy.contoso.com"));
  EXPECT_FALSE(CertificateCovers(c, "owa.contoso.com"));
}

TEST(CertificateCoversTest, FallsBackToTheCnWithoutDnsNames) {
  EXPECT_TRUE(CertificateCovers(Cert("CN=mail.contoso.com, O=Contoso", {}), "Mail.Contoso.com"));
  EXPECT_TRUE(CertificateCovers(Cert("CN=*.contoso.com", {}), "mail.contoso.com"));
  EXPECT_FALSE(CertificateCovers(Cert("O=Contoso", {}), "contoso"));
  // The Auth certificate's CN is not a host name.
  EXPECT_FALSE(CertificateCovers(Cert("CN=Microsoft Exchange Server Auth Certificate", {}),
                                 "Microsoft Exchange Server Auth Certificate"));
}

TEST(UncoveredNamesTest, ListsWhatIsMissingInOrder) {
  const CertificateInfo c = Cert("CN=mail.contoso.com", {"mail.contoso.com", "*.contoso.com"});
  EXPECT_EQ(UncoveredNames(c, {"mail.contoso.com", "autodiscover.contoso.com", "contoso.com",
                               "a.b.contoso.com"}),
            (std::vector<std::string>{"contoso.com", "a.b.contoso.com"}));
  EXPECT_TRUE(UncoveredNames(c, {}).empty());
}

}  // namespace
}  // namespace xcert
