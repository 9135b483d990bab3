// Escalation rules (DOMAIN.md defaults) with a fake "now": each firing is an
// event naming its rule, fires once, and brings its follow-up where needed.
#include "dispatcher/core/escalation.hpp"

#include <catch2/catch.hpp>

#include "unit/test_support.hpp"

using namespace huying::test;

namespace {

NaturalSlaPolicy sla;
Escalator esc(default_escalation_rules());

EscalationContext at(Millis now) {
  EscalationContext c;
  c.now = now;
  c.sla = &sla;
  c.difficult_target = [](const WorkOrder& o) { return std::string("hub-gy"); };
  return c;
}

std::vector<std::string> rules_of(const std::vector<Event>& evs) {
  std::vector<std::string> out;
  for (const auto& e : evs)
    if (e.type == EventType::escalated) out.emplace_back(e.data.at("rule").as_string());
  return out;
}

}  // namespace

TEST_CASE(
    "escalation: not claimed by the deadline -> notify the lead, twice the allowance -> 督办") {
  WorkOrder o = order_in(Status::dispatched);
  const Millis dispatched = o.dispatched_at, due = o.claim_due;
  REQUIRE(due == dispatched + 2 * kHour);
  CHECK(esc.next_due(o, sla) == due);
  CHECK(esc.fire_due(o, at(due - 1)).empty());

  auto first = esc.fire_due(o, at(due));
  REQUIRE(rules_of(first) == std::vector<std::string>{"超时未签收提醒"});
  CHECK(first[0].actor.role == Role::system);
  CHECK(first[0].seq == o.version + 1);
  for (auto& e : first) apply(o, e);
  CHECK(esc.fire_due(o, at(due)).empty());  // exactly once
  CHECK(esc.next_due(o, sla) == dispatched + 4 * kHour);

  auto second = esc.fire_due(o, at(dispatched + 4 * kHour));
  REQUIRE(rules_of(second) == std::vector<std::string>{"超时未签收督办"});
  for (auto& e : second) apply(o, e);
  CHECK(o.supervised);
  CHECK(esc.next_due(o, sla) == 0);
}

TEST_CASE("escalation: a restart long after both deadlines fires both, in deadline order") {
  WorkOrder o = order_in(Status::dispatched);
  auto evs = esc.fire_due(o, at(o.dispatched_at + 10 * kHour));
  CHECK(rules_of(evs) == std::vector<std::string>{"超时未签收提醒", "超时未签收督办"});
  CHECK(evs[1].seq == evs[0].seq + 1);
}

TEST_CASE(
    "escalation: claimed in time -> no claim rules, overdue -> 催办 next day, 通报 5 days later") {
  WorkOrder o = order_in(Status::claimed);
  const Millis r = o.reply_due;
  CHECK(esc.next_due(o, sla) == r + kDay);  // natural-time stand-in for 1 working day
  CHECK(esc.fire_due(o, at(r)).empty());
  auto urge = esc.fire_due(o, at(r + kDay));
  REQUIRE(rules_of(urge) == std::vector<std::string>{"超期次日催办"});
  for (auto& e : urge) apply(o, e);
  CHECK(o.supervise_count == 1);
  auto listed = esc.fire_due(o, at(r + 6 * kDay));
  REQUIRE(rules_of(listed) == std::vector<std::string>{"催办五日未办结通报"});
  for (auto& e : listed) apply(o, e);
  CHECK(o.reported_list);
  // A reply stops the handling clock rules; the 回访 clock takes over.
  WorkOrder replied = order_in(Status::replied);
  CHECK(esc.next_due(replied, sla) == replied.visit_due);
  auto late = esc.fire_due(replied, at(replied.visit_due));
  CHECK(rules_of(late) == std::vector<std::string>{"回访超时提醒"});
  REQUIRE(late.size() == 1);
  CHECK(late[0].data.at("action").as_string() == "notify_supervisor");
}

TEST_CASE(
    "escalation: returned twice -> 疑难件, re-dispatched to the street hub instead of bouncing") {
  NaturalSlaPolicy s;
  WorkOrder o = order_in(Status::returned);
  Event first_return;
  first_return.type = EventType::returned;
  CHECK(esc.react(o, first_return, at(kT0 + kHour)).empty());  // once is not ping-pong

  step(o, cmd(CommandType::arbitrate, {{"lead", "zj"}, {"ruling", "属住建"}}), disp, kT0 + kHour,
       s);
  DecideContext ctx;
  ctx.now = kT0 + 2 * kHour;
  ctx.sla = &s;
  auto d = decide(&o, cmd(CommandType::return_order, {{"reason", "not_our_duty"}}),
                  Actor{"clerk-zj", Role::clerk, "zj", ""}, ctx);
  REQUIRE(d.ok());
  apply(o, d.events[0]);
  auto evs = esc.react(o, d.events[0], at(kT0 + 2 * kHour));
  REQUIRE(evs.size() == 2);
  CHECK(rules_of(evs) == std::vector<std::string>{"两次退单转疑难"});
  CHECK(evs[1].type == EventType::dispatched);
  for (auto& e : evs) apply(o, e);
  CHECK(o.difficult);
  CHECK(o.status == Status::dispatched);
  CHECK(*o.lead_dept() == "hub-gy");
  CHECK(o.return_count == 2);
}

TEST_CASE("escalation: not satisfied at 回访 -> 重办 with the same department") {
  WorkOrder o = order_in(Status::replied);
  DecideContext ctx;
  ctx.now = kT0 + kDay;
  ctx.sla = &sla;
  auto d = decide(&o, cmd(CommandType::visit, {{"solved", true}, {"satisfaction", "unsatisfied"}}),
                  op, ctx);
  REQUIRE(d.ok());
  apply(o, d.events[0]);
  auto evs = esc.react(o, d.events[0], at(kT0 + kDay));
  REQUIRE(evs.size() == 2);
  CHECK(evs[1].type == EventType::reopened);
  for (auto& e : evs) apply(o, e);
  CHECK(o.status == Status::claimed);
  CHECK(*o.lead_dept() == "cg");
  CHECK(o.reopen_count == 1);

  WorkOrder happy = order_in(Status::replied);
  auto ok = decide(
      &happy, cmd(CommandType::visit, {{"solved", true}, {"satisfaction", "satisfied"}}), op, ctx);
  apply(happy, ok.events[0]);
  CHECK(esc.react(happy, ok.events[0], at(kT0 + kDay)).empty());
}

TEST_CASE("escalation: the same community and category 3 times in 7 days is a hot spot") {
  HotSpots h;
  const Millis w = 7 * kDay;
  CHECK(h.add("440699001003", "城市管理/市容环境/占道经营", "A", kT0, 3, w).empty());
  CHECK(h.add("440699001004", "城市管理/市容环境/占道经营", "X", kT0, 3, w)
            .empty());  // other community
  CHECK(h.add("440699001003", "生态环境/噪声污染/施工噪声", "Y", kT0, 3, w)
            .empty());  // other category
  CHECK(h.add("440699001003", "城市管理/市容环境/占道经营", "B", kT0 + kDay, 3, w).empty());
  CHECK(h.add("440699001003", "城市管理/市容环境/占道经营", "C", kT0 + 2 * kDay, 3, w) ==
        std::vector<std::string>{"A", "B", "C"});
  // A (day 0) has left the window by then; at day 8 exactly, so has B.
  // B at day 1, C at day 2, D just before day 8: three within 7 days of D.
  CHECK(h.add("440699001003", "城市管理/市容环境/占道经营", "D", kT0 + 8 * kDay - 1, 3, w) ==
        std::vector<std::string>{"B", "C", "D"});
  CHECK(h.add("440699001003", "城市管理/市容环境/占道经营", "E", kT0 + 8 * kDay, 3, w) ==
        std::vector<std::string>{"C", "D", "E"});
  // A busy cluster reports its size but lists only the most recent numbers.
  HotSpots busy;
  std::size_t n = 0;
  std::vector<std::string> last;
  for (int i = 0; i < 100; ++i)
    last = busy.add("a", "c", "N" + std::to_string(i), kT0 + i * kMinute, 3, w, 20, &n);
  CHECK(n == 100);
  REQUIRE(last.size() == 20);
  CHECK(last.front() == "N80");
  CHECK(last.back() == "N99");
  // Day 17: only F in the window.
  CHECK(h.add("440699001003", "城市管理/市容环境/占道经营", "F", kT0 + 17 * kDay, 3, w).empty());
}

TEST_CASE("escalation: a hot-spot window rebuilt after a restart takes in what arrived meanwhile") {
  const Millis w = 7 * kDay;
  HotSpots loaded, live;  // the store's older orders; the ones created during the load
  CHECK(loaded.add("a", "c", "A", kT0, 3, w).empty());
  CHECK(live.add("a", "c", "C", kT0 + 2 * kHour, 3, w).empty());
  CHECK(live.add("b", "c", "X", kT0 + 2 * kHour, 3, w).empty());
  CHECK(loaded.add("a", "c", "B", kT0 + kHour, 3, w).empty());
  loaded.absorb(std::move(live));
  CHECK(loaded.keys() == 2);
  // In time order: A, B, C, then D makes four (the most recent three kept).
  std::size_t n = 0;
  CHECK(loaded.add("a", "c", "D", kT0 + 3 * kHour, 3, w, 3, &n) ==
        std::vector<std::string>{"B", "C", "D"});
  CHECK(n == 4);
  CHECK(loaded.add("b", "c", "Y", kT0 + 3 * kHour, 3, w).empty());
}

TEST_CASE("吹哨报到: each called department gets a linked order, the parent records who reported") {
  NaturalSlaPolicy s;
  WorkOrder parent = order_in(Status::received);
  step(parent, cmd(CommandType::dispatch, {{"lead", "jd01"}}), disp, kT0 + kMinute, s);
  DecideContext ctx;
  ctx.now = kT0 + kHour;
  ctx.sla = &s;
  int n = 500;
  ctx.allocate = [&] {
    ++n;
    return std::pair<std::int64_t, std::string>{n, "HY20251201000" + std::to_string(n)};
  };
  auto d =
      decide(&parent, cmd(CommandType::whistle, {{"depts", json::array{"cg", "zj"}}}), coord, ctx);
  REQUIRE(d.ok());
  apply(parent, d.events[0]);
  REQUIRE(parent.whistles.size() == 2);
  CHECK(parent.whistles[0].child == "HY20251201000501");

  auto kids = linked_orders(parent, d.events[0]);
  REQUIRE(kids.size() == 2);
  WorkOrder zj;
  for (auto& e : kids[1]) apply(zj, e);
  CHECK(zj.number == "HY20251201000502");
  CHECK(zj.parent == parent.number);
  CHECK(zj.status == Status::dispatched);
  CHECK(*zj.lead_dept() == "zj");
  CHECK(zj.claim_due == kT0 + kHour + 30 * kMinute);  // the 报到 deadline
  CHECK(zj.mode == Mode::coordinated);
  CHECK(zj.citizen.phone == parent.citizen.phone);

  // zj reports (claims) within the 30 minutes: the parent shows it.
  DecideContext c2;
  c2.now = kT0 + kHour + 20 * kMinute;
  c2.sla = &s;
  auto claim = decide(&zj, cmd(CommandType::claim), clerk_zj, c2);
  REQUIRE(claim.ok());
  apply(zj, claim.events[0]);
  Event rep = reported_event(parent, zj, claim.events[0]);
  CHECK(rep.data.at("on_time").as_bool());
  apply(parent, rep);
  CHECK(parent.whistles[1].reported_at == kT0 + kHour + 20 * kMinute);
  CHECK(parent.whistles[0].reported_at == 0);
}
