#include "resources/exchange/ps1_text.h"

#include <gtest/gtest.h>

namespace xcert::exchange {
namespace {

TEST(Ps1StringTest, QuotesCannotEndTheLiteral) {
  EXPECT_EQ(Ps1String("mail"), "'mail'");
  EXPECT_EQ(Ps1String(""), "''");
  EXPECT_EQ(Ps1String("it's"), "'it''s'");
  EXPECT_EQ(Ps1String("a\u2019b\u2018c\u201Ad\u201Be"),
            "'a\u2019\u2019b\u2018\u2018c\u201A\u201Ad\u201B\u201Be'")
      << "PowerShell ends single-quoted strings at typographic quotes too";
  EXPECT_EQ(Ps1String("$(Remove-Item C:\\)"), "'$(Remove-Item C:\\)'")
      << "no expansion in single quotes";
  EXPECT_EQ(Ps1String("two\nlines\r\tand\x7f"), "'two lines  and '");
  EXPECT_EQ(Ps1String("Köln \u201Cquoted\u201D"), "'Köln \u201Cquoted\u201D'")
      << "double quotes need nothing";
}

TEST(Ps1StringArrayTest, ListsOrEmpty) {
  EXPECT_EQ(Ps1StringArray({}), "@()");
  EXPECT_EQ(Ps1StringArray({"a.contoso.com", "o'b"}), "@('a.contoso.com', 'o''b')");
}

TEST(Ps1CommentTest, StaysOneLineAndCannotCloseTheBlock) {
  EXPECT_EQ(Ps1Comment("plan for ./x.yaml"), "plan for ./x.yaml");
  EXPECT_EQ(Ps1Comment("a\nb"), "a b");
  EXPECT_EQ(Ps1Comment("end #> begin <# again"), "end # > begin < # again");
  EXPECT_EQ(Ps1Comment("##>>"), "## >>");
}

TEST(Ps1IdentifierTest, KeepsLettersDigitsUnderscore) {
  EXPECT_EQ(Ps1Identifier("corp-ca.2026"), "corp_ca_2026");
  EXPECT_EQ(Ps1Identifier("Purchased_1"), "Purchased_1");
}

}  // namespace
}  // namespace xcert::exchange
