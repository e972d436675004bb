// Obtaining one certificate from an ACME server: the function the acme
// issuer calls for each certificate (phase B wires it into apply).
//
//   auto client = AcmeClient::Connect(options, LoadOrCreateAccountKey(path));
//   WebrootSolver solver("/var/www/html");
//   ObtainRequest request{.label = "mail", .names = {...}, .csr_der = csr, ...};
//   request.on_order = [&](const std::string& url) { /* persist for resume */ };
//   Result<ObtainResult> got = ObtainCertificate(*client, solver, request);
//
// Steps: the account (EnsureAccount); the order (resumed from
// `resume_order_url` when it is still usable for the same names, else a new
// one, reported through `on_order` before anything else happens); for every
// pending authorization the solver's challenge is presented, then all are
// answered and polled; the order is finalized with the caller's CSR (the key
// stays wherever the caller made the CSR); the chain is downloaded
// (preferred chain honoured); the new certificate's ARI identifier and, when
// the directory offers it, its renewal window are returned.
//
// Guarantees:
//  - Every challenge presented is cleaned up before returning, on success
//    and on every error; a clean-up failure after success is a warning in
//    the result (the certificate is not thrown away), after a failure it is
//    added to the error.
//  - Errors name the certificate (`label`) and the identifier that failed,
//    with what to do (problem.h). An order that turned invalid is reported
//    with the server's problem.
//  - `timeout` bounds the whole call; a timeout leaves the order on the
//    server, and a later call with resume_order_url continues it.
// Thread safety: calls for different certificates may run in parallel on
// one AcmeClient and one solver.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "resources/acme/ari.h"
#include "resources/acme/client.h"
#include "resources/acme/solver.h"

namespace xcert::acme {

struct ObtainRequest {
  std::string label;               // the certificate's name in the manifest, for messages
  std::vector<std::string> names;  // DNS names, as in the CSR
  std::string csr_der;             // PKCS#10, DER
  std::string profile;             // empty: the server's default
  std::string replaces;            // ARI identifier of the certificate being renewed, or empty
  std::string preferred_chain;     // issuer CN of the topmost certificate, or empty
  std::string resume_order_url;    // an order left by an interrupted run, or empty
  std::chrono::seconds timeout{600};
  // Called once the order exists (new or resumed), before any challenge is
  // presented: the caller persists the URL to resume after a crash.
  std::function<void(const std::string& order_url)> on_order;
};

struct ObtainResult {
  std::string chain_pem;        // leaf first
  std::string certificate_der;  // the leaf
  std::string order_url;
  std::string certificate_url;
  bool resumed = false;          // the order came from resume_order_url
  bool preferred_chain = false;  // the preferred chain was found
  std::string ari_id;            // RFC 9773 identifier of the new certificate
  std::optional<RenewalInfo> renewal_info;
  std::vector<std::string> warnings;  // clean-up failures after success, unusable resume URL
};

Result<ObtainResult> ObtainCertificate(AcmeClient& client, ChallengeSolver& solver,
                                       const ObtainRequest& request);

}  // namespace xcert::acme
