// Time sources. The core never reads a clock: callers pass "now". The engine
// reads a Clock; tests and `huying simulate` use FakeClock.
#pragma once

#include <atomic>

#include "dispatcher/core/types.hpp"

namespace huying::core {

class Clock {
 public:
  virtual ~Clock() = default;
  // Current UTC time in milliseconds. Thread-safe.
  virtual Millis now() const = 0;
  // How long to wait in real time until this clock reads `until`.
  virtual Millis real_delay(Millis until) const { return until > now() ? until - now() : 0; }
};

class SystemClock final : public Clock {
 public:
  Millis now() const override;
};

// A clock that moves only when told to. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(Millis start = 0) : now_(start) {}
  Millis now() const override { return now_.load(); }
  void set(Millis t) { now_.store(t); }
  void advance(Millis d) { now_.fetch_add(d); }

 private:
  std::atomic<Millis> now_;
};

// Simulated time: starts at `from` and runs `speed` times faster than the
// real clock (for `huying simulate`). Thread-safe.
class SimClock final : public Clock {
 public:
  SimClock(Millis from, double speed);
  Millis now() const override;
  Millis real_delay(Millis until) const override;

 private:
  Millis from_;
  double speed_;
  std::int64_t real_start_ns_;  // steady clock
};

// A calendar date.
struct CivilDate {
  int year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
  friend bool operator==(const CivilDate&, const CivilDate&) = default;
};

// Days since 1970-01-01 for a proleptic Gregorian date, and back
// (H. Hinnant's algorithms).
std::int64_t days_from_civil(CivilDate d);
CivilDate civil_from_days(std::int64_t days);

// The Asia/Shanghai calendar date of instant t.
CivilDate shanghai_date(Millis t);
// The UTC instant of h:m local time in Asia/Shanghai on date d.
Millis shanghai_time(CivilDate d, int hour = 0, int minute = 0);

}  // namespace huying::core
