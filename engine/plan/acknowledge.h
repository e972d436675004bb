// The manifest's acknowledgements (docs/manifest.md#acknowledgements) applied
// to a drift report: drift that is known and accepted until a day is marked
// so and does not fail until then; an expired acknowledgement fails with its
// reason and age; one that matches nothing is a warning. Pure functions.
#pragma once

#include <string>
#include <vector>

#include "engine/model/manifest.h"
#include "engine/plan/drift_report.h"
#include "engine/util/diagnostics.h"

namespace xcert {

// The longest an acknowledgement may reach ahead of now.
inline constexpr Seconds kMaxAcknowledgement{90LL * 86400};

// Errors at their lines for acknowledgements whose `until` is not a day or
// lies more than 90 days after `now`.
Diagnostics CheckAcknowledgementDates(const Manifest& m, TimePoint now);

// Whether `address` ("MX01/certificate/mail") is one that `pattern` names
// ('*' matches within one part; server names without regard to case).
bool AddressMatches(const std::string& pattern, const std::string& address);

// Marks the items and removals of `report` that an acknowledgement names
// (the first that matches); returns a warning for each acknowledgement that
// matches no drift, of one of `servers` (those the report covers) or of no
// server of the manifest.
std::vector<std::string> Acknowledge(DriftReport* report, const Manifest& m,
                                     const std::vector<std::string>& servers, TimePoint now);

}  // namespace xcert
