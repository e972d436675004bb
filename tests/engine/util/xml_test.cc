#include "engine/util/xml.h"

#include <gtest/gtest.h>

namespace xcert {
namespace {

TEST(XmlTest, EscapeEscapesMarkupAndBothQuotes) {
  EXPECT_EQ(XmlEscape("a<b>&\"c'd"), "a&lt;b&gt;&amp;&quot;c&apos;d");
  EXPECT_EQ(XmlEscape("plain text"), "plain text");
  EXPECT_EQ(XmlEscape(""), "");
}

}  // namespace
}  // namespace xcert
