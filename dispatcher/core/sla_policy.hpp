// The deadline arithmetic the lifecycle needs (SlaPolicy), and a
// natural-time stand-in with DOMAIN defaults for deployments without
// sla.yaml. The working-time policy is ConfiguredSlaPolicy (sla.hpp).
#pragma once

#include "dispatcher/core/order.hpp"
#include "dispatcher/core/types.hpp"

namespace huying::core {

// Deadline arithmetic. The SLA issue plugs in a working-time calendar; the
// default below counts natural time from DOMAIN.md's defaults.
class SlaPolicy {
 public:
  virtual ~SlaPolicy() = default;
  virtual Millis claim_due(const WorkOrder& o, Millis dispatched_at) const = 0;
  virtual Millis reply_due(const WorkOrder& o, Millis claimed_at) const = 0;
  virtual Millis visit_due(const WorkOrder& o, Millis replied_at) const = 0;
  // The latest deadline an extension may ask for.
  virtual Millis max_extended_due(const WorkOrder& o) const = 0;
  // 吹哨报到: a called department must report by this instant.
  virtual Millis report_due(const WorkOrder& o, Millis whistled_at) const = 0;
  // t moved on by n working days (escalation: "催办 the next working day").
  virtual Millis add_working_days(Millis t, int n) const = 0;
  // 跨域转办: the other platform acknowledges by this instant (default one
  // working day) and sends its result by the other (the handling allowance).
  virtual Millis transfer_ack_due(const WorkOrder& o, Millis t) const {
    return add_working_days(t, 1);
  }
  virtual Millis transfer_result_due(const WorkOrder& o, Millis t) const { return reply_due(o, t); }
  // 黄灯: the instant when the warning fraction of [start, due] remains.
  virtual Millis warn_at(const WorkOrder& o, Millis start, Millis due) const {
    return due - (due - start) / 5;
  }
  // start + factor × (due - start), measured in the order's own time
  // (working time for a working-time policy). Escalation: "twice the deadline".
  virtual Millis stretch(const WorkOrder& o, Millis start, Millis due, double factor) const {
    return start + static_cast<Millis>(factor * static_cast<double>(due - start));
  }
};

// Natural-time stand-in: working days counted as calendar days.
class NaturalSlaPolicy final : public SlaPolicy {
 public:
  Millis claim_due(const WorkOrder& o, Millis t) const override;
  Millis reply_due(const WorkOrder& o, Millis t) const override;
  Millis visit_due(const WorkOrder& o, Millis t) const override;
  Millis max_extended_due(const WorkOrder& o) const override;
  Millis report_due(const WorkOrder& o, Millis t) const override;
  Millis add_working_days(Millis t, int n) const override;
};

}  // namespace huying::core
