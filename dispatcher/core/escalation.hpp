// Escalation: declarative rules (config.hpp, EscalationRule) evaluated by the
// core with the time passed in. Every firing is an `escalated` event by the
// system actor, naming the rule; some actions bring a second event (reopen:
// `reopened`; mark_difficult: `dispatched` to the street hub or the district
// arbitration seat).
//
// Time-based rules (not_claimed, overdue) fire once per order: next_due() says
// when the next one is due, fire_due() produces the events. Event-based rules
// (returned, unsatisfied) react() to an event just applied. hot_spot works
// across orders: HotSpots keeps the window.
#pragma once

#include <deque>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "dispatcher/core/config.hpp"
#include "dispatcher/core/lifecycle.hpp"

namespace huying::core {

// Extra facts some actions need, from the engine's config (router).
struct EscalationContext {
  Millis now = 0;
  const SlaPolicy* sla = nullptr;  // REQUIRES: non-null
  // Where a 疑难件 goes: the department to re-dispatch to (street hub, or the
  // arbitration seat when the hub is the one that returned it).
  std::function<std::string(const WorkOrder&)> difficult_target;
  // The district arbitration seat: a 疑难件 meant for it stays `returned`,
  // in the desk's arbitration inbox, instead of one more dispatch to refuse.
  std::string arbitration_dept;
};

class Escalator {
 public:
  explicit Escalator(std::vector<EscalationRule> rules);

  // The earliest instant a time-based rule not yet fired is due for `o`; 0 = none.
  Millis next_due(const WorkOrder& o, const SlaPolicy& sla) const;
  // Events for every time-based rule due at ctx.now and not yet fired, in due order.
  std::vector<Event> fire_due(const WorkOrder& o, const EscalationContext& ctx) const;
  // Events reacting to `ev`, which was just applied to give `after`.
  std::vector<Event> react(const WorkOrder& after, const Event& ev,
                           const EscalationContext& ctx) const;
  // The hot-spot rule, if any (the engine feeds HotSpots with it).
  const EscalationRule* hot_spot_rule() const;
  // An `escalated` event for `o` by the system (the next seq).
  static Event escalated(const WorkOrder& o, const EscalationRule& r, Millis now,
                         boost::json::object detail = {});

 private:
  // When rule r is due for o (0 = not applicable now).
  Millis due_at(const WorkOrder& o, const EscalationRule& r, const SlaPolicy& sla) const;
  std::vector<EscalationRule> rules_;
};

// Same community + category `count` times within `days` (高频).
class HotSpots {
 public:
  // Records a new order. Returns the numbers in the window (oldest first,
  // this one last; at most the `keep` most recent) when there are at least
  // `count` of them; else empty. *in_window gets how many there are.
  std::vector<std::string> add(const std::string& area, const std::string& category,
                               const std::string& number, Millis at, int count, Millis window,
                               std::size_t keep = 20, std::size_t* in_window = nullptr);
  std::size_t keys() const { return windows_.size(); }
  // Takes in another window's entries (e.g. those recorded while this one
  // was being rebuilt), merged in time order per key.
  void absorb(HotSpots&& other);

 private:
  std::unordered_map<std::string, std::deque<std::pair<Millis, std::string>>> windows_;
};

}  // namespace huying::core
