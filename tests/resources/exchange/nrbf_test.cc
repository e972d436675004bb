#include "resources/exchange/nrbf.h"

#include <bit>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "tests/resources/exchange/exchange_test_util.h"

namespace xcert::exchange::nrbf {
namespace {

using testing::AllSerializationData;
using testing::CssExchangeDir;
using testing::NrbfBytes;

std::string Dump(const NrbfBytes& b) {
  Result<Graph> g = DecodePayload(b.str());
  if (!g.ok()) return "error: " + g.status().message();
  return DebugString(*g);
}

std::string ErrorOf(std::string_view bytes) {
  Result<Graph> g = Decode(bytes);
  return g.ok() ? "decoded" : g.status().message();
}

TEST(NrbfTest, RootString) {
  EXPECT_EQ(Dump(NrbfBytes().Header().String(1, "hello").End()), "root #1\n#1 string \"hello\"\n");
}

TEST(NrbfTest, ClassWithMembersAndTypesReadsEveryPrimitiveAndRecordMember) {
  NrbfBytes b;
  b.Header().Library(2, "MyLib");
  b.U8(5).I32(1).Str("Foo").I32(10);
  for (const char* name : {"i", "b", "d", "c", "m", "u", "sb", "s", "o", "r"}) b.Str(name);
  for (int t : {0, 0, 0, 0, 0, 0, 0, 1, 2, 1}) b.U8(t);
  for (int p : {8, 1, 6, 3, 5, 16, 10}) b.U8(p);  // Int32 Boolean Double Char Decimal UInt64 SByte
  b.I32(2);                                       // library id
  b.I32(-5).U8(1).I64(std::bit_cast<uint64_t>(1.5)).Raw("\xC3\xA9").Str("12.50");
  b.I64(~uint64_t{0}).U8(0x80).String(3, "x").Null().Reference(4);
  b.String(4, "later").End();

  EXPECT_EQ(Dump(b),
            "root #1\n"
            "#1 class Foo [MyLib]: i = -5 (Int32), b = true, d = 1.5 (Double), c = 'é' (Char), "
            "m = 12.50 (Decimal), u = 18446744073709551615 (UInt64), sb = -128 (SByte), s = #3, "
            "o = null, r = #4\n"
            "#3 string \"x\"\n"
            "#4 string \"later\"\n");

  Graph g = DecodePayload(b.str()).value();
  const Object& foo = g.root();
  EXPECT_EQ(foo.class_name(), "Foo");
  EXPECT_EQ(g.IntegerMember(foo, "i"), -5);
  EXPECT_EQ(g.IntegerMember(foo, "sb"), -128);
  EXPECT_EQ(g.IntegerMember(foo, "u"), std::nullopt) << "UInt64 max does not fit int64";
  EXPECT_EQ(g.BoolMember(foo, "b"), true);
  EXPECT_EQ(g.BoolMember(foo, "i"), std::nullopt);
  ASSERT_NE(g.StringMember(foo, "s"), nullptr);
  EXPECT_EQ(*g.StringMember(foo, "s"), "x");
  ASSERT_NE(g.StringMember(foo, "r"), nullptr);
  EXPECT_EQ(*g.StringMember(foo, "r"), "later");
  EXPECT_EQ(g.StringMember(foo, "o"), nullptr);
  EXPECT_EQ(g.StringMember(foo, "missing"), nullptr);
  EXPECT_EQ(foo.Member("d")->number, 1.5);
}

TEST(NrbfTest, SystemClassAndClassWithIdShareMetadata) {
  NrbfBytes b;
  b.Header().U8(16).I32(1).I32(3);  // ArraySingleObject #1, 3 elements
  b.U8(4).I32(-2).Str("E").I32(1).Str("value__").U8(0).U8(8).I32(7);
  b.U8(1).I32(-3).I32(-2).I32(9);  // ClassWithId #-3 with E's metadata
  b.Null().End();
  EXPECT_EQ(Dump(b),
            "root #1\n"
            "#-3 class E: value__ = 9 (Int32)\n"
            "#-2 class E: value__ = 7 (Int32)\n"
            "#1 Object[3]: #-2, #-3, null\n");
}

TEST(NrbfTest, UntypedClassRecordsReadEachMemberAsARecord) {
  NrbfBytes b;
  b.Header().Library(2, "L");
  b.U8(3).I32(1).Str("C").I32(2).Str("a").Str("b").I32(2);  // ClassWithMembers
  b.U8(8).U8(8).I32(42);                                    // MemberPrimitiveTyped Int32
  b.U8(2).I32(5).Str("S").I32(1).Str("x");                  // SystemClassWithMembers
  b.U8(8).U8(1).U8(0);                                      // MemberPrimitiveTyped Boolean
  b.End();
  EXPECT_EQ(Dump(b),
            "root #1\n"
            "#1 class C [L]: a = 42 (Int32), b = #5\n"
            "#5 class S: x = false\n");
}

TEST(NrbfTest, BinaryArrayRectangular) {
  NrbfBytes b;
  b.Header().U8(7).I32(1).U8(2).I32(2).I32(2).I32(2).U8(0).U8(8);
  b.I32(1).I32(2).I32(3).I32(4).End();
  EXPECT_EQ(Dump(b), "root #1\n#1 Int32[2,2]: 1 (Int32), 2 (Int32), 3 (Int32), 4 (Int32)\n");
}

TEST(NrbfTest, BinaryArrayWithLowerBoundsOfBytes) {
  NrbfBytes b;
  b.Header().U8(7).I32(1).U8(3).I32(1).I32(2).I32(5).U8(0).U8(2).Raw("\x0a\x0b").End();
  EXPECT_EQ(Dump(b), "root #1\n#1 Byte[2] 0a0b\n");
}

TEST(NrbfTest, BinaryArrayJagged) {
  NrbfBytes b;
  b.Header().U8(7).I32(1).U8(1).I32(1).I32(2).U8(7).U8(8);  // Int32[][2]
  b.U8(15).I32(2).I32(1).U8(8).I32(7);                      // ArraySinglePrimitive Int32[1]
  b.Null().End();
  EXPECT_EQ(Dump(b),
            "root #1\n"
            "#1 Int32[][2]: #2, null\n"
            "#2 Int32[1]: 7 (Int32)\n");
}

TEST(NrbfTest, BinaryArrayOfClassesWithNullRuns) {
  NrbfBytes b;
  b.Header().Library(2, "L").U8(7).I32(1).U8(0).I32(1).I32(6).U8(4).Str("E").I32(2);
  b.U8(13).U8(2);  // ObjectNullMultiple256: 2 nulls
  b.Reference(3);
  b.U8(14).I32(3);  // ObjectNullMultiple: 3 nulls
  b.String(3, "z").End();
  EXPECT_EQ(Dump(b),
            "root #1\n"
            "#1 E[6]: null, null, #3, null, null, null\n"
            "#3 string \"z\"\n");
}

TEST(NrbfTest, ArraySinglePrimitiveAndArraySingleString) {
  EXPECT_EQ(Dump(NrbfBytes()
                     .Header()
                     .U8(15)
                     .I32(1)
                     .I32(2)
                     .U8(7)
                     .Raw(std::string("\xff\xff\x02\x00", 4))
                     .End()),
            "root #1\n#1 Int16[2]: -1 (Int16), 2 (Int16)\n");
  EXPECT_EQ(
      Dump(NrbfBytes().Header().U8(17).I32(1).I32(3).String(2, "a").Null().Reference(2).End()),
      "root #1\n#1 String[3]: #2, null, #2\n#2 string \"a\"\n");
}

TEST(NrbfTest, LongStringsUseMultiByteLengths) {
  std::string long_text(300, 'q');
  Graph g = DecodePayload(NrbfBytes().Header().String(1, long_text).End().str()).value();
  EXPECT_EQ(g.root().string_value, long_text);
}

TEST(NrbfTest, SignedFramingIsUnwrappedAndTheTrailerKept) {
  std::string payload = NrbfBytes().Header().String(1, "signed!").End().str();
  std::string trailer(32, '\x5a');
  std::string blob = NrbfBytes().Raw("#sig#").I32(payload.size()).Raw(payload).Raw(trailer).str();
  Graph g = Decode(blob).value();
  EXPECT_TRUE(g.signed_payload);
  EXPECT_EQ(g.signature, trailer);
  EXPECT_EQ(g.root().string_value, "signed!");
  EXPECT_FALSE(Decode(payload)->signed_payload);
}

TEST(NrbfTest, SignedFramingWithWrongLengthsIsAnError) {
  std::string payload = NrbfBytes().Header().String(1, "x").End().str();
  std::string blob =
      NrbfBytes().Raw("#sig#").I32(payload.size()).Raw(payload).Raw(std::string(31, 'x')).str();
  EXPECT_EQ(ErrorOf(blob),
            "signed payload: the header announces 25 payload bytes followed by a 32-byte "
            "signature, but 56 bytes follow (the data is cut or damaged)");
  EXPECT_EQ(ErrorOf("#sig#\xff\xff\xff\xff"), "offset 0: signed payload length is negative (-1)");
  std::string bad_payload =
      NrbfBytes().Raw("#sig#").I32(3).Raw("abc").Raw(std::string(32, 'x')).str();
  EXPECT_EQ(ErrorOf(bad_payload),
            "signed payload: not a .NET BinaryFormatter stream: it starts with byte 97, not a "
            "SerializedStreamHeader (0)");
}

TEST(NrbfTest, HeaderErrors) {
  EXPECT_EQ(ErrorOf(""),
            "offset 0: need 1 bytes for SerializedStreamHeader, only 0 left (the data is cut)");
  EXPECT_EQ(ErrorOf("\x05zzz"),
            "not a .NET BinaryFormatter stream: it starts with byte 5, not a "
            "SerializedStreamHeader (0)");
  EXPECT_EQ(ErrorOf(NrbfBytes().U8(0).I32(1).I32(-1).I32(2).I32(0).str()),
            "offset 9: unsupported BinaryFormatter version 2.0 (expected 1.0)");
}

TEST(NrbfTest, RecordErrorsNameTheOffsetAndTheRecord) {
  EXPECT_EQ(ErrorOf(NrbfBytes().Header().U8(99).str()),
            "offset 17: unknown record type 99 (the data is damaged or not BinaryFormatter)");
  EXPECT_EQ(ErrorOf(NrbfBytes().Header().U8(21).str()),
            "offset 17: MethodCall records (remoting) are not supported");
  EXPECT_EQ(ErrorOf(NrbfBytes().Header().Null().str()),
            "offset 17: ObjectNull record is not allowed at the top level");
  EXPECT_EQ(ErrorOf(NrbfBytes().Header().String(1, "a").String(1, "b").End().str()),
            "offset 24: object id 1 is defined twice");
  EXPECT_EQ(ErrorOf(NrbfBytes().Header().String(1, "a").End().U8(0).str()),
            "offset 25: 1 unexpected bytes after MessageEnd");
  EXPECT_EQ(ErrorOf(NrbfBytes().Header().U8(1).I32(1).I32(9).str()),
            "offset 17: ClassWithId refers to class metadata 9, which no earlier record declares");
  EXPECT_EQ(ErrorOf(NrbfBytes().Header().U8(5).I32(1).Str("Foo").I32(0).I32(7).End().str()),
            "offset 30: class refers to library id 7, which no earlier BinaryLibrary record "
            "declares");
  EXPECT_EQ(ErrorOf(NrbfBytes().Header().U8(4).I32(1).Str("Foo").I32(1000).str()),
            "offset 26: class 'Foo' claims 1000 members but only 0 bytes follow");
  EXPECT_EQ(ErrorOf(NrbfBytes().Header().U8(6).I32(1).Raw("\xff\xff\xff\xff\x7f").str()),
            "offset 22: length of string value is larger than 2^31-1");
  EXPECT_EQ(ErrorOf(NrbfBytes().Header().U8(4).I32(1).Str("F").I32(1).Str("m").U8(9).str()),
            "offset 30: invalid binary type 9");
  EXPECT_EQ(ErrorOf(NrbfBytes().Header().U8(4).I32(1).Str("F").I32(1).Str("m").U8(0).U8(18).str()),
            "offset 31: invalid primitive type 18");
  EXPECT_EQ(
      ErrorOf(
          NrbfBytes().Header().U8(4).I32(1).Str("F").I32(1).Str("m").U8(0).U8(3).U8(0xff).str()),
      "offset 32: Char starts with an invalid UTF-8 byte");
}

TEST(NrbfTest, RecordsOutOfPlaceAreErrors) {
  // A class whose Object member holds a null run or MessageEnd.
  NrbfBytes member;
  member.Header().U8(4).I32(1).Str("F").I32(1).Str("m").U8(2);
  EXPECT_EQ(ErrorOf(NrbfBytes(member).U8(13).U8(2).str()),
            "offset 31: ObjectNullMultiple256 record is not allowed as a member value");
  EXPECT_EQ(ErrorOf(NrbfBytes(member).End().str()),
            "offset 31: MessageEnd record is not allowed as a member value");
  EXPECT_EQ(ErrorOf(NrbfBytes().Header().U8(16).I32(1).I32(2).U8(13).U8(3).str()),
            "offset 26: a run of 3 nulls overruns the array's 2 elements");
  EXPECT_EQ(ErrorOf(NrbfBytes().Header().U8(16).I32(1).I32(2).U8(14).I32(0).str()),
            "offset 26: ObjectNullMultiple with a null count of 0");
}

TEST(NrbfTest, ReferencesMustResolve) {
  EXPECT_EQ(ErrorOf(NrbfBytes().Header().U8(16).I32(1).I32(1).Reference(7).End().str()),
            "object #1 refers to object #7, which the stream never defines");
  EXPECT_EQ(ErrorOf(NrbfBytes().Header(5).String(1, "x").End().str()),
            "the header names root object #5, which the stream never defines");
}

TEST(NrbfTest, DeepNestingIsRefused) {
  NrbfBytes b;
  b.Header().U8(4).I32(1).Str("N").I32(1).Str("next").U8(2);
  for (int i = 0; i < 100; ++i) b.U8(1).I32(2 + i).I32(1);
  b.Null().End();
  EXPECT_EQ(ErrorOf(b.str()), "offset 610: records nested deeper than 64 levels");
}

TEST(NrbfTest, ArrayElementBudgetCoversTheWholeStream) {
  // One run of nulls may not make a decoder allocate without bound...
  EXPECT_EQ(ErrorOf(NrbfBytes().Header().U8(16).I32(1).I32(1 << 21).U8(14).I32(1 << 21).str()),
            "offset 17: array of 2097152 elements exceeds the decoder's limit of 1048576 "
            "elements per stream");
  // ... nor may several arrays that each fit.
  const int32_t n = 600000;
  NrbfBytes b;
  b.Header().U8(16).I32(1).I32(2).Reference(2).Reference(3);
  b.U8(16).I32(2).I32(n).U8(14).I32(n);
  b.U8(16).I32(3).I32(n).U8(14).I32(n).End();
  EXPECT_EQ(ErrorOf(b.str()),
            "offset 50: array of 600000 elements exceeds the decoder's limit of 1048576 elements "
            "per stream");
  // Primitive arrays are bounded by the input itself.
  EXPECT_EQ(ErrorOf(NrbfBytes().Header().U8(15).I32(1).I32(1000).U8(8).str()),
            "offset 17: array of 1000 elements but only 0 bytes follow (the data is cut)");
}

// Every record type above decodes from the real recordings too: all
// SerializationData blobs of every fixture (certificates, connectors, AD
// objects, versions, time spans) decode.
TEST(NrbfFixtureTest, DecodesEverySerializationDataInTheFixtures) {
  const auto dir = CssExchangeDir();
  std::vector<testing::FixtureBlob> blobs = AllSerializationData(dir);
  EXPECT_EQ(blobs.size(), 465u);
  int signed_blobs = 0;
  for (const testing::FixtureBlob& blob : blobs) {
    Result<Graph> g = Decode(blob.bytes);
    ASSERT_TRUE(g.ok()) << blob.file << " blob " << blob.index << ": " << g.status().message();
    signed_blobs += g->signed_payload;
  }
  EXPECT_EQ(signed_blobs, 36);  // all blobs of the Admin/MonitorExchangeAuthCertificate files
                                // except DataCollection/GetExchangeCertificate.xml
}

// Truncating a real blob anywhere must give an error, never a crash or a
// read past the end (run under ASan).
TEST(NrbfFixtureTest, EveryTruncationOfRealBlobsIsAnError) {
  const auto dir = CssExchangeDir();
  std::vector<testing::FixtureBlob> blobs = AllSerializationData(dir);
  for (const testing::FixtureBlob& blob : blobs) {
    bool certificate = blob.bytes.find("ExchangeCertificate") != std::string::npos;
    bool with_iis = blob.bytes.find("IIS://") != std::string::npos;
    if (!certificate || !(with_iis || blob.bytes.starts_with("#sig#"))) continue;
    for (size_t n = 0; n < blob.bytes.size(); ++n) {
      EXPECT_FALSE(Decode(std::string_view(blob.bytes).substr(0, n)).ok())
          << blob.file << " blob " << blob.index << " cut at " << n;
    }
  }
}

// Corrupting any single byte of a real blob gives an error or a graph, never
// a crash.
TEST(NrbfFixtureTest, EveryCorruptedByteOfARealBlobIsSurvived) {
  const auto dir = CssExchangeDir();
  for (const testing::FixtureBlob& blob : AllSerializationData(dir)) {
    if (blob.bytes.find("IIS://") == std::string::npos) continue;
    int decoded = 0;
    for (size_t i = 0; i < blob.bytes.size(); ++i) {
      for (char flip : {'\x01', '\x80', '\xff'}) {
        std::string damaged = blob.bytes;
        damaged[i] = static_cast<char>(damaged[i] ^ flip);
        Result<Graph> g = Decode(damaged);
        if (g.ok()) decoded += !DebugString(*g).empty();
      }
    }
    // Flipping bits inside strings and integers still decodes; the test is
    // that nothing crashed, and that both outcomes happened.
    EXPECT_GT(decoded, 0);
    return;  // one blob with every record kind is enough; the rest are alike
  }
  FAIL() << "no certificate blob with IIS services in the fixtures";
}

RC_GTEST_PROP(NrbfPropertyTest, ArbitraryBytesNeverCrash, (const std::string& bytes)) {
  Result<Graph> g = Decode(bytes);
  if (g.ok()) RC_ASSERT(!DebugString(*g).empty());
}

RC_GTEST_PROP(NrbfPropertyTest, ArbitraryRecordsAfterAValidHeaderNeverCrash,
              (const std::vector<uint8_t>& tail)) {
  std::string bytes = NrbfBytes().Header().str();
  for (uint8_t b : tail) bytes.push_back(static_cast<char>(b % 24));  // mostly record types
  Result<Graph> g = Decode(bytes);
  if (g.ok()) RC_ASSERT(g->Find(g->root_id) != nullptr);
}

}  // namespace
}  // namespace xcert::exchange::nrbf
