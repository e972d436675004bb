#include "resources/x509/der.h"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <limits>
#include <vector>

#include "engine/util/strings.h"

namespace xcert::x509::der {

namespace {

std::string Hex2(uint8_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", v);
  return buf;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += char(cp);
  } else if (cp < 0x800) {
    *out += char(0xc0 | (cp >> 6));
    *out += char(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    *out += char(0xe0 | (cp >> 12));
    *out += char(0x80 | ((cp >> 6) & 0x3f));
    *out += char(0x80 | (cp & 0x3f));
  } else {
    *out += char(0xf0 | (cp >> 18));
    *out += char(0x80 | ((cp >> 12) & 0x3f));
    *out += char(0x80 | ((cp >> 6) & 0x3f));
    *out += char(0x80 | (cp & 0x3f));
  }
}

// Big-endian code units of `width` bytes (2: BMPString, 4: UniversalString).
Result<std::string> WideToUtf8(std::string_view v, size_t width, std::string_view what) {
  if (v.size() % width != 0) {
    return Malformed(what, "its length " + std::to_string(v.size()) + " is not a multiple of " +
                               std::to_string(width));
  }
  std::string out;
  out.reserve(v.size());
  for (size_t i = 0; i < v.size(); i += width) {
    uint32_t cp = 0;
    for (size_t k = 0; k < width; ++k) cp = (cp << 8) | uint8_t(v[i + k]);
    if (!IsValidCodePoint(cp)) return Malformed(what, "it holds an invalid code point");
    AppendUtf8(cp, &out);
  }
  return out;
}

std::string Latin1ToUtf8(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) AppendUtf8(uint8_t(c), &out);
  return out;
}

bool Digits(std::string_view s, size_t pos, size_t len, int* out) {
  *out = 0;
  for (size_t i = pos; i < pos + len; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    *out = *out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

std::string TagName(uint8_t tag) {
  switch (tag) {
    case kBoolean: return "BOOLEAN";
    case kInteger: return "INTEGER";
    case kBitString: return "BIT STRING";
    case kOctetString: return "OCTET STRING";
    case kNull: return "NULL";
    case kOid: return "OBJECT IDENTIFIER";
    case kUtf8String: return "UTF8String";
    case kPrintableString: return "PrintableString";
    case kIa5String: return "IA5String";
    case kUtcTime: return "UTCTime";
    case kGeneralizedTime: return "GeneralizedTime";
    case kBmpString: return "BMPString";
    case kSequence: return "SEQUENCE";
    case kSet: return "SET";
  }
  if ((tag & 0xc0) == 0x80) return std::string("[").append(std::to_string(tag & 0x1f)).append("]");
  return "tag " + Hex2(tag);
}

Status Malformed(std::string_view what, std::string_view problem) {
  return InvalidArgument("malformed " + std::string(what) + ": " + std::string(problem));
}

Result<Tlv> Reader::Read(std::string_view what) {
  if (AtEnd()) return Malformed(what, "missing (the data ends before it)");
  const size_t start = pos_;
  const uint8_t tag = uint8_t(data_[pos_]);
  if ((tag & 0x1f) == 0x1f)
    return Malformed(what, "multi-byte tag " + Hex2(tag) + " is not used in X.509");
  if (data_.size() - pos_ < 2) return Malformed(what, "truncated after its tag");
  const uint8_t first = uint8_t(data_[pos_ + 1]);
  size_t header = 2;
  size_t length = first;
  if (first == 0x80) return Malformed(what, "indefinite length (BER) is not allowed in DER");
  if (first > 0x80) {
    const size_t n = first & 0x7f;
    if (n > 4)
      return Malformed(what, "length field of " + std::to_string(n) + " octets is too large");
    if (data_.size() - pos_ - 2 < n) return Malformed(what, "truncated inside its length");
    length = 0;
    for (size_t i = 0; i < n; ++i) length = (length << 8) | uint8_t(data_[pos_ + 2 + i]);
    if (uint8_t(data_[pos_ + 2]) == 0 || length < 0x80) {
      return Malformed(what, "length is not minimally encoded (not DER)");
    }
    header += n;
  }
  const size_t left = data_.size() - pos_ - header;
  if (length > left) {
    return Malformed(what, "length " + std::to_string(length) + " runs past the end (" +
                               std::to_string(left) + " bytes left)");
  }
  pos_ += header + length;
  return Tlv{tag, data_.substr(start + header, length), data_.substr(start, header + length)};
}

Result<Tlv> Reader::Read(uint8_t tag, std::string_view what) {
  if (AtEnd()) return Malformed(what, "missing (the data ends before it)");
  if (uint8_t(data_[pos_]) != tag) {
    return Malformed(what, "expected " + TagName(tag) + ", found " + TagName(uint8_t(data_[pos_])));
  }
  return Read(what);
}

Status Reader::ExpectEnd(std::string_view what) const {
  if (AtEnd()) return Status::Ok();
  return Malformed(what, std::to_string(data_.size() - pos_) + " unexpected bytes at its end");
}

Result<std::string> OidToText(std::string_view content, std::string_view what) {
  if (content.empty()) return Malformed(what, "empty OBJECT IDENTIFIER");
  std::string out;
  uint64_t arc = 0;
  bool first = true;
  bool arc_start = true;
  for (size_t i = 0; i < content.size(); ++i) {
    const uint8_t b = uint8_t(content[i]);
    if (arc_start && b == 0x80)
      return Malformed(what, "OBJECT IDENTIFIER arc is not minimally encoded");
    if (arc > (std::numeric_limits<uint64_t>::max() >> 7)) {
      return Malformed(what, "OBJECT IDENTIFIER arc is too large");
    }
    arc = (arc << 7) | (b & 0x7f);
    arc_start = (b & 0x80) == 0;
    if (!arc_start) continue;
    if (first) {
      const uint64_t top = arc < 40 ? 0 : arc < 80 ? 1 : 2;
      out = std::to_string(top) + "." + std::to_string(arc - top * 40);
      first = false;
    } else {
      out.append(".").append(std::to_string(arc));
    }
    arc = 0;
  }
  if (!arc_start) return Malformed(what, "OBJECT IDENTIFIER is truncated");
  return out;
}

std::string EncodeOid(std::string_view dotted) {
  std::vector<uint64_t> arcs;
  size_t start = 0;
  while (start <= dotted.size()) {
    size_t dot = dotted.find('.', start);
    if (dot == std::string_view::npos) dot = dotted.size();
    uint64_t v = 0;
    std::from_chars(dotted.data() + start, dotted.data() + dot, v);
    arcs.push_back(v);
    start = dot + 1;
  }
  std::string out;
  for (size_t i = 1; i < arcs.size(); ++i) {
    const uint64_t v = i == 1 ? arcs[0] * 40 + arcs[1] : arcs[i];
    std::string rev(1, char(v & 0x7f));
    for (uint64_t rest = v >> 7; rest != 0; rest >>= 7) rev += char(0x80 | (rest & 0x7f));
    out.append(rev.rbegin(), rev.rend());
  }
  return out;
}

Result<TimePoint> DecodeTime(const Tlv& t, std::string_view what) {
  const std::string_view s = t.value;
  size_t year_len = 0;
  if (t.tag == kUtcTime) {
    year_len = 2;
  } else if (t.tag == kGeneralizedTime) {
    year_len = 4;
  } else {
    return Malformed(what, "expected UTCTime or GeneralizedTime, found " + TagName(t.tag));
  }
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  const bool shaped = s.size() == year_len + 11 && s.back() == 'Z' && Digits(s, 0, year_len, &y) &&
                      Digits(s, year_len, 2, &mo) && Digits(s, year_len + 2, 2, &d) &&
                      Digits(s, year_len + 4, 2, &h) && Digits(s, year_len + 6, 2, &mi) &&
                      Digits(s, year_len + 8, 2, &se);
  if (!shaped) {
    return Malformed(what,
                     Quote(s) + " is not " + (year_len == 2 ? "YYMMDDHHMMSSZ" : "YYYYMMDDHHMMSSZ"));
  }
  if (year_len == 2) y += y < 50 ? 2000 : 1900;
  using namespace std::chrono;
  const year_month_day ymd{year(y), month(unsigned(mo)), day(unsigned(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || se > 59) {
    return Malformed(what, Quote(s) + " is not a valid date and time");
  }
  return TimePoint(sys_days(ymd)) + hours(h) + minutes(mi) + seconds(se);
}

Result<std::string> DecodeString(const Tlv& t, std::string_view what) {
  switch (t.tag) {
    case kUtf8String:
      if (!IsValidUtf8(t.value)) return Malformed(what, "UTF8String is not valid UTF-8");
      return std::string(t.value);
    case kPrintableString:
    case kIa5String:
    case kT61String:
    case kNumericString:
    case kVisibleString: return Latin1ToUtf8(t.value);
    case kBmpString: return WideToUtf8(t.value, 2, what);
    case kUniversalString: return WideToUtf8(t.value, 4, what);
  }
  return Malformed(what, "expected a string, found " + TagName(t.tag));
}

Result<bool> DecodeBoolean(const Tlv& t, std::string_view what) {
  if (t.tag != kBoolean || t.value.size() != 1) return Malformed(what, "not a one-octet BOOLEAN");
  return t.value[0] != 0;
}

Result<std::string_view> BitStringBytes(const Tlv& t, std::string_view what) {
  if (t.tag != kBitString || t.value.empty()) return Malformed(what, "not a BIT STRING");
  if (t.value[0] != 0) return Malformed(what, "BIT STRING has unused bits");
  return t.value.substr(1);
}

}  // namespace xcert::x509::der
