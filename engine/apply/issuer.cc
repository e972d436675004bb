#include "engine/apply/issuer.h"

namespace xcert {

Result<IssuedCertificate> Issuer::Issue(const IssueRequest&) {
  return FailedPrecondition("issuer '" + name() + "' does not issue certificates itself");
}

Result<std::string> Issuer::Submit(const std::string&, const std::string&) {
  return FailedPrecondition("issuer '" + name() + "' takes no certificate requests");
}

Result<ImportRequest> Issuer::ImportData(const std::string&) {
  return FailedPrecondition("issuer '" + name() + "' supplies no certificate files");
}

}  // namespace xcert
