#include "engine/model/certificate.h"

#include <gtest/gtest.h>

namespace xcert {
namespace {

using namespace std::chrono;

TimePoint Day(int y, unsigned m, unsigned d) { return TimePoint(sys_days(year(y) / m / d)); }

TEST(KeySpecTest, DisplaysAsThePlanAndShowPrintIt) {
  EXPECT_EQ(KeySpec{}.ToString(), "RSA 2048") << "the default key";
  EXPECT_EQ((KeySpec{KeyAlgorithm::kRsa, 4096, EcCurve::kNone, true}).ToString(), "RSA 4096");
  EXPECT_EQ((KeySpec{KeyAlgorithm::kEcdsa, 0, EcCurve::kP256, false}).ToString(), "ECDSA P-256");
  EXPECT_EQ((KeySpec{KeyAlgorithm::kEcdsa, 0, EcCurve::kP384, false}).ToString(), "ECDSA P-384");
}

TEST(KeySpecTest, ExportabilityIsPartOfTheSpec) {
  const KeySpec a{KeyAlgorithm::kRsa, 2048, EcCurve::kNone, true};
  KeySpec b = a;
  EXPECT_EQ(a, b);
  b.exportable = false;
  EXPECT_NE(a, b);
  b = a;
  b.rsa_bits = 3072;
  EXPECT_NE(a, b);
}

TEST(NamesTest, KeyAlgorithmsAndCurves) {
  EXPECT_EQ(KeyAlgorithmName(KeyAlgorithm::kRsa), "RSA");
  EXPECT_EQ(KeyAlgorithmName(KeyAlgorithm::kEcdsa), "ECDSA");
  EXPECT_EQ(CurveName(EcCurve::kP256), "P-256");
  EXPECT_EQ(CurveName(EcCurve::kP384), "P-384");
  EXPECT_EQ(CurveName(EcCurve::kNone), "");
}

TEST(NamesTest, StatusAndRootCaTypeAreSpelledAsExchangeSpellsThem) {
  const std::pair<CertStatus, const char*> statuses[] = {
      {CertStatus::kUnknown, "Unknown"},
      {CertStatus::kValid, "Valid"},
      {CertStatus::kRevoked, "Revoked"},
      {CertStatus::kDateInvalid, "DateInvalid"},
      {CertStatus::kUntrusted, "Untrusted"},
      {CertStatus::kInvalid, "Invalid"},
      {CertStatus::kRevocationCheckFailure, "RevocationCheckFailure"},
      {CertStatus::kPendingRequest, "PendingRequest"},
  };
  for (const auto& [s, name] : statuses) EXPECT_EQ(CertStatusName(s), name);
  const std::pair<RootCaType, const char*> types[] = {
      {RootCaType::kNone, "None"},
      {RootCaType::kThirdParty, "ThirdParty"},
      {RootCaType::kEnterprise, "Enterprise"},
      {RootCaType::kRegistry, "Registry"},
      {RootCaType::kGroupPolicy, "GroupPolicy"},
      {RootCaType::kUnknown, "Unknown"},
  };
  for (const auto& [t, name] : types) EXPECT_EQ(RootCaTypeName(t), name);
}

TEST(CertificateInfoTest, ExpiredFromNotAfterOn) {
  CertificateInfo c;
  c.not_before = Day(2026, 1, 1);
  c.not_after = Day(2027, 1, 1);
  EXPECT_FALSE(c.IsExpired(Day(2026, 12, 31)));
  EXPECT_FALSE(c.IsExpired(Day(2027, 1, 1) - seconds(1)));
  EXPECT_TRUE(c.IsExpired(Day(2027, 1, 1))) << "not valid at its notAfter second";
  EXPECT_TRUE(c.IsExpired(Day(2030, 1, 1)));
}

TEST(CertificateInfoTest, NotYetValidBeforeNotBefore) {
  CertificateInfo c;
  c.not_before = Day(2026, 1, 1);
  c.not_after = Day(2027, 1, 1);
  EXPECT_TRUE(c.IsNotYetValid(Day(2025, 12, 31)));
  EXPECT_TRUE(c.IsNotYetValid(Day(2026, 1, 1) - seconds(1)));
  EXPECT_FALSE(c.IsNotYetValid(Day(2026, 1, 1))) << "valid from its notBefore second";
  EXPECT_FALSE(c.IsNotYetValid(Day(2026, 6, 1)));
}

}  // namespace
}  // namespace xcert
