#include "engine/plan/json_writer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <rapidcheck/gtest.h>

namespace xcert {
namespace {

using ordered_json = nlohmann::ordered_json;

std::string Written(const std::string& value) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Field("value", value);
  w.EndObject();
  return out;
}

std::string Dumped(const std::string& value) { return ordered_json{{"value", value}}.dump(2); }

TEST(JsonWriterTest, WritesWhatNlohmannDumps) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Field("id", 7);
  w.Key("names");
  w.Strings({"mail.contoso.com", "autodiscover.contoso.com"});
  w.Key("empty");
  w.BeginArray();
  w.EndArray();
  w.Field("ok", true);
  w.Key("none");
  w.Null();
  w.Key("map");
  w.StringMap({{"b", "2"}, {"a", "1"}});
  w.EndObject();
  const ordered_json expected = {{"id", 7},
                                 {"names", {"mail.contoso.com", "autodiscover.contoso.com"}},
                                 {"empty", ordered_json::array()},
                                 {"ok", true},
                                 {"none", nullptr},
                                 {"map", {{"a", "1"}, {"b", "2"}}}};
  EXPECT_EQ(out, expected.dump(2));
}

TEST(JsonWriterTest, EscapesControlsQuotesAndBackslashes) {
  const std::string nasty = "CN=\"a\\b\"\n\t\x01 end";
  EXPECT_EQ(Written(nasty), Dumped(nasty));
  EXPECT_NE(Written(nasty).find("\\u0001"), std::string::npos);
}

TEST(JsonWriterTest, KeepsUtf8AsItIs) {
  const std::string name = "CN=Zürich Büro \xF0\x9F\x94\x92";  // with an emoji
  EXPECT_EQ(Written(name), Dumped(name));
  EXPECT_NE(Written(name).find("Zürich"), std::string::npos);
}

TEST(JsonWriterTest, InvalidUtf8ThrowsLikeDump) {
  for (const std::string bad : {"\xC3", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "a\xFF"}) {
    EXPECT_THROW(Written(bad), nlohmann::json::type_error) << testing::PrintToString(bad);
  }
}

// Any byte string: the writer prints exactly what nlohmann prints, or throws
// where nlohmann throws.
RC_GTEST_PROP(JsonWriterPropertyTest, AnyStringMatchesNlohmann, (const std::string& raw)) {
  std::string dumped;
  bool dump_threw = false;
  try {
    dumped = Dumped(raw);
  } catch (const nlohmann::json::type_error&) {
    dump_threw = true;
  }
  if (dump_threw) {
    RC_ASSERT_THROWS_AS(Written(raw), nlohmann::json::type_error);
  } else {
    RC_ASSERT(Written(raw) == dumped);
  }
}

// UTF-8 strings of arbitrary code points (valid by construction).
RC_GTEST_PROP(JsonWriterPropertyTest, AnyUtf8StringMatchesNlohmann, ()) {
  const auto points = *rc::gen::container<std::vector<uint32_t>>(
      rc::gen::oneOf(rc::gen::inRange<uint32_t>(0, 0x80), rc::gen::inRange<uint32_t>(0x80, 0xD800),
                     rc::gen::inRange<uint32_t>(0xE000, 0x110000)));
  std::string s;
  for (uint32_t cp : points) {
    if (cp < 0x80) {
      s += char(cp);
    } else if (cp < 0x800) {
      s += char(0xC0 | (cp >> 6));
      s += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      s += char(0xE0 | (cp >> 12));
      s += char(0x80 | ((cp >> 6) & 0x3F));
      s += char(0x80 | (cp & 0x3F));
    } else {
      s += char(0xF0 | (cp >> 18));
      s += char(0x80 | ((cp >> 12) & 0x3F));
      s += char(0x80 | ((cp >> 6) & 0x3F));
      s += char(0x80 | (cp & 0x3F));
    }
  }
  RC_ASSERT(Written(s) == Dumped(s));
}

}  // namespace
}  // namespace xcert
