// A small ACME server for what Debian's Pebble 2.4 cannot do: renewal
// information (RFC 9773), profiles (draft-aaron-acme-profiles), rate limits
// (429) and scripted badNonce rejections, and an order that turns invalid
// after finalization. Plain HTTP on loopback, built on the library's
// HttpResponder. It checks what a server must check of a client's JWS
// (nonce issued and unused, url matching the request, kid known) but not
// signatures (Pebble does that in the other tests).
//
// Endpoints:
//   GET  /dir                       directory (RFC 8555 §7.1.1); with `ari`,
//                                   renewalInfo (RFC 9773 §3); with `profiles`,
//                                   meta.profiles (draft-aaron-acme-profiles §3)
//   HEAD /nonce                     Replay-Nonce (RFC 8555 §7.2)
//   POST /account                   newAccount (§7.3): Location /account/1
//   POST /order                     newOrder (§7.4): "profile" (profiles §4),
//                                   "replaces" (RFC 9773 §5) recorded; the
//                                   order is "ready" (authorizations reused)
//   POST /order/N, /finalize/N      order, finalization (§7.4)
//   POST /cert/N                    PEM chain (§7.4.2)
//   GET  /renewal-info/ID           RenewalInfo (RFC 9773 §4.2) for the ID of
//                                   a certificate this server issued
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/util/time.h"
#include "resources/acme/http_responder.h"
#include "resources/acme/jws.h"
#include "resources/x509/builder.h"
#include "resources/x509/digest.h"
#include "resources/x509/key.h"
#include "resources/x509/pem.h"

namespace xcert::acme::testing {

struct FakeAcmeOptions {
  bool ari = false;
  std::map<std::string, std::string> profiles;
  int reject_nonces = 0;           // reject this many valid nonces with badNonce first
  bool rate_limit_orders = false;  // newOrder answers 429 rateLimited, Retry-After 3600
  bool invalid_after_finalize = false;
  std::string renewal_start = "2030-01-01T00:00:00Z";
  std::string renewal_end = "2030-01-03T00:00:00Z";
  std::string renewal_retry_after = "21600";
};

class FakeAcme {
 public:
  explicit FakeAcme(FakeAcmeOptions options) : options_(std::move(options)) {
    ca_key_ =
        x509::PrivateKey::Generate(KeySpec{KeyAlgorithm::kEcdsa, 0, EcCurve::kP256, false}).value();
    x509::CertificateTemplate t;
    t.subject = "CN=Fake ACME Root";
    t.is_ca = true;
    t.not_before = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) -
                   std::chrono::hours(1);
    t.not_after = t.not_before + std::chrono::hours(48);
    ca_der_ = x509::SelfSign(t, ca_key_).value();
    responder_ = HttpResponder::Start("127.0.0.1:0", [this](const ServedRequest& r) {
                   std::lock_guard lock(mu_);
                   return Handle(r);
                 }).value();
    base_ = "http://127.0.0.1:" + std::to_string(responder_->port());
  }

  std::string directory() const { return base_ + "/dir"; }

  // What the server saw (under its lock).
  struct Seen {
    std::vector<nlohmann::json> new_orders;  // newOrder payloads
    std::vector<std::string> renewal_ids;    // renewalInfo path segments asked for
    int bad_nonces_sent = 0;
    std::vector<std::string> issued_der;
  };
  Seen seen() const {
    std::lock_guard lock(mu_);
    return seen_;
  }
  void set_reject_nonces(int n) {
    std::lock_guard lock(mu_);
    options_.reject_nonces = n;
  }

 private:
  static ServedReply Json(int status, const nlohmann::json& body,
                          std::vector<std::pair<std::string, std::string>> headers = {}) {
    headers.emplace_back("Content-Type",
                         status >= 400 ? "application/problem+json" : "application/json");
    return ServedReply{status, std::move(headers), body.dump()};
  }
  static ServedReply Problem(int status, const std::string& type, const std::string& detail) {
    return Json(
        status,
        {{"type", "urn:ietf:params:acme:error:" + type}, {"detail", detail}, {"status", status}});
  }
  std::string NewNonce() { return "n" + std::to_string(++nonce_counter_); }

  nlohmann::json OrderJson(int id) const {
    const auto& o = orders_.at(id);
    nlohmann::json j = {{"status", o.status},
                        {"identifiers", o.identifiers},
                        {"authorizations", nlohmann::json::array()},
                        {"finalize", base_ + "/finalize/" + std::to_string(id)}};
    if (!o.certificate.empty()) j["certificate"] = base_ + "/cert/" + std::to_string(id);
    if (!o.profile.empty()) j["profile"] = o.profile;
    if (o.status == "invalid") {
      j["error"] = {{"type", "urn:ietf:params:acme:error:badCSR"},
                    {"detail", "the CA's policy refused the request at issuance"}};
    }
    return j;
  }

  ServedReply Handle(const ServedRequest& r) {
    const std::string nonce = NewNonce();
    issued_nonces_.insert(nonce);
    auto reply = Dispatch(r);
    reply.headers.emplace_back("Replay-Nonce", nonce);
    return reply;
  }

  ServedReply Dispatch(const ServedRequest& r) {
    if (r.target == "/dir") {
      nlohmann::json d = {{"newNonce", base_ + "/nonce"},       {"newAccount", base_ + "/account"},
                          {"newOrder", base_ + "/order"},       {"revokeCert", base_ + "/revoke"},
                          {"keyChange", base_ + "/key-change"}, {"meta", nlohmann::json::object()}};
      if (options_.ari) d["renewalInfo"] = base_ + "/renewal-info";
      if (!options_.profiles.empty()) d["meta"]["profiles"] = options_.profiles;
      return Json(200, d);
    }
    if (r.target == "/nonce") return ServedReply{200, {{"Cache-Control", "no-store"}}, ""};
    if (r.target.starts_with("/renewal-info/")) {
      const std::string id = r.target.substr(14);
      seen_.renewal_ids.push_back(id);
      return Json(
          200,
          {{"suggestedWindow", {{"start", options_.renewal_start}, {"end", options_.renewal_end}}},
           {"explanationURL", base_ + "/why"}},
          {{"Retry-After", options_.renewal_retry_after}});
    }
    if (r.method != "POST") return Problem(405, "malformed", "POST only");
    // The JWS: nonce, url and kid are what a server checks before anything else.
    const nlohmann::json jws = nlohmann::json::parse(r.body, nullptr, false);
    if (!jws.is_object() || !jws.contains("protected")) return Problem(400, "malformed", "no JWS");
    const auto header_text = Base64UrlDecode(jws["protected"].get<std::string>());
    const nlohmann::json header = nlohmann::json::parse(header_text.value(), nullptr, false);
    const std::string nonce = header.value("nonce", "");
    if (issued_nonces_.erase(nonce) == 0) return Problem(400, "badNonce", "unknown nonce");
    if (options_.reject_nonces > 0) {
      --options_.reject_nonces;
      ++seen_.bad_nonces_sent;
      return Problem(400, "badNonce", "JWS has an invalid anti-replay nonce");
    }
    if (header.value("url", "") != base_ + r.target) {
      return Problem(401, "unauthorized", "url in the JWS does not match the request");
    }
    const std::string payload_text = Base64UrlDecode(jws["payload"].get<std::string>()).value();
    const nlohmann::json payload = payload_text.empty()
                                       ? nlohmann::json()
                                       : nlohmann::json::parse(payload_text, nullptr, false);
    if (r.target == "/account") {
      if (!header.contains("jwk")) return Problem(400, "malformed", "newAccount needs jwk");
      return Json(201, {{"status", "valid"}}, {{"Location", base_ + "/account/1"}});
    }
    if (header.value("kid", "") != base_ + "/account/1") {
      return Problem(400, "accountDoesNotExist", "unknown kid");
    }
    if (r.target == "/order") {
      seen_.new_orders.push_back(payload);
      if (options_.rate_limit_orders) {
        return ServedReply{429,
                           {{"Retry-After", "3600"}, {"Content-Type", "application/problem+json"}},
                           nlohmann::json{{"type", "urn:ietf:params:acme:error:rateLimited"},
                                          {"detail", "too many new orders recently"},
                                          {"status", 429}}
                               .dump()};
      }
      if (payload.contains("profile") && !options_.profiles.contains(payload["profile"].get<std::string>())) {
        return Problem(400, "invalidProfile", "no such profile");
      }
      const int id = static_cast<int>(orders_.size()) + 1;
      orders_[id] = {"ready", payload["identifiers"], payload.value("profile", ""), ""};
      return Json(201, OrderJson(id), {{"Location", base_ + "/order/" + std::to_string(id)}});
    }
    const size_t slash = r.target.rfind('/');
    const int id = std::atoi(r.target.c_str() + slash + 1);
    if (!orders_.contains(id)) return Problem(404, "malformed", "no such resource");
    auto& order = orders_[id];
    const std::string kind = r.target.substr(0, slash);
    if (kind == "/order") return Json(200, OrderJson(id));
    if (kind == "/finalize") {
      if (options_.invalid_after_finalize) {
        order.status = "invalid";
        return Json(200, OrderJson(id));
      }
      const auto csr = x509::ParseCsr(Base64UrlDecode(payload["csr"].get<std::string>()).value());
      if (!csr.ok()) return Problem(400, "badCSR", csr.status().message());
      x509::CertificateTemplate t;
      t.subject = "CN=" + csr->dns_names.front();
      t.dns_names = csr->dns_names;
      t.not_before = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
      t.not_after = t.not_before + std::chrono::hours(24);
      order.certificate = x509::SignWithCa(t, csr->public_key_der, ca_der_, ca_key_).value();
      seen_.issued_der.push_back(order.certificate);
      order.status = "valid";
      return Json(200, OrderJson(id));
    }
    if (kind == "/cert") {
      return ServedReply{
          200,
          {{"Content-Type", "application/pem-certificate-chain"}},
          x509::ToPem("CERTIFICATE", order.certificate) + x509::ToPem("CERTIFICATE", ca_der_)};
    }
    return Problem(404, "malformed", "no such resource");
  }

  struct FakeOrder {
    std::string status;
    nlohmann::json identifiers;
    std::string profile;
    std::string certificate;
  };

  mutable std::mutex mu_;
  FakeAcmeOptions options_;
  x509::PrivateKey ca_key_;
  std::string ca_der_;
  std::string base_;
  int nonce_counter_ = 0;
  std::set<std::string> issued_nonces_;
  std::map<int, FakeOrder> orders_;
  Seen seen_;
  std::unique_ptr<HttpResponder> responder_;  // last: stopped before the state goes
};

}  // namespace xcert::acme::testing
