// The Store seam: one server's certificate store, with the operations and
// rules of the Exchange certificate cmdlets (design §2):
//
//   List    Get-ExchangeCertificate     every certificate, pending request and binding
//   Create  New-ExchangeCertificate     a self-signed certificate or a pending request
//   Import  Import-ExchangeCertificate  refuses a thumbprint that already exists;
//                                        completes a pending request when given its CA answer
//   Enable  Enable-ExchangeCertificate  only ADDS services; IIS has one certificate per
//                                        server (enabling moves it); Federation is refused;
//                                        UM/UMCallRouter only on versions that have UM
//   Export  Export-ExchangeCertificate  needs a private key, an exportable key and a password
//   Remove  Remove-ExchangeCertificate  refuses a certificate still bound to a service, the
//                                        internal transport (default SMTP), Auth, back-end IIS
//                                        or connector certificate
//
// Implementations: resources/store (in-memory, local directory) and
// resources/exchange (Exchange Management Shell, offline snapshot). One
// contract test suite (tests/resources/store/store_contract.h) runs against
// every implementation.
//
// Thread safety: methods may be called concurrently from several threads (apply
// runs independent steps in parallel); implementations serialise what must be.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/model/certificate.h"
#include "engine/model/server_state.h"
#include "engine/util/status.h"
#include "engine/util/time.h"

namespace xcert {

struct CreateRequest {
  std::string subject;  // display-form DN
  std::vector<std::string> dns_names;
  KeySpec key;
  Seconds validity{365LL * 86400};  // self-signed only
  std::string friendly_name;
  // false: a self-signed certificate (New-ExchangeCertificate).
  // true: a new key and a PKCS#10 request, pending until its CA answer is
  // imported (New-ExchangeCertificate -GenerateRequest).
  bool pending_request = false;
};

struct CreateResult {
  CertificateInfo certificate;  // for a request: status PendingRequest, thumbprint = request id
  std::string csr_pem;          // pending requests only
};

struct ImportRequest {
  // PKCS#12 (DER), or PEM holding a certificate, optionally its private key
  // (PKCS#8, unencrypted) and chain certificates. Data with a certificate but
  // no key completes the pending request whose key matches it.
  std::string data;
  std::string password;       // PKCS#12 only; never logged
  bool exportable = false;    // -PrivateKeyExportable
  std::string friendly_name;  // "" keeps the default
};

struct EnableOptions {
  // SMTP replaces the internal transport (default SMTP) certificate, as
  // Enable-ExchangeCertificate -Force does. Off: the certificate gets SMTP
  // without becoming the default (-NetworkServiceAllowed).
  bool replace_default_smtp = false;
};

class Store {
 public:
  virtual ~Store() = default;

  // The server this store belongs to.
  virtual const std::string& server() const = 0;

  // Everything on the server. A store that could not read some part still
  // returns the rest, listing the damage in ServerState::problems; an error
  // means nothing could be read. Certificates are sorted by thumbprint.
  virtual Result<ServerState> List() = 0;

  // One certificate or pending request by thumbprint (case-insensitive);
  // nullopt if absent. Cheaper than List for apply's precondition checks.
  virtual Result<std::optional<CertificateInfo>> Get(const std::string& thumbprint) = 0;

  virtual Result<CreateResult> Create(const CreateRequest& request) = 0;
  virtual Result<CertificateInfo> Import(const ImportRequest& request) = 0;
  virtual Status Enable(const std::string& thumbprint, ServiceSet services,
                        const EnableOptions& options) = 0;
  // A PKCS#12 (DER, AES-256/PBKDF2) of the certificate, its key and chain.
  virtual Result<std::string> Export(const std::string& thumbprint,
                                     const std::string& password) = 0;
  virtual Status Remove(const std::string& thumbprint) = 0;
};

}  // namespace xcert
