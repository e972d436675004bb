// The recorded `Get-AuthConfig | Export-Clixml`: which certificate signs
// OAuth tokens now, which one takes over and when. The planner must never
// remove the current or next Auth certificate (reference/exchange.md §2.6).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/util/status.h"
#include "engine/util/time.h"
#include "resources/exchange/clixml.h"

namespace xcert::exchange {

inline constexpr std::string_view kAuthConfigType =
    "Microsoft.Exchange.Data.Directory.SystemConfiguration.AuthConfig";

struct RecordedAuthConfig {
  // Thumbprints in upper case; "" when not set (Exchange records "").
  std::string current_thumbprint;
  std::string next_thumbprint;
  std::string previous_thumbprint;
  // When the next certificate takes over; nullopt when not scheduled (<Nil>).
  std::optional<TimePoint> next_effective_date;
  std::string ps_computer_name;
};

Result<RecordedAuthConfig> RecordedAuthConfigFromObject(const PsObject& object);

// A file with exactly one AuthConfig object. Errors start with `source_name`.
Result<RecordedAuthConfig> ReadRecordedAuthConfig(std::string_view clixml_text,
                                                  const std::string& source_name);

}  // namespace xcert::exchange
