#include "resources/exchange/serialized_cert.h"

#include <gtest/gtest.h>

#include "tests/resources/exchange/exchange_test_util.h"

namespace xcert::exchange {
namespace {

using testing::NrbfBytes;

// One store property: id, reserved (1), length, data.
std::string Property(uint32_t id, std::string_view data) {
  return NrbfBytes().I32(id).I32(1).I32(data.size()).Raw(data).str();
}

std::string Utf16Le(std::string_view ascii) {
  std::string out;
  for (char c : ascii) out += std::string{c, '\0'};
  return out + std::string(2, '\0');  // NUL terminator, as Windows stores it
}

TEST(SerializedCertTest, ReadsDerFriendlyNameAndKeyProvInfo) {
  std::string element = Property(92, std::string("\x00\x08\x00\x00", 4)) +
                        Property(2, "key provider info") + Property(11, Utf16Le("Mail 2024")) +
                        Property(32, "\x30\x03\x02\x01\x05");
  SerializedCertificate cert = ParseSerializedCertificate(element).value();
  EXPECT_EQ(cert.der, "\x30\x03\x02\x01\x05");
  EXPECT_TRUE(cert.has_friendly_name);
  EXPECT_EQ(cert.friendly_name, "Mail 2024");
  EXPECT_TRUE(cert.has_key_prov_info);

  std::vector<CertStoreProperty> props = ParseCertStoreProperties(element).value();
  ASSERT_EQ(props.size(), 4u);
  EXPECT_EQ(props[0].id, 92u);
  EXPECT_EQ(props[3].id, 32u);
}

TEST(SerializedCertTest, AbsentPropertiesStayUnset) {
  SerializedCertificate cert = ParseSerializedCertificate(Property(32, "der")).value();
  EXPECT_FALSE(cert.has_friendly_name);
  EXPECT_FALSE(cert.has_key_prov_info);
  EXPECT_EQ(cert.friendly_name, "");
  EXPECT_TRUE(ParseCertStoreProperties("")->empty());
}

TEST(SerializedCertTest, TruncationIsAnError) {
  std::string element = Property(11, Utf16Le("x")) + Property(32, "abcdef");
  EXPECT_EQ(ParseCertStoreProperties(element.substr(0, element.size() - 1)).status().message(),
            "serialized certificate: offset 16: property 32 claims 6 bytes but only 5 follow");
  EXPECT_EQ(ParseCertStoreProperties(element.substr(0, 20)).status().message(),
            "serialized certificate: offset 16: 4 bytes left, too few for a property header (12)");
  for (size_t n = 1; n < element.size(); ++n) {
    if (n == 16) continue;  // a whole first property is a valid element
    EXPECT_FALSE(ParseSerializedCertificate(element.substr(0, n)).ok()) << n;
  }
}

TEST(SerializedCertTest, OddFriendlyNameIsAnError) {
  EXPECT_EQ(ParseSerializedCertificate(Property(11, "abc")).status().message(),
            "serialized certificate: friendly name: UTF-16 text has an odd number of bytes (3); "
            "the data is cut");
}

}  // namespace
}  // namespace xcert::exchange
