// From the manifest's `issuers` section to what plan and apply need: the
// facts diff compares against (IssuerFacts) and the live Issuer objects
// apply calls (IssuerSet). Every problem with an issuer's files is a
// Diagnostic at the manifest line that names them; an error stops the plan
// before anything changes, a warning does not.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>

#include "engine/apply/issuer.h"
#include "engine/model/manifest.h"
#include "engine/model/server_state.h"
#include "engine/plan/desired.h"
#include "engine/util/diagnostics.h"

namespace xcert::issuers {

struct OpenedIssuers {
  // By issuer name: every issuer of the manifest that opened without errors
  // (type and name at least for the others).
  std::map<std::string, IssuerFacts> facts;
  // Finds the issuers that opened without errors; nullptr for the others.
  std::unique_ptr<IssuerSet> issuers;
};

// Opens every issuer of `manifest` (REQUIRES: it loaded without errors):
//   self-signed  facts only; its Issuer refuses every call
//   ca           CaIssuer: the CA certificate and chain (ca_issuer.h); its
//                private key waits for PrepareToIssue or the first Issue
//   request      RequestIssuer: the outbox, and the inbox matched against the
//                pending requests of `actual` (request_issuer.h, inbox.h)
//   file         FileIssuer: the purchased certificate, checked against the
//                certificates that use it (file_issuer.h)
//   acme         AcmeIssuer: its settings; nothing is read or fetched before
//                the first Issue (acme_issuer.h)
// Nothing is written. Diagnostics go to `diagnostics`. The issuers keep
// copies of what they need; `manifest` need not outlive them.
OpenedIssuers OpenIssuers(const Manifest& manifest, const ActualState& actual, TimePoint now,
                          Diagnostics* diagnostics);

// Reads what issuing needs and OpenIssuers left for later, for the issuers
// `names` (those the issue steps of a plan use): a ca issuer's private key,
// decrypted with its password and checked against its certificate. Reading
// it only then means that drift, and plans that issue nothing, never need the
// CA key's password. An acme issuer's secrets and account key are checked
// the same way (AcmeIssuer::CheckReady), without the network. Problems are errors in `diagnostics`
// at the issuer's settings. Names of unknown issuers, and of issuers that need nothing more, are
// skipped.
void PrepareToIssue(IssuerSet& issuers, const std::set<std::string>& names,
                    Diagnostics* diagnostics);

}  // namespace xcert::issuers
