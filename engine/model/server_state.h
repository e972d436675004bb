// The observed ("actual") state of one server's certificate store: its
// certificates and which certificate serves which service. This is what a
// Store's List() returns and what diff compares against the manifest.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/model/certificate.h"

namespace xcert {

// Which certificate (by thumbprint, "" = none) serves what on one server. It
// mirrors Exchange: IIS front end and back end are site bindings (one each);
// IMAP/POP follow X509CertificateName (one each); SMTP is every certificate
// whose key the transport may read; the internal transport (default SMTP)
// certificate and the Auth certificates are separate, protected references.
struct Bindings {
  std::string iis;           // Default Web Site, :443
  std::string iis_back_end;  // Exchange Back End, :444
  std::string imap;
  std::string pop;
  std::string um;
  std::string um_call_router;
  std::vector<std::string> smtp;   // sorted, unique
  std::string internal_transport;  // the default SMTP certificate
  std::string auth_current;        // AuthConfig current / next certificate
  std::string auth_next;
  std::vector<std::string> connector_refs;  // named by a connector's TlsCertificateName
  // Exclusive services whose holder the store could not read (a snapshot
  // without --web-bindings whose certificates were recorded as RawData
  // only): "" above then means "not known", not "none". The value says what
  // would supply the fact. A plan never moves such a service.
  std::map<Service, std::string> unknown_holders;

  // The services `thumbprint` serves according to these bindings.
  ServiceSet ServicesOf(const std::string& thumbprint) const;
  // The single certificate bound to an exclusive service ("" for SMTP, which is a set).
  const std::string& HolderOf(Service s) const;
  // Why `thumbprint` cannot be removed now, or "": a protected reference
  // (Auth current/next, back end :444, internal transport, connector) or an
  // exclusive service it still serves (IIS, IMAP, POP, UM, UMCallRouter).
  std::string ProtectionOf(const std::string& thumbprint) const;

  bool operator==(const Bindings&) const = default;
};

// A server as the store knows it (written by `xcert store init`).
struct ServerIdentity {
  std::string name;
  std::string fqdn;
  std::vector<Role> roles;
  ExchangeVersion version = ExchangeVersion::k2019;
};

struct ServerState {
  std::string server;
  ServerIdentity identity;                    // may be partly empty for foreign stores
  std::vector<CertificateInfo> certificates;  // sorted by thumbprint
  Bindings bindings;
  // Damaged or unreadable parts ("<path>: <reason>"). A server with problems
  // was not read completely: the plan takes no destructive step on it.
  std::vector<std::string> problems;
  bool read_only = false;  // e.g. an offline snapshot: plan and drift only
  // Set when the store makes every self-signed certificate with this validity,
  // whatever was asked (Exchange's New-ExchangeCertificate: 5 years); zero
  // when it honours the manifest's. Plans show what the certificate will get.
  Seconds fixed_self_signed_validity{};

  bool complete() const { return problems.empty(); }
  const CertificateInfo* Find(const std::string& thumbprint) const;
  // A stable digest of everything the plan depends on (certificates, their
  // attributes and the bindings), for stale-plan detection.
  std::string Fingerprint() const;
};

// All observed servers, by name.
using ActualState = std::map<std::string, ServerState>;

}  // namespace xcert

namespace xcert {

// The observed facts a plan relies on, as "key -> value" lines such as
// "certificate/ABC…" -> "services=IP.WS.. key=exportable" (plus " pending"
// for a request and " attributes=unknown"; dates are in the thumbprint) and
// "binding/IIS" -> "ABC…". Saved in plan files; comparing two summaries names
// exactly what changed on a server.
std::map<std::string, std::string> ObservedSummary(const ServerState& state);

}  // namespace xcert
