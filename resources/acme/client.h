// An RFC 8555 ACME client: directory, nonces, account, orders,
// authorizations, challenges, finalization, certificate download (with
// alternate chains), and ARI (RFC 9773) and profiles (draft-aaron-acme-
// profiles) where the directory offers them.
//
// Thread safety: one AcmeClient may be used from several threads at once
// (orders for different certificates in parallel). The nonce pool and the
// account URL are guarded; the directory is read-only after Connect.
//
// Errors: transport failures are Unavailable naming the URL and what to
// check; a problem document from the server becomes one Status (problem.h)
// naming the request ("creating an order for a.example, b.example"), every
// failed identifier, and what to do. 429 rateLimited is Unavailable naming
// when to retry. Nothing secret (account key, EAB MAC key) is ever in a
// message.
//
// Retries, all bounded:
//  - badNonce: the request is signed again with the nonce that came with the
//    error, up to ClientOptions::max_bad_nonce_retries times.
//  - 503 with a Retry-After of at most max_retry_after: waited for, then
//    retried, up to 2 times.
//  - Polling (orders, authorizations) follows Retry-After, clamped to
//    [poll_min, max_retry_after], or backs off from poll_min doubling up to
//    poll_max; it stops at the caller's deadline.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/util/status.h"
#include "engine/util/time.h"
#include "resources/acme/ari.h"
#include "resources/acme/http.h"
#include "resources/acme/problem.h"
#include "resources/x509/key.h"

namespace xcert::acme {

// External account binding (RFC 8555 §7.3.4): the CA's key id and its MAC
// key, already base64url-decoded (raw bytes).
struct Eab {
  std::string key_id;
  std::string hmac_key;
};

struct ClientOptions {
  std::string directory_url;         // https://, or http:// to a loopback address (tests)
  std::string ca_bundle;             // trust for a private ACME server; empty: system store
  std::vector<std::string> contact;  // "mailto:pki@example.com"
  bool accept_terms = false;         // required to register where the CA has terms
  std::optional<Eab> eab;
  std::chrono::seconds http_timeout{30};
  int max_bad_nonce_retries = 5;
  // A longer Retry-After is not waited for: the error says when to retry.
  std::chrono::seconds max_retry_after{60};
  std::chrono::milliseconds poll_min{100};
  std::chrono::milliseconds poll_max{2000};
  const Clock* clock = nullptr;  // for Retry-After dates and ARI; nullptr: the system clock
};

struct Directory {
  std::string url;
  std::string new_nonce, new_account, new_order, revoke_cert, key_change;
  std::string renewal_info;      // RFC 9773 §3; empty when not offered
  std::string terms_of_service;  // meta.termsOfService
  bool external_account_required = false;
  std::map<std::string, std::string> profiles;  // meta.profiles: name -> description
};

struct Identifier {
  std::string type = "dns";
  std::string value;
};

struct Order {
  std::string url;
  std::string status;  // pending, ready, processing, valid, invalid
  std::vector<Identifier> identifiers;
  std::vector<std::string> authorizations;
  std::string finalize;
  std::string certificate;
  std::string profile;
  std::string replaces;
  std::optional<Problem> error;
  std::optional<std::chrono::seconds> retry_after;
};

struct Challenge {
  std::string type;
  std::string url;
  std::string status;
  std::string token;
  std::optional<Problem> error;
};

struct Authorization {
  std::string url;
  Identifier identifier;
  std::string status;  // pending, valid, invalid, deactivated, expired, revoked
  bool wildcard = false;
  std::vector<Challenge> challenges;
  std::optional<std::chrono::seconds> retry_after;
  const Challenge* Find(std::string_view type) const;
};

struct Account {
  std::string url;
  std::string status;
  bool created = false;  // registered by this call (not found existing)
};

struct CertificateChain {
  std::string pem;         // leaf first, as the server sent it
  std::string url;         // where it was downloaded from
  std::string top_issuer;  // issuer CN of the topmost certificate
  bool preferred = false;  // matches the preferred chain asked for
};

class AcmeClient {
 public:
  // Fetches the directory. The key signs every request (see jws.h).
  static Result<std::unique_ptr<AcmeClient>> Connect(ClientOptions options,
                                                     x509::PrivateKey account_key);
  ~AcmeClient();

  const Directory& directory() const { return directory_; }
  const x509::PrivateKey& account_key() const { return key_; }

  // The account of this key: looked up (onlyReturnExisting), and registered
  // when there is none. Registering needs accept_terms where the directory
  // has terms (else FailedPrecondition naming them, before any request),
  // and eab where the directory requires it. Done once; later calls return
  // the same account.
  Result<Account> EnsureAccount();

  // newOrder for `names` (dns identifiers), with `profile` when non-empty
  // (must be one the directory offers) and `replaces` (an ARI certificate
  // identifier; sent only when the directory offers renewalInfo, and dropped
  // with a retry when the server answers alreadyReplaced).
  Result<Order> NewOrder(const std::vector<std::string>& names, const std::string& profile = {},
                         const std::string& replaces = {});
  Result<Order> GetOrder(const std::string& url);
  Result<Authorization> GetAuthorization(const std::string& url);
  // Tells the server the challenge is ready (POST {}).
  Result<Challenge> RespondChallenge(const std::string& url);
  // Finalizes with the CSR (DER); returns the order as the server answered.
  Result<Order> Finalize(const Order& order, std::string_view csr_der);
  // Polls the order until its status is not `while_status` (e.g. "processing"),
  // or until `deadline`.
  Result<Order> PollOrder(const std::string& url, const std::string& while_status,
                          std::chrono::steady_clock::time_point deadline);
  Result<Authorization> PollAuthorization(const std::string& url,
                                          std::chrono::steady_clock::time_point deadline);
  // Downloads the certificate chain. With `preferred_chain` (an issuer common
  // name), the default chain and every Link rel="alternate" chain are tried
  // and the first whose topmost certificate's issuer CN matches (ignoring
  // case) is returned; when none matches, the default chain.
  Result<CertificateChain> DownloadCertificate(const std::string& url,
                                               const std::string& preferred_chain = {});
  // RFC 9773 renewalInfo of a certificate (FailedPrecondition when the
  // directory offers none).
  Result<RenewalInfo> GetRenewalInfo(std::string_view certificate_der);

  // How many requests were signed again after badNonce (for tests and logs).
  int bad_nonce_retries() const;

 private:
  AcmeClient(ClientOptions options, x509::PrivateKey key);
  TimePoint Now() const;
  Result<std::string> TakeNonce();
  void KeepNonce(const HttpResponse& response);
  // A signed POST; `payload` nullopt is POST-as-GET. `context` names the
  // request in errors. HTTP errors become Status via the problem document.
  Result<HttpResponse> Post(const std::string& url, const std::optional<nlohmann::json>& payload,
                            const std::string& context, bool use_jwk = false);
  Result<nlohmann::json> PostJson(const std::string& url,
                                  const std::optional<nlohmann::json>& payload,
                                  const std::string& context, HttpResponse* response = nullptr);
  // A POST-as-GET of a resource (`what`: "order") and its Retry-After.
  struct Fetched {
    nlohmann::json body;
    std::optional<std::chrono::seconds> retry_after;
  };
  Result<Fetched> Fetch(const std::string& url, const std::string& what);
  Result<Account> AccountRequest(bool only_existing);
  std::string Kid();
  Status Wait(std::optional<std::chrono::seconds> retry_after, int attempt,
              std::chrono::steady_clock::time_point deadline, const std::string& what);

  ClientOptions options_;
  x509::PrivateKey key_;
  HttpClient http_;
  Directory directory_;
  mutable std::mutex mu_;
  std::vector<std::string> nonces_;
  std::string kid_;
  int bad_nonce_retries_ = 0;
  std::mutex account_mu_;
  std::optional<Account> account_;
};

// Parses a directory object (RFC 8555 §7.1.1) fetched from `url`.
Result<Directory> ParseDirectory(const nlohmann::json& body, const std::string& url);

}  // namespace xcert::acme
