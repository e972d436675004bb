#include "resources/x509/x509_ext.h"

#include <gtest/gtest.h>

#include "engine/util/strings.h"
#include "resources/x509/digest.h"
#include "tests/resources/x509/x509_test_util.h"

namespace xcert::x509 {
namespace {

using testing::Ec;
using testing::Rsa;
using testing::TestKey;

TEST(DnsGeneralNamesTest, KeepsOrderAndRoundTrips) {
  auto names = DnsGeneralNames({"a.example.com", "*.example.com", "xn--bcher-kva.example.com"});
  ASSERT_TRUE(names.ok()) << names.status().message();
  EXPECT_EQ(DnsNamesOf(names->get()), (std::vector<std::string>{"a.example.com", "*.example.com",
                                                                "xn--bcher-kva.example.com"}));
  EXPECT_TRUE(DnsNamesOf(nullptr).empty());
}

TEST(DnsGeneralNamesTest, RejectsInvalidNames) {
  EXPECT_EQ(DnsGeneralNames({"f*.example.com"}).status().message(),
            "DNS name 'f*.example.com' is not valid: a wildcard '*' is only allowed as the whole "
            "left-most label (*.example.com)");
  EXPECT_EQ(DnsGeneralNames({"10.0.0.1"}).status().message(),
            "DNS name '10.0.0.1' is not valid: IP addresses are not DNS names (Exchange "
            "certificates name hosts)");
  EXPECT_EQ(DnsGeneralNames({"mail.example.com."}).status().message(),
            "DNS name 'mail.example.com.' is not valid: it ends with a dot; write the name "
            "without the trailing dot");
}

TEST(KeyIdentifierTest, IsRawSha1OfTheKeyBits) {
  const PrivateKey& key = TestKey(Ec());
  EXPECT_EQ(HexEncode(KeyIdentifier(key.get()), true), key.PublicKeySha1());
  EXPECT_EQ(KeyIdentifier(key.get()).size(), 20u);
}

TEST(SigningDigestTest, Sha384OnlyForP384) {
  EXPECT_EQ(SigningDigest(TestKey(Ec(EcCurve::kP384)).get()), EVP_sha384());
  EXPECT_EQ(SigningDigest(TestKey(Ec(EcCurve::kP256)).get()), EVP_sha256());
  EXPECT_EQ(SigningDigest(TestKey(Rsa()).get()), EVP_sha256());
}

}  // namespace
}  // namespace xcert::x509
