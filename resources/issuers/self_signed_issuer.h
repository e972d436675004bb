// The `self-signed` issuer: the server's store makes the certificate itself
// (New-ExchangeCertificate without a CA), so this issuer has no files and
// refuses every Issuer call with the seam's default FailedPrecondition.
#pragma once

#include <string>

#include "engine/apply/issuer.h"
#include "engine/plan/desired.h"

namespace xcert::issuers {

class SelfSignedIssuer final : public Issuer {
 public:
  explicit SelfSignedIssuer(std::string name) : name_(std::move(name)) {}

  // Only the name and type: diff asks for a self-signed certificate.
  IssuerFacts Facts() const;

  const std::string& name() const override { return name_; }

 private:
  std::string name_;
};

}  // namespace xcert::issuers
