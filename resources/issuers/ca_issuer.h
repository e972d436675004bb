// The `ca` issuer: an organisation CA whose certificate and private key are
// files (design §3). Certificates it issues carry the requested subject and
// DNS names, serverAuth, a new key per KeySpec, and the manifest's validity
// capped at the CA's own NotAfter.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/apply/issuer.h"
#include "engine/plan/desired.h"
#include "resources/issuers/issuer_context.h"
#include "resources/x509/key.h"

namespace xcert::issuers {

class CaIssuer final : public Issuer {
 public:
  // Reads and checks the issuer's files:
  //  - certificate: the first certificate is the CA's own; it must be a CA
  //    (basicConstraints CA:TRUE) allowed to sign certificates (keyUsage
  //    keyCertSign, when it has a keyUsage) and valid at `now`. Further
  //    certificates in the file are its chain.
  //  - key: the CA's private key (not readable by other users), decrypted with
  //    keyPasswordEnv / keyPasswordFile, and belonging to the certificate.
  //  - chain (optional): the intermediates above the CA, for chain.pem.
  // Problems are errors through `ctx` and the result is nullptr.
  static std::unique_ptr<CaIssuer> Open(IssuerContext& ctx, TimePoint now);

  // What diff needs: the CA's subject, its key id (SKI, or the SHA-1 of its
  // public key when it has none: the AKI of what it issues) and its NotAfter.
  IssuerFacts Facts() const;

  const std::string& name() const override { return name_; }

  // A new key as `request.key` asks and a certificate for it signed by the
  // CA, valid from `request.now` for `request.validity` but never past the
  // CA's NotAfter (then with the warning "validity capped at the CA's
  // NotAfter YYYY-MM-DD"). The bundle holds the certificate, its key, the
  // CA certificate and the chain. Thread-safe.
  Result<IssuedCertificate> Issue(const IssueRequest& request) override;

 private:
  CaIssuer(std::string name, LoadedCertificate ca, x509::PrivateKey key,
           std::vector<std::string> chain_der);

  std::string name_;
  LoadedCertificate ca_;
  x509::PrivateKey key_;
  std::vector<std::string> chain_der_;  // the CA certificate first, then its issuers
  std::mutex sign_mutex_;               // one signature with the CA key at a time
};

}  // namespace xcert::issuers
