#include "dispatcher/core/clock.hpp"

#include <chrono>

namespace huying::core {

Millis SystemClock::now() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

namespace {
std::int64_t steady_ns() {
  using namespace std::chrono;
  return duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
}
}  // namespace

SimClock::SimClock(Millis from, double speed)
    : from_(from), speed_(speed > 0 ? speed : 1), real_start_ns_(steady_ns()) {}

Millis SimClock::now() const {
  double elapsed_ms = static_cast<double>(steady_ns() - real_start_ns_) / 1e6;
  return from_ + static_cast<Millis>(elapsed_ms * speed_);
}

Millis SimClock::real_delay(Millis until) const {
  Millis n = now();
  return until > n ? static_cast<Millis>(static_cast<double>(until - n) / speed_) + 1 : 0;
}

std::int64_t days_from_civil(CivilDate d) {
  const std::int64_t y = d.year - (d.month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = (d.month + 9) % 12;
  const std::int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const unsigned d = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
  const unsigned m = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return {static_cast<int>(y), m, d};
}

namespace {
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}
}  // namespace

CivilDate shanghai_date(Millis t) { return civil_from_days(floor_div(t + kShanghaiOffset, kDay)); }

Millis shanghai_time(CivilDate d, int hour, int minute) {
  return days_from_civil(d) * kDay + hour * kHour + minute * kMinute - kShanghaiOffset;
}

}  // namespace huying::core
