// ACME Renewal Information (RFC 9773): the certificate identifier, the
// RenewalInfo object, and the pure decision "renew now?".
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/util/status.h"
#include "engine/util/time.h"

namespace xcert::acme {

// RFC 9773 §4.1: base64url(AKI keyIdentifier) "." base64url(serial DER
// content octets, sign octet included). A certificate without an AKI
// keyIdentifier has no ARI identifier (InvalidArgument).
Result<std::string> AriCertificateId(std::string_view certificate_der);

struct RenewalInfo {
  TimePoint window_start{};
  TimePoint window_end{};
  std::string explanation_url;  // may be empty
  // When to ask again (RFC 9773 §4.3): `fetched_at` + Retry-After, clamped to
  // [1 minute, 1 day]; 6 hours when the server gave none.
  TimePoint next_check{};
};

// Parses a RenewalInfo object (§4.2). A window whose end is not after its
// start is invalid (InvalidArgument): §4.2 says to treat it as no answer
// (the caller falls back to renewBefore).
Result<RenewalInfo> ParseRenewalInfo(const nlohmann::json& body,
                                     std::optional<std::chrono::seconds> retry_after,
                                     TimePoint fetched_at);

struct RenewalDecision {
  bool renew_now = false;
  TimePoint renew_at{};  // the chosen point (when !renew_now: when to renew)
  std::string reason;    // for plan and drift: "inside the renewal window ..."
};

// Whether to renew the certificate `certificate_id` now, given its window.
//
// The rule (RFC 9773 §4.2, with two guards):
//  1. The renewal point is start + f * (end - start), where f in [0, 1) comes
//     from SHA-256 of the certificate identifier: stable for one
//     certificate, spread across certificates, so re-reading the same
//     window never moves it and a fleet does not renew all at once.
//  2. Renew now when the point has passed; a window wholly in the past
//     (end <= now) renews now too, and the reason says the window was missed.
//  3. A moving window cannot cause a storm of orders: when `last_order` (the
//     time the caller last placed an order for this certificate that has not
//     failed) is at or after window_start, an order for this window already
//     exists; the answer is no (resume that order by its URL instead), even
//     if the CA moved the window or the point since.
RenewalDecision DecideRenewal(const RenewalInfo& info, TimePoint now,
                              std::string_view certificate_id,
                              std::optional<TimePoint> last_order = std::nullopt);

}  // namespace xcert::acme
