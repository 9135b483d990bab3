// Working-time calendar against the shipped official data (config/holidays).
// Every case below was checked by hand against the State Council notices.
#include "dispatcher/core/calendar.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

using namespace huying::core;

namespace {

const Calendar& cal() {
  static Calendar c = [] {
    std::vector<HolidayYear> years;
    for (int y = 2023; y <= 2026; ++y) {
      std::ifstream in(std::string(HUYING_SOURCE_DIR) + "/config/holidays/" + std::to_string(y) +
                       ".json");
      std::stringstream ss;
      ss << in.rdbuf();
      years.push_back(parse_holiday_year(ss.str()));
    }
    return Calendar(WorkingHours::standard(), std::move(years));
  }();
  return c;
}

Millis L(int y, unsigned m, unsigned d, int h = 0, int mi = 0, int s = 0) {
  return shanghai_time({y, m, d}, h, mi) + s * kSecond;
}
constexpr Millis WD = 450 * kMinute;  // one working day = 7.5 working hours

}  // namespace

TEST_CASE("calendar: every 调休 make-up day of 2025 is a working day") {
  for (CivilDate d : {CivilDate{2025, 1, 26}, CivilDate{2025, 2, 8}, CivilDate{2025, 4, 27},
                      CivilDate{2025, 9, 28}, CivilDate{2025, 10, 11}}) {
    INFO(d.year << "-" << d.month << "-" << d.day);
    CHECK(cal().day_kind(d) == Calendar::DayKind::makeup);
    CHECK(cal().is_working(shanghai_time(d, 10, 0)));
    CHECK(cal().is_working(shanghai_time(d, 9, 0)));
    CHECK_FALSE(cal().is_working(shanghai_time(d, 18, 0)));
  }
  // ...and an ordinary Saturday is not.
  CHECK(cal().day_kind({2025, 3, 8}) == Calendar::DayKind::weekend);
  CHECK_FALSE(cal().is_working(L(2025, 3, 8, 10)));
}

TEST_CASE("calendar: holidays, lunch breaks and the edges of the working day") {
  CHECK_FALSE(cal().is_working(L(2025, 1, 28, 10)));  // 春节
  CHECK_FALSE(cal().is_working(L(2025, 10, 1, 10)));  // 国庆
  CHECK_FALSE(cal().is_working(L(2025, 10, 8, 10)));  // 国庆+中秋, 8 days in 2025
  CHECK(cal().is_working(L(2025, 10, 9, 10)));
  CHECK_FALSE(cal().is_working(L(2025, 3, 5, 12, 30)));      // lunch
  CHECK_FALSE(cal().is_working(L(2025, 3, 5, 13, 29, 59)));  // lunch, last second
  CHECK(cal().is_working(L(2025, 3, 5, 13, 30)));
  CHECK(cal().is_working(L(2025, 3, 5, 11, 59, 59)));
  CHECK_FALSE(cal().is_working(L(2025, 3, 5, 8, 59, 59)));
}

TEST_CASE("calendar: add_working, hand-checked deadlines") {
  struct Case {
    const char* what;
    Millis from, add, due;
  };
  std::vector<Case> cases = {
      {"across lunch", L(2025, 3, 5, 11), 2 * kHour, L(2025, 3, 5, 14, 30)},
      {"a full day ends at 18:00, not the next 09:00", L(2025, 3, 5, 9), WD, L(2025, 3, 5, 18)},
      {"last hour of the day", L(2025, 3, 5, 17), kHour, L(2025, 3, 5, 18)},
      {"into the next morning", L(2025, 3, 5, 17), 2 * kHour, L(2025, 3, 6, 10)},
      {"over a weekend", L(2025, 3, 7, 17), 2 * kHour, L(2025, 3, 10, 10)},
      {"before opening", L(2025, 3, 5, 7), kHour, L(2025, 3, 5, 10)},
      {"one minute past closing", L(2025, 3, 5, 18), kMinute, L(2025, 3, 6, 9, 1)},
      {"logged on a holiday: claim in 2 h", L(2025, 10, 3, 10), 2 * kHour, L(2025, 10, 9, 11)},
      {"National Day 2025: 1 WD from 17:00 on the last day before", L(2025, 9, 30, 17), WD,
       L(2025, 10, 9, 17)},
      {"National Day 2024", L(2024, 9, 30, 17), WD, L(2024, 10, 8, 17)},
      {"National Day 2026 (separate from Mid-Autumn)", L(2026, 9, 30, 17), WD, L(2026, 10, 8, 17)},
      {"Spring Festival 2026: into the make-up Saturday", L(2026, 2, 13, 17), WD,
       L(2026, 2, 14, 17)},
      {"Spring Festival 2026: over the 9-day break", L(2026, 2, 14, 17), WD, L(2026, 2, 24, 17)},
      {"Spring Festival 2025", L(2025, 1, 27, 17), WD, L(2025, 2, 5, 17)},
      {"New Year 2025->2026 lands on the make-up Sunday", L(2025, 12, 31, 17), WD,
       L(2026, 1, 4, 17)},
      {"New Year 2024->2025", L(2024, 12, 31, 17), WD, L(2025, 1, 2, 17)},
      {"Qingming 2024 into the make-up Sunday", L(2024, 4, 3, 17), WD, L(2024, 4, 7, 17)},
      {"15 WD complaint, no holidays", L(2025, 3, 3, 9), 15 * WD, L(2025, 3, 21, 18)},
      {"10 WD across Labour Day 2025 (05-01..05-05 off, 04-27 worked)", L(2025, 4, 25, 9), 10 * WD,
       L(2025, 5, 12, 18)},
      {"zero duration", L(2025, 3, 5, 12, 15), 0, L(2025, 3, 5, 12, 15)},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    CHECK(cal().add_working(c.from, c.add) == c.due);
  }
}

TEST_CASE("calendar: working_between and next_working_start") {
  CHECK(cal().working_between(L(2025, 9, 30, 9), L(2025, 10, 9, 9)) == WD);
  CHECK(cal().working_between(L(2025, 3, 5, 11, 30), L(2025, 3, 5, 14)) == kHour);
  CHECK(cal().working_between(L(2025, 3, 5, 14), L(2025, 3, 5, 11)) == 0);
  CHECK(cal().next_working_start(L(2025, 3, 5, 12, 10)) == L(2025, 3, 5, 13, 30));
  CHECK(cal().next_working_start(L(2025, 10, 1, 8)) == L(2025, 10, 9, 9));
  CHECK(cal().next_working_start(L(2025, 3, 7, 18)) == L(2025, 3, 10, 9));
  CHECK(cal().next_working_start(L(2026, 2, 13, 18, 30)) == L(2026, 2, 14, 9));
  CHECK(cal().next_working_start(L(2025, 3, 5, 10, 17)) == L(2025, 3, 5, 10, 17));
}

TEST_CASE("calendar: past the official data the answer is an estimate, and says so") {
  bool est = false;
  Millis due = cal().add_working(L(2026, 12, 31, 17), WD, &est);
  CHECK(est);
  CHECK(due == L(2027, 1, 1, 17));  // weekly hours only: 2027's notice is not out yet
  cal().add_working(L(2026, 12, 1, 9), WD, &est);
  CHECK_FALSE(est);
  CHECK_THROWS_AS(cal().is_working(L(2022, 6, 1, 10)), std::out_of_range);
  CHECK_THROWS_AS(cal().add_working(L(2028, 12, 30, 10), 10 * WD), std::out_of_range);
  CHECK(cal().data_years() == std::vector<int>{2023, 2024, 2025, 2026});
}

TEST_CASE("calendar: a gap in the data is an error, not every weekday working") {
  std::vector<HolidayYear> ys(2);
  ys[0].year = 2024;
  ys[1].year = 2026;
  CHECK_THROWS_WITH(Calendar(WorkingHours::standard(), ys), Catch::Contains("2025"));
  CHECK_THROWS_AS(parse_holiday_year("{\"year\": 2025}"), std::invalid_argument);
  CHECK_THROWS_AS(parse_holiday_year("not json"), std::invalid_argument);
}

TEST_CASE("calendar property: working_between(t, add_working(t, d)) == d, monotonic") {
  std::mt19937_64 rng(42);
  const Millis lo = L(2023, 1, 1), hi = L(2026, 12, 31);
  for (int i = 0; i < 20000; ++i) {
    Millis t = lo + static_cast<Millis>(rng() % static_cast<std::uint64_t>(hi - lo));
    Millis d = static_cast<Millis>(rng() % static_cast<std::uint64_t>(30 * WD));
    Millis due = cal().add_working(t, d);
    REQUIRE(due >= t);
    REQUIRE(cal().working_between(t, due) == d);
    // The earliest such instant: one millisecond less is not enough.
    if (d > 0) REQUIRE(cal().working_between(t, due - 1) == d - 1);
  }
}
