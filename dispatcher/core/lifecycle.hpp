// The work-order lifecycle of DOMAIN.md as a pure state machine.
//
//   decide(order, command, actor, context) -> events, or a typed rejection
//   apply(order, event)                    -> the order after the event
//
// decide() checks state, role, department scope and required fields and never
// changes anything; apply() never fails for an event decide() produced. Every
// value an event needs to be replayed (deadlines included) is in its data, so
// replay needs no policy, no clock and no config.
#pragma once

#include <boost/json/object.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dispatcher/core/order.hpp"
#include "dispatcher/core/types.hpp"

namespace huying::core {

// A request to change an order. args are the command's fields, as the API
// receives them (JSON), e.g. {"reason": "not_our_duty", "comment": "..."}.
struct Command {
  CommandType type;
  boost::json::object args;
};

// One fact in an order's history.
struct Event {
  std::string order;  // the order's number
  std::uint32_t seq = 0;  // 1 for `created`, then +1 per event of the order
  Millis at = 0;
  Actor actor;
  EventType type = EventType::created;
  boost::json::object data;
};

enum class RejectCode {
  invalid_state,  // the order's state does not allow the command
  forbidden,      // the actor's role may not issue the command
  out_of_scope,   // the order belongs to another department / area
  missing_field,  // a required field is absent or empty
  invalid_field,  // a field has a wrong type or value
  not_found,      // the order (or a referenced one) does not exist
  conflict,       // e.g. an extension already pending
  internal        // the system failed (store); nothing was acknowledged
};

struct Rejection {
  RejectCode code;
  std::string field;   // the offending field, when one is to blame
  std::string reason;  // a sentence for people (English; the UI translates codes)
};

struct Decision {
  std::vector<Event> events;
  std::optional<Rejection> rejection;
  bool ok() const { return !rejection; }
};

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

struct DecideContext {
  Millis now = 0;
  const SlaPolicy* sla = nullptr;  // REQUIRES: non-null
  // Optional: tells whether a department id exists. Null accepts any.
  std::function<bool(std::string_view)> dept_exists;
  // For `create`: called once, only when the command is accepted, to get the
  // new order's id and number.
  std::function<std::pair<std::int64_t, std::string>()> allocate;
};

// REQUIRES: order is null exactly for CommandType::create.
Decision decide(const WorkOrder* order, const Command& cmd, const Actor& actor,
                const DecideContext& ctx);

// Applies one event. REQUIRES: ev.seq == o.version + 1 (a `created` event
// starts from a default-constructed order).
void apply(WorkOrder& o, const Event& ev);

// 吹哨报到: the linked orders a `whistled` event calls for, one per called
// department, each as its first events [created, dispatched] (the 报到
// deadline is the claim deadline; mode 积极办; parent set).
std::vector<std::vector<Event>> linked_orders(const WorkOrder& parent, const Event& whistled);
// The parent's `reported` event when a linked order is claimed.
// REQUIRES: child.parent == parent.number; `claimed` is the child's claim.
Event reported_event(const WorkOrder& parent, const WorkOrder& child, const Event& claimed);

// Rebuilds an order from its full history.
WorkOrder replay(const std::vector<Event>& history);

boost::json::object to_json(const Event& e);
Event event_from_json(const boost::json::value& v);

}  // namespace huying::core
