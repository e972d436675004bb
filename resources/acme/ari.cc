#include "resources/acme/ari.h"

#include <algorithm>

#include "resources/acme/jws.h"
#include "resources/x509/digest.h"
#include "resources/x509/parse.h"

namespace xcert::acme {

namespace {

std::string HexToBytes(std::string_view hex) {
  std::string out;
  out.reserve(hex.size() / 2);
  auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(nibble(hex[i]) << 4 | nibble(hex[i + 1]));
  }
  return out;
}

}  // namespace

Result<std::string> AriCertificateId(std::string_view certificate_der) {
  XCERT_ASSIGN_OR_RETURN(const CertificateInfo info, x509::ParseCertificate(certificate_der));
  if (info.authority_key_id.empty()) {
    return InvalidArgument("the certificate " + info.thumbprint +
                           " has no authority key identifier, so it has no ARI identifier");
  }
  return Base64UrlEncode(HexToBytes(info.authority_key_id)) + "." +
         Base64UrlEncode(HexToBytes(info.serial));
}

Result<RenewalInfo> ParseRenewalInfo(const nlohmann::json& body,
                                     std::optional<std::chrono::seconds> retry_after,
                                     TimePoint fetched_at) {
  const auto window = body.find("suggestedWindow");
  if (!body.is_object() || window == body.end() || !window->is_object() ||
      !window->contains("start") || !window->contains("end") || !(*window)["start"].is_string() ||
      !(*window)["end"].is_string()) {
    return InvalidArgument("the renewalInfo answer has no suggestedWindow with start and end");
  }
  RenewalInfo info;
  // RFC 3339 allows fractional seconds; the window needs no more than seconds.
  auto parse = [](std::string text) -> Result<TimePoint> {
    const size_t dot = text.find('.');
    if (dot != std::string::npos) {
      const size_t z = text.find_first_of("Zz+-", dot);
      text.erase(dot, z == std::string::npos ? std::string::npos : z - dot);
    }
    return ParseIso8601(text);
  };
  XCERT_ASSIGN_OR_RETURN(info.window_start, parse((*window)["start"].get<std::string>()));
  XCERT_ASSIGN_OR_RETURN(info.window_end, parse((*window)["end"].get<std::string>()));
  if (info.window_end <= info.window_start) {
    return InvalidArgument("the suggested renewal window ends (" + FormatIso8601(info.window_end) +
                           ") before it starts (" + FormatIso8601(info.window_start) +
                           "): ignored as RFC 9773 §4.2 asks; renewBefore applies");
  }
  if (body.contains("explanationURL") && body["explanationURL"].is_string()) {
    info.explanation_url = body["explanationURL"].get<std::string>();
  }
  const std::chrono::seconds wait =
      retry_after ? std::clamp<std::chrono::seconds>(*retry_after, std::chrono::minutes(1),
                                                     std::chrono::hours(24))
                  : std::chrono::hours(6);
  info.next_check = fetched_at + wait;
  return info;
}

RenewalDecision DecideRenewal(const RenewalInfo& info, TimePoint now,
                              std::string_view certificate_id,
                              std::optional<TimePoint> last_order) {
  RenewalDecision d;
  const std::string digest = x509::Sha256(certificate_id);
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) bits = bits << 8 | static_cast<unsigned char>(digest[i]);
  const double fraction = static_cast<double>(bits >> 11) / static_cast<double>(uint64_t{1} << 53);
  const auto span = info.window_end - info.window_start;
  d.renew_at =
      info.window_start +
      std::chrono::seconds(static_cast<long long>(fraction * static_cast<double>(span.count())));
  const std::string window =
      FormatIso8601(info.window_start) + " to " + FormatIso8601(info.window_end);
  if (last_order && *last_order >= info.window_start) {
    d.reason = "an order for this certificate was placed at " + FormatIso8601(*last_order) +
               ", inside the renewal window " + window + ": resume it, do not order again";
    return d;
  }
  if (info.window_end <= now) {
    d.renew_now = true;
    d.reason = "the CA's renewal window " + window + " has passed: renew now";
  } else if (d.renew_at <= now) {
    d.renew_now = true;
    d.reason = "inside the CA's renewal window " + window + " (renewal point " +
               FormatIso8601(d.renew_at) + ")";
  } else {
    d.reason = "renewal due at " + FormatIso8601(d.renew_at) + ", inside the CA's window " + window;
  }
  if (!info.explanation_url.empty()) d.reason += "; the CA explains: " + info.explanation_url;
  return d;
}

}  // namespace xcert::acme
