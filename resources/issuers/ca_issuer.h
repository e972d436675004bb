// The `ca` issuer: an organisation CA whose certificate and private key are
// files (design §3). Certificates it issues carry the requested subject and
// DNS names, serverAuth, a new key per KeySpec, and the manifest's validity
// capped at the CA's own NotAfter.
//
// The private key is read only when something is to be issued (LoadKey, or
// the first Issue): the CA key's password is a secret a CI drift job should
// not need, and diff needs only the CA certificate.
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
  // Reads and checks the issuer's certificate files, not its key:
  //  - certificate: the first certificate is the CA's own; it must be a CA
  //    (basicConstraints CA:TRUE) allowed to sign certificates (keyUsage
  //    keyCertSign, when it has a keyUsage) and valid at `now`. Further
  //    certificates in the file are its chain.
  //  - chain (optional): the intermediates above the CA, for chain.pem.
  // Problems are errors through `ctx` and the result is nullptr.
  static std::unique_ptr<CaIssuer> Open(IssuerContext& ctx, TimePoint now);

  // Reads the CA's private key once: not readable by other users, decrypted
  // with keyPasswordEnv / keyPasswordFile, and belonging to the certificate.
  // Problems are errors in `diagnostics` at the issuer's settings (as Open
  // reports them) and the result is false; a failure is remembered, so later
  // calls and Issue fail the same way without reading the files again.
  // Thread-safe.
  bool LoadKey(Diagnostics* diagnostics);

  // What diff needs: the CA's subject, its key id (SKI, or the SHA-1 of its
  // public key when it has none: the AKI of what it issues) and its NotAfter.
  IssuerFacts Facts() const;

  const std::string& name() const override { return site_.spec.name; }

  // A new key as `request.key` asks and a certificate for it signed by the
  // CA, valid from `request.now` for `request.validity` but never past the
  // CA's NotAfter (then with the warning "validity capped at the CA's
  // NotAfter YYYY-MM-DD"). The bundle holds the certificate, its key, the
  // CA certificate and the chain. Loads the CA key first if LoadKey has not
  // (its first error, "FILE:LINE:COL: message; hint", is the failure).
  // Thread-safe.
  Result<IssuedCertificate> Issue(const IssueRequest& request) override;

 private:
  CaIssuer(IssuerSite site, LoadedCertificate ca, std::vector<std::string> chain_der);

  // The loaded key, or the error that loading it gave (see LoadKey).
  Result<x509::PrivateKey> Key(Diagnostics* diagnostics);

  IssuerSite site_;  // to read the key, and report at its settings, when first needed
  LoadedCertificate ca_;
  std::vector<std::string> chain_der_;  // the CA certificate first, then its issuers
  std::mutex key_mutex_;                // guards the three below: the key is read once
  bool key_tried_ = false;
  Result<x509::PrivateKey> key_ = Internal("the CA key was not read");
  Diagnostics key_problems_;  // what reading it reported, for every caller
};

}  // namespace xcert::issuers
