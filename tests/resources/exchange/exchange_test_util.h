// Helpers shared by the tests of resources/exchange: the recorded CSS-Exchange
// fixtures and a builder for hand-made MS-NRBF byte strings.
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "resources/x509/digest.h"
#include "tests/support/test_util.h"

namespace xcert::exchange::testing {

namespace fs = std::filesystem;

using xcert::testing::CssExchangeDir;

// Every *.xml under the fixtures, as paths relative to css-exchange, sorted.
inline std::vector<std::string> AllFixtureFiles(const fs::path& root) {
  std::vector<std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().extension() == ".xml") {
      out.push_back(fs::relative(entry.path(), root).generic_string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct FixtureBlob {
  std::string file;  // relative to css-exchange
  int index = 0;     // 1-based position in the file
  std::string bytes;
};

// Every <BA N="SerializationData"> in every fixture, found textually (so the
// NRBF decoder is tested independently of the CliXml reader).
inline std::vector<FixtureBlob> AllSerializationData(const fs::path& root) {
  constexpr std::string_view kOpen = "<BA N=\"SerializationData\">";
  std::vector<FixtureBlob> out;
  for (const std::string& file : AllFixtureFiles(root)) {
    std::string text = xcert::testing::ReadFileOrDie(root / file);
    int index = 0;
    for (size_t pos = text.find(kOpen); pos != std::string::npos; pos = text.find(kOpen, pos)) {
      pos += kOpen.size();
      std::string_view base64 = std::string_view(text).substr(pos, text.find("</BA>", pos) - pos);
      out.push_back({file, ++index, x509::Base64Decode(base64).value()});
    }
  }
  return out;
}

// Little-endian MS-NRBF bytes, written the way the spec describes records.
class NrbfBytes {
 public:
  NrbfBytes& U8(int v) {
    data_.push_back(static_cast<char>(v));
    return *this;
  }
  NrbfBytes& I32(int64_t v) {
    for (int i = 0; i < 4; ++i) U8(static_cast<int>((static_cast<uint64_t>(v) >> (8 * i)) & 0xFF));
    return *this;
  }
  NrbfBytes& I64(uint64_t v) {
    for (int i = 0; i < 8; ++i) U8(static_cast<int>((v >> (8 * i)) & 0xFF));
    return *this;
  }
  NrbfBytes& Raw(std::string_view bytes) {
    data_ += bytes;
    return *this;
  }
  // LengthPrefixedString: 7-bit encoded length, then the UTF-8 bytes.
  NrbfBytes& Str(std::string_view s) {
    size_t n = s.size();
    do {
      U8(static_cast<int>((n & 0x7F) | (n > 0x7F ? 0x80 : 0)));
      n >>= 7;
    } while (n);
    return Raw(s);
  }
  // SerializedStreamHeader with root id `root`, version 1.0.
  NrbfBytes& Header(int32_t root = 1) { return U8(0).I32(root).I32(-1).I32(1).I32(0); }
  NrbfBytes& End() { return U8(11); }
  NrbfBytes& Library(int32_t id, std::string_view name) { return U8(12).I32(id).Str(name); }
  NrbfBytes& String(int32_t id, std::string_view value) { return U8(6).I32(id).Str(value); }
  NrbfBytes& Reference(int32_t id) { return U8(9).I32(id); }
  NrbfBytes& Null() { return U8(10); }

  const std::string& str() const { return data_; }

 private:
  std::string data_;
};

}  // namespace xcert::exchange::testing
