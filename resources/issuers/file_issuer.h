// The `file` issuer: a purchased or third-party certificate supplied as a
// PKCS#12 (password from passwordEnv / passwordFile) or as PEM certificate
// + key (+ chain) files, imported as it is, chain included (design §3).
// Everything is checked when the issuers are opened, before a plan exists:
// a problem is an error at the manifest line, and nothing changes.
#pragma once

#include <memory>
#include <string>

#include "engine/apply/issuer.h"
#include "engine/plan/desired.h"
#include "resources/issuers/issuer_context.h"

namespace xcert::issuers {

class FileIssuer final : public Issuer {
 public:
  // Reads the file(s) and checks, as errors through `ctx`: the password
  // (missing, wrong), the private key (present, not readable by other users,
  // belongs to the certificate), the certificate is not expired at `now`, and
  // for every manifest certificate using this issuer: its dnsNames are covered
  // (error at its dnsNames), its subject and key are the file's (errors at its
  // subject / key; diff would otherwise replace the certificate forever).
  // A certificate not yet valid is a warning. nullptr after errors.
  // `manifest` is the one ctx's issuer belongs to (for its certificates).
  static std::unique_ptr<FileIssuer> Open(IssuerContext& ctx, const Manifest& manifest,
                                          TimePoint now);

  // The supplied certificate (has_private_key set) and its resolved path.
  IssuerFacts Facts() const;

  const std::string& name() const override { return site_.spec.name; }

  // The certificate as the store imports it, read again from `path` (which
  // must be the path Facts gave): the PKCS#12 bytes as supplied with their
  // password, or (PEM files, or a PKCS#12 with an extra chain file) a PEM
  // bundle of certificate, unencrypted PKCS#8 key and chain. A file that no
  // longer holds the certificate the plan was made for is FailedPrecondition.
  Result<ImportRequest> ImportData(const std::string& path) override;

 private:
  FileIssuer(IssuerSite site, CertificateInfo certificate, std::string path);

  IssuerSite site_;              // to read the files again at apply
  CertificateInfo certificate_;  // as opened for the plan
  std::string path_;             // resolved pkcs12 or certificate path
};

}  // namespace xcert::issuers
