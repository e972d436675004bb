// Time points, durations and the Clock seam. All times are UTC seconds.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "engine/util/status.h"

namespace xcert {

using TimePoint = std::chrono::sys_seconds;
using Seconds = std::chrono::seconds;

// "2026-11-25T10:00:00Z".
std::string FormatIso8601(TimePoint t);
// Accepts "YYYY-MM-DDTHH:MM:SSZ" and "YYYY-MM-DD" (midnight UTC).
Result<TimePoint> ParseIso8601(std::string_view text);

// Durations as written in manifests: a positive integer and one unit:
// h (hours), d (days), w (weeks), y (365 days). "90d", "12h", "2y".
// Months are not a unit because "m" is ambiguous; write "180d".
Result<Seconds> ParseDuration(std::string_view text);
// The shortest exact spelling: 31536000s -> "1y", 7776000s -> "90d".
std::string FormatDuration(Seconds d);
// Whole days, rounded down (negative when in the past): for "expires in N days".
long long DaysBetween(TimePoint from, TimePoint to);

// The clock seam: engine code never calls the system clock directly.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override;
};

class FixedClock final : public Clock {
 public:
  explicit FixedClock(TimePoint now) : now_(now) {}
  TimePoint Now() const override { return now_; }
  void Advance(Seconds d) { now_ += d; }

 private:
  TimePoint now_;
};

}  // namespace xcert
