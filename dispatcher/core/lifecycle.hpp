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
#include "dispatcher/core/sla_policy.hpp"
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
  std::string order;      // the order's number
  std::uint32_t seq = 0;  // 1 for `created`, then +1 per event of the order
  Millis at = 0;
  Actor actor;
  EventType type = EventType::created;
  boost::json::object data;
};

struct Decision {
  std::vector<Event> events;
  std::optional<Rejection> rejection;
  bool ok() const { return !rejection; }
};

struct DecideContext {
  Millis now = 0;
  const SlaPolicy* sla = nullptr;  // REQUIRES: non-null
  // Optional: tells whether a department id exists. Null accepts any.
  std::function<bool(std::string_view)> dept_exists;
  // Optional: a known street or community code (the desk's corrections and
  // dispatches of unconfirmed places). Null accepts any 12-digit code.
  std::function<bool(std::string_view)> area_placeable;
  // Optional: a known category path. Null accepts any.
  std::function<bool(std::string_view)> category_exists;
  // Optional: a platform of 跨域转办 listed in the config. Null accepts any.
  std::function<bool(std::string_view)> platform_exists;
  // 回访: a caller is unreachable after this many unanswered calls spread
  // over at least this many working days (the first day counts).
  int callback_attempts = 3;
  int callback_working_days = 2;
  // 跟踪办: a progress note is due every this many working days.
  int tracked_note_working_days = 5;
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

// 合并: the `caller_added` event for `target` carrying the callers of
// `merged` (its first caller and every caller merged into it before).
Event caller_added_event(const WorkOrder& target, const WorkOrder& merged,
                         const Event& merged_event);

// The new state of one order and the events that led to it: what one
// command changes, order by order, committed together.
struct OrderChange {
  WorkOrder order;            // after the events
  std::vector<Event> events;  // in seq order, continuing the stored ones
};

// Rebuilds an order from its full history.
WorkOrder replay(const std::vector<Event>& history);

boost::json::object to_json(const Event& e);
Event event_from_json(const boost::json::value& v);

}  // namespace huying::core
