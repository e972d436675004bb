#include "resources/exchange/utf16.h"

#include <gtest/gtest.h>

namespace xcert::exchange {
namespace {

TEST(Utf16Test, AppendUtf8EncodesEveryLength) {
  std::string out;
  for (char32_t cp : {U'A', U'\u00E9', U'\u2713', U'\U0001F600'}) AppendUtf8(cp, &out);
  EXPECT_EQ(out, "A\xC3\xA9\xE2\x9C\x93\xF0\x9F\x98\x80");
}

TEST(Utf16Test, AppendUtf8ReplacesInvalidCodePoints) {
  std::string out;
  AppendUtf8(0xD800, &out);
  AppendUtf8(0x110000, &out);
  EXPECT_EQ(out, "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(Utf16Test, PairsSurrogates) {
  EXPECT_EQ(Utf16ToUtf8(u"a\U0001F600b"),
            "a\xF0\x9F\x98\x80"
            "b");
  EXPECT_EQ(Utf16ToUtf8(std::u16string{u'x', char16_t(0xD83D)}), "x\xEF\xBF\xBD");
  EXPECT_EQ(Utf16ToUtf8(std::u16string{char16_t(0xDE00), u'y'}), "\xEF\xBF\xBDy");
  EXPECT_EQ(Utf16ToUtf8(u""), "");
}

TEST(Utf16Test, LittleEndianBytes) {
  EXPECT_EQ(*Utf16LeToUtf8(std::string("M\0i\0\xE9\0\0\0", 8)), std::string("Mi\xC3\xA9\0", 5));
  Result<std::string> odd = Utf16LeToUtf8("abc");
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.status().message(), "UTF-16 text has an odd number of bytes (3); the data is cut");
}

}  // namespace
}  // namespace xcert::exchange
