// Working-time calendar (Asia/Shanghai): weekly working hours, statutory
// holidays and 调休 make-up working days from the official calendar data.
//
// All arithmetic is exact to the millisecond. A table of per-day prefix sums
// over the covered years makes working_between O(1) and add_working
// O(log days). Instants outside the table (before the first data year, or
// more than two years past the last) throw std::out_of_range; days past the
// last data year are computed from the weekly hours alone and reported as
// estimates, never silently as facts.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "dispatcher/core/clock.hpp"
#include "dispatcher/core/types.hpp"

namespace huying::core {

// [start, end) in minutes after local midnight.
using DayIntervals = std::vector<std::pair<int, int>>;

struct WorkingHours {
  std::array<DayIntervals, 7> week;  // Monday = 0 ... Sunday = 6
  DayIntervals makeup;               // the hours of a 调休 make-up working day
  // DOMAIN.md: Mon–Fri 09:00–12:00 and 13:30–18:00; make-up days the same.
  static WorkingHours standard();
};

struct HolidayDay {
  CivilDate date;
  bool off = true;  // true: 放假; false: 调休上班 (make-up working day)
  std::string name;
};

struct HolidayYear {
  int year = 0;
  std::vector<HolidayDay> days;
};

// Parses one year of the official data (holiday-cn format: {"year", "days":
// [{"name", "date", "isOffDay"}]}). Throws std::invalid_argument with the reason.
HolidayYear parse_holiday_year(const std::string& json_text);

class Calendar {
 public:
  // REQUIRES: at least one year of data; hours with at least one interval.
  Calendar(WorkingHours hours, std::vector<HolidayYear> years);

  bool is_working(Millis t) const;
  // t itself when working, else the start of the next working stretch.
  Millis next_working_start(Millis t) const;
  // Working time in [a, b); 0 when b <= a.
  Millis working_between(Millis a, Millis b) const;
  // The earliest instant at which `d` of working time has passed since t (a
  // deadline ends with its last working minute: 18:00, not the next 09:00).
  // *estimated is set when the answer lies past the official data.
  Millis add_working(Millis t, Millis d, bool* estimated = nullptr) const;
  // N working days = N × the length of a standard working day (7.5 h).
  Millis add_working_days(Millis t, double days, bool* estimated = nullptr) const;
  Millis working_day_length() const { return day_length_; }

  // The years the official data covers, and the instant it ends.
  const std::vector<int>& data_years() const { return data_years_; }
  Millis data_end() const;
  // What kind of day a date is, for tests and displays.
  enum class DayKind { workday, weekend, holiday, makeup };
  DayKind day_kind(CivilDate d) const;

 private:
  std::int64_t index_of(Millis t) const;  // day index in the table; throws out of range
  Millis worked_in_day(std::int64_t i, Millis since_midnight) const;
  const DayIntervals& intervals(std::int64_t i) const;

  WorkingHours hours_;
  std::vector<int> data_years_;
  std::int64_t first_day_ = 0;      // days since epoch of the table's first day
  std::int64_t data_end_day_ = 0;   // first day past the official data
  std::vector<std::uint8_t> kind_;  // DayKind per table day
  std::vector<Millis> cum_;         // working ms before each table day; size days + 1
  Millis day_length_ = 0;
};

}  // namespace huying::core
