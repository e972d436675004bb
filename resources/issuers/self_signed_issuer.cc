#include "resources/issuers/self_signed_issuer.h"

namespace xcert::issuers {

IssuerFacts SelfSignedIssuer::Facts() const {
  IssuerFacts f;
  f.name = name_;
  f.type = IssuerType::kSelfSigned;
  return f;
}

}  // namespace xcert::issuers
