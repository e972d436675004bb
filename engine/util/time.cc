#include "engine/util/time.h"

#include <charconv>
#include <cstdio>

namespace xcert {

using namespace std::chrono;

std::string FormatIso8601(TimePoint t) {
  const sys_days day = floor<days>(t);
  const year_month_day ymd(day);
  const hh_mm_ss<seconds> hms(t - day);
  char buf[64];
  std::snprintf(
      buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lldZ", int(ymd.year()),
      unsigned(ymd.month()), unsigned(ymd.day()), static_cast<long long>(hms.hours().count()),
      static_cast<long long>(hms.minutes().count()), static_cast<long long>(hms.seconds().count()));
  return buf;
}

namespace {

bool ParseFixed(std::string_view s, size_t pos, size_t len, int* out) {
  if (pos + len > s.size()) return false;
  auto [p, ec] = std::from_chars(s.data() + pos, s.data() + pos + len, *out);
  return ec == std::errc() && p == s.data() + pos + len;
}

}  // namespace

Result<TimePoint> ParseIso8601(std::string_view s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  bool ok = ParseFixed(s, 0, 4, &y) && s.size() >= 10 && s[4] == '-' && ParseFixed(s, 5, 2, &mo) &&
            s[7] == '-' && ParseFixed(s, 8, 2, &d);
  if (ok && s.size() > 10) {
    ok = s.size() == 20 && s[10] == 'T' && ParseFixed(s, 11, 2, &h) && s[13] == ':' &&
         ParseFixed(s, 14, 2, &mi) && s[16] == ':' && ParseFixed(s, 17, 2, &se) && s[19] == 'Z';
  }
  const year_month_day ymd{year(y), month(unsigned(mo)), day(unsigned(d))};
  if (!ok || !ymd.ok() || h > 23 || mi > 59 || se > 60) {
    return InvalidArgument("'" + std::string(s) +
                           "' is not a UTC time; write YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DD");
  }
  return TimePoint(sys_days(ymd)) + hours(h) + minutes(mi) + seconds(se);
}

namespace {

struct Unit {
  char letter;
  long long seconds;
};
constexpr Unit kUnits[] = {{'y', 365LL * 86400}, {'w', 7LL * 86400}, {'d', 86400}, {'h', 3600}};

}  // namespace

Result<Seconds> ParseDuration(std::string_view s) {
  const auto bad = [&](const std::string& why) {
    return InvalidArgument("'" + std::string(s) + "' is not a duration: " + why +
                           "; write a number and a unit: h, d, w or y (e.g. 90d, 12h, 2y)");
  };
  if (s.empty()) return bad("it is empty");
  long long n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || p == s.data()) return bad("it does not start with a number");
  if (n <= 0) return bad("it must be positive");
  const std::string_view unit(p, s.data() + s.size() - p);
  if (unit == "m" || unit == "mo" || unit == "M")
    return bad("months and minutes are not units (ambiguous)");
  if (unit.size() != 1)
    return bad(unit.empty() ? "the unit is missing" : "unknown unit '" + std::string(unit) + "'");
  for (const Unit& u : kUnits) {
    if (unit[0] == u.letter) {
      if (n > 1000LL * 365) return bad("it is too long");
      return Seconds(n * u.seconds);
    }
  }
  return bad("unknown unit '" + std::string(unit) + "'");
}

std::string FormatDuration(Seconds d) {
  const long long s = d.count();
  for (const Unit& u : kUnits) {
    if (s != 0 && s % u.seconds == 0) return std::to_string(s / u.seconds) + u.letter;
  }
  return std::to_string(s) + "s";
}

long long DaysBetween(TimePoint from, TimePoint to) { return floor<days>(to - from).count(); }

TimePoint SystemClock::Now() const { return floor<seconds>(system_clock::now()); }

}  // namespace xcert
