#include "resources/x509/der.h"

#include <gtest/gtest.h>

#include "engine/util/time.h"

namespace xcert::x509::der {
namespace {

using namespace std::string_literals;

TimePoint Iso(const char* s) { return *ParseIso8601(s); }

// The message of reading one element named "x" from `data`.
std::string ReadError(const std::string& data) {
  Reader r(data);
  return r.Read("x").status().message();
}

TEST(DerReaderTest, ReadsShortAndLongLengths) {
  const std::string long_value(200, 'x');
  const std::string data =
      "\x04\x03"
      "abc"
      "\x04\x81\xc8"s +
      long_value;
  Reader r(data);
  auto a = r.Read(kOctetString, "a");
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->value, "abc");
  EXPECT_EQ(a->encoded,
            "\x04\x03"
            "abc");
  auto b = r.Read("b");
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(b->tag, kOctetString);
  EXPECT_EQ(b->value, long_value);
  EXPECT_TRUE(r.AtEnd());
  EXPECT_TRUE(r.ExpectEnd("x").ok());
}

TEST(DerReaderTest, WrongTagNamesBoth) {
  const std::string data = "\x02\x01\x05"s;
  Reader r(data);
  auto t = r.Read(kSequence, "tbsCertificate.validity");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(t.status().message(),
            "malformed tbsCertificate.validity: expected SEQUENCE, found INTEGER");
}

TEST(DerReaderTest, RejectsLengthPastTheEnd) {
  const std::string data = "\x30\x05\x01\x02"s;
  Reader r(data);
  EXPECT_EQ(r.Read("certificate").status().message(),
            "malformed certificate: length 5 runs past the end (2 bytes left)");
}

TEST(DerReaderTest, RejectsHugeLongFormLength) {
  const std::string data = "\x30\x84\xff\xff\xff\xff\x00"s;
  Reader r(data);
  EXPECT_EQ(r.Read("x").status().message(),
            "malformed x: length 4294967295 runs past the end (1 bytes left)");
  const std::string data2 = "\x30\x85\x01\x00\x00\x00\x00"s;
  Reader r2(data2);
  EXPECT_EQ(r2.Read("x").status().message(), "malformed x: length field of 5 octets is too large");
}

TEST(DerReaderTest, RejectsBerLengths) {
  EXPECT_EQ(ReadError("\x30\x80\x00\x00"s),
            "malformed x: indefinite length (BER) is not allowed in DER");
  EXPECT_EQ(ReadError("\x04\x81\x05"
                      "abcde"s),
            "malformed x: length is not minimally encoded (not DER)");
  EXPECT_EQ(ReadError("\x04\x82\x00\x90"s + std::string(0x90, 'a')),
            "malformed x: length is not minimally encoded (not DER)");
}

TEST(DerReaderTest, RejectsTruncationAndMultiByteTags) {
  EXPECT_EQ(ReadError(""), "malformed x: missing (the data ends before it)");
  EXPECT_EQ(ReadError("\x30"s), "malformed x: truncated after its tag");
  EXPECT_EQ(ReadError("\x30\x82\x01"s), "malformed x: truncated inside its length");
  EXPECT_EQ(ReadError("\x1f\x81\x01\x00"s),
            "malformed x: multi-byte tag 0x1f is not used in X.509");
}

TEST(DerReaderTest, ExpectEndCountsTrailingBytes) {
  const std::string data = "\x05\x00\x01\x02"s;
  Reader r(data);
  ASSERT_TRUE(r.Read(kNull, "n").ok());
  EXPECT_EQ(r.ExpectEnd("certificate").message(),
            "malformed certificate: 2 unexpected bytes at its end");
}

TEST(DerReaderTest, NextTagIs) {
  const std::string data = "\xa3\x00"s;
  Reader r(data);
  EXPECT_TRUE(r.NextTagIs(ContextConstructed(3)));
  EXPECT_FALSE(r.NextTagIs(ContextPrimitive(3)));
  ASSERT_TRUE(r.Read("x").ok());
  EXPECT_FALSE(r.NextTagIs(ContextConstructed(3)));
}

TEST(DerTagNameTest, NamesCommonTags) {
  EXPECT_EQ(TagName(kSequence), "SEQUENCE");
  EXPECT_EQ(TagName(ContextConstructed(3)), "[3]");
  EXPECT_EQ(TagName(ContextPrimitive(2)), "[2]");
  EXPECT_EQ(TagName(0x5f), "tag 0x5f");
}

TEST(OidTest, DecodesDottedText) {
  EXPECT_EQ(*OidToText("\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b"s, "x"), "1.2.840.113549.1.1.11");
  EXPECT_EQ(*OidToText("\x55\x04\x03"s, "x"), "2.5.4.3");
  EXPECT_EQ(*OidToText("\x09\x92\x26\x89\x93\xf2\x2c\x64\x01\x19"s, "x"),
            "0.9.2342.19200300.100.1.25");
  EXPECT_EQ(*OidToText("\x88\x37\x01"s, "x"), "2.999.1");  // first arc > 2*40
}

TEST(OidTest, RejectsMalformedOids) {
  EXPECT_EQ(OidToText("", "x").status().message(), "malformed x: empty OBJECT IDENTIFIER");
  EXPECT_EQ(OidToText("\x55\x80\x01"s, "x").status().message(),
            "malformed x: OBJECT IDENTIFIER arc is not minimally encoded");
  EXPECT_EQ(OidToText("\x55\x86"s, "x").status().message(),
            "malformed x: OBJECT IDENTIFIER is truncated");
  EXPECT_EQ(OidToText("\x55\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f"s, "x").status().message(),
            "malformed x: OBJECT IDENTIFIER arc is too large");
}

TEST(OidTest, EncodeIsTheInverse) {
  for (const char* dotted : {"1.2.840.113549.1.1.11", "2.5.29.17", "0.9.2342.19200300.100.1.25",
                             "1.3.6.1.4.1.311.60.2.1.3", "2.999.1", "1.2.840.10045.3.1.7"}) {
    EXPECT_EQ(*OidToText(EncodeOid(dotted), "x"), dotted);
  }
  EXPECT_EQ(EncodeOid("2.5.4.3"), "\x55\x04\x03");
}

TEST(DecodeTimeTest, UtcTimeCenturyWindow) {
  EXPECT_EQ(*DecodeTime({kUtcTime, "491231235959Z"}, "t"), Iso("2049-12-31T23:59:59Z"));
  EXPECT_EQ(*DecodeTime({kUtcTime, "500101000000Z"}, "t"), Iso("1950-01-01T00:00:00Z"));
  EXPECT_EQ(*DecodeTime({kUtcTime, "230105090448Z"}, "t"), Iso("2023-01-05T09:04:48Z"));
}

TEST(DecodeTimeTest, GeneralizedTime) {
  EXPECT_EQ(*DecodeTime({kGeneralizedTime, "20500101000000Z"}, "t"), Iso("2050-01-01T00:00:00Z"));
  EXPECT_EQ(*DecodeTime({kGeneralizedTime, "99991231235959Z"}, "t"), Iso("9999-12-31T23:59:59Z"));
  EXPECT_EQ(*DecodeTime({kGeneralizedTime, "20240229120000Z"}, "t"), Iso("2024-02-29T12:00:00Z"));
}

TEST(DecodeTimeTest, RejectsNonRfc5280Forms) {
  EXPECT_EQ(DecodeTime({kUtcTime, "2301050904Z"}, "validity.notAfter").status().message(),
            "malformed validity.notAfter: '2301050904Z' is not YYMMDDHHMMSSZ");
  EXPECT_EQ(DecodeTime({kGeneralizedTime, "20230105090448.5Z"}, "t").status().message(),
            "malformed t: '20230105090448.5Z' is not YYYYMMDDHHMMSSZ");
  EXPECT_FALSE(DecodeTime({kUtcTime, "230105090448+0100"}, "t").ok());
  EXPECT_EQ(DecodeTime({kGeneralizedTime, "20230230000000Z"}, "t").status().message(),
            "malformed t: '20230230000000Z' is not a valid date and time");
  EXPECT_FALSE(DecodeTime({kUtcTime, "230105240000Z"}, "t").ok());
  EXPECT_FALSE(DecodeTime({kUtcTime, "230105235960Z"}, "t").ok());
  EXPECT_EQ(DecodeTime({kInteger, "1"}, "t").status().message(),
            "malformed t: expected UTCTime or GeneralizedTime, found INTEGER");
}

TEST(DecodeStringTest, DecodesEveryDirectoryStringToUtf8) {
  EXPECT_EQ(*DecodeString({kUtf8String, "M\xc3\xbcller"}, "s"), "M\xc3\xbcller");
  EXPECT_EQ(*DecodeString({kPrintableString, "Contoso Ltd"}, "s"), "Contoso Ltd");
  EXPECT_EQ(*DecodeString({kIa5String, "a@b.example"}, "s"), "a@b.example");
  EXPECT_EQ(*DecodeString({kT61String, "M\xfcller"}, "s"), "M\xc3\xbcller");  // as Latin-1
  EXPECT_EQ(*DecodeString({kBmpString, "\x00M\x00\xfc\x6c\x34"s}, "s"), "M\xc3\xbc\xe6\xb0\xb4");
  EXPECT_EQ(*DecodeString({kUniversalString, "\x00\x01\xf6\x00"s}, "s"), "\xf0\x9f\x98\x80");
}

TEST(DecodeStringTest, RejectsInvalidText) {
  EXPECT_EQ(DecodeString({kUtf8String, "\xc0\xaf"}, "subject").status().message(),
            "malformed subject: UTF8String is not valid UTF-8");            // overlong '/'
  EXPECT_FALSE(DecodeString({kUtf8String, "\xed\xa0\x80"}, "s").ok());      // surrogate
  EXPECT_FALSE(DecodeString({kUtf8String, "\xf4\x90\x80\x80"}, "s").ok());  // > U+10FFFF
  EXPECT_FALSE(DecodeString({kUtf8String, "abc\xe2\x82"}, "s").ok());       // truncated
  EXPECT_EQ(DecodeString({kBmpString, "\x00"s}, "s").status().message(),
            "malformed s: its length 1 is not a multiple of 2");
  EXPECT_EQ(DecodeString({kBmpString, "\xd8\x00"s}, "s").status().message(),
            "malformed s: it holds an invalid code point");
  EXPECT_FALSE(DecodeString({kUniversalString, "\x00\x11\x00\x00"s}, "s").ok());
  EXPECT_EQ(DecodeString({kSequence, ""}, "s").status().message(),
            "malformed s: expected a string, found SEQUENCE");
}

TEST(DecodeBooleanTest, NonZeroIsTrue) {
  EXPECT_TRUE(*DecodeBoolean({kBoolean, "\xff"}, "b"));
  EXPECT_TRUE(*DecodeBoolean({kBoolean, "\x01"}, "b"));
  EXPECT_FALSE(*DecodeBoolean({kBoolean, "\x00"s}, "b"));
  EXPECT_FALSE(DecodeBoolean({kBoolean, ""}, "b").ok());
  EXPECT_FALSE(DecodeBoolean({kInteger, "\x01"}, "b").ok());
}

TEST(BitStringBytesTest, RequiresWholeBytes) {
  EXPECT_EQ(*BitStringBytes({kBitString, "\x00\x04\x05"s}, "k"), "\x04\x05");
  EXPECT_EQ(BitStringBytes({kBitString, "\x03\x04"s}, "k").status().message(),
            "malformed k: BIT STRING has unused bits");
  EXPECT_FALSE(BitStringBytes({kBitString, ""}, "k").ok());
}

}  // namespace
}  // namespace xcert::x509::der
