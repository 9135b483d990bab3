#include "dispatcher/core/sla.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace huying::core {

namespace {
constexpr Millis kWorkingDay = 450 * kMinute;

template <class T>
bool matches(const std::vector<T>& want, T have) {
  return want.empty() || std::find(want.begin(), want.end(), have) != want.end();
}
bool prefix_of(const std::string& p, const std::string& path) {
  return p.empty() || path == p ||
         (path.size() > p.size() && path.compare(0, p.size(), p) == 0 && path[p.size()] == '/');
}
}  // namespace

std::optional<Millis> parse_duration(const std::string& s) {
  double v = 0;
  char unit[4] = {0};
  int n = 0;
  if (s.empty() || !(s[0] >= '0' && s[0] <= '9')) return std::nullopt;  // no nan, inf, signs
  if (std::sscanf(s.c_str(), "%lf%3[a-z]%n", &v, unit, &n) != 2 ||
      n != static_cast<int>(s.size()) || !std::isfinite(v) || v < 0 || v > 1e7)
    return std::nullopt;
  std::string u(unit);
  Millis per = u == "s"    ? kSecond
               : u == "m"  ? kMinute
               : u == "h"  ? kHour
               : u == "d"  ? kDay
               : u == "wd" ? kWorkingDay
                           : 0;
  if (!per) return std::nullopt;
  return static_cast<Millis>(std::llround(v * static_cast<double>(per)));
}

std::optional<std::pair<int, int>> parse_interval(const std::string& s) {
  int h1, m1, h2, m2, n = 0;
  if (std::sscanf(s.c_str(), "%d:%d-%d:%d%n", &h1, &m1, &h2, &m2, &n) != 4 ||
      n != static_cast<int>(s.size()))
    return std::nullopt;
  int a = h1 * 60 + m1, b = h2 * 60 + m2;
  if (h1 < 0 || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59 || a >= b || b > 24 * 60)
    return std::nullopt;
  return std::pair{a, b};
}

std::vector<SlaRule> default_sla_rules() {
  std::vector<SlaRule> r(6);
  r[0].claim = 2 * kHour;
  r[0].handle = 15 * kWorkingDay;
  r[0].visit = kWorkingDay;
  r[0].natural = false;
  r[0].warning = 0.2;
  r[1].kinds = {Kind::consult};
  r[1].handle = 2 * kWorkingDay;
  r[2].kinds = {Kind::help, Kind::suggestion};
  r[2].handle = 10 * kWorkingDay;
  r[3].kinds = {Kind::complaint, Kind::report};
  r[3].handle = 15 * kWorkingDay;
  r[4].urgencies = {Urgency::urgent, Urgency::emergency};
  r[4].claim = 30 * kMinute;
  r[4].handle = 24 * kHour;
  r[4].natural = true;
  r[5].modes = {Mode::immediate};
  r[5].claim = 30 * kMinute;
  r[5].handle = 24 * kHour;
  r[5].natural = true;
  return r;
}

ConfiguredSlaPolicy::ConfiguredSlaPolicy(const SlaConfig& cfg) : cfg_(cfg) {
  district_ = std::make_unique<Calendar>(cfg_.hours, cfg_.holidays);
  for (const auto& [dept, hours] : cfg_.dept_hours)
    by_dept_[dept] = std::make_unique<Calendar>(hours, cfg_.holidays);
}

Allowance ConfiguredSlaPolicy::allowance(const WorkOrder& o) const {
  Allowance a;
  const std::string* lead = o.lead_dept();
  for (const auto& r : cfg_.rules) {
    if (!matches(r.kinds, o.kind) || !matches(r.urgencies, o.urgency) || !matches(r.modes, o.mode))
      continue;
    if (!prefix_of(r.category, o.category)) continue;
    if (!r.dept.empty() && !(lead && *lead == r.dept)) continue;
    if (r.claim) a.claim = *r.claim;
    if (r.handle) a.handle = *r.handle;
    if (r.visit) a.visit = *r.visit;
    if (r.natural) a.natural = *r.natural;
    if (r.warning) a.warning = *r.warning;
  }
  return a;
}

const Calendar& ConfiguredSlaPolicy::calendar(const WorkOrder& o) const {
  if (const std::string* lead = o.lead_dept())
    if (auto it = by_dept_.find(*lead); it != by_dept_.end()) return *it->second;
  return *district_;
}

Millis ConfiguredSlaPolicy::add(const WorkOrder& o, Millis t, Millis d, bool natural) const {
  return natural ? t + d : calendar(o).add_working(t, d);
}

Millis ConfiguredSlaPolicy::claim_due(const WorkOrder& o, Millis t) const {
  Allowance a = allowance(o);
  return add(o, t, a.claim, a.natural);
}
Millis ConfiguredSlaPolicy::reply_due(const WorkOrder& o, Millis t) const {
  Allowance a = allowance(o);
  return add(o, t, a.handle, a.natural);
}
Millis ConfiguredSlaPolicy::visit_due(const WorkOrder& o, Millis t) const {
  // The call-back is the hotline's work: always the district's working
  // calendar, also for orders whose handling ran in natural time.
  return district_->add_working(t, allowance(o).visit);
}
Millis ConfiguredSlaPolicy::max_extended_due(const WorkOrder& o) const {
  Allowance a = allowance(o);
  return add(o, o.claimed_at, 2 * a.handle, a.natural);
}
Millis ConfiguredSlaPolicy::report_due(const WorkOrder&, Millis t) const { return t + cfg_.report; }
Millis ConfiguredSlaPolicy::add_working_days(Millis t, int n) const {
  return district_->add_working_days(t, n);
}

Millis ConfiguredSlaPolicy::warn_at(const WorkOrder& o, Millis start, Millis due) const {
  return stretch(o, start, due, 1.0 - allowance(o).warning);
}

Millis ConfiguredSlaPolicy::stretch(const WorkOrder& o, Millis start, Millis due,
                                    double factor) const {
  if (due <= start) return due;
  if (allowance(o).natural)
    return start + static_cast<Millis>(std::llround(factor * static_cast<double>(due - start)));
  const Calendar& c = calendar(o);
  Millis total = c.working_between(start, due);
  return c.add_working(start,
                       static_cast<Millis>(std::llround(factor * static_cast<double>(total))));
}

}  // namespace huying::core
