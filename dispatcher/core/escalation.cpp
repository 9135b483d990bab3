#include "dispatcher/core/escalation.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <iterator>

namespace huying::core {

namespace json = boost::json;

namespace {
const Actor kSystem{"system", Role::system, "", ""};
}  // namespace

std::vector<EscalationRule> default_escalation_rules() {
  using T = Trigger;
  using A = Action;
  return {
      {.name = "超时未签收提醒",
       .trigger = T::not_claimed,
       .action = A::notify_lead,
       .factor = 1.0},
      {.name = "超时未签收督办", .trigger = T::not_claimed, .action = A::supervise, .factor = 2.0},
      {.name = "超期次日催办", .trigger = T::overdue, .action = A::urge, .working_days = 1},
      {.name = "催办五日未办结通报",
       .trigger = T::overdue,
       .action = A::report_list,
       .working_days = 6},
      {.name = "两次退单转疑难", .trigger = T::returned, .action = A::mark_difficult, .times = 2},
      {.name = "七日三次高频",
       .trigger = T::hot_spot,
       .action = A::hot_spot,
       .count = 3,
       .days = 7},
      {.name = "不满意重办", .trigger = T::unsatisfied, .action = A::reopen},
      {.name = "回访超时提醒", .trigger = T::callback_overdue, .action = A::notify_supervisor},
      {.name = "跟踪办进展逾期催办", .trigger = T::note_overdue, .action = A::urge},
  };
}

Escalator::Escalator(std::vector<EscalationRule> rules) : rules_(std::move(rules)) {}

Event Escalator::escalated(const WorkOrder& o, const EscalationRule& r, Millis now,
                           json::object detail) {
  detail["rule"] = r.name;
  detail["trigger"] = name(r.trigger);
  detail["action"] = name(r.action);
  return Event{o.number, o.version + 1, now, kSystem, EventType::escalated, std::move(detail)};
}

Millis Escalator::due_at(const WorkOrder& o, const EscalationRule& r, const SlaPolicy& sla) const {
  if (std::find(o.clock_escalations.begin(), o.clock_escalations.end(), r.name) !=
      o.clock_escalations.end())
    return 0;
  switch (r.trigger) {
    case Trigger::not_claimed:
      if (o.status != Status::dispatched || o.claim_due == 0) return 0;
      // "twice the deadline" counts the allowance in the order's own time.
      return r.factor == 1.0 ? o.claim_due : sla.stretch(o, o.dispatched_at, o.claim_due, r.factor);
    case Trigger::overdue:
      if (o.status != Status::claimed || o.reply_due == 0) return 0;
      return r.working_days == 0 ? o.reply_due : sla.add_working_days(o.reply_due, r.working_days);
    case Trigger::note_overdue:
      if (o.status != Status::claimed || o.note_due == 0 ||
          std::find(o.note_escalations.begin(), o.note_escalations.end(), r.name) !=
              o.note_escalations.end())
        return 0;
      return r.working_days == 0 ? o.note_due : sla.add_working_days(o.note_due, r.working_days);
    case Trigger::callback_overdue:
      if (o.status != Status::replied || o.visit_due == 0) return 0;
      return r.working_days == 0 ? o.visit_due : sla.add_working_days(o.visit_due, r.working_days);
    default:
      return 0;
  }
}

Millis Escalator::next_due(const WorkOrder& o, const SlaPolicy& sla) const {
  Millis best = 0;
  for (const auto& r : rules_) {
    Millis t = due_at(o, r, sla);
    if (t && (!best || t < best)) best = t;
  }
  return best;
}

std::vector<Event> Escalator::fire_due(const WorkOrder& o, const EscalationContext& ctx) const {
  std::vector<std::pair<Millis, const EscalationRule*>> due;
  for (const auto& r : rules_) {
    Millis t = due_at(o, r, *ctx.sla);
    if (t && t <= ctx.now) due.emplace_back(t, &r);
  }
  std::stable_sort(due.begin(), due.end(), [](auto& a, auto& b) { return a.first < b.first; });
  std::vector<Event> out;
  WorkOrder cur = o;
  for (auto& [t, r] : due) {
    Event e = escalated(cur, *r, ctx.now, {{"due", t}});
    apply(cur, e);
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<Event> Escalator::react(const WorkOrder& after, const Event& ev,
                                    const EscalationContext& ctx) const {
  std::vector<Event> out;
  WorkOrder cur = after;
  for (const auto& r : rules_) {
    // Once per order: after that the desk arbitrates as usual.
    if (r.trigger == Trigger::returned && ev.type == EventType::returned &&
        after.return_count >= r.times && !after.escalated(r.name)) {
      Event e = escalated(cur, r, ctx.now, {{"returns", after.return_count}});
      apply(cur, e);
      out.push_back(e);
      if (r.action == Action::mark_difficult && ctx.difficult_target) {
        // 疑难件: to the street hub (or arbitration) instead of bouncing again.
        std::string target = ctx.difficult_target(cur);
        if (!target.empty() && target != ctx.arbitration_dept) {
          WorkOrder probe = cur;
          probe.depts = {{target, DeptRole::lead}};
          Event d{cur.number,
                  cur.version + 1,
                  ctx.now,
                  kSystem,
                  EventType::dispatched,
                  {{"lead", target},
                   {"assist", json::array{}},
                   {"mode", name(cur.mode)},
                   {"claim_due", ctx.sla->claim_due(probe, ctx.now)},
                   {"ruling", "疑难件：" + r.name}}};
          apply(cur, d);
          out.push_back(std::move(d));
        }
      }
    }
    // When the last caller's call-back is in and any caller is not satisfied.
    if (r.trigger == Trigger::unsatisfied &&
        (ev.type == EventType::visited || ev.type == EventType::callback_failed) &&
        after.status == Status::visited && after.any_unsatisfied()) {
      Event e = escalated(cur, r, ctx.now);
      apply(cur, e);
      out.push_back(e);
      // Reopened with the department that handled it; an order answered on
      // the call has none: the escalation alone tells the desk.
      if (r.action == Action::reopen && cur.lead_dept()) {
        Event ro{cur.number,
                 cur.version + 1,
                 ctx.now,
                 kSystem,
                 EventType::reopened,
                 {{"reason", "回访不满意，按规则“" + r.name + "”重办"},
                  {"reply_due", ctx.sla->reply_due(cur, ctx.now)}}};
        apply(cur, ro);
        out.push_back(std::move(ro));
      }
    }
  }
  return out;
}

const EscalationRule* Escalator::hot_spot_rule() const {
  for (const auto& r : rules_)
    if (r.trigger == Trigger::hot_spot) return &r;
  return nullptr;
}

std::vector<std::string> HotSpots::add(const std::string& area, const std::string& category,
                                       const std::string& number, Millis at, int count,
                                       Millis window, std::size_t keep, std::size_t* in_window) {
  auto& q = windows_[area + '\n' + category];
  q.emplace_back(at, number);
  while (!q.empty() && q.front().first <= at - window) q.pop_front();
  if (in_window) *in_window = q.size();
  std::vector<std::string> out;
  if (static_cast<int>(q.size()) >= count)
    for (std::size_t i = q.size() > keep ? q.size() - keep : 0; i < q.size(); ++i)
      out.push_back(q[i].second);
  return out;
}

void HotSpots::absorb(HotSpots&& other) {
  for (auto& [key, theirs] : other.windows_) {
    auto& ours = windows_[key];
    std::deque<std::pair<Millis, std::string>> merged;
    std::merge(std::make_move_iterator(ours.begin()), std::make_move_iterator(ours.end()),
               std::make_move_iterator(theirs.begin()), std::make_move_iterator(theirs.end()),
               std::back_inserter(merged),
               [](const auto& a, const auto& b) { return a.first < b.first; });
    ours = std::move(merged);
  }
  other.windows_.clear();
}

}  // namespace huying::core
