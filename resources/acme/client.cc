#include "resources/acme/client.h"

#include <algorithm>
#include <thread>

#include "engine/model/dn.h"
#include "engine/util/strings.h"
#include "resources/acme/jws.h"
#include "resources/x509/parse.h"

namespace xcert::acme {

namespace {

using Json = nlohmann::json;
using std::chrono::steady_clock;

constexpr std::string_view kJose = "application/jose+json";

std::string Str(const Json& j, const char* name) {
  const auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Status Malformed(const std::string& what, const std::string& url) {
  return DataLoss("the ACME server sent a malformed " + what + " from " + url +
                  ": check that the directory URL is an ACME server");
}

Result<Json> ParseBody(const HttpResponse& r, const std::string& what, const std::string& url) {
  Json j = Json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Malformed(what, url);
  return j;
}

std::optional<Problem> ProblemMember(const Json& j) {
  const auto it = j.find("error");
  if (it == j.end()) return std::nullopt;
  return ParseProblem(*it);
}

Result<Order> OrderFromJson(const Json& j, const std::string& url) {
  Order o;
  o.url = url;
  o.status = Str(j, "status");
  o.finalize = Str(j, "finalize");
  o.certificate = Str(j, "certificate");
  o.profile = Str(j, "profile");
  o.replaces = Str(j, "replaces");
  o.error = ProblemMember(j);
  if (o.status.empty()) return Malformed("order (no status)", url);
  if (j.contains("identifiers") && j["identifiers"].is_array()) {
    for (const Json& id : j["identifiers"]) {
      if (id.is_object()) o.identifiers.push_back({Str(id, "type"), Str(id, "value")});
    }
  }
  if (j.contains("authorizations") && j["authorizations"].is_array()) {
    for (const Json& a : j["authorizations"]) {
      if (a.is_string()) o.authorizations.push_back(a.get<std::string>());
    }
  }
  return o;
}

Result<Authorization> AuthorizationFromJson(const Json& j, const std::string& url) {
  Authorization a;
  a.url = url;
  a.status = Str(j, "status");
  if (a.status.empty() || !j.contains("identifier") || !j["identifier"].is_object()) {
    return Malformed("authorization", url);
  }
  a.identifier = {Str(j["identifier"], "type"), Str(j["identifier"], "value")};
  a.wildcard = j.contains("wildcard") && j["wildcard"].is_boolean() && j["wildcard"].get<bool>();
  if (j.contains("challenges") && j["challenges"].is_array()) {
    for (const Json& c : j["challenges"]) {
      if (!c.is_object()) continue;
      a.challenges.push_back(
          {Str(c, "type"), Str(c, "url"), Str(c, "status"), Str(c, "token"), ProblemMember(c)});
    }
  }
  return a;
}

std::string NamesText(const std::vector<std::string>& names) { return Join(names, ", "); }

// The issuer CN of the last certificate in a PEM chain.
std::string TopIssuer(const std::string& pem) {
  const auto ders = x509::ReadCertificates(pem);
  if (!ders.ok() || ders->empty()) return "";
  const auto info = x509::ParseCertificate(ders->back());
  if (!info.ok()) return "";
  const auto rdns = ParseDn(info->issuer);
  return rdns.ok() ? CommonName(*rdns) : "";
}

}  // namespace

const Challenge* Authorization::Find(std::string_view type) const {
  for (const Challenge& c : challenges) {
    if (c.type == type) return &c;
  }
  return nullptr;
}

Result<Directory> ParseDirectory(const Json& body, const std::string& url) {
  Directory d;
  d.url = url;
  d.new_nonce = Str(body, "newNonce");
  d.new_account = Str(body, "newAccount");
  d.new_order = Str(body, "newOrder");
  d.revoke_cert = Str(body, "revokeCert");
  d.key_change = Str(body, "keyChange");
  d.renewal_info = Str(body, "renewalInfo");
  if (d.new_nonce.empty() || d.new_account.empty() || d.new_order.empty()) {
    return InvalidArgument(url +
                           " is not an ACME directory (no newNonce, newAccount or newOrder): "
                           "check the directory URL");
  }
  if (body.contains("meta") && body["meta"].is_object()) {
    const Json& meta = body["meta"];
    d.terms_of_service = Str(meta, "termsOfService");
    d.external_account_required = meta.contains("externalAccountRequired") &&
                                  meta["externalAccountRequired"].is_boolean() &&
                                  meta["externalAccountRequired"].get<bool>();
    if (meta.contains("profiles") && meta["profiles"].is_object()) {
      for (const auto& [name, description] : meta["profiles"].items()) {
        d.profiles[name] = description.is_string() ? description.get<std::string>() : "";
      }
    }
  }
  return d;
}

AcmeClient::AcmeClient(ClientOptions options, x509::PrivateKey key)
    : options_(std::move(options)),
      key_(std::move(key)),
      http_(HttpOptions{options_.ca_bundle, options_.http_timeout, "xcert-acme/1"}) {}

AcmeClient::~AcmeClient() = default;

Result<std::unique_ptr<AcmeClient>> AcmeClient::Connect(ClientOptions options,
                                                        x509::PrivateKey account_key) {
  const std::string url = options.directory_url;
  if (!url.starts_with("https://") && !IsLoopbackHttpUrl(url)) {
    return InvalidArgument("the ACME directory URL " + Quote(url) +
                           " must start with https:// (plain http only to a loopback test server)");
  }
  XCERT_ASSIGN_OR_RETURN(const std::string alg, JwsAlgorithm(account_key));
  (void)alg;
  std::unique_ptr<AcmeClient> client(new AcmeClient(std::move(options), std::move(account_key)));
  XCERT_ASSIGN_OR_RETURN(const HttpResponse r, client->http_.Send("GET", url));
  if (r.status != 200) {
    return Unavailable("the ACME directory " + url + " answered HTTP " + std::to_string(r.status) +
                       ": check the directory URL");
  }
  const Json body = Json::parse(r.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return InvalidArgument(url + " is not an ACME directory (not a JSON object): check the URL");
  }
  XCERT_ASSIGN_OR_RETURN(client->directory_, ParseDirectory(body, url));
  client->KeepNonce(r);
  return client;
}

TimePoint AcmeClient::Now() const {
  if (options_.clock != nullptr) return options_.clock->Now();
  return SystemClock().Now();
}

int AcmeClient::bad_nonce_retries() const {
  std::lock_guard lock(mu_);
  return bad_nonce_retries_;
}

void AcmeClient::KeepNonce(const HttpResponse& response) {
  const std::string nonce = response.Header("replay-nonce");
  if (nonce.empty()) return;
  std::lock_guard lock(mu_);
  nonces_.push_back(nonce);
  if (nonces_.size() > 32) nonces_.erase(nonces_.begin());
}

Result<std::string> AcmeClient::TakeNonce() {
  {
    std::lock_guard lock(mu_);
    if (!nonces_.empty()) {
      std::string n = std::move(nonces_.back());
      nonces_.pop_back();
      return n;
    }
  }
  XCERT_ASSIGN_OR_RETURN(const HttpResponse r, http_.Send("HEAD", directory_.new_nonce));
  const std::string nonce = r.Header("replay-nonce");
  if (nonce.empty()) {
    return Unavailable("the ACME server gave no Replay-Nonce at " + directory_.new_nonce +
                       " (HTTP " + std::to_string(r.status) + ")");
  }
  return nonce;
}

std::string AcmeClient::Kid() {
  std::lock_guard lock(mu_);
  return kid_;
}

Result<HttpResponse> AcmeClient::Post(const std::string& url, const std::optional<Json>& payload,
                                      const std::string& context, bool use_jwk) {
  const std::string body_text = payload ? payload->dump() : std::string();
  int unavailable_retries = 0;
  for (int attempt = 0;; ++attempt) {
    XCERT_ASSIGN_OR_RETURN(const std::string nonce, TakeNonce());
    JwsSigner signer{&key_, use_jwk ? std::string() : Kid()};
    if (!use_jwk && signer.kid.empty()) return Internal(context + ": no account yet");
    XCERT_ASSIGN_OR_RETURN(const Json jws, SignJws(signer, nonce, url, body_text));
    auto sent = http_.Send("POST", url, jws.dump(), kJose);
    if (!sent.ok()) return sent.status().WithContext(context);
    HttpResponse r = std::move(sent).value();
    KeepNonce(r);
    if (r.status < 400) return r;
    const std::optional<Problem> problem = ParseProblem(std::string_view(r.body));
    if (problem && problem->Is("badNonce") && attempt < options_.max_bad_nonce_retries) {
      std::lock_guard lock(mu_);
      ++bad_nonce_retries_;
      continue;
    }
    const auto retry_after = ParseRetryAfter(r.Header("retry-after"), Now());
    if (r.status == 429 || (problem && problem->Is("rateLimited"))) {
      std::string when = retry_after ? FormatIso8601(Now() + *retry_after) + " (in " +
                                           std::to_string(retry_after->count()) + " s)"
                                     : "later (the server did not say when)";
      Problem p = problem.value_or(
          Problem{std::string(kErrorPrefix) + "rateLimited", "too many requests", 429, "", {}});
      return ProblemStatus(p, context + ": rate limited by the ACME server", "retry after " + when);
    }
    if (r.status == 503 && retry_after && *retry_after <= options_.max_retry_after &&
        unavailable_retries < 2) {
      ++unavailable_retries;
      std::this_thread::sleep_for(*retry_after);
      continue;
    }
    if (problem) return ProblemStatus(*problem, context);
    return Unavailable(context + ": " + url + " answered HTTP " + std::to_string(r.status) +
                       " without a problem document");
  }
}

Result<Json> AcmeClient::PostJson(const std::string& url, const std::optional<Json>& payload,
                                  const std::string& context, HttpResponse* response) {
  XCERT_ASSIGN_OR_RETURN(HttpResponse r, Post(url, payload, context));
  XCERT_ASSIGN_OR_RETURN(Json j, ParseBody(r, "answer", url));
  if (response != nullptr) *response = std::move(r);
  return j;
}

Result<Account> AcmeClient::AccountRequest(bool only_existing) {
  Json payload = Json::object();
  if (only_existing) {
    payload["onlyReturnExisting"] = true;
  } else {
    if (!options_.contact.empty()) payload["contact"] = options_.contact;
    if (options_.accept_terms) payload["termsOfServiceAgreed"] = true;
    if (options_.eab) {
      XCERT_ASSIGN_OR_RETURN(const Json jwk, PublicJwk(key_));
      XCERT_ASSIGN_OR_RETURN(payload["externalAccountBinding"],
                             ExternalAccountBinding(options_.eab->key_id, options_.eab->hmac_key,
                                                    jwk, directory_.new_account));
    }
  }
  const std::string context = only_existing ? "looking up the ACME account at " + directory_.url
                                            : "registering an ACME account at " + directory_.url;
  XCERT_ASSIGN_OR_RETURN(const HttpResponse r,
                         Post(directory_.new_account, payload, context, /*use_jwk=*/true));
  Account account;
  account.url = r.Header("location");
  account.created = r.status == 201;
  if (account.url.empty()) return Malformed("account (no Location)", directory_.new_account);
  const Json body = Json::parse(r.body, nullptr, false);
  if (body.is_object()) account.status = Str(body, "status");
  if (!account.status.empty() && account.status != "valid") {
    return FailedPrecondition(context + ": the account " + account.url + " is " + account.status +
                              "; use another accountKey");
  }
  return account;
}

Result<Account> AcmeClient::EnsureAccount() {
  std::lock_guard lock(account_mu_);
  if (account_) return *account_;
  auto found = AccountRequest(/*only_existing=*/true);
  if (!found.ok()) {
    // Not registered yet (some CAs ask for EAB even to look up).
    if (found.status().code() != Code::kNotFound &&
        found.status().message().find("externalAccountRequired") == std::string::npos) {
      return found.status();
    }
    if (!directory_.terms_of_service.empty() && !options_.accept_terms) {
      return FailedPrecondition("the ACME server " + directory_.url + " has terms of service (" +
                                directory_.terms_of_service +
                                "): read them and set acceptTerms: true to register an account");
    }
    if (directory_.external_account_required && !options_.eab) {
      return InvalidArgument("the ACME server " + directory_.url +
                             " requires external account binding: set eab.keyId and "
                             "eab.hmacKeyEnv from the CA's account page");
    }
    found = AccountRequest(/*only_existing=*/false);
    if (!found.ok()) return found.status();
  }
  {
    std::lock_guard nonce_lock(mu_);
    kid_ = found->url;
  }
  account_ = *found;
  return *account_;
}

Result<Order> AcmeClient::NewOrder(const std::vector<std::string>& names,
                                   const std::string& profile, const std::string& replaces) {
  const std::string context = "creating an order for " + NamesText(names);
  if (names.empty()) return InvalidArgument(context + ": no names");
  Json payload;
  payload["identifiers"] = Json::array();
  for (const std::string& n : names) {
    payload["identifiers"].push_back({{"type", "dns"}, {"value", n}});
  }
  if (!profile.empty()) {
    if (directory_.profiles.empty()) {
      return FailedPrecondition(context + ": the ACME server " + directory_.url +
                                " offers no profiles; remove profile " + Quote(profile));
    }
    if (!directory_.profiles.contains(profile)) {
      std::vector<std::string> offered;
      for (const auto& [name, description] : directory_.profiles) offered.push_back(name);
      return InvalidArgument(context + ": the ACME server " + directory_.url +
                             " does not offer profile " + Quote(profile) + " (it offers " +
                             QuotedList(offered) + ")");
    }
    payload["profile"] = profile;
  }
  if (!replaces.empty() && !directory_.renewal_info.empty()) payload["replaces"] = replaces;
  HttpResponse r;
  auto body = PostJson(directory_.new_order, payload, context, &r);
  if (!body.ok() && payload.contains("replaces") &&
      body.status().message().find("(alreadyReplaced)") != std::string::npos) {
    // RFC 9773 §5: the certificate was already replaced by another order; a
    // plain order still gets this certificate its new one.
    payload.erase("replaces");
    body = PostJson(directory_.new_order, payload, context, &r);
  }
  if (!body.ok()) return body.status();
  const std::string url = r.Header("location");
  if (url.empty()) return Malformed("order (no Location)", directory_.new_order);
  return OrderFromJson(*body, url);
}

Result<AcmeClient::Fetched> AcmeClient::Fetch(const std::string& url, const std::string& what) {
  HttpResponse r;
  XCERT_ASSIGN_OR_RETURN(Json body,
                         PostJson(url, std::nullopt, "reading the " + what + " " + url, &r));
  return Fetched{std::move(body), ParseRetryAfter(r.Header("retry-after"), Now())};
}

Result<Order> AcmeClient::GetOrder(const std::string& url) {
  XCERT_ASSIGN_OR_RETURN(const Fetched got, Fetch(url, "order"));
  XCERT_ASSIGN_OR_RETURN(Order o, OrderFromJson(got.body, url));
  o.retry_after = got.retry_after;
  return o;
}

Result<Authorization> AcmeClient::GetAuthorization(const std::string& url) {
  XCERT_ASSIGN_OR_RETURN(const Fetched got, Fetch(url, "authorization"));
  XCERT_ASSIGN_OR_RETURN(Authorization a, AuthorizationFromJson(got.body, url));
  a.retry_after = got.retry_after;
  return a;
}

Result<Challenge> AcmeClient::RespondChallenge(const std::string& url) {
  XCERT_ASSIGN_OR_RETURN(const Json c,
                         PostJson(url, Json::object(), "answering the challenge " + url));
  return Challenge{Str(c, "type"), url, Str(c, "status"), Str(c, "token"), ProblemMember(c)};
}

Result<Order> AcmeClient::Finalize(const Order& order, std::string_view csr_der) {
  const std::string context = "finalizing the order " + order.url;
  if (order.finalize.empty()) return Malformed("order (no finalize URL)", order.url);
  HttpResponse r;
  XCERT_ASSIGN_OR_RETURN(
      const Json body,
      PostJson(order.finalize, Json{{"csr", Base64UrlEncode(csr_der)}}, context, &r));
  XCERT_ASSIGN_OR_RETURN(Order o, OrderFromJson(body, order.url));
  o.retry_after = ParseRetryAfter(r.Header("retry-after"), Now());
  return o;
}

Status AcmeClient::Wait(std::optional<std::chrono::seconds> retry_after, int attempt,
                        steady_clock::time_point deadline, const std::string& what) {
  std::chrono::milliseconds wait;
  if (retry_after) {
    wait = std::clamp<std::chrono::milliseconds>(*retry_after, options_.poll_min,
                                                 options_.max_retry_after);
  } else {
    wait = std::min<std::chrono::milliseconds>(options_.poll_min * (1LL << std::min(attempt, 20)),
                                               options_.poll_max);
  }
  if (steady_clock::now() + wait > deadline) {
    return Unavailable(what + " did not finish in time; run again later to resume it");
  }
  std::this_thread::sleep_for(wait);
  return Status::Ok();
}

Result<Order> AcmeClient::PollOrder(const std::string& url, const std::string& while_status,
                                    steady_clock::time_point deadline) {
  for (int attempt = 0;; ++attempt) {
    XCERT_ASSIGN_OR_RETURN(Order o, GetOrder(url));
    if (o.status != while_status) return o;
    XCERT_RETURN_IF_ERROR(Wait(o.retry_after, attempt, deadline, "the order " + url));
  }
}

Result<Authorization> AcmeClient::PollAuthorization(const std::string& url,
                                                    steady_clock::time_point deadline) {
  for (int attempt = 0;; ++attempt) {
    XCERT_ASSIGN_OR_RETURN(Authorization a, GetAuthorization(url));
    bool processing = a.status == "pending";
    for (const Challenge& c : a.challenges) processing |= c.status == "processing";
    if (!processing || a.status != "pending") return a;
    XCERT_RETURN_IF_ERROR(Wait(a.retry_after, attempt, deadline,
                               "validating " + a.identifier.value + " (" + url + ")"));
  }
}

Result<CertificateChain> AcmeClient::DownloadCertificate(const std::string& url,
                                                         const std::string& preferred_chain) {
  const std::string context = "downloading the certificate " + url;
  XCERT_ASSIGN_OR_RETURN(const HttpResponse first, Post(url, std::nullopt, context));
  CertificateChain chain{first.body, url, TopIssuer(first.body), false};
  if (chain.top_issuer.empty()) {
    return Malformed("certificate chain (not PEM certificates)", url);
  }
  if (preferred_chain.empty()) return chain;
  if (EqualsIgnoreCase(chain.top_issuer, preferred_chain)) {
    chain.preferred = true;
    return chain;
  }
  for (const Link& link : ParseLinks(first.Headers("link"), url)) {
    if (link.rel != "alternate") continue;
    XCERT_ASSIGN_OR_RETURN(
        const HttpResponse alt,
        Post(link.url, std::nullopt, "downloading the alternate chain " + link.url));
    const std::string top = TopIssuer(alt.body);
    if (EqualsIgnoreCase(top, preferred_chain))
      return CertificateChain{alt.body, link.url, top, true};
  }
  return chain;
}

Result<RenewalInfo> AcmeClient::GetRenewalInfo(std::string_view certificate_der) {
  if (directory_.renewal_info.empty()) {
    return FailedPrecondition("the ACME server " + directory_.url +
                              " does not offer renewal information (ARI)");
  }
  XCERT_ASSIGN_OR_RETURN(const std::string id, AriCertificateId(certificate_der));
  std::string base = directory_.renewal_info;
  if (!base.ends_with("/")) base += "/";
  const std::string url = base + id;
  XCERT_ASSIGN_OR_RETURN(const HttpResponse r, http_.Send("GET", url));
  if (r.status != 200) {
    if (auto p = ParseProblem(std::string_view(r.body))) {
      return ProblemStatus(*p, "reading renewal information " + url);
    }
    return Unavailable("reading renewal information " + url + ": HTTP " + std::to_string(r.status));
  }
  XCERT_ASSIGN_OR_RETURN(const Json body, ParseBody(r, "renewalInfo", url));
  const TimePoint now = Now();
  auto info = ParseRenewalInfo(body, ParseRetryAfter(r.Header("retry-after"), now), now);
  if (!info.ok()) return info.status().WithContext(url);
  return info;
}

}  // namespace xcert::acme
