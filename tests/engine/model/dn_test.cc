#include "engine/model/dn.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace xcert {
namespace {

std::vector<Rdn> Parsed(std::string_view text) {
  Result<std::vector<Rdn>> r = ParseDn(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().message();
  return r.ok() ? *r : std::vector<Rdn>{};
}

std::string Error(std::string_view text) {
  Result<std::vector<Rdn>> r = ParseDn(text);
  return r.ok() ? "parsed" : r.status().message();
}

TEST(ParseDnTest, MostSpecificFirstAsWritten) {
  EXPECT_EQ(
      Parsed("CN=mail.contoso.com, OU=IT, O=Contoso, C=DE"),
      (std::vector<Rdn>{{"CN", "mail.contoso.com"}, {"OU", "IT"}, {"O", "Contoso"}, {"C", "DE"}}));
}

TEST(ParseDnTest, CanonicalTypesAndAliases) {
  EXPECT_EQ(Parsed("cn=a; s=Bavaria; email=x@y.de; emailAddress=z@y.de"),
            (std::vector<Rdn>{{"CN", "a"}, {"S", "Bavaria"}, {"E", "x@y.de"}, {"E", "z@y.de"}}));
  // OpenSSL's ST is shown as .NET and Exchange show it.
  EXPECT_EQ(FormatDn(Parsed("CN=domain.com, L=Cologne, ST=NRW, C=DE")),
            "CN=domain.com, L=Cologne, S=NRW, C=DE");
}

TEST(ParseDnTest, TrimsUnescapedSpaceOnly) {
  EXPECT_EQ(Parsed("  CN =  mail server  ,O=x"),
            (std::vector<Rdn>{{"CN", "mail server"}, {"O", "x"}}));
  // An escaped trailing space belongs to the value (this read past the end
  // of the value before).
  EXPECT_EQ(Parsed("CN=a\\ "), (std::vector<Rdn>{{"CN", "a "}}));
  EXPECT_EQ(Parsed("CN=\\ a"), (std::vector<Rdn>{{"CN", " a"}}));
}

TEST(ParseDnTest, Escapes) {
  EXPECT_EQ(Parsed("CN=a\\,b"), (std::vector<Rdn>{{"CN", "a,b"}}));
  EXPECT_EQ(Parsed("CN=a\\2Cb"), (std::vector<Rdn>{{"CN", "a,b"}}));
  EXPECT_EQ(Parsed("O=Smith\\; Sons"), (std::vector<Rdn>{{"O", "Smith; Sons"}}));
  EXPECT_EQ(Parsed("O=\"Smith, Sons\", C=US"),
            (std::vector<Rdn>{{"O", "Smith, Sons"}, {"C", "US"}}));
  EXPECT_EQ(Parsed("O=\"say \\\"hi\\\"\""), (std::vector<Rdn>{{"O", "say \"hi\""}}));
}

TEST(ParseDnTest, ErrorsNameTheProblem) {
  EXPECT_EQ(Error(""), "the subject is empty; write e.g. CN=mail.contoso.com");
  EXPECT_EQ(Error("mail.contoso.com"), "'mail.contoso.com' is not TYPE=value");
  EXPECT_EQ(Error("CN=a, XY=b"),
            "unknown attribute type 'XY' (known: CN, O, OU, L, S, C, DC, E, SERIALNUMBER, "
            "STREET, POSTALCODE)");
  EXPECT_EQ(Error("CN=a, C=Germany"),
            "country C='Germany' must be a two-letter code such as DE or US");
  EXPECT_EQ(Error("CN="), "attribute CN has an empty value");
  EXPECT_EQ(Error("CN=a,"), "'CN=a,' has an empty attribute (a stray ',' or ';')");
  EXPECT_EQ(Error("CN=a\\"), "'CN=a\\' ends with a lone '\\'");
  EXPECT_EQ(Error("O=\"open"), "unterminated quote in 'O=\"open'");
  EXPECT_EQ(Error("O=\"a\" b"), "text after the closing quote in '\"a\" b'");
  EXPECT_EQ(Error("CN=" + std::string(65, 'a')),
            "CN value '" + std::string(65, 'a') + "' is longer than 64 characters");
}

TEST(ParseDnTest, LengthLimitCountsCharactersNotBytes) {
  std::string value;
  for (int i = 0; i < 64; ++i) value += "\xC3\xBC";  // ü, two bytes
  EXPECT_EQ(Parsed("O=" + value), (std::vector<Rdn>{{"O", value}}));
  EXPECT_EQ(Parsed("DC=" + std::string(100, 'a')).size(), 1u);  // DC has no limit
}

TEST(FormatDnTest, EscapesSpecialCharacters) {
  EXPECT_EQ(FormatDn({{"CN", "a,b"}, {"O", "x+y"}, {"OU", " lead"}, {"L", "#1"}}),
            "CN=a\\,b, O=x\\+y, OU=\\ lead, L=\\#1");
  EXPECT_EQ(FormatDn({}), "");
}

TEST(DnTest, CommonNameIsTheFirstCn) {
  EXPECT_EQ(CommonName(Parsed("O=x, CN=first, CN=second")), "first");
  EXPECT_EQ(CommonName(Parsed("O=x")), "");
}

TEST(DnTest, SameDnIgnoresCaseAndSpacingNotOrder) {
  EXPECT_TRUE(SameDn("CN=Mail.Contoso.com, O=Contoso", "cn=mail.contoso.com,o=contoso"));
  EXPECT_TRUE(SameDn("CN=a  b", "CN=a b"));
  EXPECT_TRUE(SameDn("S=Bavaria", "ST=bavaria"));
  EXPECT_FALSE(SameDn("CN=a, O=b", "O=b, CN=a"));
  EXPECT_FALSE(SameDn("CN=a", "CN=b"));
  // Unparsable texts compare as text.
  EXPECT_TRUE(SameDn("garbage", "GARBAGE"));
}

TEST(DnTest, DnKeySeparatesAttributes) {
  EXPECT_NE(DnKey(Parsed("CN=a, O=b")), DnKey(Parsed("CN=a\\, O\\=b")));
}

RC_GTEST_PROP(DnPropertyTest, FormatThenParseGivesTheSameAttributes, ()) {
  const auto type = rc::gen::element<std::string>("CN", "O", "OU", "L", "S", "DC", "E");
  const auto value = rc::gen::resize(
      20, rc::gen::nonEmpty(rc::gen::container<std::string>(rc::gen::inRange<char>(32, 127))));
  const auto rdns = *rc::gen::resize(
      5, rc::gen::nonEmpty(rc::gen::container<std::vector<Rdn>>(rc::gen::build<Rdn>(
             rc::gen::set(&Rdn::type, type), rc::gen::set(&Rdn::value, value)))));
  Result<std::vector<Rdn>> parsed = ParseDn(FormatDn(rdns));
  RC_ASSERT(parsed.ok());
  RC_ASSERT(*parsed == rdns);
}

}  // namespace
}  // namespace xcert
