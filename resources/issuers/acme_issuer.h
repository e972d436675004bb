// The `acme` issuer: certificates from an RFC 8555 server (Let's Encrypt,
// ZeroSSL, step-ca, Pebble), obtained by apply's issue steps
// (docs/issuers.md#acme-an-acme-certificate-authority).
//
// Life of one issue step: a new key as the certificate's `key` asks, made
// here and never written anywhere; a CSR for the subject and DNS names; one
// ACME order for those names, its challenges answered as the issuer's
// `challenge` says (resources/acme/solver.h); the CA's certificate and chain.
// The bundle goes to the store like a ca issuer's (certificate, PKCS#8 key,
// chain), so a certificate for several servers is one order, spread by the
// store's export and import.
//
// Nothing touches the network or the account key file before the first
// Issue: plan and drift never need the ACME server. The first Issue reads
// the account key (creating it, 0600, P-256, when missing), the secrets
// (EAB MAC key, TSIG secret), connects and finds or registers the account;
// a failure there is remembered and every step of this issuer fails with the
// same message, "FILE:LINE:COL: issuer 'NAME': ...", at the setting to fix.
//
// An apply killed during an order leaves no key behind (keys live in memory
// until the store imports them) and the next apply starts a new order.
//
// Thread safety: Issue may run for several certificates at once (one
// client, one solver; see resources/acme/obtain.h).
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "engine/apply/issuer.h"
#include "engine/plan/desired.h"
#include "resources/acme/client.h"
#include "resources/acme/solver.h"
#include "resources/issuers/issuer_context.h"

namespace xcert::issuers {

class AcmeIssuer final : public Issuer {
 public:
  // Keeps the settings (the manifest's checks made sure they are complete).
  static std::unique_ptr<AcmeIssuer> Open(IssuerContext& ctx);
  ~AcmeIssuer() override;

  // What the plan says: type, name and how the names are validated.
  IssuerFacts Facts() const;
  const std::string& name() const override { return site_.spec.name; }

  // What apply will need, checked before anything changes, without the
  // network and without writing: the secrets are readable, an existing
  // account key is a usable private file, a webroot is a folder. Problems
  // are errors in `diagnostics` at their settings; false when there is one.
  bool CheckReady(Diagnostics* diagnostics);

  // A new key and the certificate the ACME server issued for it (see the
  // file comment). `request.validity` is not sent: the server sets it.
  Result<IssuedCertificate> Issue(const IssueRequest& request) override;

 private:
  explicit AcmeIssuer(IssuerSite site);

  // Connects and finds the account once; the first outcome is kept.
  Status Connect();
  // The solver the issuer's `challenge` describes (its settings are read
  // through `ctx`, which reports problems).
  std::unique_ptr<acme::ChallengeSolver> MakeSolver(IssuerContext& ctx);

  IssuerSite site_;
  std::mutex mu_;  // guards the three below
  std::optional<Status> connected_;
  std::unique_ptr<acme::AcmeClient> client_;
  std::unique_ptr<acme::ChallengeSolver> solver_;
};

// "http-01 on :80", "http-01 through the webroot /var/www/html", "dns-01
// through RFC 2136 at 192.0.2.53", "dns-01 through the hook dns-hook.sh".
std::string DescribeChallenge(const AcmeChallengeSpec& challenge);

}  // namespace xcert::issuers
