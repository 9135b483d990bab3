#include "dispatcher/core/calendar.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <stdexcept>

namespace huying::core {

namespace {
Millis length_of(const DayIntervals& iv) {
  Millis total = 0;
  for (auto [s, e] : iv) total += (e - s) * kMinute;
  return total;
}
int weekday(std::int64_t days_since_epoch) {
  // 1970-01-01 was a Thursday (Monday = 0 -> Thursday = 3).
  return static_cast<int>(((days_since_epoch % 7) + 7 + 3) % 7);
}
}  // namespace

WorkingHours WorkingHours::standard() {
  WorkingHours h;
  DayIntervals day = {{9 * 60, 12 * 60}, {13 * 60 + 30, 18 * 60}};
  for (int d = 0; d < 5; ++d) h.week[d] = day;
  h.makeup = day;
  return h;
}

HolidayYear parse_holiday_year(const std::string& text) {
  HolidayYear y;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec) throw std::invalid_argument("not JSON: " + ec.message());
  try {
    const auto& o = v.as_object();
    y.year = static_cast<int>(o.at("year").to_number<std::int64_t>());
    for (const auto& dv : o.at("days").as_array()) {
      const auto& d = dv.as_object();
      std::string date(d.at("date").as_string());
      int yy = 0;
      unsigned mm = 0, dd = 0;
      if (std::sscanf(date.c_str(), "%d-%u-%u", &yy, &mm, &dd) != 3 || mm < 1 || mm > 12 ||
          dd < 1 || dd > 31)
        throw std::invalid_argument("bad date '" + date + "'");
      HolidayDay h{{yy, mm, dd}, d.at("isOffDay").as_bool(), std::string(d.at("name").as_string())};
      y.days.push_back(std::move(h));
    }
  } catch (const std::invalid_argument&) {
    throw;
  } catch (const std::exception& e) {
    throw std::invalid_argument(std::string("not in the holiday-cn format: ") + e.what());
  }
  return y;
}

Calendar::Calendar(WorkingHours hours, std::vector<HolidayYear> years) : hours_(std::move(hours)) {
  if (years.empty()) throw std::invalid_argument("calendar: no holiday data");
  std::sort(years.begin(), years.end(), [](auto& a, auto& b) { return a.year < b.year; });
  for (const auto& y : years) data_years_.push_back(y.year);
  for (std::size_t i = 1; i < data_years_.size(); ++i)
    if (data_years_[i] != data_years_[i - 1] + 1)
      throw std::invalid_argument("calendar: holiday data for " +
                                  std::to_string(data_years_[i - 1] + 1) + " is missing (have " +
                                  std::to_string(data_years_[i - 1]) + " and " +
                                  std::to_string(data_years_[i]) + ")");
  day_length_ = length_of(hours_.makeup.empty() ? hours_.week[0] : hours_.makeup);
  if (day_length_ <= 0) throw std::invalid_argument("calendar: a working day has no working hours");

  first_day_ = days_from_civil({data_years_.front(), 1, 1});
  data_end_day_ = days_from_civil({data_years_.back() + 1, 1, 1});
  // Two more years are computed from the weekly hours alone (estimates).
  const std::int64_t end_day = days_from_civil({data_years_.back() + 3, 1, 1});
  const std::size_t n = static_cast<std::size_t>(end_day - first_day_);
  kind_.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    int wd = weekday(first_day_ + static_cast<std::int64_t>(i));
    kind_[i] =
        static_cast<std::uint8_t>(hours_.week[wd].empty() ? DayKind::weekend : DayKind::workday);
  }
  for (const auto& y : years)
    for (const auto& d : y.days) {
      std::int64_t i = days_from_civil(d.date) - first_day_;
      if (i < 0 || i >= static_cast<std::int64_t>(n)) continue;
      kind_[static_cast<std::size_t>(i)] =
          static_cast<std::uint8_t>(d.off ? DayKind::holiday : DayKind::makeup);
    }
  cum_.resize(n + 1);
  cum_[0] = 0;
  for (std::size_t i = 0; i < n; ++i)
    cum_[i + 1] = cum_[i] + length_of(intervals(static_cast<std::int64_t>(i)));
}

const DayIntervals& Calendar::intervals(std::int64_t i) const {
  static const DayIntervals none;
  switch (static_cast<DayKind>(kind_[static_cast<std::size_t>(i)])) {
    case DayKind::holiday:
      return none;
    case DayKind::makeup:
      return hours_.makeup;
    default:
      return hours_.week[weekday(first_day_ + i)];
  }
}

Calendar::DayKind Calendar::day_kind(CivilDate d) const {
  std::int64_t i = days_from_civil(d) - first_day_;
  if (i < 0 || i >= static_cast<std::int64_t>(kind_.size()))
    throw std::out_of_range("calendar: date outside the table");
  return static_cast<DayKind>(kind_[static_cast<std::size_t>(i)]);
}

Millis Calendar::data_end() const { return data_end_day_ * kDay - kShanghaiOffset; }

std::int64_t Calendar::index_of(Millis t) const {
  Millis local = t + kShanghaiOffset;
  std::int64_t day = local >= 0 ? local / kDay : -((-local + kDay - 1) / kDay);
  std::int64_t i = day - first_day_;
  if (i < 0 || i >= static_cast<std::int64_t>(kind_.size()))
    throw std::out_of_range("calendar: instant outside " + std::to_string(data_years_.front()) +
                            "–" + std::to_string(data_years_.back() + 2));
  return i;
}

Millis Calendar::worked_in_day(std::int64_t i, Millis since_midnight) const {
  Millis w = 0;
  for (auto [s, e] : intervals(i)) {
    Millis a = s * kMinute, b = e * kMinute;
    if (since_midnight <= a) break;
    w += std::min(since_midnight, b) - a;
  }
  return w;
}

bool Calendar::is_working(Millis t) const {
  std::int64_t i = index_of(t);
  Millis sm = t + kShanghaiOffset - (first_day_ + i) * kDay;
  for (auto [s, e] : intervals(i))
    if (sm >= s * kMinute && sm < e * kMinute) return true;
  return false;
}

Millis Calendar::next_working_start(Millis t) const {
  std::int64_t i = index_of(t);
  Millis day_start = (first_day_ + i) * kDay - kShanghaiOffset;
  Millis sm = t - day_start;
  for (; i < static_cast<std::int64_t>(kind_.size()); ++i, day_start += kDay, sm = 0) {
    for (auto [s, e] : intervals(i)) {
      if (sm < e * kMinute) return day_start + std::max<Millis>(sm, s * kMinute);
    }
  }
  throw std::out_of_range("calendar: no working time before the end of the table");
}

Millis Calendar::working_between(Millis a, Millis b) const {
  if (b <= a) return 0;
  auto w = [&](Millis t) {
    std::int64_t i = index_of(t);
    Millis sm = t + kShanghaiOffset - (first_day_ + i) * kDay;
    return cum_[static_cast<std::size_t>(i)] + worked_in_day(i, sm);
  };
  return w(b) - w(a);
}

Millis Calendar::add_working(Millis t, Millis d, bool* estimated) const {
  if (d < 0) throw std::invalid_argument("calendar: negative duration");
  std::int64_t i = index_of(t);
  Millis sm = t + kShanghaiOffset - (first_day_ + i) * kDay;
  if (d == 0) {
    if (estimated) *estimated = t >= data_end();
    return t;
  }
  const Millis target = cum_[static_cast<std::size_t>(i)] + worked_in_day(i, sm) + d;
  // First day whose end reaches the target: cum_[j] < target <= cum_[j + 1].
  auto it = std::lower_bound(cum_.begin() + 1, cum_.end(), target);
  if (it == cum_.end()) throw std::out_of_range("calendar: deadline beyond the end of the table");
  std::int64_t j = (it - cum_.begin()) - 1;
  Millis rem = target - cum_[static_cast<std::size_t>(j)];
  Millis day_start = (first_day_ + j) * kDay - kShanghaiOffset;
  for (auto [s, e] : intervals(j)) {
    Millis len = (e - s) * kMinute;
    if (rem <= len) {
      Millis out = day_start + s * kMinute + rem;
      if (estimated) *estimated = first_day_ + j >= data_end_day_;
      return out;
    }
    rem -= len;
  }
  throw std::logic_error("calendar: prefix sums inconsistent");
}

Millis Calendar::add_working_days(Millis t, double days, bool* estimated) const {
  return add_working(t, static_cast<Millis>(std::llround(days * static_cast<double>(day_length_))),
                     estimated);
}

}  // namespace huying::core
