#include "engine/util/strings.h"

#include <gtest/gtest.h>

namespace xcert {
namespace {

TEST(StringsTest, ClosestMatchSuggestsTyposAndSwaps) {
  const std::vector<std::string> fields = {"name",   "dnsNames", "subject",
                                           "issuer", "servers",  "services"};
  EXPECT_EQ(ClosestMatch("dnsname", fields), "dnsNames");
  EXPECT_EQ(ClosestMatch("nmae", fields), "name");          // swapped letters
  EXPECT_EQ(ClosestMatch("SERVICES", fields), "services");  // case
  EXPECT_EQ(ClosestMatch("issuers", fields), "issuer");
  EXPECT_EQ(ClosestMatch("validity", fields), "");  // nothing close
}

TEST(StringsTest, CaseFoldingAndSplitting) {
  EXPECT_TRUE(EqualsIgnoreCase("MailServer21", "mailserver21"));
  EXPECT_FALSE(EqualsIgnoreCase("mail", "mail2"));
  EXPECT_EQ(ToUpper("ab12cd"), "AB12CD");
  EXPECT_EQ(Split("a,,b", ','), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(Join({"a", "b"}, ", "), "a, b");
  EXPECT_EQ(Trim("  x y \n"), "x y");
  EXPECT_EQ(QuotedList({"corp-ca", "self"}), "'corp-ca', 'self'");
  EXPECT_EQ(QuotedList({}), "(none)");
  EXPECT_EQ(HexEncode("\x01\xab", true), "01AB");
}

TEST(StringsTest, CountNounAgreesWithTheCount) {
  EXPECT_EQ(CountNoun(0, "certificate"), "0 certificates");
  EXPECT_EQ(CountNoun(1, "certificate"), "1 certificate");
  EXPECT_EQ(CountNoun(2, "step"), "2 steps");
  EXPECT_EQ(CountNoun(1, "day", "days"), "1 day");
  EXPECT_EQ(CountNoun(3, "entry", "entries"), "3 entries");
}

TEST(StringsTest, IsValidUtf8IsStrict) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("CN=Z\xC3\xBCrich \xF0\x9F\x94\x92"));
  EXPECT_FALSE(IsValidUtf8("\xC3")) << "truncated";
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF")) << "overlong";
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80")) << "surrogate";
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80")) << "above U+10FFFF";
  EXPECT_FALSE(IsValidUtf8("a\xFF"));
  EXPECT_TRUE(IsValidCodePoint(0x10FFFF));
  EXPECT_FALSE(IsValidCodePoint(0xD800));
}

}  // namespace
}  // namespace xcert
