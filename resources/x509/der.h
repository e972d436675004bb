// A small, strict DER reader (X.690 distinguished encoding): one-byte tags,
// definite minimal lengths, and every read bounds-checked against the input.
// It never allocates for structure, only for decoded text. Errors are
// InvalidArgument values naming the element ("tbsCertificate.validity:
// expected SEQUENCE, found INTEGER"); malformed input never reads out of bounds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/util/status.h"
#include "engine/util/time.h"

namespace xcert::x509::der {

// Identifier octets used by X.509 (class, constructed bit and number).
inline constexpr uint8_t kBoolean = 0x01;
inline constexpr uint8_t kInteger = 0x02;
inline constexpr uint8_t kBitString = 0x03;
inline constexpr uint8_t kOctetString = 0x04;
inline constexpr uint8_t kNull = 0x05;
inline constexpr uint8_t kOid = 0x06;
inline constexpr uint8_t kUtf8String = 0x0c;
inline constexpr uint8_t kNumericString = 0x12;
inline constexpr uint8_t kPrintableString = 0x13;
inline constexpr uint8_t kT61String = 0x14;
inline constexpr uint8_t kIa5String = 0x16;
inline constexpr uint8_t kUtcTime = 0x17;
inline constexpr uint8_t kGeneralizedTime = 0x18;
inline constexpr uint8_t kVisibleString = 0x1a;
inline constexpr uint8_t kUniversalString = 0x1c;
inline constexpr uint8_t kBmpString = 0x1e;
inline constexpr uint8_t kSequence = 0x30;
inline constexpr uint8_t kSet = 0x31;
// [n] context-specific, primitive (IMPLICIT scalars) or constructed.
constexpr uint8_t ContextPrimitive(int n) { return static_cast<uint8_t>(0x80 | n); }
constexpr uint8_t ContextConstructed(int n) { return static_cast<uint8_t>(0xa0 | n); }

// "SEQUENCE", "INTEGER", "[3]", "tag 0x5f": for messages.
std::string TagName(uint8_t tag);

// One element: its identifier, its content octets and its whole encoding.
// Both views point into the reader's input.
struct Tlv {
  uint8_t tag = 0;
  std::string_view value;
  std::string_view encoded;
};

class Reader {
 public:
  // `data` must outlive the reader and every Tlv it returns.
  explicit Reader(std::string_view data) : data_(data) {}
  // A temporary string would dangle.
  explicit Reader(std::string&&) = delete;

  bool AtEnd() const { return pos_ >= data_.size(); }
  // Whether another element follows and has identifier `tag`.
  bool NextTagIs(uint8_t tag) const { return !AtEnd() && uint8_t(data_[pos_]) == tag; }

  // The next element, whatever its identifier.
  Result<Tlv> Read(std::string_view what);
  // The next element, which must have identifier `tag`.
  Result<Tlv> Read(uint8_t tag, std::string_view what);
  // OK when every byte has been read; otherwise an error naming `what`.
  Status ExpectEnd(std::string_view what) const;

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

// "malformed <what>: <problem>" as InvalidArgument.
Status Malformed(std::string_view what, std::string_view problem);

// Dotted text of OBJECT IDENTIFIER content octets ("1.2.840.113549.1.1.11").
// Arcs above 2^64 and non-minimal arc encodings are errors.
Result<std::string> OidToText(std::string_view content, std::string_view what);
// Content octets of a dotted OID. REQUIRES: `dotted` is a valid OID text
// with at least two arcs (used for built-in tables).
std::string EncodeOid(std::string_view dotted);

// UTCTime (YYMMDDHHMMSSZ; years 50..99 are 19xx) or GeneralizedTime
// (YYYYMMDDHHMMSSZ), as RFC 5280 §4.1.2.5 requires.
Result<TimePoint> DecodeTime(const Tlv& t, std::string_view what);

// A directory string (UTF8String, PrintableString, IA5String, T61String,
// NumericString, VisibleString as Latin-1, BMPString as UCS-2,
// UniversalString as UCS-4) decoded to UTF-8, the way OpenSSL's
// ASN1_STRING_to_UTF8 does. Invalid UTF-8 or code points are errors.
Result<std::string> DecodeString(const Tlv& t, std::string_view what);

// BOOLEAN: any non-zero octet is TRUE (as OpenSSL reads it).
Result<bool> DecodeBoolean(const Tlv& t, std::string_view what);

// The bytes of a BIT STRING that has no unused bits.
Result<std::string_view> BitStringBytes(const Tlv& t, std::string_view what);

}  // namespace xcert::x509::der
