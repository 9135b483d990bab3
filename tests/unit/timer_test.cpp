// TimerQueue and the SLA signals, with a fake "now".
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <random>

#include "dispatcher/core/sla_clock.hpp"
#include "dispatcher/core/timer_queue.hpp"
#include "unit/test_support.hpp"

using namespace huying::test;

TEST_CASE("timer queue: pops in deadline order, ties by key, matching a sorted reference") {
  std::mt19937 rng(1);
  TimerQueue q;
  std::map<TimerQueue::Key, Millis> ref;
  for (int i = 0; i < 5000; ++i) {
    TimerQueue::Key k = rng() % 3000;
    Millis due = static_cast<Millis>(rng() % 100000);
    switch (rng() % 4) {
      case 0:
        q.cancel(k);
        ref.erase(k);
        break;
      default:
        q.schedule(k, due);  // insert or reschedule
        ref[k] = due;
    }
  }
  REQUIRE(q.size() == ref.size());
  for (auto [k, due] : ref) REQUIRE(q.due_of(k) == due);
  std::vector<std::pair<Millis, TimerQueue::Key>> want;
  for (auto [k, due] : ref) want.emplace_back(due, k);
  std::sort(want.begin(), want.end());
  auto got = q.pop_due(INT64_MAX);
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    CHECK(got[i].due == want[i].first);
    CHECK(got[i].key == want[i].second);
  }
  CHECK(q.empty());
}

TEST_CASE("timer queue: reschedule, cancel, pop only what is due, build in O(n)") {
  TimerQueue q;
  q.schedule(7, 300);
  q.schedule(3, 100);
  q.schedule(5, 200);
  CHECK(q.top()->key == 3);
  q.schedule(3, 400);  // later
  CHECK(q.top()->key == 5);
  q.schedule(7, 50);  // earlier
  CHECK(q.top()->key == 7);
  q.cancel(7);
  q.cancel(99);  // absent: no-op
  CHECK(q.size() == 2);
  auto due = q.pop_due(250);
  REQUIRE(due.size() == 1);
  CHECK(due[0].key == 5);
  CHECK(q.pop_due(399).empty());
  CHECK(q.pop_due(400).size() == 1);

  std::vector<TimerQueue::Entry> many;
  for (TimerQueue::Key k = 0; k < 1000; ++k)
    many.push_back({static_cast<Millis>((k * 7919) % 1000), k});
  q.build(many);
  CHECK(q.size() == 1000);
  CHECK(q.pop_due(9, 3).size() == 3);  // at most 3
  auto rest = q.pop_due(INT64_MAX);
  CHECK(std::is_sorted(rest.begin(), rest.end(), [](auto& a, auto& b) {
    return a.due != b.due ? a.due < b.due : a.key < b.key;
  }));
}

TEST_CASE("SLA signals: 黄灯 then 红灯 on the claim clock, once each, reset by a new deadline") {
  NaturalSlaPolicy sla;
  WorkOrder o = order_in(Status::dispatched);  // claim in 2 h
  const Millis t = o.dispatched_at;
  CHECK(next_sla_instant(o, sla) == t + 96 * kMinute);  // 80% of 2 h
  CHECK(fire_sla(o, t + 95 * kMinute, sla).empty());
  auto warn = fire_sla(o, t + 96 * kMinute, sla);
  REQUIRE(warn.size() == 1);
  CHECK(warn[0].type == EventType::warned);
  CHECK(warn[0].data.at("clock").as_string() == "claim");
  apply(o, warn[0]);
  CHECK(fire_sla(o, t + 100 * kMinute, sla).empty());
  CHECK(next_sla_instant(o, sla) == t + 2 * kHour);
  auto red = fire_sla(o, t + 3 * kHour, sla);
  REQUIRE(red.size() == 1);
  CHECK(red[0].type == EventType::overdue);
  apply(o, red[0]);
  CHECK(next_sla_instant(o, sla) == 0);
  // Claiming sets the reply clock: its own signals.
  step(o, cmd(CommandType::claim), clerk_cg, t + 3 * kHour, sla);
  CHECK(next_sla_instant(o, sla) > t + 3 * kHour);
}

TEST_CASE("SLA signals: long past both, only 红灯 fires (the warning is moot)") {
  NaturalSlaPolicy sla;
  WorkOrder o = order_in(Status::claimed);
  auto evs = fire_sla(o, o.reply_due + kDay, sla);
  REQUIRE(evs.size() == 1);
  CHECK(evs[0].type == EventType::overdue);
  CHECK(evs[0].data.at("clock").as_string() == "reply");
}

TEST_CASE("timers: SLA signals and escalation rules together, in order, exactly once") {
  NaturalSlaPolicy sla;
  Escalator esc(default_escalation_rules());
  WorkOrder o = order_in(Status::dispatched);
  EscalationContext ctx;
  ctx.now = o.dispatched_at + 5 * kHour;
  ctx.sla = &sla;
  auto evs = fire_timers(o, ctx.now, sla, &esc, ctx);
  std::vector<std::string> kinds;
  for (auto& e : evs) kinds.emplace_back(name(e.type));
  CHECK(kinds == std::vector<std::string>{"overdue", "escalated", "escalated"});
  for (std::size_t i = 0; i < evs.size(); ++i) CHECK(evs[i].seq == o.version + 1 + i);
  for (auto& e : evs) apply(o, e);
  CHECK(fire_timers(o, ctx.now, sla, &esc, ctx).empty());
  CHECK(next_timer(o, sla, &esc) == 0);
}
