// The Issuer seam: where certificates come from (design §3). Apply calls it
// for `issue` steps (ca), for CSR submission after a pending `create`
// (request), and for the bytes of file and inbox imports. Implementations are
// in resources/issuers; tests use fakes.
#pragma once

#include <string>
#include <vector>

#include "engine/apply/store.h"
#include "engine/model/certificate.h"
#include "engine/util/status.h"

namespace xcert {

struct IssueRequest {
  std::string subject;
  std::vector<std::string> dns_names;
  KeySpec key;
  Seconds validity{};
  TimePoint now{};
  std::string certificate;  // the manifest's name ("mail", "mail@EX1"), for messages
};

struct IssuedCertificate {
  // PEM: the certificate, its PKCS#8 private key, then the CA chain. Lives in
  // memory only for the run; never logged.
  std::string pem_bundle;
  std::vector<std::string> warnings;  // e.g. "validity capped at the CA's NotAfter"
};

class Issuer {
 public:
  virtual ~Issuer() = default;
  virtual const std::string& name() const = 0;

  // ca: a new key and a certificate signed by the CA. acme: a new key and a
  // certificate the ACME server signed for its CSR. Others: FailedPrecondition.
  virtual Result<IssuedCertificate> Issue(const IssueRequest& request);

  // request: publishes `csr_pem` as `file_name` for the CA operator (the
  // outbox); returns where it went. Others: FailedPrecondition.
  virtual Result<std::string> Submit(const std::string& file_name, const std::string& csr_pem);

  // file: the supplied certificate as the store should import it (data and
  // password). request: the CA answer at `path` (inside the inbox).
  virtual Result<ImportRequest> ImportData(const std::string& path);
};

// Looks issuers up by manifest name; nullptr if unknown.
class IssuerSet {
 public:
  virtual ~IssuerSet() = default;
  virtual Issuer* Find(const std::string& name) = 0;
};

}  // namespace xcert
