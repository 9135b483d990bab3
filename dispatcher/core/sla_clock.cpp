#include "dispatcher/core/sla_clock.hpp"

#include <algorithm>

namespace huying::core {

namespace {

struct Signal {
  Millis at;
  EventType type;
  const char* clock;
  Millis due;
};

std::vector<Signal> pending(const WorkOrder& o, const SlaPolicy& sla) {
  std::vector<Signal> out;
  auto f = o.sla_flags;
  if (o.status == Status::dispatched && o.claim_due) {
    if (!(f & kClaimWarned) && !(f & kClaimOverdue))
      out.push_back(
          {sla.warn_at(o, o.dispatched_at, o.claim_due), EventType::warned, "claim", o.claim_due});
    if (!(f & kClaimOverdue))
      out.push_back({o.claim_due, EventType::overdue, "claim", o.claim_due});
  }
  if (o.status == Status::claimed && o.reply_due) {
    if (!(f & kReplyWarned) && !(f & kReplyOverdue))
      out.push_back(
          {sla.warn_at(o, o.claimed_at, o.reply_due), EventType::warned, "reply", o.reply_due});
    if (!(f & kReplyOverdue))
      out.push_back({o.reply_due, EventType::overdue, "reply", o.reply_due});
  }
  if (o.status == Status::claimed && o.note_due) {
    // 跟踪办: the next progress note.
    if (!(f & kNoteWarned) && !(f & kNoteOverdue))
      out.push_back(
          {sla.warn_at(o, o.noted_at, o.note_due), EventType::warned, "note", o.note_due});
    if (!(f & kNoteOverdue)) out.push_back({o.note_due, EventType::overdue, "note", o.note_due});
  }
  if (o.status == Status::replied && o.visit_due && o.replied_at) {
    if (!(f & kVisitWarned) && !(f & kVisitOverdue))
      out.push_back(
          {sla.warn_at(o, o.replied_at, o.visit_due), EventType::warned, "visit", o.visit_due});
    if (!(f & kVisitOverdue))
      out.push_back({o.visit_due, EventType::overdue, "visit", o.visit_due});
  }
  if (o.status == Status::transferred_out) {
    // The other platform: its acknowledgement, then its result.
    if (o.ack_due && !o.acked_at && !(f & kAckOverdue))
      out.push_back({o.ack_due, EventType::overdue, "ack", o.ack_due});
    if (o.result_due) {
      if (!(f & kResultWarned) && !(f & kResultOverdue))
        out.push_back({sla.warn_at(o, o.dept_since, o.result_due), EventType::warned, "result",
                       o.result_due});
      if (!(f & kResultOverdue))
        out.push_back({o.result_due, EventType::overdue, "result", o.result_due});
    }
  }
  return out;
}

const Actor kSystem{"system", Role::system, "", ""};

}  // namespace

Millis next_sla_instant(const WorkOrder& o, const SlaPolicy& sla) {
  Millis best = 0;
  for (const auto& s : pending(o, sla))
    if (!best || s.at < best) best = s.at;
  return best;
}

std::vector<Event> fire_sla(const WorkOrder& o, Millis now, const SlaPolicy& sla) {
  auto sigs = pending(o, sla);
  std::stable_sort(sigs.begin(), sigs.end(),
                   [](const Signal& a, const Signal& b) { return a.at < b.at; });
  std::vector<Event> out;
  WorkOrder cur = o;
  for (const auto& s : sigs) {
    if (s.at > now) break;
    // A deadline already passed makes its warning moot.
    if (s.type == EventType::warned && std::any_of(sigs.begin(), sigs.end(), [&](const Signal& x) {
          return x.type == EventType::overdue && std::string_view(x.clock) == s.clock &&
                 x.at <= now;
        }))
      continue;
    Event e{cur.number, cur.version + 1, now,
            kSystem,    s.type,          {{"clock", s.clock}, {"due", s.due}, {"at", s.at}}};
    apply(cur, e);
    out.push_back(std::move(e));
  }
  return out;
}

Millis next_timer(const WorkOrder& o, const SlaPolicy& sla, const Escalator* esc) {
  if (!o.open()) return 0;
  Millis a = next_sla_instant(o, sla);
  Millis b = esc ? esc->next_due(o, sla) : 0;
  if (!a) return b;
  if (!b) return a;
  return std::min(a, b);
}

std::vector<Event> fire_timers(const WorkOrder& o, Millis now, const SlaPolicy& sla,
                               const Escalator* esc, const EscalationContext& ectx) {
  std::vector<Event> out = fire_sla(o, now, sla);
  if (esc) {
    WorkOrder cur = o;
    for (const auto& e : out) apply(cur, e);
    for (auto& e : esc->fire_due(cur, ectx)) out.push_back(std::move(e));
  }
  return out;
}

}  // namespace huying::core
