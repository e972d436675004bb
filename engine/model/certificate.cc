#include "engine/model/certificate.h"

namespace xcert {

std::string_view KeyAlgorithmName(KeyAlgorithm a) {
  return a == KeyAlgorithm::kRsa ? "RSA" : "ECDSA";
}

std::string_view CurveName(EcCurve c) {
  switch (c) {
    case EcCurve::kP256: return "P-256";
    case EcCurve::kP384: return "P-384";
    case EcCurve::kNone: return "";
  }
  return "";
}

std::string KeySpec::ToString() const {
  if (algorithm == KeyAlgorithm::kRsa) return "RSA " + std::to_string(rsa_bits);
  return "ECDSA " + std::string(CurveName(curve));
}

std::string_view CertStatusName(CertStatus s) {
  switch (s) {
    case CertStatus::kUnknown: return "Unknown";
    case CertStatus::kValid: return "Valid";
    case CertStatus::kRevoked: return "Revoked";
    case CertStatus::kDateInvalid: return "DateInvalid";
    case CertStatus::kUntrusted: return "Untrusted";
    case CertStatus::kInvalid: return "Invalid";
    case CertStatus::kRevocationCheckFailure: return "RevocationCheckFailure";
    case CertStatus::kPendingRequest: return "PendingRequest";
  }
  return "Unknown";
}

std::string_view RootCaTypeName(RootCaType t) {
  switch (t) {
    case RootCaType::kNone: return "None";
    case RootCaType::kThirdParty: return "ThirdParty";
    case RootCaType::kEnterprise: return "Enterprise";
    case RootCaType::kRegistry: return "Registry";
    case RootCaType::kGroupPolicy: return "GroupPolicy";
    case RootCaType::kUnknown: return "Unknown";
  }
  return "Unknown";
}

}  // namespace xcert
