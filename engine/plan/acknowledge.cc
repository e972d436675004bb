#include "engine/plan/acknowledge.h"

#include <algorithm>

#include <fnmatch.h>

#include "engine/util/quote.h"
#include "engine/util/strings.h"

namespace xcert {

namespace {

// The first moment after the day `until` ("2027-01-15"): acknowledged while
// now is before it.
std::optional<TimePoint> EndOfDay(const std::string& until) {
  Result<TimePoint> start = ParseIso8601(until + "T00:00:00Z");
  if (!start.ok() || until.size() != 10) return std::nullopt;
  return *start + std::chrono::days(1);
}

Location WhereAcknowledgement(const Manifest& m, size_t i, const std::string& field) {
  return m.source.Find("/acknowledgements/" + std::to_string(i) + "/" + field);
}

// Free text from the manifest, shown through the one quoting rule of
// engine/util/quote.h (never key material, no control characters).
std::string Describe(const Acknowledgement& a) {
  return MessageValue(a.reason) + (a.ticket.empty() ? "" : " (" + MessageValue(a.ticket) + ")");
}

}  // namespace

Diagnostics CheckAcknowledgementDates(const Manifest& m, TimePoint now) {
  Diagnostics d;
  for (size_t i = 0; i < m.acknowledgements.size(); ++i) {
    const Acknowledgement& a = m.acknowledgements[i];
    const std::optional<TimePoint> end = EndOfDay(a.until);
    if (!end) {
      d.Error(
          WhereAcknowledgement(m, i, "until"),
          "acknowledgement of " + Quote(a.address) + ": until " + Quote(a.until) + " is not a day",
          "write the last day it is accepted as YYYY-MM-DD, e.g. until: \"" +
              FormatIso8601(now + kMaxAcknowledgement).substr(0, 10) + "\"");
      continue;
    }
    if (*end - std::chrono::days(1) > now + kMaxAcknowledgement) {
      d.Error(WhereAcknowledgement(m, i, "until"),
              "acknowledgement of " + Quote(a.address) + ": until " + a.until +
                  " is more than 90 days ahead",
              "accept drift for at most 90 days (until \"" +
                  FormatIso8601(now + kMaxAcknowledgement).substr(0, 10) +
                  "\"), and renew the acknowledgement then if it still holds");
    }
  }
  return d;
}

bool AddressMatches(const std::string& pattern, const std::string& address) {
  return ::fnmatch(pattern.c_str(), address.c_str(), FNM_PATHNAME | FNM_CASEFOLD) == 0;
}

std::vector<std::string> Acknowledge(DriftReport* report, const Manifest& m,
                                     const std::vector<std::string>& servers, TimePoint now) {
  std::vector<bool> used(m.acknowledgements.size(), false);
  auto find = [&](const std::string& address) -> std::optional<Acknowledged> {
    for (size_t i = 0; i < m.acknowledgements.size(); ++i) {
      const Acknowledgement& a = m.acknowledgements[i];
      if (!AddressMatches(a.address, address)) continue;
      used[i] = true;
      const std::optional<TimePoint> end = EndOfDay(a.until);
      Acknowledged ack{MessageValue(a.reason),
                       a.until,
                       MessageValue(a.ticket),
                       false,
                       0,
                       WhereAcknowledgement(m, i, "address")};
      if (end && now >= *end) {
        ack.expired = true;
        ack.days_ago =
            static_cast<int>(std::chrono::duration_cast<std::chrono::days>(now - *end).count() + 1);
      }
      return ack;
    }
    return std::nullopt;
  };
  for (DriftItem& i : report->items) {
    if (i.status != DriftStatus::kDrift && i.status != DriftStatus::kPending) continue;
    i.acknowledged = find(i.server + "/certificate/" + i.certificate);
  }
  for (DriftRemoval& r : report->removals) {
    r.acknowledged = find(r.server + "/certificate/" + r.thumbprint);
  }
  std::vector<std::string> warnings;
  for (size_t i = 0; i < used.size(); ++i) {
    const Acknowledgement& a = m.acknowledgements[i];
    // Another shard's acknowledgement is that shard's to judge.
    const std::string server_part = a.address.substr(0, a.address.find('/'));
    auto names = [&](const std::string& s) {
      return ::fnmatch(server_part.c_str(), s.c_str(), FNM_CASEFOLD) == 0;
    };
    const bool ours = std::any_of(servers.begin(), servers.end(), names) ||
                      std::none_of(m.servers.begin(), m.servers.end(),
                                   [&](const ServerSpec& s) { return names(s.name); });
    if (used[i] || !ours) continue;
    warnings.push_back(WhereAcknowledgement(m, i, "address").ToString() +
                       ": the acknowledgement of " + Quote(a.address) + " (" + Describe(a) +
                       ") matches no drift; remove it from the manifest");
  }
  return warnings;
}

}  // namespace xcert
