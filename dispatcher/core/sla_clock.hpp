// SLA signals on an order: 黄灯 (warned) when the warning fraction of an
// allowance remains, 红灯 (overdue) at the deadline, for the claim, reply and
// call-back clocks. Each fires once per deadline (the order's sla_flags), as
// a system event the escalation rules and the board consume.
#pragma once

#include <vector>

#include "dispatcher/core/escalation.hpp"
#include "dispatcher/core/lifecycle.hpp"

namespace huying::core {

// The next instant an SLA signal is due for `o`; 0 = none.
Millis next_sla_instant(const WorkOrder& o, const SlaPolicy& sla);
// The SLA signals due at `now` that have not fired, earliest first.
std::vector<Event> fire_sla(const WorkOrder& o, Millis now, const SlaPolicy& sla);

// The order's next timer: SLA signals and time-based escalation rules.
Millis next_timer(const WorkOrder& o, const SlaPolicy& sla, const Escalator* esc);
// Everything due at `now`: SLA signals first (in time order), then the
// escalation rules they make due. Events are numbered to follow `o`.
std::vector<Event> fire_timers(const WorkOrder& o, Millis now, const SlaPolicy& sla,
                               const Escalator* esc, const EscalationContext& ectx);

}  // namespace huying::core
