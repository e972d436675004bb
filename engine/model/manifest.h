// The typed manifest: what a user declared in xcert.yaml, after loading and
// schema checking (engine/manifest). Plain values; the only I/O-related part
// is where each value came from (`SourceMap`), so that every later error can
// point at the manifest line that caused it.
//
// The authoritative reference for the fields is schemas/manifest.schema.json
// and docs/manifest.md.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/model/certificate.h"
#include "engine/model/exchange.h"
#include "engine/util/diagnostics.h"
#include "engine/util/time.h"

namespace xcert {

// Where a secret comes from; never the secret itself. At most one is set.
struct SecretRef {
  std::string env;   // name of an environment variable holding the secret
  std::string file;  // path of a file holding it (relative to the manifest)
  bool empty() const { return env.empty() && file.empty(); }
  bool operator==(const SecretRef&) const = default;
};

struct Organization {
  std::string domain;         // "pocket-consultant.com"
  bool autodiscover = false;  // clients use autodiscover.<domain>: IIS certificates should cover it
  bool operator==(const Organization&) const = default;
};

enum class StoreType : uint8_t { kLocal, kExchange, kSnapshot };
std::string_view StoreTypeName(StoreType t);  // "local", "exchange", "snapshot"

struct StoreSpec {
  StoreType type = StoreType::kLocal;
  std::string path;                    // local / snapshot: the store directory
  std::vector<std::string> transport;  // exchange: argv of a command running EMS (stdin = script)
  Seconds timeout{300};                // exchange: per call
  bool operator==(const StoreSpec&) const = default;
};

// The writer lock apply and restore take before they read the stores: the
// store's file lock (runners on one machine, the default), or PostgreSQL
// session advisory locks, one per server, shared by runners on several
// machines (resources/lock/postgres_lock.h).
enum class LockType : uint8_t { kFile, kPostgres };
std::string_view LockTypeName(LockType t);  // "file", "postgres"

struct LockSpec {
  LockType type = LockType::kFile;
  std::string dsn_env;  // postgres: the variable holding the libpq connection string
  Seconds wait{0};      // postgres: how long to wait for another runner's locks (0: not at all)
  bool operator==(const LockSpec&) const = default;
};

struct BackupSpec {
  std::string path;    // folder for backup-exports (relative to the manifest)
  SecretRef password;  // PKCS#12 password for backups
  bool operator==(const BackupSpec&) const = default;
};

enum class IssuerType : uint8_t { kSelfSigned, kCa, kRequest, kFile, kAcme };
// "self-signed", "ca", "request", "file", "acme"
std::string_view IssuerTypeName(IssuerType t);

// acme: how the CA checks that the names are ours
// (docs/issuers.md#acme-an-acme-certificate-authority).
struct AcmeChallengeSpec {
  std::string type;               // "http-01" or "dns-01"
  std::string webroot;            // http-01: write tokens under PATH/.well-known/acme-challenge
  std::string standalone;         // http-01: xcert answers on ADDR:PORT while an order runs
  std::vector<std::string> exec;  // any type: COMMAND add|remove IDENT TOKEN KEYAUTH
  std::string rfc2136_server;     // dns-01: the primary, ADDR[:PORT]
  std::string rfc2136_zone;       // dns-01: the zone every name is in
  std::string tsig_key_name;      // dns-01: the TSIG key and its algorithm
  std::string tsig_algorithm;     // "" means hmac-sha256
  SecretRef tsig_secret;          // dns-01: the key's base64 secret
  bool operator==(const AcmeChallengeSpec&) const = default;
};

// acme: an RFC 8555 certificate authority (Let's Encrypt, ZeroSSL, step-ca).
struct AcmeSpec {
  std::string directory;             // the directory URL
  std::vector<std::string> contact;  // "mailto:pki@example.com"
  bool accept_terms = false;         // never implied
  std::string account_key;           // created (0600, P-256) when missing
  std::string eab_key_id;            // external account binding, when the CA needs it
  SecretRef eab_hmac_key;            // base64url MAC key
  std::string ca_bundle;             // trust for a private ACME server
  std::string profile;               // a profile the directory offers, or ""
  std::string preferred_chain;       // issuer CN of the chain's top, or ""
  AcmeChallengeSpec challenge;
  bool operator==(const AcmeSpec&) const = default;
};

struct IssuerSpec {
  std::string name;
  IssuerType type = IssuerType::kSelfSigned;
  // ca: the CA certificate and key (PEM), optional intermediates for chain.pem.
  // file: a PEM certificate (+ key, + chain) instead of a PKCS#12.
  std::string certificate;
  std::string key;
  std::string chain;
  SecretRef key_password;  // ca: password of an encrypted CA key
  // request: where CSRs are written and signed certificates are picked up.
  std::string outbox;
  std::string inbox;
  // file: a PKCS#12 and its password.
  std::string pkcs12;
  SecretRef password;
  AcmeSpec acme;
  bool operator==(const IssuerSpec&) const = default;
};

// How `xcert verify` reaches a server's endpoints (docs/manifest.md, "probe").
struct ProbeSpec {
  // Which bound services to probe ("IIS", "SMTP", "IMAP", "POP"); empty: every
  // service the store binds on the server.
  std::vector<Service> services;
  // Ports per probe protocol ("https", "smtp", "smtps", "imap", "imaps",
  // "pop3", "pop3s"), replacing that protocol's defaults (https 443; smtp 25
  // and 587; imaps 993, imap 143; pop3s 995, pop3 110; smtps none). An empty
  // list probes that protocol nowhere.
  std::map<std::string, std::vector<int>> ports;
  // afterApply: apply probes the server after changing its bindings and rolls
  // it back when that fails. Unset: yes when the server has an `address`
  // (it is declared reachable), else no.
  std::optional<bool> after_apply;
  // grace: how long apply keeps probing before it calls verification failed
  // (servers reload a moment after their hook returns).
  Seconds grace{30};
  bool operator==(const ProbeSpec&) const = default;
};

struct ServerSpec {
  std::string name;
  std::string fqdn;
  std::vector<Role> roles;
  ExchangeVersion version = ExchangeVersion::k2019;
  std::vector<std::string> transport;  // exchange store: overrides store.transport
  std::string address;                 // where verify connects; "" means the fqdn
  ProbeSpec probe;
  // hooks.reload: argv run (no shell) once after apply changed this
  // server's bindings, so that its services load the new files.
  std::vector<std::string> reload_hook;
  // The address verify connects to: `address`, else the fqdn.
  const std::string& ProbeAddress() const { return address.empty() ? fqdn : address; }
  // Whether apply verifies this server after changing it (probe.afterApply).
  bool VerifiedAfterApply() const { return probe.after_apply.value_or(!address.empty()); }
  bool operator==(const ServerSpec&) const = default;
};

struct CertificateSpec {
  std::string name;
  std::string friendly_name;           // default: the name
  std::string subject;                 // "CN=mail.contoso.com, O=Contoso"; may hold placeholders
  std::vector<std::string> dns_names;  // may hold placeholders
  std::string issuer;                  // an IssuerSpec name
  KeySpec key;
  Seconds validity{365LL * 86400};
  Seconds renew_before{30LL * 86400};
  std::vector<std::string> servers;  // ServerSpec names
  ServiceSet services;
  bool per_server = false;            // one certificate per server, placeholders expanded
  bool replace_default_smtp = false;  // opt-in: SMTP replaces the internal transport certificate
  bool operator==(const CertificateSpec&) const = default;
};

// Drift that is known and accepted until a day (docs/manifest.md#acknowledgements).
struct Acknowledgement {
  std::string address;  // "MX01/certificate/mail"; '*' matches within one part
  std::string reason;
  std::string until;  // the last day it is accepted, YYYY-MM-DD (UTC)
  std::string ticket;
  bool operator==(const Acknowledgement&) const = default;
};

// JSON-pointer ("/certificates/0/dnsNames/1") -> where that value is written.
// Pointers use the manifest's field names.
class SourceMap {
 public:
  void Set(std::string pointer, int line, int column);
  // The location of `pointer`, or of its nearest recorded ancestor.
  Location Find(const std::string& pointer) const;
  void set_file(std::string file) { file_ = std::move(file); }
  const std::string& file() const { return file_; }
  size_t size() const { return positions_.size(); }

 private:
  std::string file_;
  std::map<std::string, std::pair<int, int>, std::less<>> positions_;
};

struct Manifest {
  int version = 1;
  Organization organization;
  StoreSpec store;
  BackupSpec backup;
  LockSpec lock;
  bool prune = false;  // remove unmanaged, unbound, unprotected certificates (after backup)
  std::string trust;   // verify: PEM bundle of trust anchors (relative); "" = the system's
  std::vector<IssuerSpec> issuers;
  std::vector<ServerSpec> servers;
  std::vector<CertificateSpec> certificates;
  std::vector<Acknowledgement> acknowledgements;

  // Not part of the document: where it was read from.
  std::string path;      // as given by the user
  std::string base_dir;  // relative paths inside the manifest are relative to this
  SourceMap source;

  const IssuerSpec* FindIssuer(const std::string& name) const;
  const ServerSpec* FindServer(const std::string& name) const;
  const CertificateSpec* FindCertificate(const std::string& name) const;

  // A path from the manifest made absolute against base_dir.
  std::string Resolve(const std::string& relative) const;
  // Where "/certificates/<index of name>/<field>" is written.
  Location WhereCertificate(const std::string& name, const std::string& field = "") const;
  Location WhereServer(const std::string& name, const std::string& field = "") const;
  Location WhereIssuer(const std::string& name, const std::string& field = "") const;

  // Equality of the declared content (ignores path and source positions).
  bool SameContent(const Manifest& other) const;
};

}  // namespace xcert
