// SLA policies from config/example/sla.yaml, on the working-time calendar.
#include <catch2/catch.hpp>

#include "dispatcher/config/config_load.hpp"
#include "dispatcher/core/routing.hpp"
#include "unit/test_support.hpp"

using namespace huying::test;

namespace {
const RuleSet& rules() {
  static auto rs = [] {
    auto res = load_deployment(std::string(HUYING_SOURCE_DIR) + "/config/example");
    REQUIRE(res.ok());
    return make_rule_set(res.deployment);
  }();
  return *rs;
}
Millis L(int y, unsigned m, unsigned d, int h = 0, int mi = 0) {
  return shanghai_time({y, m, d}, h, mi);
}
constexpr Millis WD = 450 * kMinute;

WorkOrder make(Kind k, Urgency u = Urgency::normal, Mode m = Mode::onsite,
               std::string lead = "cg") {
  WorkOrder o;
  o.kind = k;
  o.urgency = u;
  o.mode = m;
  o.category = "城市管理/市容环境/占道经营";
  o.depts.push_back({lead, DeptRole::lead});
  return o;
}
}  // namespace

TEST_CASE("sla: allowances per kind and urgency, DOMAIN.md defaults") {
  const auto& sla = *rules().sla;
  CHECK(sla.allowance(make(Kind::consult)).handle == 2 * WD);
  CHECK(sla.allowance(make(Kind::help)).handle == 10 * WD);
  CHECK(sla.allowance(make(Kind::suggestion)).handle == 10 * WD);
  CHECK(sla.allowance(make(Kind::complaint)).handle == 15 * WD);
  CHECK(sla.allowance(make(Kind::report)).handle == 15 * WD);
  CHECK(sla.allowance(make(Kind::complaint)).claim == 2 * kHour);
  auto urgent = sla.allowance(make(Kind::complaint, Urgency::urgent));
  CHECK(urgent.claim == 30 * kMinute);
  CHECK(urgent.handle == 24 * kHour);
  CHECK(urgent.natural);
  CHECK(sla.allowance(make(Kind::help, Urgency::normal, Mode::immediate)).natural);
  CHECK(sla.allowance(make(Kind::help)).warning == Approx(0.2));
}

TEST_CASE("sla: deadlines in working time, urgent ones in natural time") {
  const auto& sla = *rules().sla;
  WorkOrder c = make(Kind::complaint);
  // Dispatched Friday 17:00: 2 working hours to claim -> Monday 10:00.
  CHECK(sla.claim_due(c, L(2025, 3, 7, 17)) == L(2025, 3, 10, 10));
  // Claimed before National Day 2025: 15 WD skip the 8-day break.
  CHECK(sla.reply_due(c, L(2025, 9, 30, 9)) ==
        sla.calendar().add_working(L(2025, 9, 30, 9), 15 * WD));
  CHECK(sla.reply_due(c, L(2025, 9, 30, 9)) == L(2025, 10, 27, 18));  // counted by hand
  // Urgent: natural time, night and holiday included.
  WorkOrder u = make(Kind::complaint, Urgency::urgent);
  CHECK(sla.claim_due(u, L(2025, 10, 1, 23)) == L(2025, 10, 1, 23) + 30 * kMinute);
  CHECK(sla.reply_due(u, L(2025, 10, 1, 23)) == L(2025, 10, 2, 23));
  // 回访 within 1 WD of the reply.
  CHECK(sla.visit_due(c, L(2025, 3, 7, 17)) == L(2025, 3, 10, 17));
  // 吹哨报到 in 30 natural minutes.
  CHECK(sla.report_due(c, L(2025, 3, 8, 10)) == L(2025, 3, 8, 10, 30));
}

TEST_CASE("sla: a department's own hours (water supply works weekends 08:00-20:00)") {
  const auto& sla = *rules().sla;
  WorkOrder w = make(Kind::help, Urgency::normal, Mode::onsite, "gs");
  CHECK(sla.claim_due(w, L(2025, 3, 8, 19)) == L(2025, 3, 9, 9));  // Saturday 19:00 + 2 h
  WorkOrder c = make(Kind::help);
  CHECK(sla.claim_due(c, L(2025, 3, 8, 19)) == L(2025, 3, 10, 11));  // district hours
}

TEST_CASE("sla: 黄灯 when 20% of the allowance remains, counted in working time") {
  const auto& sla = *rules().sla;
  WorkOrder c = make(Kind::consult);
  Millis start = L(2025, 3, 5, 9), due = sla.reply_due(c, start);  // 2 WD -> Thu 18:00
  CHECK(due == L(2025, 3, 6, 18));
  // 15 working hours; 20% = 3 h remain -> Thursday 15:00 (15:00-18:00 left).
  CHECK(sla.warn_at(c, start, due) == L(2025, 3, 6, 15, 0));
  WorkOrder u = make(Kind::complaint, Urgency::urgent);
  CHECK(sla.warn_at(u, L(2025, 3, 5, 9), L(2025, 3, 6, 9)) ==
        L(2025, 3, 5, 9) + 24 * kHour * 8 / 10);
}

TEST_CASE("sla: durations and time ranges parse strictly") {
  CHECK(parse_duration("2h") == 2 * kHour);
  CHECK(parse_duration("30m") == 30 * kMinute);
  CHECK(parse_duration("15wd") == 15 * WD);
  CHECK(parse_duration("1.5h") == 90 * kMinute);
  CHECK_FALSE(parse_duration("2 hours"));
  CHECK_FALSE(parse_duration("h"));
  CHECK_FALSE(parse_duration("-1h"));
  CHECK(parse_interval("09:00-12:00") == std::pair{540, 720});
  CHECK_FALSE(parse_interval("12:00-09:00"));
  CHECK_FALSE(parse_interval("9-12"));
}

TEST_CASE("config: without escalation.yaml the DOMAIN.md defaults apply") {
  auto res = load_deployment(std::string(HUYING_SOURCE_DIR) + "/tests/data/config/minimal");
  REQUIRE(res.ok());
  CHECK(res.deployment->escalation.size() == default_escalation_rules().size());
  CHECK_FALSE(res.deployment->sla.has_value());
}

// Regressions from a review of the SLA code.
TEST_CASE("sla: 'twice the claim allowance' counts working time, not the night and weekend") {
  const auto& sla = *rules().sla;
  Escalator esc(default_escalation_rules());
  WorkOrder o = make(Kind::complaint);
  o.status = Status::dispatched;
  o.dispatched_at = L(2025, 3, 7, 17);              // Friday 17:00
  o.claim_due = sla.claim_due(o, o.dispatched_at);  // Monday 10:00
  REQUIRE(o.claim_due == L(2025, 3, 10, 10));
  CHECK(esc.next_due(o, sla) == o.claim_due);
  Event first = Escalator::escalated(o, default_escalation_rules()[0], o.claim_due);
  apply(o, first);
  CHECK(esc.next_due(o, sla) == L(2025, 3, 10, 12));  // 4 working hours after Friday 17:00
}

TEST_CASE("sla: an urgent order's call-back is still 1 working day") {
  const auto& sla = *rules().sla;
  WorkOrder u = make(Kind::complaint, Urgency::urgent);
  CHECK(sla.visit_due(u, L(2025, 3, 7, 17)) == L(2025, 3, 10, 17));
}

TEST_CASE("sla: a dispatch's claim deadline follows the new lead department's hours") {
  NaturalSlaPolicy unused;
  WorkOrder o = make(Kind::help);
  o.depts.clear();
  o.status = Status::received;
  o.number = "HY1";
  o.version = 1;
  DecideContext ctx;
  ctx.now = L(2025, 3, 8, 19);  // Saturday evening
  ctx.sla = rules().sla.get();
  auto to_gs = decide(&o, cmd(CommandType::dispatch, {{"lead", "gs"}}), disp, ctx);
  REQUIRE(to_gs.ok());
  CHECK(to_gs.events[0].data.at("claim_due").as_int64() ==
        L(2025, 3, 9, 9));  // water supply works Sundays
  auto to_cg = decide(&o, cmd(CommandType::dispatch, {{"lead", "cg"}}), disp, ctx);
  CHECK(to_cg.events[0].data.at("claim_due").as_int64() == L(2025, 3, 10, 11));
}

TEST_CASE("escalation: clock rules watch a re-dispatched order again, ping-pong fires once") {
  NaturalSlaPolicy s;
  Escalator esc(default_escalation_rules());
  WorkOrder o = order_in(Status::dispatched);
  EscalationContext ctx;
  ctx.now = o.dispatched_at + 5 * kHour;
  ctx.sla = &s;
  for (auto& e : esc.fire_due(o, ctx)) apply(o, e);
  CHECK(esc.next_due(o, s) == 0);
  // Returned and re-dispatched: a new claim deadline, watched again.
  step(o, cmd(CommandType::return_order, {{"reason", "not_our_duty"}}), clerk_cg, ctx.now, s);
  step(o, cmd(CommandType::arbitrate, {{"lead", "zj"}, {"ruling", "属住建"}}), disp, ctx.now, s);
  CHECK(esc.next_due(o, s) == o.claim_due);

  ctx.difficult_target = [](const WorkOrder&) { return std::string("hub-gy"); };
  Event ret;
  ret.type = EventType::returned;
  o.return_count = 2;
  auto first = esc.react(o, ret, ctx);
  REQUIRE_FALSE(first.empty());
  for (auto& e : first) apply(o, e);
  o.return_count = 3;
  CHECK(esc.react(o, ret, ctx).empty());  // the third return goes to the desk as usual
}

TEST_CASE("sla: durations reject nan, inf and signs") {
  CHECK_FALSE(parse_duration("nanh"));
  CHECK_FALSE(parse_duration("infm"));
  CHECK_FALSE(parse_duration("+2h"));
  CHECK_FALSE(parse_duration("1e99h"));
}
