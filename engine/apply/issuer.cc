#include "engine/apply/issuer.h"

#include "engine/util/strings.h"

namespace xcert {

Result<IssuedCertificate> Issuer::Issue(const IssueRequest&) {
  return FailedPrecondition("issuer " + Quote(name()) + " does not issue certificates itself");
}

Result<std::string> Issuer::Submit(const std::string&, const std::string&) {
  return FailedPrecondition("issuer " + Quote(name()) + " takes no certificate requests");
}

Result<ImportRequest> Issuer::ImportData(const std::string&) {
  return FailedPrecondition("issuer " + Quote(name()) + " supplies no certificate files");
}

}  // namespace xcert
