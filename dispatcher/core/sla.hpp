// SLA policies (DOMAIN.md, Time limits): per kind × urgency (and optionally
// handling mode, category, department) the claim, handling and call-back
// allowances, natural or working time, and the warning fraction. Deadlines
// are computed once with these and stored with the order.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dispatcher/core/calendar.hpp"
#include "dispatcher/core/sla_policy.hpp"

namespace huying::core {

// A duration in the policy's own time: working time (7.5 h working days) or
// natural time.
struct SlaRule {
  // Matchers (empty = any).
  std::vector<Kind> kinds;
  std::vector<Urgency> urgencies;
  std::vector<Mode> modes;
  std::string category;  // path prefix
  std::string dept;      // lead department
  // What it sets (unset = keep what earlier rules said).
  std::optional<Millis> claim, handle, visit;
  std::optional<bool> natural;
  std::optional<double> warning;
  int line = 0;
};

struct SlaConfig {
  WorkingHours hours = WorkingHours::standard();
  std::map<std::string, WorkingHours> dept_hours;  // per-department overrides
  std::vector<HolidayYear> holidays;
  std::vector<SlaRule> rules;    // later rules override earlier ones, field by field
  Millis report = 30 * kMinute;  // 吹哨报到, natural time
};

// The allowances that apply to one order.
struct Allowance {
  Millis claim = 2 * kHour;
  Millis handle = 15 * 450 * kMinute;
  Millis visit = 450 * kMinute;
  bool natural = false;
  double warning = 0.2;
};

// DOMAIN.md's defaults as rules (consult 2 WD; help/suggestion 10 WD;
// complaint/report 15 WD; urgent/emergency/立即办 30 min to claim, 24 h natural).
std::vector<SlaRule> default_sla_rules();

class ConfiguredSlaPolicy final : public SlaPolicy {
 public:
  // Throws std::invalid_argument (from Calendar) on bad holiday data.
  explicit ConfiguredSlaPolicy(const SlaConfig& cfg);

  Allowance allowance(const WorkOrder& o) const;
  const Calendar& calendar(const WorkOrder& o) const;
  const Calendar& calendar() const { return *district_; }

  Millis claim_due(const WorkOrder& o, Millis t) const override;
  Millis reply_due(const WorkOrder& o, Millis t) const override;
  Millis visit_due(const WorkOrder& o, Millis t) const override;
  Millis max_extended_due(const WorkOrder& o) const override;
  Millis report_due(const WorkOrder& o, Millis t) const override;
  Millis add_working_days(Millis t, int n) const override;
  // 黄灯: when `warning` of the allowance between start and due remains.
  Millis warn_at(const WorkOrder& o, Millis start, Millis due) const override;
  Millis stretch(const WorkOrder& o, Millis start, Millis due, double factor) const override;

 private:
  Millis add(const WorkOrder& o, Millis t, Millis d, bool natural) const;
  SlaConfig cfg_;
  std::unique_ptr<Calendar> district_;
  std::map<std::string, std::unique_ptr<Calendar>> by_dept_;
};

// Parses "2h", "30m", "15wd" (working days of 7.5 h), "1d" (24 h), "90s".
// nullopt when malformed.
std::optional<Millis> parse_duration(const std::string& s);
// Parses "09:00-12:00" into minutes; nullopt when malformed.
std::optional<std::pair<int, int>> parse_interval(const std::string& s);

}  // namespace huying::core
