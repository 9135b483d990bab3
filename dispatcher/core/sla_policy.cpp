#include "dispatcher/core/sla_policy.hpp"

namespace huying::core {

// Natural-time SLA stand-in (DOMAIN.md defaults, working days as days).

namespace {
Millis handling_allowance(const WorkOrder& o) {
  if (o.urgency != Urgency::normal || o.mode == Mode::immediate) return 24 * kHour;
  switch (o.kind) {
    case Kind::consult:
      return 2 * kDay;
    case Kind::help:
    case Kind::suggestion:
      return 10 * kDay;
    case Kind::complaint:
    case Kind::report:
      return 15 * kDay;
  }
  return 15 * kDay;
}
}  // namespace

Millis NaturalSlaPolicy::claim_due(const WorkOrder& o, Millis t) const {
  return t + (o.urgency == Urgency::normal ? 2 * kHour : 30 * kMinute);
}
Millis NaturalSlaPolicy::reply_due(const WorkOrder& o, Millis t) const {
  return t + handling_allowance(o);
}
Millis NaturalSlaPolicy::visit_due(const WorkOrder&, Millis t) const { return t + kDay; }
Millis NaturalSlaPolicy::max_extended_due(const WorkOrder& o) const {
  // At most one further allowance beyond the original one, however many
  // extensions are asked for.
  return o.claimed_at + 2 * handling_allowance(o);
}
Millis NaturalSlaPolicy::report_due(const WorkOrder&, Millis t) const { return t + 30 * kMinute; }
Millis NaturalSlaPolicy::add_working_days(Millis t, int n) const { return t + n * kDay; }

}  // namespace huying::core
