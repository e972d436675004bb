#include "resources/exchange/clixml.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "engine/util/time.h"
#include "tests/resources/exchange/exchange_test_util.h"

namespace xcert::exchange {
namespace {

using xcert::testing::ReadFileOrDie;

constexpr std::string_view kHead =
    "<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">";

std::string Doc(std::string_view body) {
  return std::string(kHead) + std::string(body) + "</Objs>";
}

PsDocument Parse(std::string_view text) {
  Result<PsDocument> doc = ParseClixml(text, "test.xml");
  EXPECT_TRUE(doc.ok()) << doc.status().message();
  return doc.ok() ? std::move(doc).value() : PsDocument();
}

std::string ErrorOf(std::string_view text) {
  Result<PsDocument> doc = ParseClixml(text, "test.xml");
  return doc.ok() ? "parsed" : doc.status().message();
}

// The first top-level object's member `name` (a failure and Nil if absent).
const PsValue& Member(const PsDocument& doc, std::string_view name) {
  static const PsValue kMissing;
  const PsValue* v = nullptr;
  if (!doc.values().empty() && doc.values()[0].object) v = doc.values()[0].object->Find(name);
  if (!v) ADD_FAILURE() << "no member " << name;
  return v ? *v : kMissing;
}

TEST(DecodeClixmlStringTest, DecodesEscapes) {
  EXPECT_EQ(DecodeClixmlString("a_x000D__x000A_b"), "a\r\nb");
  EXPECT_EQ(DecodeClixmlString("_x0041__x00e9_"), "A\xC3\xA9") << "lower-case hex is accepted";
  EXPECT_EQ(DecodeClixmlString("_xD83D__xDE00_"), "\xF0\x9F\x98\x80") << "a surrogate pair";
  EXPECT_EQ(DecodeClixmlString("_x0001F600_"), "\xF0\x9F\x98\x80") << "eight hex digits";
  EXPECT_EQ(DecodeClixmlString("_xD83D_x"), "\xEF\xBF\xBDx") << "a lone surrogate";
  EXPECT_EQ(DecodeClixmlString("_x005F_x0041_"), "_x0041_") << "an escaped underscore";
}

TEST(DecodeClixmlStringTest, LeavesOtherTextAlone) {
  EXPECT_EQ(DecodeClixmlString("plain text"), "plain text");
  EXPECT_EQ(DecodeClixmlString("_x12_ and _xZZZZ_ and _x"), "_x12_ and _xZZZZ_ and _x");
  EXPECT_EQ(DecodeClixmlString("caf\xC3\xA9"), "caf\xC3\xA9");
}

TEST(ParseClixmlDateTimeTest, AcceptsPowerShellForms) {
  EXPECT_EQ(FormatIso8601(*ParseClixmlDateTime("2023-02-03T14:16:02+00:00")),
            "2023-02-03T14:16:02Z");
  EXPECT_EQ(FormatIso8601(*ParseClixmlDateTime("2019-12-03T14:47:32.1234567-08:00")),
            "2019-12-03T22:47:32Z");
  EXPECT_EQ(FormatIso8601(*ParseClixmlDateTime("2021-10-07T22:20:07Z")), "2021-10-07T22:20:07Z");
  EXPECT_EQ(FormatIso8601(*ParseClixmlDateTime("2021-10-07T22:20:07")), "2021-10-07T22:20:07Z");
  EXPECT_EQ(FormatIso8601(*ParseClixmlDateTime("2024-01-01T01:00:00+05:30")),
            "2023-12-31T19:30:00Z");
}

TEST(ParseClixmlDateTimeTest, RefusesOtherText) {
  for (const char* bad : {"", "2023-02-30T00:00:00", "2023-02-03 14:16:02", "2023-02-03T24:00:00",
                          "2023-02-03T14:16:02+0000", "2023-02-03T14:16:02.", "yesterday"}) {
    Result<TimePoint> t = ParseClixmlDateTime(bad);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.status().message(), "'" + std::string(bad) + "' is not an xs:dateTime");
  }
}

TEST(ClixmlTest, ReadsTypesToStringPropsAndMemberSets) {
  PsDocument doc = Parse(Doc(R"(
    <Obj RefId="0">
      <TN RefId="0"><T>My.Type</T><T>System.Object</T></TN>
      <ToString>line1_x000D__x000A_line2</ToString>
      <Props><S N="Name">  padded  </S><I32 N="Count">-3</I32></Props>
      <MS><S N="PSComputerName">srv.contoso.com</S><B N="PSShowComputerName">false</B></MS>
    </Obj>)"));
  ASSERT_EQ(doc.values().size(), 1u);
  const PsObject& o = *doc.values()[0].object;
  EXPECT_EQ(o.types(), (std::vector<std::string>{"My.Type", "System.Object"}));
  EXPECT_EQ(o.type(), "My.Type");
  EXPECT_EQ(o.to_string, "line1\r\nline2");
  EXPECT_EQ(o.FindText("Name"), "  padded  ") << "string whitespace is kept";
  EXPECT_EQ(o.Find("Count")->AsInt64(), -3);
  EXPECT_EQ(o.FindText("PSComputerName"), "srv.contoso.com");
  EXPECT_EQ(o.FindBool("PSShowComputerName"), false);
  EXPECT_EQ(o.Find("Missing"), nullptr);
  EXPECT_EQ(o.properties.size(), 2u);
  EXPECT_EQ(o.extended.size(), 2u);
}

TEST(ClixmlTest, ResolvesTypeNameRefsAndObjectRefs) {
  PsDocument doc = Parse(Doc(R"(
    <Obj RefId="0"><TN RefId="0"><T>Deserialized.A</T><T>Deserialized.System.Object</T></TN>
      <Props><Obj N="Inner" RefId="1"><TN RefId="1"><T>B</T></TN><ToString>inner</ToString></Obj></Props>
    </Obj>
    <Obj RefId="2"><TNRef RefId="0" /><Props><Ref N="Same" RefId="1" /></Props></Obj>)"));
  ASSERT_EQ(doc.values().size(), 2u);
  const PsObject& first = *doc.values()[0].object;
  const PsObject& second = *doc.values()[1].object;
  EXPECT_EQ(second.types(), first.types());
  EXPECT_TRUE(second.IsA("A")) << "a Deserialized. prefix is accepted";
  EXPECT_FALSE(second.IsA("B"));
  EXPECT_EQ(second.Find("Same")->object, first.Find("Inner")->object);
  EXPECT_EQ(second.FindText("Same"), "inner");
}

TEST(ClixmlTest, RefToAnEnclosingObjectResolves) {
  PsDocument doc = Parse(Doc(R"(<Obj RefId="0"><Props><Ref N="Self" RefId="0" /></Props></Obj>)"));
  const PsObject* o = doc.values()[0].object;
  EXPECT_EQ(o->Find("Self")->object, o);
}

TEST(ClixmlTest, NilAndEmptyValues) {
  PsDocument doc = Parse(Doc(R"(<Obj RefId="0"><Props>
      <Nil N="Date" /><S N="Empty"></S><S N="Short" /></Props><ToString /></Obj>)"));
  EXPECT_TRUE(Member(doc, "Date").is_nil());
  EXPECT_EQ(Member(doc, "Date").AsText(), std::nullopt);
  EXPECT_EQ(Member(doc, "Empty").AsText(), "");
  EXPECT_EQ(Member(doc, "Short").AsText(), "");
  EXPECT_EQ(doc.values()[0].object->to_string, "");
}

TEST(ClixmlTest, PrimitivesParseToTheirTypes) {
  PsDocument doc = Parse(Doc(R"(<Obj RefId="0"><Props>
      <By N="By">255</By><SB N="SB">-128</SB><U16 N="U16">65535</U16><I16 N="I16">-32768</I16>
      <U32 N="U32">4294967295</U32><I64 N="I64">-9223372036854775808</I64>
      <U64 N="U64">18446744073709551615</U64><C N="C">65</C>
      <Db N="Db">0.16666666666666666</Db><Sg N="Sg">1.5</Sg><D N="D">12.50</D><Db N="Inf">INF</Db>
      <B N="B">true</B><DT N="DT">2023-02-03T14:16:02+00:00</DT>
      <G N="G">4f1d6ed3-81ee-4120-9d38-b803867135e5</G><BA N="BA">AAEC/w==</BA>
      <TS N="TS">PT10M</TS><URI N="URI">https://a/b?c=1&amp;d=2</URI><Version N="V">1.2.3.4</Version>
    </Props></Obj>)"));
  EXPECT_EQ(Member(doc, "By").AsInt64(), 255);
  EXPECT_EQ(Member(doc, "SB").AsInt64(), -128);
  EXPECT_EQ(Member(doc, "U16").AsInt64(), 65535);
  EXPECT_EQ(Member(doc, "I16").AsInt64(), -32768);
  EXPECT_EQ(Member(doc, "U32").AsInt64(), 4294967295);
  EXPECT_EQ(Member(doc, "I64").AsInt64(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(Member(doc, "U64").AsInt64(), std::nullopt) << "above INT64_MAX";
  EXPECT_EQ(Member(doc, "U64").AsText(), "18446744073709551615");
  EXPECT_EQ(Member(doc, "C").AsInt64(), 65);
  EXPECT_DOUBLE_EQ(*Member(doc, "Db").AsDouble(), 1.0 / 6);
  EXPECT_EQ(Member(doc, "Sg").AsDouble(), 1.5);
  EXPECT_EQ(Member(doc, "D").AsDouble(), 12.5);
  EXPECT_TRUE(std::isinf(*Member(doc, "Inf").AsDouble()));
  EXPECT_EQ(Member(doc, "B").AsBool(), true);
  EXPECT_EQ(FormatIso8601(*Member(doc, "DT").AsTime()), "2023-02-03T14:16:02Z");
  EXPECT_EQ(Member(doc, "G").AsText(), "4f1d6ed3-81ee-4120-9d38-b803867135e5");
  EXPECT_EQ(*Member(doc, "BA").AsBytes(), std::string("\x00\x01\x02\xff", 4));
  EXPECT_EQ(Member(doc, "TS").type, PsType::kDuration);
  EXPECT_EQ(Member(doc, "URI").AsText(), "https://a/b?c=1&d=2");
  EXPECT_EQ(Member(doc, "V").AsText(), "1.2.3.4");
  // Accessors answer only for their own types.
  EXPECT_EQ(Member(doc, "B").AsInt64(), std::nullopt);
  EXPECT_EQ(Member(doc, "By").AsBool(), std::nullopt);
  EXPECT_EQ(Member(doc, "URI").AsString(), nullptr);
  EXPECT_EQ(Member(doc, "BA").AsTime(), std::nullopt);
}

TEST(ClixmlTest, DecodesXmlEntitiesAndEscapesTogether) {
  PsDocument doc = Parse(Doc(
      R"(<Obj RefId="0"><ToString>&lt;I&gt;CN=a&lt;S&gt;CN=b</ToString><Props>)"
      R"(<S N="E">&amp;&quot;&apos;&#65;&#x42;_x0009_</S><S N="na_x0020_me">v</S></Props></Obj>)"));
  EXPECT_EQ(doc.values()[0].object->to_string, "<I>CN=a<S>CN=b");
  EXPECT_EQ(Member(doc, "E").AsText(), "&\"'AB\t");
  EXPECT_EQ(Member(doc, "na me").AsText(), "v") << "member names are decoded too";
}

TEST(ClixmlTest, CollectionsAndEnums) {
  PsDocument doc = Parse(Doc(R"(<Obj RefId="0"><Props>
      <Obj N="List" RefId="1"><LST><S>a</S><I32>2</I32><Nil /></LST></Obj>
      <Obj N="Dict" RefId="2"><DCT><En><S N="Key">k</S><I32 N="Value">7</I32></En></DCT></Obj>
      <Obj N="Role" RefId="3"><TN RefId="0"><T>ServerRole</T><T>System.Enum</T></TN>
        <ToString>Mailbox</ToString><I32>2</I32></Obj>
      <Obj N="Empty" RefId="4"><LST /></Obj>
    </Props></Obj>)"));
  const PsObject& list = *Member(doc, "List").object;
  EXPECT_EQ(list.collection, PsCollection::kList);
  ASSERT_EQ(list.items.size(), 3u);
  EXPECT_EQ(list.items[0].AsText(), "a");
  EXPECT_EQ(list.items[1].AsInt64(), 2);
  EXPECT_TRUE(list.items[2].is_nil());
  const PsObject& dict = *Member(doc, "Dict").object;
  EXPECT_EQ(dict.collection, PsCollection::kDictionary);
  ASSERT_EQ(dict.entries.size(), 1u);
  EXPECT_EQ(dict.entries[0].first.AsText(), "k");
  EXPECT_EQ(dict.entries[0].second.AsInt64(), 7);
  const PsObject& role = *Member(doc, "Role").object;
  EXPECT_EQ(role.to_string, "Mailbox");
  ASSERT_TRUE(role.value.has_value());
  EXPECT_EQ(role.value->AsInt64(), 2);
  EXPECT_EQ(Member(doc, "Empty").object->collection, PsCollection::kList);
  EXPECT_TRUE(Member(doc, "Empty").object->items.empty());
}

TEST(ClixmlTest, TopLevelPrimitivesAreValues) {
  PsDocument doc = Parse(Doc("<S>one</S><I32>2</I32>"));
  ASSERT_EQ(doc.values().size(), 2u);
  EXPECT_EQ(doc.values()[0].AsText(), "one");
  EXPECT_EQ(doc.values()[1].AsInt64(), 2);
  EXPECT_TRUE(Parse(Doc("")).values().empty());
}

TEST(ClixmlTest, Utf8BomAndUtf16AreAccepted) {
  std::string doc = Doc(R"(<S>caf&#xE9; _x2713_</S>)");
  EXPECT_EQ(Parse("\xEF\xBB\xBF" + doc).values()[0].AsText(), "caf\xC3\xA9 \xE2\x9C\x93");
  // Windows PowerShell 5.1's Export-Clixml writes UTF-16LE with a BOM.
  std::string utf16le = "\xFF\xFE", utf16be = "\xFE\xFF";
  for (char c : doc) {
    utf16le += c;
    utf16le += '\0';
    utf16be += '\0';
    utf16be += c;
  }
  EXPECT_EQ(Parse(utf16le).values()[0].AsText(), "caf\xC3\xA9 \xE2\x9C\x93");
  EXPECT_EQ(Parse(utf16be).values()[0].AsText(), "caf\xC3\xA9 \xE2\x9C\x93");
  EXPECT_EQ(ErrorOf(utf16le + "x"),
            "test.xml: reading UTF-16 text: UTF-16 text has an odd number of bytes (223); the "
            "data is cut");
}

TEST(ClixmlTest, MalformedXmlNamesTheLine) {
  EXPECT_EQ(ErrorOf(std::string(kHead) + "\n<Obj RefId=\"0\">\n<S N=\"x\">y</S>"),
            "test.xml:3: malformed XML: unexpected end of data (is the file complete? re-export "
            "it with Export-Clixml)");
  EXPECT_EQ(ErrorOf("<Objs>\n\n<S N=\"a\" N2>x</S></Objs>"),
            "test.xml:3: malformed XML: expected = (is the file complete? re-export it with "
            "Export-Clixml)");
}

TEST(ClixmlTest, NonClixmlDocumentsAreRefused) {
  EXPECT_EQ(ErrorOf("<html><body/></html>"),
            "test.xml: not a PowerShell CliXml file: the document element is <html>, expected a "
            "single <Objs> (write the file with Export-Clixml)");
  EXPECT_EQ(ErrorOf(""),
            "test.xml: not a PowerShell CliXml file: no <Objs> element (write the file with "
            "Export-Clixml)");
  EXPECT_EQ(ErrorOf("<Objs/><Objs/>"),
            "test.xml: not a PowerShell CliXml file: the document element is <Objs>, expected a "
            "single <Objs> (write the file with Export-Clixml)");
}

TEST(ClixmlTest, InvalidContentNamesThePath) {
  EXPECT_EQ(ErrorOf(Doc(R"(<S>ok</S><Obj RefId="0"><Props><Obj N="Fqdn" RefId="1"><Props>)"
                        R"(<I32 N="Port">12x</I32></Props></Obj></Props></Obj>)")),
            "test.xml: object 2/Fqdn/Port: <I32> value '12x' is not a signed 32-bit integer");
  EXPECT_EQ(ErrorOf(Doc(R"(<Obj RefId="0"><Props><By N="b">256</By></Props></Obj>)")),
            "test.xml: object 1/b: <By> value '256' is not an unsigned 8-bit integer");
  EXPECT_EQ(ErrorOf(Doc(R"(<Obj RefId="0"><Props><B N="b">yes</B></Props></Obj>)")),
            "test.xml: object 1/b: <B> value 'yes' is not true or false");
  EXPECT_EQ(
      ErrorOf(Doc(R"(<Obj RefId="0"><Props><DT N="d">2023-13-01T00:00:00</DT></Props></Obj>)")),
      "test.xml: object 1/d: <DT> value '2023-13-01T00:00:00' is not a date and time "
      "(xs:dateTime)");
  EXPECT_EQ(ErrorOf(Doc(R"(<Obj RefId="0"><Props><G N="g">not-a-guid</G></Props></Obj>)")),
            "test.xml: object 1/g: <G> value 'not-a-guid' is not a GUID");
  EXPECT_EQ(ErrorOf(Doc(R"(<Obj RefId="0"><Props><BA N="RawData">@@@@</BA></Props></Obj>)")),
            "test.xml: object 1/RawData: <BA> is not valid base64 (invalid base64: it holds a "
            "character outside A-Z a-z 0-9 + /)");
  EXPECT_EQ(
      ErrorOf(Doc(R"(<Obj RefId="0"><LST><Obj RefId="1"><LST><Db>x</Db></LST></Obj></LST></Obj>)")),
      "test.xml: object 1/item 1/item 1: <Db> value 'x' is not a number");
}

TEST(ClixmlTest, StructuralErrors) {
  EXPECT_EQ(ErrorOf(Doc(R"(<Obj RefId="0"><Props><Ref N="x" RefId="9" /></Props></Obj>)")),
            "test.xml: object 1/x: <Ref> names object RefId 9, which no earlier <Obj> defines");
  EXPECT_EQ(ErrorOf(Doc(R"(<Obj RefId="0"><TNRef RefId="3" /></Obj>)")),
            "test.xml: object 1: <TNRef> names type list RefId 3, which no earlier <TN> defines");
  EXPECT_EQ(ErrorOf(Doc(R"(<Obj RefId="0"><Props><S>x</S></Props></Obj>)")),
            "test.xml: object 1: <S> member without a name (N attribute)");
  EXPECT_EQ(ErrorOf(Doc(R"(<Obj RefId="0"><Foo /></Obj>)")),
            "test.xml: object 1: unexpected element <Foo> in <Obj>");
  EXPECT_EQ(ErrorOf(Doc(R"(<Obj RefId="0"><Props><Bar N="x" /></Props></Obj>)")),
            "test.xml: object 1/x: unexpected element <Bar> where a value belongs");
  EXPECT_EQ(ErrorOf(Doc(R"(<Obj RefId="0" /><Obj RefId="0" />)")),
            "test.xml: object 2: two objects have RefId 0");
  EXPECT_EQ(ErrorOf(Doc(R"(<Obj RefId="0"><DCT><En><S N="Key">k</S></En></DCT></Obj>)")),
            "test.xml: object 1/entry 1: dictionary entry without a Key and a Value");
}

TEST(ClixmlTest, DeepNestingIsRefusedBeforeParsing) {
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += "<Obj><LST>";
  EXPECT_EQ(ErrorOf(Doc(deep)),
            "test.xml: elements nest 10001 levels deep (the limit is 400); this is not a "
            "PowerShell CliXml file");
}

TEST(ClixmlTest, NestingUpToTheLimitParses) {
  std::string open, close;
  for (int i = 0; i < (kMaxClixmlDepth - 1) / 2; ++i) {
    open += "<Obj><LST>";
    close = "</LST></Obj>" + close;
  }
  PsDocument doc = Parse(Doc(open + "<S>leaf</S>" + close));
  const PsValue* v = &doc.values()[0];
  int levels = 0;
  while (v->object && !v->object->items.empty()) {
    v = &v->object->items[0];
    ++levels;
  }
  EXPECT_EQ(levels, (kMaxClixmlDepth - 1) / 2);
  EXPECT_EQ(v->AsText(), "leaf");
}

RC_GTEST_PROP(ClixmlPropertyTest, ArbitraryTextNeverCrashes, (const std::string& body)) {
  Result<PsDocument> doc = ParseClixml(Doc(body), "fuzz.xml");
  if (!doc.ok()) RC_ASSERT(doc.status().message().rfind("fuzz.xml", 0) == 0);
}

RC_GTEST_PROP(ClixmlPropertyTest, TagSoupNeverCrashes, (const std::vector<uint8_t>& picks)) {
  static const char* kPieces[] = {"<Obj RefId=\"1\">",
                                  "</Obj>",
                                  "<Props>",
                                  "</Props>",
                                  "<MS>",
                                  "</MS>",
                                  "<LST>",
                                  "</LST>",
                                  "<TN RefId=\"0\"><T>A</T></TN>",
                                  "<TNRef RefId=\"0\" />",
                                  "<Ref N=\"r\" RefId=\"1\" />",
                                  "<S N=\"s\">x_x000D_</S>",
                                  "<I32 N=\"i\">7</I32>",
                                  "<Nil />",
                                  "<BA N=\"b\">AAAA</BA>",
                                  "<DCT><En><S N=\"Key\">k</S><S N=\"Value\">v</S></En></DCT>",
                                  "<ToString>t</ToString>"};
  std::string body;
  for (uint8_t p : picks) body += kPieces[p % std::size(kPieces)];
  Result<PsDocument> doc = ParseClixml(Doc(body), "soup.xml");
  if (!doc.ok()) RC_ASSERT(doc.status().message().rfind("soup.xml", 0) == 0);
}

// Every recorded file parses, whatever it holds.
TEST(ClixmlFixtureTest, EveryFixtureParses) {
  const auto dir = testing::CssExchangeDir();
  std::vector<std::string> files = testing::AllFixtureFiles(dir);
  EXPECT_EQ(files.size(), 35u);
  for (const std::string& file : files) {
    Result<PsDocument> doc = ParseClixml(ReadFileOrDie(dir / file), file);
    ASSERT_TRUE(doc.ok()) << doc.status().message();
    EXPECT_FALSE(doc->values().empty()) << file;
  }
}

TEST(ClixmlFixtureTest, CertificateObjectShape) {
  const auto dir = testing::CssExchangeDir();
  const char* file =
      "Diagnostics/HealthChecker/Tests/DataCollection/E19/Exchange/GetExchangeCertificate.xml";
  PsDocument doc = Parse(ReadFileOrDie(dir / file));
  ASSERT_EQ(doc.values().size(), 3u);
  const PsObject& cert = *doc.values()[1].object;
  EXPECT_EQ(cert.type(),
            "Microsoft.Exchange.Management.SystemConfigurationTasks.ExchangeCertificate");
  EXPECT_EQ(cert.types().size(), 4u) << "resolved through <TNRef>";
  EXPECT_EQ(cert.to_string->substr(0, 25), "[Subject]\r\n  CN=Solo-E19A");
  EXPECT_EQ(cert.Find("RawData")->AsBytes()->size(), 789u);
  EXPECT_EQ(cert.FindText("PSComputerName"), "solo-e19a.solo.com");
  EXPECT_EQ(cert.Find("RunspaceId")->type, PsType::kGuid);
  EXPECT_EQ(cert.Find("SerializationData")->AsBytes()->substr(0, 1), std::string(1, '\0'));
}

}  // namespace
}  // namespace xcert::exchange
