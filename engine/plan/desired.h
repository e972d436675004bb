// The desired state: the manifest expanded into one DesiredCertificate per
// certificate entry (or per server, for perServer entries), plus what the
// issuers' files say (IssuerFacts, resolved by resources/issuers). Plain
// values: diff and plan are pure functions of Desired and ActualState.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/model/certificate.h"
#include "engine/model/manifest.h"
#include "engine/util/diagnostics.h"

namespace xcert {

// A signed certificate found in a request issuer's inbox.
struct InboxItem {
  std::string path;             // the file, absolute
  CertificateInfo certificate;  // X.509 facts of the leaf
  // The pending request it answers, when its public key matches one:
  std::string server;  // where that request is pending
  std::string request_thumbprint;
  // Why it cannot complete its request ("" when it can): wrong names, expired, ...
  std::string problem;
};

// What diff needs to know about an issuer, read from its files.
struct IssuerFacts {
  std::string name;
  IssuerType type = IssuerType::kSelfSigned;
  // ca: certificates it issued name it as issuer and carry its key id as AKI.
  std::string ca_subject;
  std::string ca_key_id;
  TimePoint ca_not_after{};
  // file: the supplied certificate (with has_private_key set when the file
  // holds its key) and the path the plan imports from.
  CertificateInfo supplied;
  std::string supplied_path;
  // request: where CSRs go and what came back.
  std::string outbox;
  std::vector<InboxItem> inbox;
  // acme: how the CA validates the names, for the plan ("http-01 on
  // 0.0.0.0:80", "dns-01 through 127.0.0.1:53").
  std::string acme_challenge;
};

struct DesiredCertificate {
  std::string name;      // the manifest entry's name
  std::string artifact;  // unique id: name, or "name@server" for perServer instances
  size_t index = 0;      // position in Manifest::certificates
  std::string subject;   // placeholders expanded
  std::vector<std::string> dns_names;
  std::string friendly_name;
  std::string issuer;
  IssuerType issuer_type = IssuerType::kSelfSigned;
  KeySpec key;
  Seconds validity{};
  Seconds renew_before{};
  std::vector<std::string> servers;  // manifest order; the first one creates shared certificates
  ServiceSet services;
  bool replace_default_smtp = false;

  // Where the entry and its fields are written, for reasons and errors.
  Location where;
  Location where_subject;
  Location where_dns_names;
  Location where_key;
  Location where_issuer;
  Location where_validity;
  Location where_services;
};

struct Desired {
  std::vector<DesiredCertificate> certificates;
  std::map<std::string, IssuerFacts> issuers;  // by issuer name
  std::vector<ServerSpec> servers;
  bool prune = false;
  std::string manifest_file;
};

// Expands the manifest (REQUIRES: it validated without errors) and attaches
// the issuers' facts. perServer entries become one DesiredCertificate per
// server with {server}, {fqdn} and {domain} replaced.
Desired Expand(const Manifest& manifest, std::map<std::string, IssuerFacts> issuers);

// The outbox file name of the CSR for `artifact` requested on `server`:
// "mail@MailServer21.csr" (perServer artifacts already name their server).
std::string CsrFileName(const std::string& artifact, const std::string& server);

}  // namespace xcert
