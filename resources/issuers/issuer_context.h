// Reading one issuer's files and secrets with errors that point at the
// manifest setting that names them, like a compiler:
//
//   xcert.yaml:9:5: error: issuer 'corp-ca': pki/ca.pem is not a CA certificate
//   (basicConstraints CA:TRUE is missing); point certificate at the CA's own certificate
//
// OpenIssuers reports into the plan's Diagnostics; apply re-reads a file it
// needs through a context of its own and turns the first error into a Status
// (FirstError), so plan and apply say the same thing about the same file.
// Secrets are never part of a message.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/model/manifest.h"
#include "engine/util/diagnostics.h"
#include "engine/util/status.h"
#include "resources/issuers/certificate_files.h"
#include "resources/x509/key.h"

namespace xcert::issuers {

// An issuer as the manifest declares it, copied out of the manifest (its
// settings, the folder relative paths start at, and where each setting is
// written) so that an issuer can still report "file:line:col" at apply time
// without holding on to the manifest.
struct IssuerSite {
  IssuerSpec spec;
  std::string base_dir;
  std::string display_base;                               // base_dir, or "the current folder"
  std::map<std::string, Location, std::less<>> where;     // "" (the entry) and each setting
  std::map<std::string, std::string, std::less<>> paths;  // path settings, resolved

  static IssuerSite Of(const Manifest& manifest, const IssuerSpec& spec);
};

class IssuerContext {
 public:
  // `diagnostics` must outlive the context.
  IssuerContext(IssuerSite site, Diagnostics* diagnostics);
  IssuerContext(const Manifest& manifest, const IssuerSpec& spec, Diagnostics* diagnostics)
      : IssuerContext(IssuerSite::Of(manifest, spec), diagnostics) {}

  const IssuerSite& site() const { return site_; }
  const IssuerSpec& spec() const { return site_.spec; }
  // "issuer 'corp-ca'".
  std::string Name() const;
  // The value of setting `field` (see issuers::Setting) as a message may
  // show it (MessageValue: never key material pasted where a path belongs).
  std::string Shown(std::string_view field) const;
  // The path setting `field` ("certificate", "key", "chain", "pkcs12",
  // "outbox", "inbox") made absolute against the manifest's folder; "" if unset.
  const std::string& Path(std::string_view field) const;
  // Where issuer setting `field` is written (the issuer entry for "").
  Location Where(std::string_view field) const;

  // "issuer 'NAME': message" at setting `field`; `hint` says what to do.
  void Error(std::string_view field, const std::string& message, std::string hint = {});
  void Warning(std::string_view field, const std::string& message, std::string hint = {});
  // An error at another manifest position (e.g. a certificate's dnsNames), as written.
  void ErrorAt(Location where, std::string message, std::string hint = {});

  // Whether an error was reported through this context.
  bool failed() const { return !first_error_.empty(); }
  // The first error reported through this context ("FILE:LINE:COL: message;
  // hint") as a FailedPrecondition, or OK.
  Status FirstError() const;

  // The bytes of the file that setting `field` names. A missing, unreadable
  // or oversized file is an error at `field`.
  std::optional<std::string> ReadFile(std::string_view field);

  // The certificates (PEM, DER or PKCS#7) in the file that setting `field`
  // names, in file order; `what` says what the file should hold ("the CA
  // certificate"). A file without a readable certificate is an error.
  std::optional<std::vector<LoadedCertificate>> ReadCertificates(std::string_view field,
                                                                 std::string_view what);

  // The private key in the file that setting "key" names, decrypted with the
  // password `key_password` refers to (keyPasswordEnv / keyPasswordFile). A
  // key file other users may read is refused with the chmod to run.
  std::optional<x509::PrivateKey> ReadPrivateKey(const SecretRef& key_password);

  // The secret `ref` refers to. `env_field` / `file_field` name its two
  // manifest settings ("passwordEnv", "passwordFile"); a missing or unusable
  // secret is an error at the one that is set.
  std::optional<std::string> ReadSecret(const SecretRef& ref, std::string_view env_field,
                                        std::string_view file_field);

  // "passwordEnv MAIL_PFX_PASSWORD" or "passwordFile certs/pfx.pass": the
  // setting that holds `ref`, for "check ..." hints.
  static std::string SecretSetting(const SecretRef& ref, std::string_view env_field,
                                   std::string_view file_field);

 private:
  void Report(Severity severity, Location where, std::string message, std::string hint);

  IssuerSite site_;
  Diagnostics* diagnostics_;
  std::string first_error_;
};

// The value of path setting `field` of `spec` ("certificate", "key", "chain",
// "pkcs12", "outbox", "inbox"; "" for any other).
const std::string& Setting(const IssuerSpec& spec, std::string_view field);

// "2030-01-01".
std::string DateOf(TimePoint t);

}  // namespace xcert::issuers
