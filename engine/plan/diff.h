// Diff: (Desired, ActualState, now) -> what differs and why. A pure function.
//
// A desired certificate on a server is *satisfied* by an actual certificate
// whose subject and DNS-name set match (set semantics, case-insensitive), whose
// issuer matches, whose key meets the spec, that has its private key, and that
// is neither expired, not yet valid, nor due for renewal. Satisfying
// certificates are adopted, never re-issued. A certificate deployed to several
// servers is ONE certificate: every server must hold the same thumbprint.
//
// Services are "service S is served by certificate C": extra services on a
// certificate are not drift. Certificates the manifest does not describe are
// reported as unmanaged; they are removed only with `prune: true`, and never
// when protected (Auth, back-end :444, internal transport, connector) or bound.
#pragma once

#include <string>
#include <vector>

#include "engine/model/server_state.h"
#include "engine/plan/desired.h"

namespace xcert {

// Why a change is needed, in evaluation order (the first one is the headline).
enum class Reason : uint8_t {
  kMissing,
  kMissingPrivateKey,
  kKeySpecMismatch,
  kSubjectMismatch,
  kNamesMismatch,
  kIssuerMismatch,
  kRenewedFile,  // a file issuer's file holds a later-expiring certificate
  kExpired,
  kRenewalDue,
  kNotYetValid,
  kPending,
  kBindingMismatch,
  kNotShared,  // servers hold different certificates for one shared entry
  // drift --probe: the endpoint serves another certificate than the store binds
  kServedMismatch,
};
std::string_view ReasonName(Reason r);  // "Missing", "NamesMismatch", ...

struct ReasonDetail {
  Reason reason;
  std::string detail;  // "missing autodiscover.contoso.com", "expires 2026-12-01 (6 days)"
  Location where;      // the manifest line that asks for what is missing
  bool operator==(const ReasonDetail&) const = default;
};

enum class ChangeAction : uint8_t { kNone, kCreate, kReplace, kBind, kRemove };
std::string_view ChangeActionName(ChangeAction a);  // "none", "create", ...

// How a server gets the certificate it needs.
enum class Provision : uint8_t {
  kNone,              // already there
  kCreate,            // Store::Create, self-signed, on this server
  kCreateRequest,     // Store::Create, pending request + CSR to the outbox
  kImportIssued,      // xcert's CA issues it once; imported here
  kImportFile,        // the file issuer's PKCS#12/PEM, imported here
  kCompleteRequest,   // the inbox answer imported on the server holding the request
  kImportFromServer,  // exported from `source_server`, imported here
};
std::string_view ProvisionName(Provision p);

struct Change {
  std::string address;  // "MailServer21/certificate/mail", "MailServer21/binding/IIS", ...
  std::string server;
  std::string certificate;  // the desired certificate's artifact ("" for unmanaged)
  ChangeAction action = ChangeAction::kNone;
  std::vector<ReasonDetail> reasons;
  std::string current;  // thumbprint now in that role ("" if none)
  std::string target;   // thumbprint that will serve, when already known ("" = new)
  Provision provision = Provision::kNone;
  std::string source_server;  // kImportFromServer; kCompleteRequest: the request's server
  std::string source_path;    // kImportFile / kCompleteRequest: the file to import
  ServiceSet services;        // binding changes: the service; certificate changes: all wanted
  Location where;

  // No step can fix it now (pending request, purchased certificate due for
  // renewal): it is drift, but not a planned change.
  bool drift_only() const { return action == ChangeAction::kNone && !reasons.empty(); }
};

struct UnmanagedCertificate {
  std::string server;
  CertificateInfo certificate;
  std::string superseded;  // the desired certificate it is an older version of, if any
  std::string protection;  // why it must stay ("" = removable)
  bool remove = false;     // prune: removed (after a backup)
};

struct PendingRequest {
  std::string server;
  std::string certificate;  // artifact
  std::string thumbprint;   // request id in the store
  std::string csr_path;     // where the CSR was written for submission
  std::string problem;      // an inbox answer that cannot complete it, and why
};

// A change that cannot be planned safely, and why.
struct Blocked {
  std::string address;
  std::string server;
  std::string reason;
};

// One desired certificate on one server, as checked (for per-item reports).
struct CheckedItem {
  std::string server;
  std::string certificate;  // artifact
  Location where;
};

struct DiffResult {
  std::vector<CheckedItem> checked;  // every (server, certificate) the manifest asks for
  std::vector<Change> changes;  // certificate changes, then their binding changes; servers in order
  std::vector<UnmanagedCertificate> unmanaged;
  std::vector<PendingRequest> pending;
  std::vector<Blocked> blocked;
  // What needs attention but is not drift: a certificate the manifest does not
  // describe, expired or not yet valid, that still serves a service.
  std::vector<std::string> warnings;

  // Changes that need steps (action != none).
  size_t ActionableCount() const;
  size_t CountOf(ChangeAction a) const;
  // Anything that is not as declared: changes (including drift-only ones),
  // pending requests, blocked items.
  bool HasDrift() const;
};

// The desired certificate's satisfaction check against one actual
// certificate: every failing reason, in order (empty = satisfied).
std::vector<ReasonDetail> Evaluate(const DesiredCertificate& desired, const IssuerFacts& issuer,
                                   const CertificateInfo& actual, TimePoint now);

DiffResult Diff(const Desired& desired, const ActualState& actual, TimePoint now);

}  // namespace xcert
