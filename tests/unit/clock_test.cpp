#include "dispatcher/core/clock.hpp"

#include <catch2/catch.hpp>
#include <set>

#include "dispatcher/core/order_number.hpp"

using namespace huying::core;

TEST_CASE("civil dates round-trip and Shanghai is UTC+8") {
  CHECK(days_from_civil({1970, 1, 1}) == 0);
  CHECK(days_from_civil({2000, 3, 1}) == 11017);
  for (std::int64_t d = -1000; d < 30000; d += 37) CHECK(days_from_civil(civil_from_days(d)) == d);
  // 2025-12-31 16:00 UTC is already 2026-01-01 00:00 in Shanghai.
  Millis t = days_from_civil({2025, 12, 31}) * kDay + 16 * kHour;
  CHECK(shanghai_date(t) == CivilDate{2026, 1, 1});
  CHECK(shanghai_date(t - 1) == CivilDate{2025, 12, 31});
  CHECK(shanghai_time({2026, 1, 1}) == t);
}

TEST_CASE("order numbers: HY + local date + daily sequence, increasing, unique") {
  OrderNumbering n;
  Millis day1 = shanghai_time({2026, 11, 23}, 9, 0);
  CHECK(n.next(day1) == "HY20261123000001");
  CHECK(n.next(day1 + kMinute) == "HY20261123000002");
  // A new local day restarts the sequence.
  CHECK(n.next(shanghai_time({2026, 11, 24}, 0, 0)) == "HY20261124000001");
  // The clock stepping back never produces a smaller or repeated number.
  CHECK(n.next(day1) == "HY20261124000002");

  OrderNumbering recovered;
  recovered.observe("HY20261123000123");
  recovered.observe("not a number");
  recovered.observe("HY20261123000007");
  CHECK(recovered.next(day1) == "HY20261123000124");
  CHECK(valid_order_number("HY20261123000124"));
  CHECK_FALSE(valid_order_number("HX20261123000124"));
  CHECK_FALSE(valid_order_number("HY2026112300012a"));

  std::set<std::string> seen;
  OrderNumbering many;
  for (int i = 0; i < 5000; ++i) CHECK(seen.insert(many.next(day1 + i * kSecond)).second);
  CHECK(std::is_sorted(seen.begin(), seen.end()));
}

TEST_CASE("the fake clock moves only when told") {
  FakeClock c(1000);
  CHECK(c.now() == 1000);
  c.advance(500);
  CHECK(c.now() == 1500);
  c.set(42);
  CHECK(c.now() == 42);
}
