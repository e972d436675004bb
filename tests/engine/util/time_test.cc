#include "engine/util/time.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace xcert {
namespace {

using namespace std::chrono;
using ::testing::HasSubstr;

TimePoint At(int y, unsigned m, unsigned d, int h = 0, int mi = 0, int s = 0) {
  return TimePoint(sys_days(year(y) / month(m) / day(d))) + hours(h) + minutes(mi) + seconds(s);
}

constexpr long long kDay = 86400;

TEST(Iso8601Test, FormatsUtcWithZ) {
  EXPECT_EQ(FormatIso8601(At(2026, 11, 25, 10)), "2026-11-25T10:00:00Z");
  EXPECT_EQ(FormatIso8601(At(2028, 2, 29, 23, 59, 59)), "2028-02-29T23:59:59Z");
  EXPECT_EQ(FormatIso8601(TimePoint{}), "1970-01-01T00:00:00Z");
}

TEST(Iso8601Test, ParsesFullTimesAndDates) {
  EXPECT_EQ(*ParseIso8601("2026-11-25T10:00:00Z"), At(2026, 11, 25, 10));
  EXPECT_EQ(*ParseIso8601("2027-01-01T23:59:59Z"), At(2027, 1, 1, 23, 59, 59));
  EXPECT_EQ(*ParseIso8601("2026-11-25"), At(2026, 11, 25)) << "a date is midnight UTC";
  EXPECT_EQ(*ParseIso8601("2028-02-29"), At(2028, 2, 29));
}

TEST(Iso8601Test, RejectsWhatIsNotAUtcTimeAndSaysWhatToWrite) {
  for (const char* bad :
       {"", "tomorrow", "2026-11-25T10:00:00", "2026-11-25T10:00:00+01:00", "2026-11-25 10:00:00Z",
        "2026-11-25T10:00Z", "2026-02-30", "2027-02-29", "2026-13-01", "2026-00-10",
        "2026-11-25T24:00:00Z", "2026-11-25T10:60:00Z", "2026-1-25", "26-11-25",
        "2026-11-25T10:00:00Zjunk", "2026/11/25"}) {
    Result<TimePoint> r = ParseIso8601(bad);
    EXPECT_FALSE(r.ok()) << "accepted '" << bad << "' as " << FormatIso8601(*r);
    if (r.ok()) continue;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(r.status().message(), "'" + std::string(bad) +
                                        "' is not a UTC time; write YYYY-MM-DDTHH:MM:SSZ or "
                                        "YYYY-MM-DD");
  }
}

RC_GTEST_PROP(Iso8601Property, FormatThenParseIsTheIdentity, ()) {
  // 1970-01-01 .. 9999-12-31T23:59:59Z, every second reachable.
  const auto secs = *rc::gen::inRange<long long>(0, 253402300800LL);
  const TimePoint t{seconds(secs)};
  const std::string text = FormatIso8601(t);
  RC_ASSERT(text.size() == 20u);
  const Result<TimePoint> back = ParseIso8601(text);
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == t);
}

TEST(DurationTest, ParsesManifestDurations) {
  EXPECT_EQ(*ParseDuration("365d"), Seconds(365 * kDay));
  EXPECT_EQ(*ParseDuration("30d"), Seconds(30 * kDay));
  EXPECT_EQ(*ParseDuration("90d"), Seconds(90 * kDay));
  EXPECT_EQ(*ParseDuration("12h"), Seconds(12 * 3600));
  EXPECT_EQ(*ParseDuration("2w"), Seconds(14 * kDay));
  EXPECT_EQ(*ParseDuration("1y"), Seconds(365 * kDay)) << "a year is 365 days";
  EXPECT_EQ(*ParseDuration("2y"), *ParseDuration("730d"));
}

TEST(DurationTest, RejectsWithAReasonAndAnExample) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "it is empty"},
      {"d", "it does not start with a number"},
      {"0d", "it must be positive"},
      {"-30d", "it must be positive"},
      {"90", "the unit is missing"},
      {"6m", "months and minutes are not units (ambiguous)"},
      {"6mo", "months and minutes are not units (ambiguous)"},
      {"90x", "unknown unit 'x'"},
      {"90days", "unknown unit 'days'"},
      {"1.5d", "unknown unit '.5d'"},
      {"90D", "unknown unit 'D'"},
      {"400000d", "it is too long"},
  };
  for (const auto& [text, why] : cases) {
    Result<Seconds> r = ParseDuration(text);
    ASSERT_FALSE(r.ok()) << "accepted '" << text << "'";
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(r.status().message(),
              "'" + std::string(text) + "' is not a duration: " + why +
                  "; write a number and a unit: h, d, w or y (e.g. 90d, 12h, 2y)");
  }
}

TEST(DurationTest, FormatsTheShortestExactSpelling) {
  EXPECT_EQ(FormatDuration(Seconds(31536000)), "1y");
  EXPECT_EQ(FormatDuration(Seconds(7776000)), "90d");
  EXPECT_EQ(FormatDuration(Seconds(30 * kDay)), "30d");
  EXPECT_EQ(FormatDuration(Seconds(14 * kDay)), "2w");
  EXPECT_EQ(FormatDuration(Seconds(36 * 3600)), "36h");
  EXPECT_EQ(FormatDuration(Seconds(366 * kDay)), "366d");
  EXPECT_EQ(FormatDuration(Seconds(90)), "90s");
  EXPECT_EQ(FormatDuration(Seconds(0)), "0s");
}

RC_GTEST_PROP(DurationProperty, FormatThenParseIsTheIdentityForWholeHours, ()) {
  const auto hours_count = *rc::gen::inRange<long long>(1, 100000);
  const Seconds d(hours_count * 3600);
  const Result<Seconds> back = ParseDuration(FormatDuration(d));
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == d);
}

TEST(DaysBetweenTest, WholeDaysRoundedDown) {
  const TimePoint now = At(2027, 11, 10, 10);
  EXPECT_EQ(DaysBetween(now, now), 0);
  EXPECT_EQ(DaysBetween(now, At(2027, 11, 25, 10)), 15);
  EXPECT_EQ(DaysBetween(now, At(2027, 11, 25, 9, 59, 59)), 14) << "not yet 15 whole days";
  EXPECT_EQ(DaysBetween(now, At(2027, 11, 11, 9)), 0);
  EXPECT_EQ(DaysBetween(At(2026, 11, 25), At(2027, 11, 25)), 365);
  EXPECT_EQ(DaysBetween(At(2028, 1, 1), At(2029, 1, 1)), 366) << "leap year";
}

TEST(DaysBetweenTest, NegativeInThePast) {
  const TimePoint now = At(2027, 11, 10, 10);
  EXPECT_EQ(DaysBetween(now, At(2027, 11, 5, 10)), -5);
  EXPECT_EQ(DaysBetween(now, now - seconds(1)), -1) << "expired a second ago is in the past";
}

TEST(ClockTest, FixedClockIsFixedUntilAdvanced) {
  FixedClock c(At(2026, 11, 25));
  EXPECT_EQ(c.Now(), At(2026, 11, 25));
  EXPECT_EQ(c.Now(), At(2026, 11, 25));
  c.Advance(Seconds(30 * kDay));
  EXPECT_EQ(c.Now(), At(2026, 12, 25));
}

TEST(ClockTest, SystemClockIsTheCurrentTimeInWholeSeconds) {
  const SystemClock c;
  const auto before = floor<seconds>(system_clock::now());
  const TimePoint t = c.Now();
  const auto after = floor<seconds>(system_clock::now());
  EXPECT_LE(before, t);
  EXPECT_LE(t, after);
}

}  // namespace
}  // namespace xcert
